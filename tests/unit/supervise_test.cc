// Unit tests of the supervisor's retry policy (engine/pipeline/supervise.cc) with scripted
// attempts on in-memory endpoints (tests/unit/fake_endpoints.h) and a fake clock.
//
// Design: each test scripts the supervisor's attempts one by one. An attempt either cannot reach
// a server (the endpoint factory fails: an outage) or runs RunReplication for real on a fresh
// FakeSource / FakeSink pair: a CDC task that answers (so the attempt counts as connected), may
// commit, replay or leave uncommitted some transactions, and then loses its connection (the
// stream fails with Unavailable) or finishes. The fake clock never waits: an attempt advances it
// by its scripted duration, a backoff sleep by the time asked for, so a policy that spans an
// hour runs in microseconds and every figure below is exact.
//
// Each rule of RetryPolicy has a test that fails when the rule is broken; the rules and the
// commits that introduced them:
//   - only kUnavailable is retried, and only once the task got going (a5a083d);
//   - backoff from first_backoff, doubling up to max_backoff (a5a083d);
//   - give up after retry_for without progress (a5a083d);
//   - backoff and failure clock restart after progress or a run of quick_failure (32d7048);
//   - progress is committed work only: tables loaded, target commits (a4bc0ce);
//   - the same quick error with both servers answering, max_quick_repeats times over stuck_for,
//     ends the run; outages neither count nor break the series (32d7048);
//   - a stop request ends a backoff sleep, and the run, with OK (a5a083d);
//   - endpoints are closed before the sleep; each attempt opens new ones (a5a083d).
#include "engine/pipeline/supervise.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/log.h"
#include "tests/unit/fake_endpoints.h"

namespace cutover {
namespace {

using namespace std::chrono_literals;
using fake::AddTxn;
using fake::EventLog;
using fake::FakeSink;
using fake::FakeSource;
using fake::Insert;
using fake::MakeTable;
using fake::Pos;
using ms = std::chrono::milliseconds;

// Never waits: Now() moves only when an attempt or a sleep advances it.
class FakeClock : public SupervisorClock {
 public:
  TimePoint Now() override { return TimePoint{} + elapsed; }
  void SleepUnlessStopped(ms d, const std::atomic<bool>& stop) override {
    sleeps.push_back(d);
    if (on_sleep) on_sleep();
    if (!stop.load()) elapsed += d;
  }

  std::chrono::steady_clock::duration elapsed{0};
  std::vector<ms> sleeps;          // every backoff asked for, in order
  std::function<void()> on_sleep;  // called as each sleep starts (a signal arriving, ...)
};

// One scripted attempt; see the named constructors below.
struct Attempt {
  Status unreachable;             // non-OK: opening the endpoints fails with it
  std::chrono::seconds lasts{0};  // how long the attempt runs, in fake time
  int replayed = 0;               // transactions at or before the checkpoint: skipped
  int committed = 0;              // new transactions, each committed on the target
  int uncommitted = 0;            // new transactions whose group is never committed
  Status ends = Status::Ok();     // how the stream ends: OK finishes the task
  // A stop request arrives inside a last transaction that the end (an error) then interrupts.
  bool stop_mid_transaction = false;
};

// No server answers: the factory fails with "connection refused".
Attempt Down() {
  return Attempt{Unavailable("connection refused"), 0s, 0, 0, 0, Status::Ok()};
}
// Both servers answer, then the connection is lost with `message`.
Attempt Lost(const std::string& message = "server closed the connection") {
  return Attempt{Status::Ok(), 0s, 0, 0, 0, Unavailable(message)};
}
// Both servers answer, then the run fails with `s`.
Attempt Fails(Status s) {
  return Attempt{Status::Ok(), 0s, 0, 0, 0, std::move(s)};
}
// Both servers answer and the task runs to its end.
Attempt Finishes() {
  return Attempt{};
}
Attempt Lasting(Attempt a, std::chrono::seconds d) {
  a.lasts = d;
  return a;
}
Attempt Committing(Attempt a, int n) {
  a.committed = n;
  return a;
}

// Endpoints that count themselves, to see when they are alive.
class CountedSource : public FakeSource {
 public:
  CountedSource(EventLog* log, std::atomic<bool>* stop, int* alive)
      : FakeSource(log, stop), alive_(alive) {
    ++*alive_;
  }
  ~CountedSource() override { --*alive_; }

