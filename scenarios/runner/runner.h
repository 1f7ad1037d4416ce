// Runner: executes a scenario end to end and writes its report.
//
// Order of a run:
//   1. output directory; throwaway servers for endpoints without a URI (SQLite: a file there);
//      fault proxies in front of the endpoints that have network events;
//   2. dataset on the source (load generator --init semantics: its tables are dropped and
//      recreated; then the [dataset] sql files), heartbeat table;
//   3. t = 0: lag probe, heartbeat, engine (`cutover replicate` child, through the proxies);
//   4. phases in order, ticking every 250 ms: events at their offsets (blocking ones such as
//      server outages and SQL run on their own threads so sampling goes on), engine
//      supervision, per-second samples, the phase's end condition;
//   5. end: every fault is ended (servers resumed, proxies passing, engine running), load
//      stopped, wait until caught up, heartbeat stopped and replicated, final validation,
//      engine stopped gracefully;
//   6. analysis, expectations, report.json + report.html + report.md;
//   7. cleanup (also on errors and signals): children killed, proxies closed, servers removed
//      unless keep_servers (then their URIs are printed).
// Exit code: 0 every expectation held, 1 one failed, 2 error (setup, engine could not run,
// phase timeout), 130 interrupted (the report is still written).
#pragma once

#include <atomic>
#include <string>

#include "engine/core/progress.h"
#include "scenarios/runner/scenario.h"

namespace cutover::scenario {

struct RunOptions {
  std::string out_dir;  // empty: reports/out/<UTC time>-<name> under the current directory
  bool keep_servers = false;
  std::string binary;  // the cutover binary for the engine; empty: /proc/self/exe
  Progress::Mode progress = Progress::Mode::kAuto;
};

struct RunOutcome {
  int exit_code = 2;
  std::string out_dir;
  std::string outcome;  // passed | failed | error | interrupted
};

// Runs the scenario. Never throws; errors end up in the report and the exit code.
RunOutcome RunScenario(const Scenario& scenario, const RunOptions& options,
                       const std::atomic<bool>& stop);

}  // namespace cutover::scenario
