// Progress display: formatting and the redraw thread. See progress.h for the design note.
#include "engine/core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <utility>

#include <fmt/format.h>

namespace cutover {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(250);
// The displayed rate is the average over (about) this much recent time.
constexpr auto kRateWindow = std::chrono::seconds(5);
constexpr std::string_view kClearToEol = "\x1b[K";

void WriteStderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

std::string Prefix(std::string_view what) {
  return what.empty() ? std::string() : fmt::format("{}: ", what);
}

}  // namespace

std::string FormatCount(int64_t n) {
  // Work on the magnitude as unsigned so that INT64_MIN has one.
  uint64_t magnitude = n < 0 ? uint64_t{0} - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  const std::string digits = std::to_string(magnitude);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3 + 1);
  if (n < 0) out.push_back('-');
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  if (seconds >= 100.0 * 3600) return ">99:59:59";
  const int64_t total = std::llround(seconds);
  const int64_t h = total / 3600;
  const int64_t m = total / 60 % 60;
  const int64_t s = total % 60;
  if (h > 0) return fmt::format("{}:{:02}:{:02}", h, m, s);
  return fmt::format("{}:{:02}", m, s);
}

Progress::Mode Progress::ResolveMode(Mode mode, bool stderr_is_tty, const char* ci_env) {
  if (mode != Mode::kAuto) return mode;
  const bool ci = ci_env != nullptr && ci_env[0] != '\0';
  return stderr_is_tty && !ci ? Mode::kTerminal : Mode::kQuiet;
}

std::string Progress::FormatLine(std::string_view what, int64_t done, int64_t total,
                                 double rows_per_second) {
  std::string line = Prefix(what) + FormatCount(done);
  if (total >= 0) line += " / " + FormatCount(total);
  line += " rows";
  if (total >= 0) {
    double percent = total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / total;
    percent = std::clamp(std::floor(percent * 10) / 10, 0.0, 100.0);
    line += fmt::format("  {:.1f}%", percent);
  }
  if (rows_per_second >= 0 && std::isfinite(rows_per_second)) {
    line += fmt::format("  {} rows/s", FormatCount(std::llround(rows_per_second)));
    if (total >= 0 && done < total && rows_per_second > 0) {
      line += "  ETA " + FormatDuration(static_cast<double>(total - done) / rows_per_second);
    }
  }
  return line;
}

std::string Progress::FormatFinalLine(std::string_view what, int64_t done, double elapsed_seconds) {
  std::string line = fmt::format("{}{} rows in {}", Prefix(what), FormatCount(done),
                                 FormatDuration(elapsed_seconds));
  if (elapsed_seconds > 0 && std::isfinite(elapsed_seconds)) {
    line += fmt::format(" ({} rows/s)",
                        FormatCount(std::llround(static_cast<double>(done) / elapsed_seconds)));
  }
  return line;
}

Progress::Progress(std::string what, int64_t total_estimate, Mode mode, Sink sink)
    : total_(total_estimate),
      what_(std::move(what)),
      mode_(ResolveMode(mode, ::isatty(STDERR_FILENO) == 1, std::getenv("CI"))),
      sink_(sink ? std::move(sink) : Sink(WriteStderr)),
      start_(Clock::now()) {
  if (mode_ == Mode::kTerminal) thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  Finish();
}

void Progress::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (mode_ != Mode::kTerminal) return;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  sink_("\r" + FormatFinalLine(what_, done(), elapsed) + std::string(kClearToEol) + "\n");
}

void Progress::Run() {
  struct Sample {
    Clock::time_point at;
    int64_t done;
  };
  // Samples covering the rate window; the oldest is the baseline the rate is measured from.
  std::deque<Sample> samples{{start_, 0}};
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (wake_.wait_for(lock, kRedrawInterval, [this] { return stop_; })) break;
    lock.unlock();

    const Sample now{Clock::now(), done()};
    samples.push_back(now);
    while (samples.size() > 2 && now.at - samples[1].at >= kRateWindow) samples.pop_front();
    const Sample& base = samples.front();
    const double span = std::chrono::duration<double>(now.at - base.at).count();
    const double rate = span > 0 ? static_cast<double>(now.done - base.done) / span : -1;
    sink_("\r" + FormatLine(what_, now.done, total(), rate) + std::string(kClearToEol));

    lock.lock();
  }
}

}  // namespace cutover
