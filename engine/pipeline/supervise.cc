#include "engine/pipeline/supervise.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "engine/core/log.h"

namespace cutover {

namespace {

using Clock = std::chrono::steady_clock;

// Sleeps for `d`, waking early when `stop` is set.
void SleepUnlessStopped(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  auto until = Clock::now() + d;
  while (!stop.load() && Clock::now() < until)
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(100), until - Clock::now()));
}

}  // namespace

Status RunReplicationSupervised(const std::string& source_uri, const std::string& target_uri,
                                const SourceOptions& source_options,
                                const ReplicateOptions& options, const RetryPolicy& policy,
                                const std::atomic<bool>& stop, ReplicateStats* stats_out) {
  ReplicateStats local;
  ReplicateStats& stats = stats_out ? *stats_out : local;
  std::chrono::milliseconds backoff = policy.first_backoff;
  std::optional<Clock::time_point> failing_since;
  std::string last_error;  // of the previous attempt that reached both servers
  int repeats = 0;         // quick failures with that same error and no progress in between
  Clock::time_point repeating_since;
  // Committed work only: tables loaded, target transactions committed. (Transactions skipped
  // as already applied, or counted before a commit that then failed, are not progress.)
  auto progress = [&] { return stats.tables_loaded + stats.target_commits; };
  for (;;) {
    stats.connected = false;
    const int64_t progress_before = progress();
    const auto started = Clock::now();
    Status s;
    {
      auto source = MakeSource(source_uri, source_options);
      if (!source.ok()) {
        s = source.status();
      } else if (auto sink = MakeSink(target_uri, options.sink_options); !sink.ok()) {
        s = sink.status();
      } else {
        s = RunReplication(**source, **sink, options, stop, &stats);
      }
    }  // endpoints (and their connections) are gone before a retry
    if (s.ok() || stop.load()) return s;
    // Retry only outages of a task that got going once: a wrong URI or a closed port at the
    // start is bad input, not an outage.
    if (s.code() != StatusCode::kUnavailable || policy.retry_for.count() == 0 ||
        !stats.ever_connected)
      return s;
    bool quick = Clock::now() - started < policy.quick_failure;
    if (progress() > progress_before || !quick) {  // it ran: the failure clock starts afresh
      failing_since.reset();
      backoff = policy.first_backoff;
      repeats = 0;
    } else if (stats.connected) {
      // Both servers answer, yet the same step fails at once each time: not an outage.
      repeats = s.message() == last_error ? repeats + 1 : 1;
      if (repeats == 1) repeating_since = Clock::now();
      if (repeats >= policy.max_quick_repeats &&
          Clock::now() - repeating_since >= policy.stuck_for) {
        return s.WithContext("the same error " + std::to_string(repeats) +
                             " times in a row with both servers answering; not retrying");
      }
    }
    if (stats.connected) last_error = s.message();
    if (!failing_since) failing_since = Clock::now();
    if (Clock::now() - *failing_since >= policy.retry_for) {
      return s.WithContext("gave up after retrying for " +
                           std::to_string(policy.retry_for.count()) + " s");
    }
    Log(LogLevel::kWarn, "{}; reconnecting in {:.1f} s", s.message(), backoff.count() / 1000.0);
    if (options.metrics) options.metrics->Retrying(s.message());
    SleepUnlessStopped(backoff, stop);
    if (stop.load()) return Status::Ok();
    backoff = std::min(policy.max_backoff, backoff * 2);
    ++stats.reconnects;
  }
}

}  // namespace cutover
