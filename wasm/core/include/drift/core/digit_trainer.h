// The browser digit trainer: a small class-conditional generator trained on 28x28 digits with
// the drift loss, natively and in wasm from the same sources (drift_digits.wasm). Its pieces
// are the core's: the MLP (mlp.h, the layers' backward), AdamW (adamw.h), the batch field of
// all class groups (drift_field_groups), the weights-format writer (model_writer.h).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drift/core/adamw.h"
#include "drift/core/digit_pack.h"
#include "drift/core/field_eigen.h"
#include "drift/core/mlp.h"
#include "drift/core/model_writer.h"
#include "drift/core/toy_data.h"

namespace drift::core {

inline constexpr int kDigitClasses = 10;
inline constexpr int kDigitPixels = 28 * 28;

// The architecture and batch choices of the digit trainer, all in this one table, the default
// first. The input of the generator is [noise | one_hot(class) | α − 1] (the weights format's
// conditioning; α is 1 here, no CFG), then `depth` hidden layers of `hidden` units with SiLU,
// then 784 sigmoid outputs. A step draws gen_per_class samples and pos_per_class positives for
// each class. With ema > 0 the trainer keeps an EMA of the weights (decay min(ema,
// (1 + t) / (10 + t)) after step t, drift-train's warm-up), and sample(), quality() and
// export_model() use it; training itself is unchanged. Figures: the sweep of
// docs/digit-trainer.md (native, fixed step budgets = the steps of 60 s in headless Chromium,
// accuracy by drift-digit-eval, n = 2000, α = 1, mean of seeds 0 and 1; ±0.7 pt per run).
struct DigitArch {
  const char* name;
  int noise_dim, hidden, depth;
  int gen_per_class, pos_per_class;
  float lr;   // Adam (betas 0.9, 0.999, no weight decay, no clipping), constant
  float ema;  // 0: no EMA
  const char* note;
};
inline constexpr DigitArch kDigitArchs[] = {
    {"mlp256-ema", 32, 256, 2, 32, 64, 2e-3f, 0.999f,
     "the default: mlp256 + EMA 0.999; 91.0% at 2,255 steps (60 s), FD/floor 14.8; same step cost"},
    {"mlp256", 32, 256, 2, 32, 64, 2e-3f, 0.0f,
     "278k parameters, the issue's PyTorch reference; 89.4% at 2,255 steps (60 s), FD/floor 15.9"},
    {"p128-ema", 32, 256, 2, 32, 128, 2e-3f, 0.999f,
     "128 positives per class + EMA; step 1.2x dearer: 90.9% at 1,864 steps (60 s), FD/floor 15.1"},
    {"mlp128", 32, 128, 2, 32, 64, 2e-3f, 0.0f, "half width: 122k parameters; not in the sweep"},
};
// The entry named `name` ("" = the first), or null.
const DigitArch* find_digit_arch(std::string_view name);
std::string digit_arch_names();  // "mlp256-ema,mlp256,p128-ema,mlp128"

struct DigitTrainerConfig {
  std::string arch;    // a kDigitArchs name; "" = the default
  std::uint64_t seed = 0;
  float lr = 0.0f;     // 0: the arch's
  int holdout = 500;   // last digits of the data, never trained on: the quality proxy's reference
};

class DigitTrainer {
 public:
  explicit DigitTrainer(const DigitTrainerConfig& cfg);  // throws runtime_error on bad config
  // What the constructor and set_data would throw ("digit trainer: ..."), or "" if nothing:
  // the C API checks first, as the wasm modules have no exceptions.
  static std::string check_config(const DigitTrainerConfig& cfg);
  std::string check_data(const DigitSet& data) const;
  static std::string check_lr(float lr);
  bool weights_finite() const;

  // 28x28 digits of 10 classes; keeps all but the last `holdout` for training. Throws
  // runtime_error("digit trainer: ...") if the set does not fit (size, classes, a class with
  // no training digit). Resets training.
  void set_data(DigitSet data);
  bool has_data() const { return train_count_ > 0; }

  void step(int k = 1);  // needs data
  int step_count() const { return steps_; }
  float last_loss() const { return last_loss_; }
  const FieldStats& last_stats() const { return stats_; }

  // Quality proxy: the unbiased energy distance (energy.h) in pixel space between kQualityPer
  // generated digits per class (fixed noise) and the first 10 * kQualityPer held-out digits.
  // Lower is better; about 0 when the two are alike.
  static constexpr int kQualityPer = 20;
  float quality();

  // [10 * per_class, 784] row-major, class-major order (class 0's samples first), on fixed
  // noise: the weights format's noise stream (rng.h fill_normal) for the trainer's seed, so the
  // exported model draws the same digits with generate(n = 10 * per_class, these labels,
  // alpha 1, that seed), as drift-infer and the page do. per_class in [1, kMaxSamplePer].
  // Valid until the next call.
  static constexpr int kMaxSamplePer = 64;
  const std::vector<float>& sample(int per_class);

  // The generator as model.json + model.bin (weights format, f32).
  ModelFiles export_model() const;

  void reset();  // new weights (same seed), optimizer state, step 0; keeps the data
  void set_lr(float lr);
  const DigitArch& arch() const { return *arch_; }
  const DigitTrainerConfig& config() const { return cfg_; }
  Mlp& mlp() { return mlp_; }
  int input_dim() const { return mlp_.in_dim(); }
  int batch() const { return kDigitClasses * arch_->gen_per_class; }

  // One step's gradient without the update: Z [input_dim, batch] (noise | one-hot | α−1 per
  // column, class-major), pos [10 * pos_per_class, 784] (class-major) -> grad (params'
  // layout), V [batch, 784] (if given), the field's stats; returns the loss. For the tests.
  float loss_and_grad(const float* Z, const float* pos, std::vector<float>& grad, std::vector<float>* V,
                      FieldStats* stats);

 private:
  void draw_batch();  // Z_ and pos_ for one step

  DigitTrainerConfig cfg_;
  const DigitArch* arch_;
  Mlp mlp_;
  AdamW adam_;
  ToyRng rng_;
  std::vector<std::uint8_t> pixels_;               // training digits first, then held out
  std::vector<std::vector<int>> by_class_;         // training indices of each class
  int train_count_ = 0, holdout_count_ = 0;
  std::vector<float> holdout_f_;                   // [10*kQualityPer, 784] in [0,1]
  std::vector<float> Z_, pos_, V_, dx_, grad_, sample_, zq_;
  std::vector<float> ema_;                         // the EMA of the weights (arch ema > 0)
  int steps_ = 0;
  float last_loss_ = 0.0f;
  FieldStats stats_;
};

}  // namespace drift::core
