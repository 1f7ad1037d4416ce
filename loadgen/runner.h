// Runner: `cutover load` minus the command line: --init (create and fill a workload's tables)
// and a paced run (clients, schedule, reconnects, per-second reporting, summary).
//
// Design: N client threads, each with its own Session, take transaction numbers from one
// Schedule (schedule.h: open loop at --rate or closed loop at --max), build the transaction
// with the workload (workload.h) and a generator seeded from (--seed, number), run it, and
// record latency in one lock-free Histogram and counts in atomics. A reporter thread samples
// those every second for the per-second line and JSON sample; the summary is read after the
// clients have been joined. A heartbeat thread (--heartbeat, or the heartbeat workload alone)
// writes cutover_heartbeat every 100 ms with its own session.
//
// Errors never end a run: a failed transaction is counted; when the session reports its
// connection broken (server restart, network) the client drops it and reconnects with
// exponential backoff (100 ms doubling to 2 s) until the run ends, counting failed connection
// attempts and successful reconnects. Meanwhile, in open loop, arrivals queue and then skip, so
// an outage is visible in the latency and skip counts. Only setup errors (bad URI, tables
// missing) fail the run.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/progress.h"
#include "loadgen/histogram.h"
#include "loadgen/random.h"
#include "loadgen/workload.h"

namespace cutover::loadgen {

struct LoadOptions {
  std::string uri;
  std::string workload = "oltp";
  WorkloadOptions workload_options;
  double rate = 0;   // transactions per second, open loop; ignored with max
  bool max = false;  // closed loop, as fast as possible
  double duration_s = 60;
  int clients = 4;
  size_t queue_depth = 1000;  // open loop: arrivals waiting for a free client
  uint64_t seed = 1;
  bool heartbeat = false;  // also write cutover_heartbeat every 100 ms
};

struct OpCount {
  std::string name;
  int64_t count = 0;  // committed operations
  int64_t rows = 0;   // rows changed by their counting statements
};

struct LoadSummary {
  std::string workload, engine, mode;  // mode: "rate" or "max"
  double rate = 0;
  int clients = 0;
  uint64_t seed = 0;
  double duration_s = 0;  // requested
  double elapsed_s = 0;   // measured, start to the last client's end
  int64_t committed = 0;
  int64_t errors = 0;                           // failed transactions, all causes
  int64_t connection_errors = 0;                // of which the connection was lost
  int64_t connect_failures = 0;                 // failed connection attempts while reconnecting
  int64_t reconnects = 0;                       // sessions re-established after a loss
  int64_t arrivals = 0, late = 0, skipped = 0;  // open loop only
  double tps = 0;                               // committed / elapsed
  std::vector<OpCount> ops;
  HistogramSnapshot latency;  // µs; open loop: from the scheduled time
  int64_t heartbeats = 0, heartbeat_errors = 0;
};

// One per-second sample.
struct LoadSample {
  int second = 0;  // 1, 2, ...
  int64_t committed = 0, errors = 0, late = 0, skipped = 0;
  HistogramSnapshot latency;  // of this second
};

struct LoadOutput {
  std::function<void(const LoadSample&)> on_sample;  // called every second by the reporter
};

// Drops and recreates the workload's tables (plus cutover_heartbeat with --heartbeat) and fills
// them, showing progress in `mode`; then updates planner statistics.
Status InitTables(const LoadOptions& options, Progress::Mode mode);

// Runs the workload until duration_s has passed or `stop` is set. Fills `summary` (also when a
// setup error is returned, as far as it got).
Status RunLoad(const LoadOptions& options, const std::atomic<bool>& stop, const LoadOutput& out,
               LoadSummary* summary);

}  // namespace cutover::loadgen
