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
//
// The supervisor's two dependencies are injected so its retry policy can be tested without
// servers or waiting: an EndpointFactory opens the Source and Sink of each attempt (production:
// UriEndpoints, i.e. MakeSource / MakeSink), and a SupervisorClock tells the time and sleeps
// between attempts (production: SteadyClock). tests/unit/supervise_test.cc pins every rule of the
// policy with fake endpoints and a fake clock.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "engine/core/endpoint.h"
#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/replicate.h"

namespace cutover {

struct RetryPolicy {
  // Give up when the task has been failing for this long without an attempt that made progress
  // (tables loaded, target transactions committed) or ran for `quick_failure`. 0: never retry.
  std::chrono::seconds retry_for{3600};
  // The wait before the next attempt: `first_backoff`, doubling after each failed attempt up to
  // `max_backoff`, back to `first_backoff` after an attempt that made progress or ran for
  // `quick_failure`.
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{10000};
  // An attempt that reaches both servers and fails within `quick_failure` with the same error
  // as the previous such attempt, with no progress in between, is a repeat. At least
  // `max_quick_repeats` repeats over at least `stuck_for` end the run: a deterministic failure
  // misreported as a lost connection must not loop for an hour, while a lock held for a few
  // minutes (a long write transaction on a SQLite source) is still waited out. Quick attempts that
  // do not reach both servers (an outage) neither count as repeats nor break a series.
  std::chrono::seconds quick_failure{60};
  int max_quick_repeats = 5;
  std::chrono::seconds stuck_for{300};
};

// The endpoints of one attempt. Both are destroyed (their connections closed) before the
// supervisor sleeps, and each attempt opens new ones.
struct Endpoints {
  std::unique_ptr<Source> source;
  std::unique_ptr<Sink> sink;
};

// Opens the endpoints of one attempt, or fails the attempt with the error (a server that cannot
// be reached: kUnavailable). Called once per attempt, from the supervisor's thread.
using EndpointFactory = std::function<Result<Endpoints>()>;

// The production factory: MakeSource(source_uri), then MakeSink(target_uri); a source that
// cannot be made fails the attempt before the sink is made.
EndpointFactory UriEndpoints(std::string source_uri, std::string target_uri,
                             SourceOptions source_options, SinkOptions sink_options);

// Time as the supervisor sees it: its failure clocks and its sleeps between attempts.
class SupervisorClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~SupervisorClock() = default;
  virtual TimePoint Now() = 0;
  // Sleeps for `d`, returning early once `stop` is set.
  virtual void SleepUnlessStopped(std::chrono::milliseconds d, const std::atomic<bool>& stop) = 0;
};

// std::chrono::steady_clock, and real sleeps that notice `stop` within 100 ms.
SupervisorClock& SteadyClock();

// Runs the task like RunReplication on endpoints from `open`, retrying per `policy` on `clock`.
// `stats` accumulates over attempts; stats->reconnects counts the retries. Returns the last
// error when giving up (with context saying why), OK when the task finished or `stop` was set
// while waiting to retry; an attempt that fails while `stop` is set returns its error.
Status RunReplicationSupervised(const EndpointFactory& open, const ReplicateOptions& options,
                                const RetryPolicy& policy, const std::atomic<bool>& stop,
                                ReplicateStats* stats = nullptr,
                                SupervisorClock& clock = SteadyClock());

// The same on UriEndpoints(source_uri, target_uri, source_options, options.sink_options).
Status RunReplicationSupervised(const std::string& source_uri, const std::string& target_uri,
                                const SourceOptions& source_options,
                                const ReplicateOptions& options, const RetryPolicy& policy,
                                const std::atomic<bool>& stop, ReplicateStats* stats = nullptr);

}  // namespace cutover
