#include "drift/logging/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace drift::logging {
namespace {

double steady_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Status text comes from the trainer; never let a stray newline or escape break the line.
std::string sanitize(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  return out;
}

int terminal_width(std::FILE* f) {
  struct winsize ws {};
  if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 100;
}

}  // namespace

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const int64_t t = int64_t(std::llround(s));
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", (long long)(t / 3600), (long long)(t % 3600 / 60));
  else if (t >= 60)
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", (long long)(t / 60), (long long)(t % 60));
  else
    std::snprintf(buf, sizeof(buf), "%llds", (long long)t);
  return buf;
}

ProgressBar::ProgressBar(int64_t total, ProgressOptions opt)
    : total_(std::max<int64_t>(total, 1)), opt_(std::move(opt)), start_time_(0) {
  start_time_ = opt_.start_time < 0 ? steady_now() : opt_.start_time;
  tty_ = opt_.tty < 0 ? isatty(fileno(opt_.out)) != 0 : opt_.tty != 0;
  if (opt_.percent_step < 1) opt_.percent_step = 1;
  last_step_ = opt_.start_step;
}

ProgressBar::~ProgressBar() {
  // A bar left mid-line would glue the shell prompt to it.
  if (tty_ && drawn_ && !finished_) std::fputc('\n', opt_.out);
}

std::string ProgressBar::line(int64_t step, const std::string& status, double now, bool with_bar) const {
  const double frac = std::clamp(double(step) / double(total_), 0.0, 1.0);
  const double elapsed = now - start_time_;
  const double done = double(step - opt_.start_step);
  const double rate = elapsed > 0 && done > 0 ? done / elapsed : 0.0;
  const double eta = rate > 0 ? double(total_ - step) / rate : -1.0;
  std::string out;
  if (!opt_.label.empty()) out += opt_.label + " ";
  if (with_bar) {
    const int width = 24;
    const int fill = int(frac * width);
    out += "[" + std::string(size_t(fill), '#') + std::string(size_t(width - fill), '.') + "] ";
  }
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%lld/%lld %3d%% %.1f steps/s ETA %s", (long long)step, (long long)total_,
                int(frac * 100.0), rate, format_duration(eta).c_str());
  out += buf;
  const std::string st = sanitize(status);
  if (!st.empty()) out += " | " + st;
  return out;
}

void ProgressBar::draw(int64_t step, const std::string& status, double now) {
  if (tty_) {
    std::string text = line(step, status, now, true);
    const size_t cols = size_t(terminal_width(opt_.out) - 1);
    if (text.size() > cols) text.resize(cols);
    // \r returns to column 0, \033[K clears what a longer previous line left behind.
    std::fprintf(opt_.out, "\r%s\033[K", text.c_str());
  } else {
    std::fprintf(opt_.out, "%s\n", line(step, status, now, false).c_str());
  }
  std::fflush(opt_.out);
  drawn_ = true;
  last_draw_ = now;
}

void ProgressBar::update(int64_t step, const std::string& status) { update(step, status, steady_now()); }

void ProgressBar::update(int64_t step, const std::string& status, double now) {
  if (finished_) return;
  last_step_ = step;
  last_status_ = status;
  if (tty_) {
    if (now - last_draw_ >= opt_.redraw_seconds) draw(step, status, now);
    return;
  }
  const int64_t bucket = std::clamp<int64_t>(step, 0, total_) * 100 / total_ / opt_.percent_step;
  if (bucket > last_bucket_) {
    last_bucket_ = bucket;
    draw(step, status, now);
  }
}

void ProgressBar::message(const std::string& text) {
  if (tty_ && drawn_) std::fprintf(opt_.out, "\r\033[K");
  std::fprintf(opt_.out, "%s\n", sanitize(text).c_str());
  if (tty_ && drawn_ && !finished_) {
    last_draw_ = -1e300;
    draw(last_step_, last_status_, steady_now());
  }
  std::fflush(opt_.out);
}

void ProgressBar::finish(const std::string& status) { finish(status, steady_now()); }

void ProgressBar::finish(const std::string& status, double now) {
  if (finished_) return;
  const std::string st = status.empty() ? last_status_ : status;
  if (tty_) {
    draw(last_step_, st, now);
    std::fputc('\n', opt_.out);
  } else if (last_bucket_ < 0 || last_step_ < total_ || !status.empty()) {
    draw(last_step_, st, now);  // plain: the 100% line was already printed unless we stopped early
  }
  std::fflush(opt_.out);
  finished_ = true;
}

}  // namespace drift::logging
