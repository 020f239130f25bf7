// CLI11 validators for numbers that must also be finite: CLI::PositiveNumber lets "nan" through.
#pragma once
#include <CLI/CLI.hpp>
#include <cmath>
#include <string>

namespace drift::cli {

// A finite number in [lo, hi] (with open_low: in (lo, hi]).
inline CLI::Validator finite_range(double lo, double hi, bool open_low = false) {
  const std::string desc = std::string(open_low ? "(" : "[") + std::to_string(lo) + " - " + std::to_string(hi) + "]";
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
inline CLI::Validator finite_positive() { return finite_range(0.0, 1e300, true); }
inline CLI::Validator finite_non_negative() { return finite_range(0.0, 1e300); }

}  // namespace drift::cli
