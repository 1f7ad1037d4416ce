// What `replicate --metrics-listen` serves: the Prometheus text exposition of a task's metrics
// (GET /metrics) and its health (GET /healthz), both computed from one MetricsSnapshot
// (metrics.h), so the endpoint and the JSON-lines file never disagree.
//
// Names follow Prometheus conventions (base units, `_total` for counters); docs/metrics.md lists
// each beside the DMS CloudWatch metric it stands for. DMS publishes throughputs as per-second
// gauges; here they are counters and `rate()` gives the DMS value, which a scraper computes
// correctly over any interval and across missed scrapes. Labels carry only the task name, engine
// names and source table names: never a URI, so never a password.
#pragma once

#include <chrono>
#include <string>

#include "engine/pipeline/metrics.h"

namespace cutover {

// Who the task is, for labels (no URI: names only).
struct MetricsIdentity {
  std::string task;
  std::string source_engine;  // "postgresql", "mariadb", "sqlite"
  std::string target_engine;
};

// Prometheus text format 0.0.4 of `m` (ends with a newline); `stall_after` as for TaskHealth
// (the cutover_task_healthy gauge).
std::string PrometheusText(const MetricsSnapshot& m, const MetricsIdentity& id,
                           int64_t process_start_unix_us, std::chrono::seconds stall_after);

// A task is healthy while it runs and makes progress, or is idle and caught up. Unhealthy:
// stopped, retrying after an error (the reason names it), or no progress (rows loaded, target
// commit, idle poll) for longer than `stall_after`.
struct Health {
  bool healthy = false;
  std::string reason;  // one line: why (also given when healthy: "cdc: caught up", ...)
};
Health TaskHealth(const MetricsSnapshot& m, std::chrono::seconds stall_after);

}  // namespace cutover
