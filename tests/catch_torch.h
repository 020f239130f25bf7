// Catch2 for tests that use LibTorch. LibTorch pulls in glog, whose CHECK(cond) would replace
// Catch's CHECK if it came second: failures would abort instead of being reported, and passes
// would not be counted. So: torch first, drop glog's CHECK, then Catch.
#pragma once
#include <torch/torch.h>
#undef CHECK
#include "drift_catch.h"