 private:
  int* alive_;
};

class CountedSink : public FakeSink {
 public:
  CountedSink(EventLog* log, int* alive) : FakeSink(log), alive_(alive) { ++*alive_; }
  ~CountedSink() override { --*alive_; }

 private:
  int* alive_;
};

class SuperviseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Every retry logs a warning; keep them out of the test output. Restored in TearDown.
    saved_level_ = LogEnabled(LogLevel::kDebug)  ? LogLevel::kDebug
                   : LogEnabled(LogLevel::kInfo) ? LogLevel::kInfo
                   : LogEnabled(LogLevel::kWarn) ? LogLevel::kWarn
                                                 : LogLevel::kError;
    SetLogLevel(LogLevel::kError);
    opt_.task = "t1";
    opt_.type = ReplicationType::kCdc;
    opt_.progress = Progress::Mode::kQuiet;
    // A group commits only when the stream idles (a kNone event), never by size or time.
    opt_.group_max_changes = 1000000000;
    opt_.group_max_ms = 3600 * 1000;
    // The documented defaults, spelled out so the figures below read against them.
    policy_.retry_for = 3600s;
    policy_.first_backoff = 500ms;
    policy_.max_backoff = 10000ms;
    policy_.quick_failure = 60s;
    policy_.max_quick_repeats = 5;
    policy_.stuck_for = 300s;
  }
  void TearDown() override { SetLogLevel(saved_level_); }

  // Runs the supervisor; attempt i (0-based) is script(i). A supervisor that never gives up
  // fails the test after 1000 attempts instead of hanging it.
  Status Run(std::function<Attempt(int)> script) {
    EndpointFactory open = [&]() -> Result<Endpoints> {
      int i = attempts_++;
      if (i < 1000) return Open(script(i));
      ADD_FAILURE() << "still retrying after 1000 attempts";
      return Open(Fails(Internal("too many attempts")));
    };
    return RunReplicationSupervised(open, opt_, policy_, stop_, &stats_, clock_);
  }
  // Runs the given attempts; one more than scripted fails the test.
  Status Run(std::vector<Attempt> attempts) {
    return Run([attempts](int i) {
      if (i < static_cast<int>(attempts.size())) return attempts[i];
      ADD_FAILURE() << "attempt " << i + 1 << " was not expected";
      return Fails(Internal("attempt not scripted"));
    });
  }

  Result<Endpoints> Open(const Attempt& a) {
    if (on_open) on_open();
    clock_.elapsed += a.lasts;
    if (!a.unreachable.ok()) return a.unreachable;
    auto source = std::make_unique<CountedSource>(&log_, &stop_, &alive_);
    auto sink = std::make_unique<CountedSink>(&log_, &alive_);
    auto table = MakeTable("t");
    source->tables = {table};
    source->capture_exists = true;
    uint64_t pos = 0;
    auto add = [&](int n) {
      for (int i = 0; i < n; ++i) {
        ++pos;
        AddTxn(source->script, pos, {Insert(table, static_cast<int64_t>(pos), "x")});
      }
    };
    add(a.replayed);
    if (a.replayed > 0) sink->state.applied = Pos(pos);
    for (int i = 0; i < a.committed; ++i) {
      add(1);
      source->script.push_back(StreamEvent{});  // the stream idles: the group commits
    }
    add(a.uncommitted);
    if (a.stop_mid_transaction) {
      add(1);
      source->script.pop_back();  // its commit never comes
      size_t begin = source->script.size() - 2;
      source->on_deliver = [this, begin](size_t i) {
        if (i == begin) stop_ = true;
      };
    }
    source->end_status = a.ends;
    return Endpoints{std::move(source), std::move(sink)};
  }

  RetryPolicy policy_;
  ReplicateOptions opt_;
  ReplicateStats stats_;
  std::atomic<bool> stop_{false};
  FakeClock clock_;
  EventLog log_;
  int attempts_ = 0;  // endpoint factory calls
  int alive_ = 0;     // fake sources and sinks in existence
  std::function<void()> on_open;
  LogLevel saved_level_ = LogLevel::kInfo;
};

