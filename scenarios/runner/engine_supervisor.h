// EngineSupervisor: runs `cutover replicate` as a child process for the scenario runner, kills
// and restarts it on request, restarts it after unexpected exits, and turns its metrics feed and
// /proc into per-second figures.
//
// Design: the engine runs as a separate process (this same binary, /proc/self/exe) so a
// kill-engine event is a real SIGKILL and recovery is the real restart path. Only the runner's
// main loop calls the supervisor (no locking): requests never block (SIGTERM is sent and the
// exit is reaped by Tick), so lag sampling and the other events go on meanwhile.
//
// Restart policy (docs/scenarios.md): an exit the runner did not cause (not kill-engine or
// stop-engine) is an engine error; it is recorded with the last "cutover: error:" line of the
// log and, while `restart_on_failure`, the engine is started again after a backoff that starts
// at `restart_backoff` and doubles up to 8 s (reset once a start has run for 30 s). A graceful
// stop that takes longer than 60 s is finished with SIGKILL.
//
// Output: engine.log gets a marker line per start (appended across restarts). Metrics: every
// engine process serves /metrics on the same `metrics_listen` address (--metrics-listen), which
// ReadMetrics scrapes (engine_metrics.h). Counters restart at 0 with each process: the last
// scrape of a process is banked when the next one starts, and a kill-engine scrapes right before
// its SIGKILL, so run-wide totals lose nothing the runner causes; an unexpected exit loses at
// most the last second of its counts.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/runner/child_process.h"
#include "scenarios/runner/proc_stats.h"

namespace cutover::scenario {

struct EngineConfig {
  std::string binary;                       // path of cutover
  std::vector<std::string> replicate_args;  // after "replicate"
  std::string log_path;
  std::string metrics_listen;  // HOST:PORT passed as --metrics-listen to every engine process
  bool restart_on_failure = true;
  double restart_backoff_s = 1;
};

// Run-wide totals from the metrics feed (summed over engine processes).
struct EngineTotals {
  std::string phase = "starting";  // of the current process: starting | full-load | cdc | stopped
  int64_t rows_loaded = 0, tables_loaded = 0;
  int64_t transactions_applied = 0, changes_applied = 0;
  bool cdc_reached = false;  // some process reported phase cdc
  // CDCLatencySource of the current process's last scrape (none: not scraped, or no engine).
  std::optional<double> latency_source_s;
};

class EngineSupervisor {
 public:
  using Clock = std::chrono::steady_clock;
  // `note(detail, is_error)` records an event (e.g. "exited with 2: ..."); called from Tick.
  EngineSupervisor(EngineConfig config, std::function<void(const std::string&, bool)> note);
  ~EngineSupervisor();  // SIGKILL

  Status Start();                     // start now (no-op if running)
  void Kill(double restart_after_s);  // SIGKILL now; start again after the delay
  void Stop();                        // SIGTERM; stays stopped until Start()
  // The engine is about to exit by itself (`cutover switch` stops it): that exit is expected
  // and it is not started again.
  void Release();
  // Reaps exits, restarts when due. Call often (every 250 ms).
  void Tick();
  // Scrapes the running engine's /metrics; returns the run-wide totals. Call about once a second.
  EngineTotals ReadMetrics();
  // CPU and RSS of the current process (nulls when none is running).
  ProcSampler::Sample SampleProc();

  bool running() const { return child_ != nullptr; }
  int starts() const { return starts_; }
  const std::vector<int>& exit_codes() const { return exit_codes_; }
  const std::vector<std::string>& errors() const { return errors_; }
  int unexpected_exits() const { return static_cast<int>(errors_.size()); }

 private:
  std::string LastErrorLine() const;
  void Scrape();  // the current process's counters into last_ (kept when nothing answers)

  EngineConfig config_;
  std::function<void(const std::string&, bool)> note_;
  std::unique_ptr<ChildProcess> child_;
  bool want_running_ = false;
  bool expect_exit_ = false;
  std::optional<Clock::time_point> start_at_;  // pending (re)start
  std::optional<Clock::time_point> kill_at_;   // graceful stop deadline
  Clock::time_point started_;
  double backoff_s_;
  int starts_ = 0;
  std::vector<int> exit_codes_;
  std::vector<std::string> errors_;
  long log_offset_at_start_ = 0;
  ProcSampler sampler_;
  // metrics
  EngineTotals base_;  // sums of finished processes
  EngineTotals last_;  // the current process's last scrape
};

}  // namespace cutover::scenario
