#include "drift/core/version.h"
namespace drift::core {
const char* core_version() { return "0.1.0"; }
}  // namespace drift::core
