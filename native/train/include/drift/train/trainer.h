// The training loop of `drift-train train` (docs/training.md). run_training() is the mainline:
//
//   Trainer t(opt, resume_dir);            // new run, or continue from the latest checkpoint
//   while (!t.done()) { s = t.step(); t.log(s); t.save_due(); if (t.stop_requested()) return t.interrupt(); }
//   return t.finish();                     // final checkpoint, samples, quick eval, export
//
// With torchrun's variables (WORLD_SIZE > 1) every rank runs the same loop on its share of the
// class groups (distributed.h); rank 0 alone writes files and prints progress.
#pragma once
#include <nlohmann/json.hpp>
#include <memory>
#include <string>

#include "drift/features/disc_key.h"
#include "drift/features/feature_drift.h"
#include "drift/field/field_torch.h"
#include "drift/logging/progress.h"
#include "drift/logging/run_log.h"
#include "drift/train/distributed.h"
#include "drift/train/local_workers.h"
#include "drift/train/options.h"
#include "drift/train/record.h"
#include "drift/train/train_checkpoint.h"
#include "drift/train/train_data.h"

namespace drift::train {

struct TrainResult {
  int64_t step = 0;             // last completed step
  bool interrupted = false;     // stopped by SIGINT (a checkpoint was written)
  std::string final_checkpoint; // model_final.pt, or the interrupt checkpoint
  double wall_s = 0;            // training seconds (this process)
  double steps_per_s = 0;
  nlohmann::json last;          // last logged scalars, by TensorBoard tag (loss, field/scale, ...)
  nlohmann::json eval;          // quick eval result (when run)
  bool main_process = true;     // false on ranks > 0 of several processes: they wrote nothing
};

// What one step leaves for logging.
struct StepStats {
  double loss = 0, lr = 0;
  field::FieldResult field;   // scale and per-temperature force
  torch::Tensor x;            // [B,G,D] this step's generated samples (detached)
  torch::Tensor classes;      // [B] the class of each of this process's groups (--class-split)
  double pixel_loss = 0;      // with --features: the pixel term and the summed feature keys
  double feature_loss = 0;
  double disc_key_loss = 0;   // --disc-key-dim: the key's drift loss (unweighted; the step's loss adds weight x it)
  double disc_loss = 0;       // the key's classifier loss before W's step, and its balanced accuracy
  double disc_accuracy = 0;
};

class Trainer {
 public:
  // Validates what depends on the data, builds the model, EMA and optimizer from opt.seed, or
  // restores them from the latest checkpoint in resume_dir (options come from the run; only
  // steps, device, threads and the final eval may change). Throws one-line errors.
  Trainer(TrainOptions opt, const std::string& resume_dir);

  bool done() const { return st_.step >= opt_.steps; }
  StepStats step();                 // sample, generate, field, loss, clip + AdamW + EMA
  void log(const StepStats& s);     // scalars every log_every steps, and the progress bar
  void save_due();                  // the record and checkpoint that fall on this step
  bool stop_requested() const;      // SIGINT here (or, with several processes, on any rank)
  TrainResult interrupt();          // checkpoint now and stop
  TrainResult finish();             // final checkpoint + samples, then quick eval + export
  // The frozen encoder of a --features run (null: pixels only), and the generator being trained.
  features::FeatureDrift* feature_drift() { return features_.get(); }
  features::DiscKey* disc_key() { return disc_.get(); }  // --disc-key-dim (null: off)
  models::Generator& model() { return st_.model; }
  const TrainOptions& options() const { return opt_; }  // resolved: the defaults filled in

 private:
  // The constructor's steps, in order.
  void open_data_and_processes();
  void open_features();
  void open_disc_key();
  void init_state(const std::string& resume_dir, const std::string& resume_path);
  void init_references();
  void open_logs();

  std::string ckpt_path(int64_t step) const;
  // Class groups per step and generated samples per group: with --class-split K, 1/K of the
  // classes with K*G each (the same generator passes as all classes with G).
  int64_t step_groups() const { return data_->num_groups() / opt_.class_split; }
  int64_t group_size() const { return opt_.batch_size * opt_.class_split; }
  torch::Tensor gather_all(const torch::Tensor& values);  // several processes: every rank's values
  void save_checkpoint(const std::string& path);
  void save_samples();
  void eval_and_export(TrainResult& res);
  void say(const std::string& line);  // progress message (rank 0 only)
  // Several processes: this rank's share of the step's randomness, and the backward pass
  // whose gradients are summed over the ranks. Returns the loss of the whole batch.
  at::Generator& step_stream();
  double backward_sharded(const torch::Tensor& loss);
  double global_spread(const torch::Tensor& x);
  void update_disc_key(const field::FieldInput& in, StepStats& s);

  TrainOptions opt_;
  torch::Device dev_{torch::kCPU};
  std::unique_ptr<TrainData> data_;
  models::GeneratorConfig cfg_;
  TrainState st_;
  FixedSamples fixed_;        // the noise every record and sample grid uses
  torch::Tensor target_pts_;  // toys: target points drawn under the sample scatter
  double real_spread_ = 0;    // real within-class diversity: the yardstick for collapse
  std::unique_ptr<logging::RunLog> log_;
  std::unique_ptr<logging::ProgressBar> bar_;
  double t0_ = 0, wall0_ = 0;  // this process's start; training seconds before it
  int64_t start_step_ = 0;
  bool warned_collapse_ = false;
  nlohmann::json last_;
  std::unique_ptr<features::FeatureDrift> features_;  // --features: the frozen encoder
  std::unique_ptr<features::DiscKey> disc_;           // --disc-key-dim: the online key
  std::unique_ptr<Distributed> dist_;  // null: one process
  // --workers: the other ranks, started here. Declared after dist_ so that it is destroyed
  // first: on an error the workers stop before the group they wait in goes away.
  std::unique_ptr<LocalWorkers> workers_;
  int threads_ = 0;                    // CPU threads of this process (0: LibTorch's default)
  Shard shard_;                        // this rank's groups (all of them with one process)
  at::Generator replica_rng_;          // replicas > 0 (more ranks than groups)
  bool main_ = true;                   // rank 0 (or the one process): writes files
  bool stop_ = false;                  // the ranks agreed to stop (SIGINT somewhere)
};

// Trains (or resumes when resume_dir is non-empty). Throws std::runtime_error with one clear
// line (bad data path, non-finite loss with the last good checkpoint named, ...).
TrainResult run_training(TrainOptions opt, const std::string& resume_dir = "");

}  // namespace drift::train
