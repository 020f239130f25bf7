// The weights-format version this core reads (docs/weights-format.md).
#pragma once
namespace drift::core {
inline constexpr const char* kFormatName = "drift-model";
inline constexpr int kFormatVersion = 1;
const char* core_version();
}  // namespace drift::core
