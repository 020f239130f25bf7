// libFuzzer harness: the digit pack reader (drift/core/digit_pack.h, docs/digit-pack.md),
// seeded with a small valid pack. Any input must either read, with sizes that agree with the
// header, or fail with one line "f.pack: problem" (both the throwing and the error-string form).
#include <stdexcept>
#include <string>

#include "drift/core/digit_pack.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  drift::core::DigitSet d;
  std::string error;
  if (drift::core::parse_digit_pack(data, size, "f.pack", &d, &error)) {
    if (d.labels.size() != size_t(d.count) || d.pixels.size() != size_t(d.count) * size_t(d.rows) * size_t(d.cols))
      std::abort();
    for (uint8_t l : d.labels)
      if (l >= d.classes) std::abort();
  } else {
    drift_fuzz::check_one_line(error.c_str(), "f.pack: ");
  }
  try {
    drift::core::parse_digit_pack(data, size, "f.pack");
  } catch (const std::runtime_error& e) {
    drift_fuzz::check_one_line(e.what(), "f.pack: ");
  }
  return 0;
}
