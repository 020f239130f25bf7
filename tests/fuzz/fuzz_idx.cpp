// libFuzzer harness: the IDX reader (drift/core/idx.h: parse_idx, what read_idx runs on a
// file's bytes), seeded with plain files. Any input must either read, with dims whose product
// is the data size, or throw one line "PATH: problem".
#include <stdexcept>

#include "drift/core/idx.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const drift::core::IdxArray a =
        drift::core::parse_idx(std::string_view(reinterpret_cast<const char*>(data), size), "f.idx");
    uint64_t n = 1;
    for (int64_t d : a.dims) n *= uint64_t(d);
    if (a.dims.empty() || n != a.data.size()) std::abort();
  } catch (const std::runtime_error& e) {
    drift_fuzz::check_one_line(e.what(), "f.idx: ");
  }
  return 0;
}