std::vector<ms> Ms(std::vector<int64_t> v) {
  std::vector<ms> out;
  for (int64_t x : v) out.push_back(ms(x));
  return out;
}

// ---------------------------------------------------------------------------------------------
// What is retried

TEST_F(SuperviseTest, TaskThatFinishesRunsOnce) {
  Status s = Run({Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(attempts_, 1);
  EXPECT_TRUE(clock_.sleeps.empty());
  EXPECT_EQ(stats_.reconnects, 0);
}

TEST_F(SuperviseTest, LostConnectionIsRetriedWithBackoffDoublingUpToTheCap) {
  policy_.max_backoff = 4000ms;
  Status s = Run({Lost(), Down(), Down(), Down(), Down(), Down(), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(attempts_, 7);
  EXPECT_EQ(clock_.sleeps, Ms({500, 1000, 2000, 4000, 4000, 4000}));
  EXPECT_EQ(stats_.reconnects, 6);
}

// Errors that no reconnect fixes end the run at once with the error as it was, even after a
// first outage was retried.
class SupervisePermanentError : public SuperviseTest,
                                public ::testing::WithParamInterface<StatusCode> {};

TEST_P(SupervisePermanentError, EndsTheRunAtOnce) {
  Status permanent(GetParam(), "the permanent error");
  Status s = Run({Lost(), Fails(permanent)});
  EXPECT_EQ(s.code(), GetParam());
  EXPECT_EQ(s.message(), "the permanent error");
  EXPECT_EQ(attempts_, 2);
  EXPECT_EQ(clock_.sleeps, Ms({500}));
}

INSTANTIATE_TEST_SUITE_P(Codes, SupervisePermanentError,
                         ::testing::Values(StatusCode::kDataLoss, StatusCode::kPermissionDenied,
                                           StatusCode::kFailedPrecondition,
                                           StatusCode::kInvalidArgument, StatusCode::kNotFound,
                                           StatusCode::kAborted, StatusCode::kInternal));

// A closed port or a wrong host at start is bad input, not an outage.
TEST_F(SuperviseTest, UnreachableAtStartIsNotRetried) {
  Status s = Run({Down()});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "connection refused");
  EXPECT_EQ(attempts_, 1);
  EXPECT_TRUE(clock_.sleeps.empty());
}

TEST_F(SuperviseTest, RetryForZeroReturnsTheFirstOutageAsItIs) {
  policy_.retry_for = 0s;
  Status s = Run({Lost("server closed the connection")});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "server closed the connection");
  EXPECT_EQ(attempts_, 1);
  EXPECT_TRUE(clock_.sleeps.empty());
}

// ---------------------------------------------------------------------------------------------
// How long

TEST_F(SuperviseTest, GivesUpAfterRetryForWithoutProgress) {
  policy_.retry_for = 60s;
  Status s = Run([](int i) { return i == 0 ? Lost() : Down(); });
  // Failing since the end of attempt 1 (t = 0); attempt 11 fails at 65.5 s >= 60 s.
  EXPECT_EQ(clock_.sleeps, Ms({500, 1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000, 10000}));
  EXPECT_EQ(attempts_, 11);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "gave up after retrying for 60 s: connection refused");
  EXPECT_EQ(stats_.reconnects, 10);
}

// A long outage (ten minutes of refused connections) is waited out: identical errors count as
// repeats only when both servers answered.
TEST_F(SuperviseTest, LongOutageIsWaitedOut) {
  Status s = Run([&](int i) {
    if (i == 0) return Lost();
    return clock_.elapsed < 600s ? Down() : Finishes();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_GE(clock_.elapsed, 600s);
  EXPECT_GT(attempts_, 60);
}

// ---------------------------------------------------------------------------------------------
// What restarts the backoff and the failure clock

TEST_F(SuperviseTest, CommittedProgressResetsTheBackoff) {
  Status s = Run({Lost(), Down(), Down(), Committing(Lost(), 1), Down(), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(clock_.sleeps, Ms({500, 1000, 2000, 500, 1000}));
  EXPECT_EQ(stats_.target_commits, 1);
}

TEST_F(SuperviseTest, CommittedProgressRestartsTheFailureClock) {
  policy_.retry_for = 10s;
  // Attempt 5 commits at t = 7.5 s: giving up is then due 10 s after it, not after t = 0.
  Status s = Run([](int i) {
    if (i == 0) return Lost();
    if (i == 4) return Committing(Lost(), 1);
    return Down();
  });
  EXPECT_EQ(s.message(), "gave up after retrying for 10 s: connection refused");
  // t = 0, .5, 1.5, 3.5, 7.5 (progress), 8, 9, 11, 15, 23 (15.5 s after 7.5: give up).
  EXPECT_EQ(clock_.sleeps, Ms({500, 1000, 2000, 4000, 500, 1000, 2000, 4000, 8000}));
  EXPECT_EQ(attempts_, 10);
}

// An attempt that ran for quick_failure (an idle CDC stream that served for a while) was healthy
// even without committing anything; one second less was not.
TEST_F(SuperviseTest, RunOfQuickFailureResetsTheBackoffAndOneSecondLessDoesNot) {
  Status s =
      Run({Lost(), Down(), Down(), Lasting(Lost(), 59s), Lasting(Lost(), 60s), Down(), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(clock_.sleeps, Ms({500, 1000, 2000, 4000, 500, 1000}));
}

TEST_F(SuperviseTest, RunOfQuickFailureRestartsTheFailureClock) {
  policy_.retry_for = 30s;
  // Attempt 2 ends at t = 60.5 s after a 60 s run: the 30 s count from there.
  Status s = Run([](int i) {
    if (i == 0) return Lost();
    if (i == 1) return Lasting(Lost(), 60s);
    return Down();
  });
  EXPECT_EQ(s.message(), "gave up after retrying for 30 s: connection refused");
  // After the healthy run: t = 60.5, 61, 62, 64, 68, 76, 86 (25.5), 96 (35.5 s: give up).
  EXPECT_EQ(clock_.sleeps, Ms({500, 500, 1000, 2000, 4000, 8000, 10000, 10000}));
  EXPECT_EQ(attempts_, 9);
}

// Progress is committed work: transactions replayed and skipped as already applied, or applied
// in a group whose commit never happened, are not.
TEST_F(SuperviseTest, SkippedOrUncommittedTransactionsAreNotProgress) {
  Attempt replays = Lost();
  replays.replayed = 3;
  Attempt uncommitted = Lost();
  uncommitted.uncommitted = 2;
  Status s = Run({Lost(), replays, uncommitted, Down(), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(stats_.transactions_skipped, 3);
  EXPECT_EQ(stats_.transactions_applied, 2);
  EXPECT_EQ(stats_.target_commits, 0);
  EXPECT_EQ(clock_.sleeps, Ms({500, 1000, 2000, 4000}));
}

// ---------------------------------------------------------------------------------------------
// The same quick error with both servers answering

TEST_F(SuperviseTest, SameQuickErrorEndsTheRunOnceItRepeatedForStuckFor) {
  Status s = Run([](int) { return Lost("deadlock detected"); });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(),
            "the same error 35 times in a row with both servers answering; not retrying: "
            "deadlock detected");
  // The series started at t = 0 with attempt 1; attempt 35 is the first at or past 300 s.
  EXPECT_EQ(attempts_, 35);
  EXPECT_EQ(clock_.elapsed, 305500ms);
}

// A lock held for minutes (a long write transaction on a SQLite source) is waited out.
TEST_F(SuperviseTest, SameQuickErrorForLessThanStuckForIsWaitedOut) {
  Status s =
      Run([&](int) { return clock_.elapsed < 295s ? Lost("database is locked") : Finishes(); });
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(attempts_, 34);
}

TEST_F(SuperviseTest, SameQuickErrorNeedsMaxQuickRepeats) {
  policy_.stuck_for = 0s;
  policy_.max_quick_repeats = 3;
  Status s = Run({Lost("x"), Lost("x"), Lost("x")});
  EXPECT_EQ(s.message(),
            "the same error 3 times in a row with both servers answering; not retrying: x");
  EXPECT_EQ(attempts_, 3);
}

TEST_F(SuperviseTest, DifferentErrorsAreNotRepeats) {
  policy_.stuck_for = 0s;
  policy_.max_quick_repeats = 2;
  Status s = Run({Lost("a"), Lost("b"), Lost("a"), Lost("b"), Lost("a"), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(attempts_, 6);
}

TEST_F(SuperviseTest, OutageAttemptsNeitherCountAsRepeatsNorBreakTheSeries) {
  policy_.stuck_for = 0s;
  policy_.max_quick_repeats = 3;
  Status s = Run({Lost("x"), Down(), Down(), Down(), Lost("x"), Down(), Lost("x")});
  EXPECT_EQ(s.message(),
            "the same error 3 times in a row with both servers answering; not retrying: x");
  EXPECT_EQ(attempts_, 7);
}

TEST_F(SuperviseTest, ProgressBreaksTheSeries) {
  policy_.stuck_for = 0s;
  policy_.max_quick_repeats = 3;
  Status s =
      Run({Lost("x"), Lost("x"), Committing(Lost("x"), 1), Lost("x"), Lost("x"), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(attempts_, 6);
}

TEST_F(SuperviseTest, LongRunBreaksTheSeries) {
  policy_.stuck_for = 0s;
  policy_.max_quick_repeats = 3;
  Status s = Run({Lost("x"), Lost("x"), Lasting(Lost("x"), 60s), Lost("x"), Lost("x"), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(attempts_, 6);
}

// ---------------------------------------------------------------------------------------------
// Stopping, endpoints, counters

TEST_F(SuperviseTest, StopDuringABackoffSleepEndsTheRunWithOk) {
  clock_.on_sleep = [&] {
    if (clock_.sleeps.size() == 2) stop_ = true;  // SIGTERM while waiting to reconnect
  };
  Status s = Run({Lost(), Down(), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(attempts_, 2);
  EXPECT_EQ(stats_.reconnects, 1);
}

// Stopped during an attempt that then fails: its error is the run's result, no retry.
TEST_F(SuperviseTest, StopDuringAFailingAttemptReturnsItsError) {
  Attempt stopped = Lost("server closed the connection");
  stopped.stop_mid_transaction = true;
  Status s = Run({Lost(), stopped});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "server closed the connection");
  EXPECT_EQ(attempts_, 2);
  EXPECT_EQ(clock_.sleeps.size(), 1u);
}

TEST_F(SuperviseTest, EndpointsAreClosedBeforeEachSleepAndOpenedAfreshEachAttempt) {
  std::vector<int> alive_while_sleeping;
  clock_.on_sleep = [&] { alive_while_sleeping.push_back(alive_); };
  on_open = [&] { EXPECT_EQ(alive_, 0) << "attempt " << attempts_; };
  Status s = Run({Lost(), Lost(), Down(), Lost(), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(alive_while_sleeping, (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(attempts_, 5);
}

TEST_F(SuperviseTest, StatsAccumulateOverAttempts) {
  Status s = Run({Committing(Lost(), 2), Down(), Committing(Lost(), 3), Finishes()});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(stats_.target_commits, 5);
  EXPECT_EQ(stats_.transactions_applied, 5);
  EXPECT_EQ(stats_.reconnects, 3);
  EXPECT_TRUE(stats_.ever_connected);
}

// ---------------------------------------------------------------------------------------------
// The production clock and factory

TEST(SupervisorSteadyClock, SleepsTheTimeAskedFor) {
  std::atomic<bool> stop{false};
  auto t0 = std::chrono::steady_clock::now();
  SteadyClock().SleepUnlessStopped(150ms, stop);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
}

TEST(SupervisorSteadyClock, SleepEndsSoonAfterStop) {
  std::atomic<bool> stop{false};
  std::thread signal([&] {
    std::this_thread::sleep_for(50ms);
    stop = true;
  });
  auto t0 = std::chrono::steady_clock::now();
  SteadyClock().SleepUnlessStopped(20s, stop);
  auto took = std::chrono::steady_clock::now() - t0;
  signal.join();
  EXPECT_LT(took, 2s);
}

TEST(SupervisorUriEndpoints, UnknownSchemeIsBadInputNotRetried) {
  std::atomic<bool> stop{false};
  ReplicateOptions opt;
  opt.task = "t1";
  Status s = RunReplicationSupervised("nosuch://host/db", "nosuch://host/db", SourceOptions{}, opt,
                                      RetryPolicy{}, stop);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--source"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace cutover
