// The masked autoencoder of feature-space drift: model, masking, objective, file.
#include "drift/features/encoder.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "drift/core/atomic_file.h"
#include "drift/core/manifest_sha256.h"
#include "drift/models/generator.h"

namespace drift::features {

void to_json(nlohmann::json& j, const EncoderConfig& c) {
  j = {{"channels", c.channels}, {"in_channels", c.in_channels}, {"height", c.height}, {"width", c.width},
       {"patch", c.patch},       {"mask_ratio", c.mask_ratio},   {"dataset", c.dataset}};
}
void from_json(const nlohmann::json& j, EncoderConfig& c) {
  j.at("channels").get_to(c.channels);
  j.at("in_channels").get_to(c.in_channels);
  j.at("height").get_to(c.height);
  j.at("width").get_to(c.width);
  c.patch = j.value("patch", c.patch);
  c.mask_ratio = j.value("mask_ratio", c.mask_ratio);
  c.dataset = j.value("dataset", c.dataset);
}

namespace {
torch::nn::Conv2d conv3(int64_t in, int64_t out, int64_t stride = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}
torch::nn::Upsample up2() {
  return torch::nn::Upsample(torch::nn::UpsampleOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
}
}  // namespace

MaskedAutoencoderImpl::MaskedAutoencoderImpl(EncoderConfig cfg) : cfg_(std::move(cfg)) {
  if (cfg_.channels.size() != 3) throw std::runtime_error("encoder: needs exactly 3 stage widths");
  if (cfg_.height % 4 || cfg_.width % 4)
    throw std::runtime_error("encoder: image size " + std::to_string(cfg_.height) + "x" + std::to_string(cfg_.width) +
                             " is not a multiple of 4 (three stages at H, H/2, H/4)");
  if (cfg_.patch < 1 || cfg_.height % cfg_.patch || cfg_.width % cfg_.patch)
    throw std::runtime_error("encoder: patch " + std::to_string(cfg_.patch) + " does not divide the image");
  const auto& c = cfg_.channels;
  // Two 3x3 convs per stage; stages 1 and 2 start with a stride-2 conv (28² -> 14² -> 7²).
  stage0_ = register_module("stage0", torch::nn::Sequential(conv3(cfg_.in_channels, c[0]), torch::nn::SiLU(),
                                                              conv3(c[0], c[0]), torch::nn::SiLU()));
  stage1_ = register_module("stage1", torch::nn::Sequential(conv3(c[0], c[1], 2), torch::nn::SiLU(),
                                                              conv3(c[1], c[1]), torch::nn::SiLU()));
  stage2_ = register_module("stage2", torch::nn::Sequential(conv3(c[1], c[2], 2), torch::nn::SiLU(),
                                                              conv3(c[2], c[2]), torch::nn::SiLU()));
  // The decoder reads only the last stage (no skips): a skip from the 28² stage would let
  // the visible pixels through and the encoder would learn little about masked regions.
  decoder_ = register_module("decoder", torch::nn::Sequential(up2(), conv3(c[2], c[1]), torch::nn::SiLU(), up2(),
                                                                conv3(c[1], c[0]), torch::nn::SiLU(),
                                                                conv3(c[0], cfg_.in_channels)));
}

std::vector<torch::Tensor> MaskedAutoencoderImpl::encode(const torch::Tensor& x) {
  // x [n,C,H,W] -> three stage maps
  auto f0 = stage0_->forward(x);
  auto f1 = stage1_->forward(f0);
  auto f2 = stage2_->forward(f1);
  return {f0, f1, f2};
}

torch::Tensor MaskedAutoencoderImpl::decode(const torch::Tensor& top) {
  // top [n,c2,H/4,W/4] -> [n,C,H,W]
  return decoder_->forward(top);
}

torch::Tensor make_patch_mask(int64_t n, int64_t H, int64_t W, int64_t patch, double ratio, at::Generator& gen) {
  // -> [n,1,H,W], 1 on the masked patches
  const int64_t ph = H / patch, pw = W / patch, np = ph * pw;
  const int64_t k = std::llround(ratio * double(np));
  // The rank of each patch in a random order: the k lowest ranks are masked.
  auto rank = torch::rand({n, np}, gen).argsort(int64_t(1)).argsort(int64_t(1));
  auto m = (rank < k).to(torch::kFloat).view({n, 1, ph, pw});
  return m.repeat_interleave(patch, 2).repeat_interleave(patch, 3);
}

torch::Tensor masked_l2(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& mask) {
  // pred, target [n,C,H,W], mask [n,1|C,H,W] -> scalar
  auto m = mask.expand_as(target);
  return ((pred - target).square() * m).sum() / m.sum().clamp_min(1.0);
}

torch::Tensor mae_loss(MaskedAutoencoder& m, const torch::Tensor& x, const torch::Tensor& mask) {
  // x [n,C,H,W], mask [n,1,H,W] -> scalar
  auto stages = m->encode(x * (1 - mask));
  return masked_l2(m->decode(stages.back()), x, mask);
}

void save_encoder(const MaskedAutoencoder& m, const std::string& path, const nlohmann::json& meta) {
  torch::serialize::OutputArchive ar;
  ar.write("kind", c10::IValue(std::string("drift-encoder")));
  ar.write("config", c10::IValue(nlohmann::json(m->config()).dump()));
  ar.write("meta", c10::IValue(meta.dump()));
  torch::serialize::OutputArchive w;
  m->save(w);
  ar.write("weights", w);
  models::save_archive_atomic(ar, path, "encoder");
}

MaskedAutoencoder load_encoder(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": no such file (an encoder from `drift-train encoder`)");
  torch::serialize::InputArchive ar;
  c10::IValue kind, config;
  try {
    ar.load_from(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot read encoder: " + e.what_without_backtrace());
  }
  if (!ar.try_read("kind", kind) || !kind.isString() || kind.toStringRef() != "drift-encoder" ||
      !ar.try_read("config", config) || !config.isString())
    throw std::runtime_error(path + ": not an encoder file (write one with `drift-train encoder`)");
  try {
    MaskedAutoencoder m(nlohmann::json::parse(config.toStringRef()).get<EncoderConfig>());
    torch::serialize::InputArchive w;
    if (!ar.try_read("weights", w)) throw std::runtime_error("no weights");
    m->load(w);
    return m;
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": damaged encoder: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": damaged encoder: " + e.what());
  }
}

std::string file_sha256(const std::string& path) {
  const std::string bytes = core::read_file(path);
  return core::sha256_hex(bytes.data(), bytes.size());
}

}  // namespace drift::features
