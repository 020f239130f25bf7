// Training progress on stderr. On a terminal: one line redrawn in place with a bar,
// step/total, steps/s, ETA and a short status. Otherwise (a log file, CI): a plain line
// about every 5% and at the end, with no control characters. Torch-free.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace drift::logging {

struct ProgressOptions {
  std::FILE* out = stderr;
  int tty = -1;                 // -1: isatty(out) decides; 0: plain lines; 1: redrawn line
  std::string label;            // printed first, e.g. "train"
  double redraw_seconds = 0.1;  // terminal: at most this often
  int percent_step = 5;         // plain: one line per this many percent
  int64_t start_step = 0;       // a resumed run starts here (rate counts only new steps)
  double start_time = -1;       // clock origin for update(..., now); < 0: steady clock now
};

// "1h02m", "3m07s", "12s", or "?" for negative/NaN/inf seconds.
std::string format_duration(double seconds);

class ProgressBar {
 public:
  explicit ProgressBar(int64_t total, ProgressOptions opt = {});
  ~ProgressBar();

  // step = steps completed so far. `now` (seconds, any fixed origin) is for tests; by default
  // a steady clock.
  void update(int64_t step, const std::string& status = "");
  void update(int64_t step, const std::string& status, double now);
  // Prints a message on its own line without breaking the bar (terminal: clears, prints, redraws).
  void message(const std::string& text);
  // Final line (100% or wherever it stopped); later updates are ignored.
  void finish(const std::string& status = "");
  void finish(const std::string& status, double now);

  bool is_tty() const { return tty_; }
  // The text of the progress line for `step` at `now`, without control characters.
  std::string line(int64_t step, const std::string& status, double now, bool with_bar) const;

 private:
  void draw(int64_t step, const std::string& status, double now);
  int64_t total_;
  ProgressOptions opt_;
  bool tty_ = false;
  bool finished_ = false;
  bool drawn_ = false;
  double start_time_;
  double last_draw_ = -1e300;
  int64_t last_bucket_ = -1;
  int64_t last_step_ = 0;
  std::string last_status_;
};

}  // namespace drift::logging
