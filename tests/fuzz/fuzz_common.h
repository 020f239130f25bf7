// Shared by the libFuzzer harnesses (docs/reliability.md).
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "drift/core/manifest_sha256.h"

namespace drift_fuzz {

// A model input is the manifest, one NUL byte, then the bin (no NUL: everything is manifest).
// Every "@SHA@" in the manifest is replaced by the bin's SHA-256, so that mutated bins still
// pass the checksum and reach the decoder and the forward (the seeds use the placeholder; a
// mutation that breaks it exercises the checksum's own error path).
struct ModelInput {
  std::string manifest;
  std::string_view bin;
};
inline ModelInput split_model_input(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const size_t nul = all.find('\0');
  ModelInput in;
  in.manifest = std::string(all.substr(0, nul));
  if (nul != std::string_view::npos) in.bin = all.substr(nul + 1);
  const std::string sha = drift::core::sha256_hex(in.bin.data(), in.bin.size());
  for (size_t at = in.manifest.find("@SHA@"); at != std::string::npos; at = in.manifest.find("@SHA@", at))
    in.manifest.replace(at, 5, sha), at += sha.size();
  return in;
}

// Error messages are one line that starts with the source name: the contract every loader
// documents. A violation aborts, which libFuzzer reports as a crash with the input.
inline void check_one_line(const std::string& msg, const std::string& prefix) {
  if (msg.empty() || msg.find('\n') != std::string::npos || msg.rfind(prefix, 0) != 0) {
    std::fprintf(stderr, "bad error message: '%s' (expected one line starting '%s')\n", msg.c_str(),
                 prefix.c_str());
    std::abort();
  }
}

}  // namespace drift_fuzz
