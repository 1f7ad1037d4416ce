// Run: one scenario run (runner.h) as one object, its parts in one file per phase of the run:
// runner.cc (the order of a run, notes, RunScenario), run_setup.cc (output directory, servers,
// proxies, dataset), run_phases.cc (the main loop: ticks, samples, progress, phases and ramps),
// run_events.cc (events, workers, timed actions), run_end.cc (ending faults, catching up,
// validation, finale, shutdown, report, summary). Private to scenarios/runner.
#pragma once

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "engine/core/load_session.h"
#include "engine/core/log.h"
#include "engine/registry/registry.h"
#include "harness/throwaway_s3_server.h"
#include "harness/throwaway_server.h"
#include "loadgen/runner.h"
#include "reports/report_render.h"
#include "scenarios/proxy/fault_proxy.h"
#include "scenarios/runner/analysis.h"
#include "scenarios/runner/child_process.h"
#include "scenarios/runner/endpoints.h"
#include "scenarios/runner/engine_supervisor.h"
#include "scenarios/runner/expectations.h"
#include "scenarios/runner/lag_probe.h"
#include "scenarios/runner/load_driver.h"
#include "scenarios/runner/report_json.h"
#include "scenarios/runner/runner.h"
#include "validator/report.h"
#include "validator/validate.h"

namespace cutover::scenario {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr auto kTick = std::chrono::milliseconds(250);

// The current UTC time formatted by strftime's `format`.
std::string UtcStamp(const char* format);

// One endpoint as the run uses it: where it is, how the engine reaches it.
struct Endpoint {
  std::unique_ptr<harness::ThrowawayServer> server;  // throwaway PostgreSQL / MariaDB
  std::unique_ptr<harness::ThrowawayS3Server> s3;    // a file target's store = "s3"
  std::string uri;                                   // direct
  std::string engine_uri;                            // what the engine gets (maybe the proxy)
  std::unique_ptr<proxy::FaultProxy> proxy;
};

// A blocking event running on its own thread; the main loop collects it when done.
struct Worker {
  size_t event_index = 0;
  std::thread thread;
  std::atomic<bool> done{false};
  Status status;
  double end_s = 0;
};

class Run {
 public:
  Run(const Scenario& sc, const RunOptions& opt, const std::atomic<bool>& stop)
      : sc_(sc), opt_(opt), stop_(stop) {
    record_.scenario = &sc;
    record_.version_cutover = CUTOVER_VERSION;
  }

  RunOutcome Execute();

 private:
  double Now() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }

  void Note(const std::string& kind, const std::string& detail, bool error = false);

  // ------------------------------------------------------------------------------ setup

  Status Prepare();
  Status OpenEndpoint(const EndpointSpec& spec, const char* role, Endpoint& ep);
  Status StartProxy(Side side, Endpoint& ep);
  void DropTask();
  std::string Binary() const;
  Status CreateDataset();

  // ------------------------------------------------------------------------------ main

  Status Main();

  // Runs the main-loop duties for one tick: workers, timed actions, engine, samples.
  Status Tick();
  void SampleEngine();
  void ShowProgress();
  void EndProgressLine();
  Status RunPhase(const Phase& phase);

  PhaseRecord& Current() { return record_.phases[phase_index_]; }

  Status RunRamp(const Phase& phase);
  // The cutover phase (run_cutover.cc): source load stopped, `cutover switch`, application
  // load on the target.
  Status RunCutover(const Phase& phase);

  // ------------------------------------------------------------------------------ events

  Status Fire(const Event& e, const Phase& phase);
  static std::string Abbrev(const std::string& sql);
  void ResumeTarget(size_t phase_index);

  // Runs `fn` on a worker thread; when it finishes, the event's end (and, with a phase index,
  // that phase's disturbance end) is set to its completion time.
  void StartWorker(size_t event_index, std::function<Status()> fn,
                   std::optional<size_t> phase_index = std::nullopt);
  void CollectWorkers();
  void After(double seconds, std::function<void()> fn);
  void RunDueActions(bool all = false);
  void WaitWorkers();

  // ------------------------------------------------------------------------------ end

  // Ends every fault, so the end state is measurable and validation meaningful.
  Status EndFaults();

  // Waits (ticking) until lag is at or below the threshold; false on timeout.
  Result<bool> WaitCaughtUp(double timeout_s);

  // Lag has been caught up for kCaughtUpHoldS, looking at samples taken after `from`.
  bool CaughtUpSince(double from);

  // Heartbeat seq on source and target equal: the last beat is replicated.
  Result<bool> WaitHeartbeatReplicated(double timeout_s);

  // Load stopped, caught up, heartbeat stopped and replicated; then validates.
  Status QuiesceAndValidate(const std::string& phase_name);
  void Validate(const std::string& phase_name);
  Status Finale();

  // Stops everything the run started (idempotent).
  void Shutdown();
  void Finish(const Status& status);
  void PrintSummary();
  static std::string Fmt(std::optional<double> v, const char* f);

  const Scenario& sc_;
  const RunOptions& opt_;
  const std::atomic<bool>& stop_;
  RunRecord record_;
  std::string dir_;
  Endpoint source_, target_;
  Clock::time_point t0_;
  bool started_ = false;
  bool interrupted_ = false;
  bool target_down_ = false;
  bool progress_shown_ = false;
  const Phase* phase_ = nullptr;
  size_t phase_index_ = 0;
  std::unique_ptr<LagProbe> lag_;
  std::unique_ptr<LoadDriver> load_;
  std::unique_ptr<LoadDriver> target_load_;  // the application after a cutover phase
  std::unique_ptr<EngineSupervisor> engine_;
  EngineTotals totals_;
  Clock::time_point next_sample_;
  double last_sample_t_ = -1;
  int64_t last_applied_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<Worker*, std::optional<size_t>> worker_phase_;
  std::vector<std::pair<Clock::time_point, std::function<void()>>> actions_;
};

}  // namespace cutover::scenario
