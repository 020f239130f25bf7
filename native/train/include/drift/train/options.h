// Everything `drift-train train` can set. Stored as JSON in RUN_DIR/options.json and in every
// checkpoint, so --resume continues with exactly the same settings. The CLI (cmd_train.cpp)
// checks each value's range and choices once; resolve_defaults() fills what depends on data.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drift/field/field_torch.h"
#include "drift/models/generator.h"
#include "drift/train/alpha.h"

namespace drift::train {

enum class Device { automatic, cpu, cuda };
const std::vector<std::pair<std::string, Device>>& device_names();  // auto, cpu, cuda

struct TrainOptions {
  std::string dataset = "mnist";  // mnist | fashion-mnist | idx:DIR | toy name | csv:FILE
  std::string data_dir = "data";
  std::string out;                // RUN_DIR
  models::Arch arch = models::Arch::mlpconv;  // images: mlpconv | mlp; toy sets always use the toy MLP
  std::string out_act = "sigmoid";  // images: generator output activation none | sigmoid
  std::vector<int64_t> widths;    // images: hidden widths of the generator's MLP (empty = the arch's)
  int64_t steps = 0;              // 0: from epochs, else the dataset default
  double epochs = 0;
  int64_t batch_size = 0;         // G: generated samples per class group (0 = default)
  int64_t positives = 0;          // P per group (0 = 4G images, G toys)
  int64_t uncond = -1;            // U per group (-1 = 2G for images, 0 for toys)
  double lr = 1e-3;               // peak learning rate, after a linear warmup
  int64_t warmup = 200;           // linear LR warmup steps
  double weight_decay = 0.0;
  double clip = 2.0;              // gradient norm clip
  double ema = -1;                // EMA decay (-1 = 0.999 images, 0.99 toys)
  AlphaOptions alpha;
  std::vector<double> taus{0.02, 0.05, 0.2};
  double floor = 0.0;             // affinity floor (docs/drift-field.md)
  // Levers of issue 26 (docs/training.md, "Coverage levers"). Off by default; when off they are
  // not written to options.json or checkpoints, so a run without them stores what it did before.
  // class_split K: each step trains the classes c with c mod K = step mod K, with K*G generated
  // each (the same generator passes per step), P and U per group unchanged.
  int64_t class_split = 1;
  // Per-sample velocity clipping of the pixel field: off | median | unit | a positive kappa.
  std::string velocity_clip = "off";
  // An online discriminative key (features/disc_key.h): z = W x with disc_key_dim rows (0 = off),
  // PCA-initialised, an extra key at loss weight disc_key_weight; W takes one AdamW step (lr
  // disc_key_lr) per step on a leave-one-out KDE-ratio classifier at temperature disc_key_temp.
  // The images' default since it won issue 26's four-seed ablation (docs/results.md): -1 resolves
  // to 64 rows (at most the sample's values) for images, 0 for toy sets and for groups too small
  // for its leave-one-out densities. A stored run without the entry predates that: 0.
  int64_t disc_key_dim = -1;
  double disc_key_weight = 0.3;
  double disc_key_temp = 0.05;
  double disc_key_lr = 1e-3;
  std::string init = "middle";    // toys: a name from core::toy_init_names()
  Device device = Device::automatic;
  uint64_t seed = 0;
  int threads = 0;                // 0 = LibTorch default
  int64_t record = 0;             // every K steps: snapshot + record .npy (0 = off)
  int64_t ckpt_every = 1000;
  int64_t log_every = 50;
  double grid_alpha = 1.25;       // guidance of the logged sample grid (the recommended alpha)
  bool final_eval = true;         // quick eval + export at the end
  int64_t eval_n = 2000;
  std::string command;            // the command line (for the model card)
  // Feature-space drift (docs/training.md): an encoder.pt from `drift-train encoder` (empty =
  // pixels only), the SHA-256 of the file this run trains with (set at the start; --resume
  // refuses another), the reals per group whose features enter the feature keys (the first
  // P_f positives and U_f unconditional ones of the step's draw), and which stages get
  // per-location keys (at most this many locations). Only the first feature_gen generated
  // samples of a group enter the keys: the key fields cost G_f x (G_f + P_f + U_f) per
  // location, and there are about 900 locations and patches per group.
  std::string features;
  std::string features_sha256;
  int64_t feature_gen = 16;
  int64_t feature_pos = 32;
  int64_t feature_uncond = 16;
  int64_t feature_max_locations = 196;
  double feature_weight = 1.0;    // multiplies the summed key losses (1: the paper's plain sum)
  // Several processes: seconds a collective (or joining the group) may wait for the other
  // ranks before this one exits with an error. A property of the launch, not of the run:
  // not stored in options.json or checkpoints, and it may change on --resume.
  double dist_timeout = 120;
  // Worker processes on this machine (local_workers.h): 1 = this process alone; 0 = auto, one
  // per usable core capped by the step's class groups (`drift-train train`'s default). Like
  // dist_timeout a property of the launch: not stored, and it may change on --resume. --threads
  // is then per worker.
  int workers = 1;
};

// Enums are written by name. Keys of removed options in older files are ignored.
void to_json(nlohmann::json& j, const TrainOptions& o);
void from_json(const nlohmann::json& j, TrainOptions& o);

// Fills the defaults that depend on the dataset (G, P, U, EMA, steps, the key's rows) in place;
// sample_dim is the number of values in one sample (784 for MNIST, 2 for toys).
void resolve_defaults(TrainOptions& opt, bool toy, int64_t num_classes, int64_t dataset_size, int64_t sample_dim);

// The pixel field's options: taus, floor and velocity clipping.
field::FieldOptions pixel_field_options(const TrainOptions& opt);
// --velocity-clip's fixed kappa: a positive finite number, else an error naming the flag.
double parse_clip_kappa(const std::string& s);

// LR at a step: linear warmup to opt.lr, then constant.
double learning_rate(const TrainOptions& opt, int64_t step);

}  // namespace drift::train
