// libFuzzer harness: the .npy reader (drift/core/npy.h, parse_npy). Any input must either
// parse to a float32 array whose shape matches its data, or throw one line "NAME: problem".
#include <cstring>
#include <stdexcept>

#include "drift/core/npy.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const drift::core::NpyArray a = drift::core::parse_npy(bytes, "f.npy");
    if (a.numel() < 0 || size_t(a.numel()) != a.data.size()) std::abort();
    // What drift-infer field / drift-train field do with it next: encode it back; it must
    // parse to the same array, bit for bit (memcmp: NaN payloads and -0 included).
    const drift::core::NpyArray b = drift::core::parse_npy(drift::core::encode_npy(a.shape, a.data.data()), "g.npy");
    if (b.shape != a.shape || b.data.size() != a.data.size()) std::abort();
    if (!a.data.empty() && std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) != 0)
      std::abort();
  } catch (const std::runtime_error& e) {
    drift_fuzz::check_one_line(e.what(), "f.npy: ");
  }
  return 0;
}
