// LoadDriver: the scenario's application load and heartbeat, run in-process through the load
// generator (loadgen/runner.h) against the source, never through a fault proxy.
//
// Design: a load profile runs as one loadgen run on its own thread; a rate change (a `load`
// event, a ramp step) ends that run and starts the next, so each run's summary gives exact
// committed transactions and row counts per operation for its rate (what sizing needs). The
// heartbeat is a separate run for the whole scenario, so lag is measurable in phases without
// load. Per-second samples become the source_tps and load_p95_ms series and a line in load.log.
// The load generator reconnects by itself through outages, so the driver never restarts it.
#pragma once

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/runner.h"
#include "scenarios/runner/scenario.h"
#include "scenarios/runner/series.h"

namespace cutover::scenario {

struct LoadRun {
  double start_s = 0, end_s = 0;
  LoadProfile profile;
  loadgen::LoadSummary summary;
  Status status;
  int64_t rows() const;  // rows changed, summed over the operations' counts
};

class LoadDriver {
 public:
  using Clock = std::chrono::steady_clock;
  LoadDriver(std::string source_uri, Clock::time_point run_start, const std::string& log_path,
             Series* source_tps, Series* p95_ms);
  ~LoadDriver();  // Stop(), StopHeartbeat()

  // Ends the current run (if any) and starts `profile` at its rate.
  void Start(const LoadProfile& profile);
  // Ends the current run and waits for its summary.
  void Stop();
  bool active() const { return current_ != nullptr; }
  const LoadProfile* profile() const { return current_ ? &current_->run.profile : nullptr; }

  void StartHeartbeat();
  void StopHeartbeat();

  // Finished runs, in order.
  const std::vector<LoadRun>& runs() const { return runs_; }
  // A setup error of a run (tables missing, source unreachable at start), once.
  Status TakeError();

 private:
  struct Active {
    LoadRun run;
    std::atomic<bool> stop{false};
    std::thread thread;
  };
  double Now() const;
  void Log(const std::string& line);

  std::string uri_;
  Clock::time_point run_start_;
  std::ofstream log_;
  std::mutex log_mu_;
  Series* source_tps_;
  Series* p95_ms_;
  std::unique_ptr<Active> current_;
  std::unique_ptr<Active> heartbeat_;
  std::vector<LoadRun> runs_;
  uint64_t seed_ = 1;
  std::mutex err_mu_;
  Status error_;
};

}  // namespace cutover::scenario
