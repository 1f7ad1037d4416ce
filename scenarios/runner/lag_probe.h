// LagProbe: end-to-end replication lag, read from the heartbeat row on the target.
//
// The load generator's heartbeat writes the source's wall clock into cutover_heartbeat every
// 100 ms; the engine replicates it like any row. Every `interval` the probe reads that row on
// the target directly (never through a fault proxy) and records lag = now - source_time, both
// clocks being this host's. A sample is null when the row cannot be read (not loaded yet,
// target down). The probe runs on its own thread, so events and validation never delay it, and
// reconnects on the next tick after any error. A file target has no session: the probe reads
// the heartbeat from its latest committed file (EngineDriver::ReadVisibleFiles), so the lag is
// the time until a change is visible to a reader of the files.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "engine/core/driver.h"
#include "scenarios/runner/series.h"

namespace cutover::scenario {

class LagProbe {
 public:
  using Clock = std::chrono::steady_clock;
  // Samples go to `out` with t in seconds since `run_start`.
  LagProbe(std::string target_uri, const EngineDriver& target_engine, double interval_s,
           Clock::time_point run_start, Series* out);
  ~LagProbe();  // Stop()
  void Start();
  void Stop();

 private:
  void Run();

  std::string uri_;
  const EngineDriver* engine_;
  double interval_s_;
  Clock::time_point run_start_;
  Series* out_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cutover::scenario
