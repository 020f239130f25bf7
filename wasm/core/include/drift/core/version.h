// The weights-format version this core reads (docs/weights-format.md).
#pragma once
namespace drift::core {
inline constexpr const char* kFormatName = "drift-model";
// Version 2 added int8 tensors and snapshots in their own files; this core reads 1 and 2.
inline constexpr int kFormatVersion = 2;
inline constexpr int kOldestFormatVersion = 1;
const char* core_version();
}  // namespace drift::core
