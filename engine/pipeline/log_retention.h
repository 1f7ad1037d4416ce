// Source log retention: how many bytes of its log (PostgreSQL WAL held by the task's slot,
// MariaDB binlog from the task's resume position) a source keeps for a task, for the metric
// cutover_source_log_retained_bytes. DMS's task metrics have nothing of the kind, yet a slot
// that stops advancing and fills the source's disk is a classic PostgreSQL outage.
//
// Design: each engine answers with one small function in its own folder
// (engine/pg/pg_log_retention.h, engine/mariadb/maria_log_retention.h), offered through its
// driver (EngineDriver::RetainedLogBytes), on a short-lived connection of its own, so a probe
// never touches the task's connections and a slow or dead source cannot delay the task.
// RetainedSourceLogBytes finds the source's driver in the registry. LogRetentionProbe calls it
// from its own thread every few seconds and stores the answer in ReplicationMetrics; a failed
// probe clears the value (a stale number would hide the outage) and is logged once per
// distinct error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/core/status.h"
#include "engine/pipeline/metrics.h"

namespace cutover {

// Bytes of log the source at `source_uri` keeps for `task`, whose last applied position (text
// form) is `position` ("" before CDC started). nullopt: the engine has no such log (SQLite),
// or nothing is held yet (no slot, no position).
Result<std::optional<int64_t>> RetainedSourceLogBytes(const std::string& source_uri,
                                                      const std::string& task,
                                                      const std::string& position);

// Probes RetainedSourceLogBytes every `interval` on its own thread into `metrics`, once the task
// is in its full load or CDC (before, nothing is held, and an unreachable source is the task's
// own error to report).
class LogRetentionProbe {
 public:
  LogRetentionProbe(std::string source_uri, std::string task,
                    std::shared_ptr<ReplicationMetrics> metrics,
                    std::chrono::milliseconds interval = std::chrono::seconds(5));
  ~LogRetentionProbe();  // Stop()
  // Stops the thread. A probe blocked on an unresponsive server is left to finish on its own
  // (detached after 2 s; it holds only shared state), so stopping the task never hangs on it.
  void Stop();

 private:
  struct Shared {
    std::mutex mu;
    std::condition_variable wake;
    bool stop = false;
    bool done = false;
  };
  static void Run(std::shared_ptr<Shared> shared, std::string source_uri, std::string task,
                  std::shared_ptr<ReplicationMetrics> metrics, std::chrono::milliseconds interval);

  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

}  // namespace cutover
