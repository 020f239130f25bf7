// Catch2 for every test: v2 (Debian 12: one header) or v3 (Debian 13: a compiled library with
// split headers; in the wasm build its amalgamated source), chosen here and nowhere else.
// The tests use v2's spellings; v3 moved them, so for v3 they are declared here:
//   Approx                                  -> Catch::Approx
//   Catch::Contains, StartsWith, Equals     -> Catch::Matchers::{ContainsSubstring, StartsWith,
//   (string matchers)                          Equals}
// Files that use LibTorch include catch_torch.h, which includes this one after torch.
#pragma once
#include <string>
#if __has_include(<catch2/catch_test_macros.hpp>)
#define DRIFT_CATCH2_V3 1
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#elif __has_include(<catch_amalgamated.hpp>)
#define DRIFT_CATCH2_V3 1
#include <catch_amalgamated.hpp>
#else
#define DRIFT_CATCH2_V3 0
#include <catch2/catch.hpp>
#endif

#if DRIFT_CATCH2_V3
using Catch::Approx;
namespace Catch {
inline Matchers::StringContainsMatcher Contains(const std::string& s,
                                                CaseSensitive cs = CaseSensitive::Yes) {
  return Matchers::ContainsSubstring(s, cs);
}
using Matchers::Equals;
using Matchers::StartsWith;
}  // namespace Catch
#endif
