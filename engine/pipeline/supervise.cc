#include "engine/pipeline/supervise.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>

#include "engine/core/log.h"

namespace cutover {

namespace {

class SteadySupervisorClock : public SupervisorClock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void SleepUnlessStopped(std::chrono::milliseconds d, const std::atomic<bool>& stop) override {
    auto until = Now() + d;
    while (!stop.load() && Now() < until)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(100), until - Now()));
  }
};

}  // namespace

SupervisorClock& SteadyClock() {
  static SteadySupervisorClock clock;
  return clock;
}

EndpointFactory UriEndpoints(std::string source_uri, std::string target_uri,
                             SourceOptions source_options, SinkOptions sink_options) {
  return [source_uri = std::move(source_uri), target_uri = std::move(target_uri),
          source_options = std::move(source_options),
          sink_options = std::move(sink_options)]() -> Result<Endpoints> {
    Endpoints e;
    ASSIGN_OR_RETURN(e.source, MakeSource(source_uri, source_options));
    ASSIGN_OR_RETURN(e.sink, MakeSink(target_uri, sink_options));
    return e;
  };
}

Status RunReplicationSupervised(const EndpointFactory& open, const ReplicateOptions& options,
                                const RetryPolicy& policy, const std::atomic<bool>& stop,
                                ReplicateStats* stats_out, SupervisorClock& clock) {
  ReplicateStats local;
  ReplicateStats& stats = stats_out ? *stats_out : local;
  std::chrono::milliseconds backoff = policy.first_backoff;
  std::optional<SupervisorClock::TimePoint> failing_since;
  std::string last_error;  // of the previous attempt that reached both servers
  int repeats = 0;         // quick failures with that same error and no progress in between
  SupervisorClock::TimePoint repeating_since;
  // Committed work only: tables loaded, target transactions committed. (Transactions skipped
  // as already applied, or counted before a commit that then failed, are not progress.)
  auto progress = [&] { return stats.tables_loaded + stats.target_commits; };
  ReplicateOptions run_options = options;  // run_options.errors.locate after a refusal
  for (;;) {
    stats.connected = false;
    const int64_t progress_before = progress();
    const auto started = clock.Now();
    Status s;
    {
      Result<Endpoints> endpoints = open();
      if (!endpoints.ok()) {
        s = endpoints.status();
      } else {
        stats.refused = false;
        s = RunReplication(*endpoints->source, *endpoints->sink, run_options, stop, &stats);
      }
    }  // endpoints (and their connections) are gone before a retry
    if (s.ok() || stop.load()) return s;
    if (stats.refused && !run_options.errors.locate) {
      // The target refused a change of a bulk statement or a pipelined round trip: run once
      // more from the checkpoint under savepoints (apply_errors.h), which stops at that change
      // naming its table, key and source position (the default policies are STOP_TASK).
      Log(LogLevel::kWarn,
          "{}; replaying from the checkpoint change by change to name the refused "
          "change",
          s.message());
      run_options.errors.locate = true;
      continue;
    }
    // Retry only outages of a task that got going once: a wrong URI or a closed port at the
    // start is bad input, not an outage.
    if (s.code() != StatusCode::kUnavailable || policy.retry_for.count() == 0 ||
        !stats.ever_connected)
      return s;
    bool quick = clock.Now() - started < policy.quick_failure;
    if (progress() > progress_before || !quick) {  // it ran: the failure clock starts afresh
      failing_since.reset();
      backoff = policy.first_backoff;
      repeats = 0;
    } else if (stats.connected) {
      // Both servers answer, yet the same step fails at once each time: not an outage.
      repeats = s.message() == last_error ? repeats + 1 : 1;
      if (repeats == 1) repeating_since = clock.Now();
      if (repeats >= policy.max_quick_repeats &&
          clock.Now() - repeating_since >= policy.stuck_for) {
        return s.WithContext("the same error " + std::to_string(repeats) +
                             " times in a row with both servers answering; not retrying");
      }
    }
    if (stats.connected) last_error = s.message();
    if (!failing_since) failing_since = clock.Now();
    if (clock.Now() - *failing_since >= policy.retry_for) {
      return s.WithContext("gave up after retrying for " +
                           std::to_string(policy.retry_for.count()) + " s");
    }
    Log(LogLevel::kWarn, "{}; reconnecting in {:.1f} s", s.message(), backoff.count() / 1000.0);
    if (options.metrics) options.metrics->Retrying(s.message());
    clock.SleepUnlessStopped(backoff, stop);
    if (stop.load()) return Status::Ok();
    backoff = std::min(policy.max_backoff, backoff * 2);
    ++stats.reconnects;
  }
}

Status RunReplicationSupervised(const std::string& source_uri, const std::string& target_uri,
                                const SourceOptions& source_options,
                                const ReplicateOptions& options, const RetryPolicy& policy,
                                const std::atomic<bool>& stop, ReplicateStats* stats) {
  return RunReplicationSupervised(
      UriEndpoints(source_uri, target_uri, source_options, options.sink_options), options, policy,
      stop, stats);
}

}  // namespace cutover
