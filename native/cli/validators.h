// CLI11 validators for numbers that must also be finite: CLI::PositiveNumber lets "nan" through.
#pragma once
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <string>

namespace drift::cli {

// A finite number in [lo, hi] (with open_low: in (lo, hi]).
inline CLI::Validator finite_range(double lo, double hi, bool open_low = false) {
  // --help shows "FLOAT > 0", "FLOAT:[1 - 16]": %g, and no 1e300 stand-in for "unbounded".
  auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  const std::string desc = hi >= 1e300 ? std::string(open_low ? "> " : ">= ") + num(lo)
                                       : std::string(open_low ? "(" : "[") + num(lo) + " - " + num(hi) + "]";
  return CLI::Validator(
      [lo, hi, open_low](std::string& s) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(s, v) || !std::isfinite(v)) return "value " + s + " is not a finite number";
        if ((open_low ? v <= lo : v < lo) || v > hi)
          return "value " + s + " not in range " + std::string(open_low ? "(" : "[") + CLI::detail::to_string(lo) +
                 ", " + CLI::detail::to_string(hi) + "]";
        return {};
      },
      desc);
}
// "auto" (stored as 0) or a whole number in [1, hi]: --workers.
inline CLI::Validator auto_or_count(int hi) {
  return CLI::Validator(
      [hi](std::string& s) -> std::string {
        if (s == "auto") return {};
        int v = 0;
        if (!CLI::detail::lexical_cast(s, v) || v < 1 || v > hi)
          return "value " + s + " is neither auto nor a whole number in [1, " + std::to_string(hi) + "]";
        return {};
      },
      "auto|[1 - " + std::to_string(hi) + "]");
}

// --velocity-clip: off, median, unit, or a positive finite kappa.
inline CLI::Validator velocity_clip_choice() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (s == "off" || s == "median" || s == "unit") return {};
        double v = 0;
        if (CLI::detail::lexical_cast(s, v) && std::isfinite(v) && v > 0) return {};
        return "value " + s + " is not off, median, unit or a positive number";
      },
      "off|median|unit|KAPPA>0");
}

inline CLI::Validator finite_positive() { return finite_range(0.0, 1e300, true); }
inline CLI::Validator finite_non_negative() { return finite_range(0.0, 1e300); }

}  // namespace drift::cli
