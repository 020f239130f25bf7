// `drift-train encoder`: trains the feature encoder of feature-space drift (features/encoder.h)
// as a masked autoencoder on the training images, without their labels.
//
// ENC_DIR holds encoder.pt (the result, what `train --features` reads), encoder_ckpt.pt (the
// resumable state: weights, Adam moments, sampler RNG, step, options), metrics.jsonl and tb/.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "drift/train/options.h"

namespace drift::train {

struct EncoderTrainOptions {
  std::string dataset = "mnist";  // an image dataset (mnist | fashion-mnist | idx:DIR)
  std::string data_dir = "data";
  std::string out;                // ENC_DIR
  int64_t steps = 0;               // 0: 1500 for a new run, the stored count on --resume
  int64_t batch = 128;
  double lr = 2e-3;               // Adam, linear warmup over 100 steps, then constant
  double mask_ratio = 0.5;
  uint64_t seed = 0;
  int threads = 0;
  int64_t ckpt_every = 500;
  int64_t log_every = 50;
  Device device = Device::automatic;
};
void to_json(nlohmann::json& j, const EncoderTrainOptions& o);
void from_json(const nlohmann::json& j, EncoderTrainOptions& o);

struct EncoderTrainResult {
  int64_t step = 0;
  bool interrupted = false;
  std::string encoder_path;  // ENC_DIR/encoder.pt (empty when interrupted)
  std::string sha256;        // of encoder.pt
  double loss = 0;           // masked L2, mean over the last log window
  double wall_s = 0;
};

// New run (resume_dir empty; refuses an ENC_DIR that already holds one), or continues the
// run in resume_dir from encoder_ckpt.pt (only steps, device and threads may change).
// On SIGINT: writes encoder_ckpt.pt and returns interrupted. Throws one-line errors.
EncoderTrainResult train_encoder(EncoderTrainOptions opt, const std::string& resume_dir = "");

}  // namespace drift::train
