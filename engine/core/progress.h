// Progress reporting for long work (e.g. a full load of many tables in parallel threads).
//
// Design: workers only ever touch one atomic counter (Add is a relaxed fetch_add), so reporting
// costs nothing measurable on hot paths and never blocks. Everything else happens off the hot
// path: in terminal mode a background thread wakes every 250 ms, samples the counter, and
// redraws a single line on stderr ("\r" + text + clear-to-end-of-line). The rate is averaged
// over the last few seconds of samples, so it follows changes in speed without jittering from
// one tick to the next. Finish() stops the thread and prints a summary line ending in "\n".
//
// Mode: kAuto picks the terminal display only when stderr is a terminal and the CI environment
// variable is unset or empty; otherwise (log files, pipes, CI consoles that do not honour "\r")
// it is quiet. In quiet mode Progress prints nothing at all and no thread is started; the
// caller logs its own summary, using done() if it likes.
//
// Output goes to a Sink, stderr by default; tests inject their own. The sink is called from
// the redraw thread and, after that thread has been joined, from Finish(): never from two
// threads at once. Other output written to stderr while a progress line is displayed lands
// after it on the same line; the next redraw continues on a fresh line, so this is cosmetic.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace cutover {

// 1234567 -> "1,234,567"; negative numbers keep their sign: -1234 -> "-1,234".
std::string FormatCount(int64_t n);

// Seconds, rounded to the nearest whole second, as "M:SS" below an hour ("0:02", "59:59") and
// "H:MM:SS" from an hour on ("1:01:05"). Negative or non-finite values are "--:--"; 100 hours
// or more is ">99:59:59".
std::string FormatDuration(double seconds);

// Thread-safe progress counter with an optional one-line terminal display. Not copyable or
// movable (the display thread refers to it).
class Progress {
 public:
  enum class Mode {
    kAuto,      // kTerminal if stderr is a terminal and CI is unset or empty, else kQuiet
    kTerminal,  // redraw a line every 250 ms, print a summary line on Finish()
    kQuiet,     // print nothing
  };
  // Receives text to display verbatim, including "\r", "\x1b[K" and the final "\n".
  using Sink = std::function<void(std::string_view)>;

  // `what` names the work ("full load"); `total_estimate` is the expected number of rows, or -1
  // if unknown. A null `sink` means stderr; kAuto looks at stderr even when a sink is given.
  // In terminal mode the display thread starts here.
  Progress(std::string what, int64_t total_estimate, Mode mode, Sink sink = nullptr);
  // Calls Finish().
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Counts `n` more rows done. Callable from any number of threads; a single relaxed atomic
  // add. Still counts after Finish(), but nothing more is displayed.
  void Add(int64_t n) { done_.fetch_add(n, std::memory_order_relaxed); }

  // Replaces the total estimate (-1: unknown). Callable from any thread.
  void SetTotal(int64_t total) { total_.store(total, std::memory_order_relaxed); }

  // Stops the display and, in terminal mode, prints the summary line (total rows, elapsed time,
  // average rate) followed by a newline. Idempotent; callable from any thread, though only the
  // first call does anything.
  void Finish();

  // Rows counted so far (exact once the threads calling Add have been joined).
  int64_t done() const { return done_.load(std::memory_order_relaxed); }
  int64_t total() const { return total_.load(std::memory_order_relaxed); }
  const std::string& what() const { return what_; }
  // The mode actually in effect: kTerminal or kQuiet, never kAuto.
  Mode mode() const { return mode_; }

  // Resolves kAuto from the facts it depends on (`ci_env` is getenv("CI"), possibly null);
  // other modes are returned unchanged.
  static Mode ResolveMode(Mode mode, bool stderr_is_tty, const char* ci_env);

  // The redrawn line, without "\r" or escape codes, e.g.
  //   "full load: 1,234,567 / 2,000,000 rows  61.7%  412,311 rows/s  ETA 0:02".
  // `total` < 0 leaves out the total, percentage and ETA; `rows_per_second` < 0 leaves out the
  // rate and ETA. The percentage is rounded down and stops at 100.0% if the estimate was low.
  static std::string FormatLine(std::string_view what, int64_t done, int64_t total,
                                double rows_per_second);
  // The summary line, without escape codes or newline, e.g.
  //   "full load: 2,000,000 rows in 0:05 (400,000 rows/s)".
  static std::string FormatFinalLine(std::string_view what, int64_t done, double elapsed_seconds);

 private:
  using Clock = std::chrono::steady_clock;

  void Run();  // the display thread

  // Hot: on its own cache line so that Add does not contend with the fields below.
  alignas(64) std::atomic<int64_t> done_{0};
  alignas(64) std::atomic<int64_t> total_;
  const std::string what_;
  const Mode mode_;
  const Sink sink_;
  const Clock::time_point start_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;      // guarded by mu_
  bool finished_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace cutover
