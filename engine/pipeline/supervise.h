// Supervised replication: runs a task and, when a server goes away mid-run, reconnects and
// resumes instead of exiting.
//
// Why here and shaped so: every run of RunReplication already resumes exactly from the target's
// checkpoint (that is what makes kill -9 safe), so the most reliable reconnect is a fresh run on
// fresh endpoints — the same path a restart takes, with no per-connection repair logic in the
// sources and sinks. Only errors that mean "a server or the link is gone" (kUnavailable:
// connection refused or lost, shutdown in progress, deadlock/serialization rollbacks) are
// retried, and only once the task has started (both servers answered once): a typo in a URI or a
// closed port at start still fails at once with its one-line error. Everything else (bad data, a
// missing slot, a purged binlog) ends the run as before.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/replicate.h"

namespace cutover {

struct RetryPolicy {
  // Give up when the task has been failing for this long without an attempt that made progress
  // (rows loaded, transactions applied) or ran for `quick_failure`. 0: never retry.
  std::chrono::seconds retry_for{3600};
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{10000};
  // An attempt that reaches both servers and fails within `quick_failure` with the same error
  // as the previous one, with no progress in between, is a repeat. At least
  // `max_quick_repeats` repeats over at least `stuck_for` end the run: a deterministic failure
  // misreported as a lost connection must not loop for an hour, while a lock held for a few
  // minutes (a long write transaction on a SQLite source) is still waited out.
  std::chrono::seconds quick_failure{60};
  int max_quick_repeats = 5;
  std::chrono::seconds stuck_for{300};
};

// Runs the task like RunReplication on endpoints made from the URIs, retrying per `policy`.
// `stats` accumulates over attempts; stats->reconnects counts the retries. Returns the last
// error when giving up, OK when the task finished or `stop` was set.
Status RunReplicationSupervised(const std::string& source_uri, const std::string& target_uri,
                                const SourceOptions& source_options,
                                const ReplicateOptions& options, const RetryPolicy& policy,
                                const std::atomic<bool>& stop, ReplicateStats* stats = nullptr);

}  // namespace cutover
