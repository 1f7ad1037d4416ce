// Unit tests of the replication pipeline's logic (engine/pipeline/replicate.cc) with in-memory
// fakes (tests/unit/fake_endpoints.h).
//
// Design: RunReplication is driven end to end (discovery, task state, full load, CDC loop)
// against a FakeSource whose change stream replays a scripted list of events and a FakeSink
// whose Commit makes rows and checkpoint visible together. Both append to one EventLog
// ("load", "begin", "apply", "commit", "confirm"), so the tests assert on the order of calls:
// what was skipped, how source transactions were grouped into target transactions, and that a
// Confirm never precedes the Commit covering it. When the script is exhausted the fake stream
// sets the stop flag and returns kNone, which is how each run ends; a few tests set the flag
// earlier (mid-transaction) through the source's on_deliver hook.
//
// Grouping limits are chosen so the result never depends on timing: either huge
// (group_max_changes = 1e9, group_max_ms = 1 hour) or degenerate (1 change, 0 ms). The fake
// delivers events without pauses, so the only kNone a run sees is the final one.
//
// What this does not prove: that any real engine honours the contracts. The integration tests
// replicate between real servers.
#include "engine/pipeline/replicate.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/log.h"
#include "tests/unit/fake_endpoints.h"

namespace cutover {
namespace {

using fake::AddTxn;
using fake::Delete;
using fake::EventLog;
using fake::FakeSink;
using fake::FakeSource;
using fake::Insert;
using fake::MakeTable;
using fake::Pos;
using fake::Truncate;
using fake::Update;

using Events = std::vector<std::string>;

// "commit pos:42" -> 42.
uint64_t PosIn(const std::string& event) {
  return std::stoull(event.substr(event.rfind("pos:") + 4));
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// The log entries starting with `prefix`, in order.
Events Only(const Events& log, const std::string& prefix) {
  Events out;
  for (const auto& e : log)
    if (StartsWith(e, prefix)) out.push_back(e);
  return out;
}

// One target transaction as seen in the log: the applies between a "begin" and its "commit".
struct TargetTxn {
  Events applies;
  std::string commit;  // "pos:N"
};

std::vector<TargetTxn> TargetTxns(const Events& log) {
  std::vector<TargetTxn> out;
  std::optional<TargetTxn> open;
  for (const auto& e : log) {
    if (e == "begin") {
      open.emplace();
    } else if (StartsWith(e, "apply ") && open) {
      open->applies.push_back(e);
    } else if (StartsWith(e, "commit ") && open) {
      open->commit = e.substr(7);
      out.push_back(std::move(*open));
      open.reset();
    }
  }
  return out;
}

// Every "confirm P" is for a transaction at or before the checkpoint the run started from (it was
// durable already), or comes right after the "commit P" that made it durable.
void ExpectConfirmsFollowCommits(const Events& log, std::optional<uint64_t> start_checkpoint) {
  for (size_t i = 0; i < log.size(); ++i) {
    if (!StartsWith(log[i], "confirm ")) continue;
    uint64_t p = PosIn(log[i]);
    if (start_checkpoint && p <= *start_checkpoint) continue;
    ASSERT_GT(i, 0u) << log[i] << " is the first event";
    EXPECT_EQ(log[i - 1], "commit pos:" + std::to_string(p))
        << log[i] << " does not follow the commit covering it";
  }
}

class ReplicateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Keep the pipeline's info lines out of the test output; restored in TearDown.
    saved_level_ = LogEnabled(LogLevel::kDebug)  ? LogLevel::kDebug
                   : LogEnabled(LogLevel::kInfo) ? LogLevel::kInfo
                   : LogEnabled(LogLevel::kWarn) ? LogLevel::kWarn
                                                 : LogLevel::kError;
    SetLogLevel(LogLevel::kWarn);
    opt_.task = "t1";
    opt_.progress = Progress::Mode::kQuiet;
    opt_.parallel = 2;
    opt_.group_max_changes = 1000000000;
    opt_.group_max_ms = 3600 * 1000;
    // These tests pin the order of individual changes; net-effect apply is tested below and in
    // net_effect_test.cc.
    opt_.apply_mode = ApplyMode::kRow;
  }
  void TearDown() override { SetLogLevel(saved_level_); }

  Status Run() { return RunReplication(source_, sink_, opt_, stop_, &stats_); }

  // A restart after a full load: every given table is recorded loaded at `at`, and the source's
  // change capture exists.
  void MarkLoaded(const TableSchemaPtr& t, uint64_t at) {
    sink_.state.loaded[t->name] = TableLoadState{Pos(at), 0};
    source_.capture_exists = true;
  }

  // Adds n transactions with one insert into `t` each, at positions first, first+step, ...
  void AddSmallTxns(const TableSchemaPtr& t, int n, uint64_t first, uint64_t step) {
    for (int i = 0; i < n; ++i) {
      uint64_t at = first + i * step;
      AddTxn(source_.script, at, {Insert(t, static_cast<int64_t>(at), "t" + std::to_string(at))});
    }
  }

  EventLog log_;
  std::atomic<bool> stop_{false};
  FakeSource source_{&log_, &stop_};
  FakeSink sink_{&log_};
  ReplicateOptions opt_;
  ReplicateStats stats_;
  LogLevel saved_level_ = LogLevel::kInfo;
};

// ---------------------------------------------------------------------------------------------
// Full load

TEST_F(ReplicateTest, FullLoadCopiesEveryRowAndRecordsSnapshotPosition) {
  auto a = MakeTable("a", true, 5000);
  auto b = MakeTable("b", true, 3);
  auto c = MakeTable("c", true, 0);
  source_.tables = {a, b, c};
  source_.SetRows(a, 5000);  // more than one 4096-row progress batch
  source_.SetRows(b, 3);
  source_.SetRows(c, 0);
  source_.cdc_start = Pos(100);

  ASSERT_TRUE(Run().ok());

  ASSERT_EQ(sink_.data[a->name].size(), 5000u);
  EXPECT_EQ(sink_.data[a->name]["1"][1].str(), "v1");
  EXPECT_EQ(sink_.data[a->name]["5000"][1].str(), "v5000");
  EXPECT_EQ(sink_.Contents(b), (Events{"1=v1", "2=v2", "3=v3"}));
  EXPECT_TRUE(sink_.Contents(c).empty());
  ASSERT_EQ(sink_.state.loaded.size(), 3u);
  for (const auto& [t, rows] : {std::pair{a, 5000}, std::pair{b, 3}, std::pair{c, 0}}) {
    SCOPED_TRACE(t->name.ToString());
    ASSERT_TRUE(sink_.state.loaded.count(t->name));
    EXPECT_EQ(sink_.state.loaded[t->name].snapshot.text, "pos:100");
    EXPECT_EQ(sink_.state.loaded[t->name].rows, rows);
  }
  EXPECT_EQ(stats_.tables_loaded, 3);
  EXPECT_EQ(stats_.rows_loaded, 5003);
  // The snapshot came from the capture created now; no fresh snapshot was needed.
  EXPECT_EQ(source_.prepare_cdc_calls, std::vector<bool>{true});
  EXPECT_EQ(source_.open_snapshot_calls, 0);
  // CDC followed, from the (earliest) table snapshot.
  EXPECT_EQ(source_.open_stream_calls, 1);
  EXPECT_EQ(source_.stream_from.text, "pos:100");
  EXPECT_FALSE(sink_.state.applied.has_value());
  for (const auto& [name, prep] : sink_.load_begins) EXPECT_EQ(prep, TablePrep::kDropAndCreate);
}

TEST_F(ReplicateTest, FullLoadPassesTablePrepToSink) {
  auto a = MakeTable("a");
  auto b = MakeTable("b");
  source_.tables = {a, b};
  source_.SetRows(a, 2);
  source_.SetRows(b, 2);
  opt_.prep = TablePrep::kTruncate;

  ASSERT_TRUE(Run().ok());

  ASSERT_EQ(sink_.load_begins.size(), 2u);
  for (const auto& [name, prep] : sink_.load_begins) EXPECT_EQ(prep, TablePrep::kTruncate);
}

TEST_F(ReplicateTest, TablesAlreadyLoadedAreNotReloaded) {
  auto a = MakeTable("a");
  auto b = MakeTable("b");
  source_.tables = {a, b};
  source_.SetRows(a, 3, "new");
  source_.SetRows(b, 2);
  source_.fresh_snapshot = Pos(200);
  MarkLoaded(a, 100);
  sink_.Seed(a, 1, "old");

  ASSERT_TRUE(Run().ok());

  // Only b was loaded, from a fresh snapshot (the capture already existed).
  ASSERT_EQ(sink_.load_begins.size(), 1u);
  EXPECT_EQ(sink_.load_begins[0].first, b->name);
  EXPECT_EQ(source_.prepare_cdc_calls, std::vector<bool>{true});
  EXPECT_EQ(source_.open_snapshot_calls, 1);
  EXPECT_EQ(sink_.state.loaded[b->name].snapshot.text, "pos:200");
  EXPECT_EQ(sink_.Contents(b), (Events{"1=v1", "2=v2"}));
  // a kept its rows and its load position.
  EXPECT_EQ(sink_.Contents(a), Events{"1=old"});
  EXPECT_EQ(sink_.state.loaded[a->name].snapshot.text, "pos:100");
  EXPECT_EQ(stats_.tables_loaded, 1);
}

TEST_F(ReplicateTest, EveryTableLoadedNeedsNoSnapshot) {
  auto a = MakeTable("a");
  source_.tables = {a};
  source_.SetRows(a, 3);
  MarkLoaded(a, 100);

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(source_.prepare_cdc_calls, std::vector<bool>{false});
  EXPECT_EQ(source_.open_snapshot_calls, 0);
  EXPECT_TRUE(sink_.load_begins.empty());
  EXPECT_EQ(source_.open_stream_calls, 1);
}

TEST_F(ReplicateTest, FullLoadOnlyOpensNoStream) {
  auto a = MakeTable("a");
  auto keyless = MakeTable("keyless", /*with_key=*/false);  // fine without CDC
  source_.tables = {a, keyless};
  source_.SetRows(a, 4);
  source_.SetRows(keyless, 2);
  source_.fresh_snapshot = Pos(700);
  AddSmallTxns(a, 2, 800, 100);
  opt_.type = ReplicationType::kFullLoad;

  ASSERT_TRUE(Run().ok());

  EXPECT_TRUE(source_.prepare_cdc_calls.empty());
  EXPECT_EQ(source_.open_snapshot_calls, 1);
  EXPECT_EQ(source_.open_stream_calls, 0);
  EXPECT_EQ(source_.delivered, 0u);
  EXPECT_EQ(sink_.open_applier_calls, 0);
  EXPECT_EQ(sink_.Contents(a).size(), 4u);
  EXPECT_EQ(sink_.Contents(keyless).size(), 2u);
  EXPECT_EQ(sink_.state.loaded[a->name].snapshot.text, "pos:700");
  EXPECT_EQ(sink_.state.loaded[keyless->name].snapshot.text, "pos:700");
  EXPECT_FALSE(sink_.state.applied.has_value());
  EXPECT_TRUE(Only(log_.events(), "confirm").empty());
}

TEST_F(ReplicateTest, CdcOnlyOnSourceWithoutCaptureObjectRecordsItsStartFirst) {
  auto a = MakeTable("a");
  source_.tables = {a};
  source_.capture_start = Pos(150);
  opt_.type = ReplicationType::kCdc;
  ASSERT_TRUE(Run().ok());
  // The start became the task's first checkpoint before any streaming, so a crash right after
  // resumes there instead of at a later "now".
  ASSERT_TRUE(sink_.state.applied.has_value());
  EXPECT_EQ(sink_.state.applied->text, "pos:150");
  EXPECT_EQ(source_.stream_from.text, "pos:150");
  ASSERT_FALSE(log_.events().empty());
  EXPECT_EQ(log_.events()[0], "begin");
  EXPECT_EQ(log_.events()[1], "commit pos:150");
}

TEST_F(ReplicateTest, CdcRefusesTableWithoutKey) {
  for (auto type : {ReplicationType::kFullLoadAndCdc, ReplicationType::kCdc}) {
    SCOPED_TRACE(static_cast<int>(type));
    FakeSource source(&log_, &stop_);
    FakeSink sink(&log_);
    auto a = MakeTable("a");
    auto keyless = MakeTable("keyless", /*with_key=*/false);
    source.tables = {a, keyless};
    source.SetRows(a, 2);
    source.SetRows(keyless, 2);
    opt_.type = type;

    Status s = RunReplication(source, sink, opt_, stop_, &stats_);

    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(s.message().find("public.keyless"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("public.a"), std::string::npos) << s.message();
    // Refused before touching anything.
    EXPECT_TRUE(source.prepare_cdc_calls.empty());
    EXPECT_TRUE(sink.load_begins.empty());
    EXPECT_EQ(source.open_stream_calls, 0);
  }
}

TEST_F(ReplicateTest, CaptureMissingWhileTargetHasProgressIsRefused) {
  auto a = MakeTable("a");
  source_.tables = {a};
  sink_.state.loaded[a->name] = TableLoadState{Pos(100), 2};
  source_.capture_exists = false;  // e.g. the slot was dropped

  Status s = Run();

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("t1"), std::string::npos) << s.message();
  EXPECT_TRUE(sink_.load_begins.empty());
  EXPECT_EQ(source_.open_stream_calls, 0);
  // Regression: the capture created while finding this out is removed again, so a retry is
  // refused too instead of streaming from it and skipping the gap.
  EXPECT_FALSE(source_.capture_exists);
  Status again = Run();
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition) << again.message();
  EXPECT_EQ(source_.open_stream_calls, 0);
}

// ---------------------------------------------------------------------------------------------
// CDC: what is skipped

TEST_F(ReplicateTest, TransactionsAtOrBeforeCheckpointAreSkippedWholeAndConfirmed) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 100);
  sink_.state.applied = Pos(300);
  AddTxn(source_.script, 200, {Insert(a, 1, "x"), Insert(a, 2, "x")});
  AddTxn(source_.script, 300, {Insert(a, 3, "x")});
  AddTxn(source_.script, 400, {Insert(a, 4, "y")});

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(source_.stream_from.text, "pos:300");
  EXPECT_EQ(log_.events(),
            (Events{"confirm pos:200", "confirm pos:300", "begin", "apply insert public.a 4",
                    "commit pos:400", "confirm pos:400"}));
  EXPECT_EQ(sink_.Contents(a), Events{"4=y"});
  EXPECT_EQ(sink_.state.applied->text, "pos:400");
  EXPECT_EQ(stats_.transactions_skipped, 2);
  EXPECT_EQ(stats_.transactions_applied, 1);
  EXPECT_EQ(stats_.changes_applied, 1);
}

TEST_F(ReplicateTest, ChangeIsSkippedIffItsTransactionIsBeforeTheTableSnapshot) {
  auto a = MakeTable("a");
  auto b = MakeTable("b");
  source_.tables = {a, b};
  MarkLoaded(a, 100);                                                       // P0
  MarkLoaded(b, 200);                                                       // P1
  AddTxn(source_.script, 50, {Insert(a, 50, "x"), Insert(b, 50, "x")});     // before both
  AddTxn(source_.script, 150, {Insert(a, 150, "x"), Insert(b, 150, "x")});  // a only
  AddTxn(source_.script, 200, {Insert(a, 200, "x"), Insert(b, 200, "x")});  // both (== P1)
  AddTxn(source_.script, 250, {Update(b, 200, "y"), Delete(a, 150)});       // both

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(
      Only(log_.events(), "apply"),
      (Events{"apply insert public.a 150", "apply insert public.a 200", "apply insert public.b 200",
              "apply update public.b 200", "apply delete public.a 150"}));
  EXPECT_EQ(sink_.Contents(a), Events{"200=x"});
  EXPECT_EQ(sink_.Contents(b), Events{"200=y"});
  // A transaction whose changes were all filtered still counts and moves the checkpoint.
  EXPECT_EQ(stats_.transactions_applied, 4);
  EXPECT_EQ(stats_.changes_applied, 5);
  EXPECT_EQ(sink_.state.applied->text, "pos:250");
}

TEST_F(ReplicateTest, TablesLoadedNowAreFilteredAtTheirSnapshot) {
  // A restart that loads b from a fresh snapshot at 200 while a was loaded at 100 before.
  auto a = MakeTable("a");
  auto b = MakeTable("b");
  source_.tables = {a, b};
  source_.SetRows(b, 1);
  source_.fresh_snapshot = Pos(200);
  MarkLoaded(a, 100);
  AddTxn(source_.script, 150, {Insert(a, 150, "x"), Insert(b, 150, "x")});
  AddTxn(source_.script, 250, {Insert(a, 250, "x"), Insert(b, 250, "x")});

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(sink_.Contents(a), (Events{"150=x", "250=x"}));
  EXPECT_EQ(sink_.Contents(b), (Events{"1=v1", "250=x"}));
}

TEST_F(ReplicateTest, TruncateIsFilteredPerTruncatedTable) {
  auto a = MakeTable("a");
  auto b = MakeTable("b");
  source_.tables = {a, b};
  MarkLoaded(a, 100);
  MarkLoaded(b, 200);
  for (auto t : {a, b}) {
    sink_.Seed(t, 1, "seed");
    sink_.Seed(t, 2, "seed");
  }
  AddTxn(source_.script, 150, {Truncate({b, a})});  // a only
  AddTxn(source_.script, 160, {Insert(a, 5, "x")});
  AddTxn(source_.script, 170, {Truncate({b})});  // nothing
  AddTxn(source_.script, 250, {Truncate({b})});  // b

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(
      Only(log_.events(), "apply"),
      (Events{"apply truncate public.a", "apply insert public.a 5", "apply truncate public.b"}));
  EXPECT_EQ(sink_.Contents(a), Events{"5=x"});
  EXPECT_TRUE(sink_.Contents(b).empty());
  EXPECT_EQ(stats_.changes_applied, 3);
  // Regression: after filtering, `table` names the first table still truncated (change.h).
  ASSERT_FALSE(sink_.applied_changes.empty());
  EXPECT_EQ(sink_.applied_changes.front().table->name.ToString(), "public.a");
}

TEST_F(ReplicateTest, TablesNotLoadedByTheTaskAreNotFiltered) {
  // A CDC-only task: nothing is loaded, every change after the capture start applies.
  auto a = MakeTable("a");
  source_.tables = {a};
  source_.SetRows(a, 3);
  opt_.type = ReplicationType::kCdc;
  AddSmallTxns(a, 2, 10, 10);

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(source_.prepare_cdc_calls, std::vector<bool>{false});
  EXPECT_EQ(source_.open_snapshot_calls, 0);
  EXPECT_TRUE(sink_.load_begins.empty());
  EXPECT_EQ(sink_.Contents(a), (Events{"10=t10", "20=t20"}));
}

// ---------------------------------------------------------------------------------------------
// CDC: grouping, commits and confirms

TEST_F(ReplicateTest, SmallTransactionsShareOneTargetCommit) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  AddSmallTxns(a, 5, 100, 100);

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(log_.events(),
            (Events{"begin", "apply insert public.a 100", "apply insert public.a 200",
                    "apply insert public.a 300", "apply insert public.a 400",
                    "apply insert public.a 500", "commit pos:500", "confirm pos:500"}));
  EXPECT_EQ(sink_.state.applied->text, "pos:500");
  EXPECT_EQ(sink_.Contents(a).size(), 5u);
  EXPECT_EQ(stats_.target_commits, 1);
  EXPECT_EQ(stats_.transactions_applied, 5);
  EXPECT_EQ(stats_.changes_applied, 5);
}

TEST_F(ReplicateTest, GroupMaxChangesOneCommitsEveryTransaction) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  AddSmallTxns(a, 5, 100, 100);
  opt_.group_max_changes = 1;

  ASSERT_TRUE(Run().ok());

  Events expected;
  for (int p = 100; p <= 500; p += 100) {
    expected.insert(expected.end(),
                    {"begin", "apply insert public.a " + std::to_string(p),
                     "commit pos:" + std::to_string(p), "confirm pos:" + std::to_string(p)});
  }
  EXPECT_EQ(log_.events(), expected);
  EXPECT_EQ(stats_.target_commits, 5);
}

TEST_F(ReplicateTest, GroupMaxMsZeroCommitsEveryTransaction) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  AddSmallTxns(a, 3, 100, 100);
  opt_.group_max_ms = 0;

  ASSERT_TRUE(Run().ok());

  auto txns = TargetTxns(log_.events());
  ASSERT_EQ(txns.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(txns[i].applies.size(), 1u);
    EXPECT_EQ(txns[i].commit, "pos:" + std::to_string(100 * (i + 1)));
  }
}

TEST_F(ReplicateTest, LargeTransactionIsNeverSplitAcrossCommits) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  opt_.group_max_changes = 3;
  std::vector<Change> large;
  for (int i = 0; i < 10; ++i) large.push_back(Insert(a, 2000 + i, "large"));
  AddTxn(source_.script, 100, {Insert(a, 100, "small")});
  AddTxn(source_.script, 200, std::move(large));
  AddTxn(source_.script, 300, {Insert(a, 300, "small")});
  AddTxn(source_.script, 400, {Insert(a, 400, "small")});
  std::vector<Change> large2;
  for (int i = 0; i < 7; ++i) large2.push_back(Insert(a, 5000 + i, "large"));
  AddTxn(source_.script, 500, std::move(large2));

  ASSERT_TRUE(Run().ok());

  // Groups close only at transaction boundaries once they hold >= 3 changes.
  auto txns = TargetTxns(log_.events());
  ASSERT_EQ(txns.size(), 2u);
  EXPECT_EQ(txns[0].applies.size(), 11u);  // 100 + all of 200
  EXPECT_EQ(txns[0].commit, "pos:200");
  EXPECT_EQ(txns[1].applies.size(), 9u);  // 300, 400 + all of 500
  EXPECT_EQ(txns[1].commit, "pos:500");
  EXPECT_EQ(sink_.Contents(a).size(), 20u);
  ExpectConfirmsFollowCommits(log_.events(), std::nullopt);
}

TEST_F(ReplicateTest, LargeTransactionAloneIsOneCommit) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  opt_.group_max_changes = 2;
  std::vector<Change> large;
  for (int i = 0; i < 9; ++i) large.push_back(Insert(a, i, "large"));
  AddTxn(source_.script, 100, std::move(large));
  AddSmallTxns(a, 2, 200, 100);

  ASSERT_TRUE(Run().ok());

  auto txns = TargetTxns(log_.events());
  ASSERT_EQ(txns.size(), 2u);
  EXPECT_EQ(txns[0].applies.size(), 9u);
  EXPECT_EQ(txns[0].commit, "pos:100");
  EXPECT_EQ(txns[1].applies.size(), 2u);
  EXPECT_EQ(txns[1].commit, "pos:300");
}

TEST_F(ReplicateTest, ConfirmComesOnlyAfterTheCommitCoveringIt) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  sink_.state.applied = Pos(100);
  opt_.group_max_changes = 2;
  AddTxn(source_.script, 50, {Insert(a, 50, "old")});    // skipped
  AddTxn(source_.script, 100, {Insert(a, 100, "old")});  // skipped
  AddTxn(source_.script, 150, {Insert(a, 150, "x")});
  AddTxn(source_.script, 160, {Insert(a, 160, "x")});  // closes group {150, 160}
  AddTxn(source_.script, 170, {Insert(a, 170, "x"), Insert(a, 171, "x"), Insert(a, 172, "x")});
  AddTxn(source_.script, 180, {Insert(a, 180, "x")});  // committed at the end of the stream

  ASSERT_TRUE(Run().ok());

  Events log = log_.events();
  ExpectConfirmsFollowCommits(log, 100);
  EXPECT_EQ(source_.confirms.size(), 5u);
  Events confirms;
  for (const auto& p : source_.confirms) confirms.push_back(p.text);
  EXPECT_EQ(confirms, (Events{"pos:50", "pos:100", "pos:160", "pos:170", "pos:180"}));
  EXPECT_EQ(Only(log, "commit"), (Events{"commit pos:160", "commit pos:170", "commit pos:180"}));
}

// Pipelined commits (engine/core/pipelined_commit.h): the next group is read and sent while a
// commit is in flight, yet a position is confirmed only once its commit was awaited, and a
// commit is never sent before the previous one's outcome is known.
TEST_F(ReplicateTest, PipelinedCommitIsConfirmedOnlyAfterItWasAwaited) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  sink_.pipelined = true;
  opt_.group_max_changes = 1;  // one target transaction per source transaction
  AddSmallTxns(a, 3, 100, 100);

  ASSERT_TRUE(Run().ok());

  Events log = log_.events();
  ExpectConfirmsFollowCommits(log, std::nullopt);
  // Group 2 begins and is applied while group 1's commit is in flight.
  std::vector<std::string> order;
  for (const auto& e : log)
    if (e == "begin" || StartsWith(e, "send-commit") || StartsWith(e, "commit")) order.push_back(e);
  EXPECT_EQ(order, (Events{"begin", "send-commit pos:100", "begin", "commit pos:100",
                           "send-commit pos:200", "begin", "commit pos:200", "send-commit pos:300",
                           "commit pos:300"}));
  Events confirms;
  for (const auto& p : source_.confirms) confirms.push_back(p.text);
  EXPECT_EQ(confirms, (Events{"pos:100", "pos:200", "pos:300"}));
  EXPECT_EQ(sink_.Contents(a).size(), 3u);
  EXPECT_EQ(sink_.state.applied->text, "pos:300");
}

TEST_F(ReplicateTest, FailedPipelinedCommitIsNeitherConfirmedNorFollowedByTheNextCommit) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  sink_.pipelined = true;
  sink_.fail_commit_call = 1;
  opt_.group_max_changes = 1;
  AddSmallTxns(a, 3, 100, 100);

  Status s = Run();

  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(source_.confirms.empty());
  EXPECT_EQ(Only(log_.events(), "send-commit"), (Events{"send-commit pos:100"}));
  EXPECT_FALSE(sink_.state.applied.has_value());
  EXPECT_TRUE(sink_.Contents(a).empty());
}

// ---------------------------------------------------------------------------------------------
// Stopping

TEST_F(ReplicateTest, StopMidTransactionFinishesAndCommitsIt) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  AddTxn(source_.script, 100, {Insert(a, 1, "x")});  // events 0..2
  AddTxn(source_.script, 200, {Insert(a, 2, "x"), Insert(a, 3, "x"), Insert(a, 4, "x")});  // 3..7
  AddTxn(source_.script, 300, {Insert(a, 5, "x")});                                        // 8..10
  source_.on_deliver = [&](size_t i) {
    if (i == 5) stop_ = true;  // just before the second change of txn 200
  };

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(log_.events(), (Events{"begin", "apply insert public.a 1", "apply insert public.a 2",
                                   "apply insert public.a 3", "apply insert public.a 4",
                                   "commit pos:200", "confirm pos:200"}));
  EXPECT_EQ(source_.delivered, 8u);  // txn 300 was never read
  EXPECT_EQ(sink_.state.applied->text, "pos:200");
  EXPECT_EQ(sink_.Contents(a).size(), 4u);
}

TEST_F(ReplicateTest, StopBetweenTransactionsCommitsTheOpenGroup) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  AddSmallTxns(a, 4, 100, 100);  // 3 events each
  source_.on_deliver = [&](size_t i) {
    if (i == 5) stop_ = true;  // as the commit of txn 200 is handed out
  };

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(log_.events(),
            (Events{"begin", "apply insert public.a 100", "apply insert public.a 200",
                    "commit pos:200", "confirm pos:200"}));
  EXPECT_EQ(source_.delivered, 6u);
}

TEST_F(ReplicateTest, StopAfterTransactionsHook) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  AddSmallTxns(a, 5, 100, 100);
  opt_.stop_after_transactions = 2;

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(Only(log_.events(), "commit"), Events{"commit pos:200"});
  EXPECT_EQ(source_.delivered, 6u);
  EXPECT_EQ(stats_.transactions_applied, 2);
  EXPECT_EQ(sink_.state.applied->text, "pos:200");
}

TEST_F(ReplicateTest, StopBeforeStartAbortsFullLoadAndOpensNoStream) {
  auto a = MakeTable("a");
  source_.tables = {a};
  source_.SetRows(a, 2);
  AddSmallTxns(a, 1, 150, 1);
  stop_ = true;

  Status s = Run();

  // An interrupted full load is an error (the CLI exits 130); the next run loads the table.
  EXPECT_EQ(s.code(), StatusCode::kAborted) << s.ToString();
  EXPECT_TRUE(sink_.state.loaded.empty());
  EXPECT_EQ(source_.open_stream_calls, 0);
}

TEST_F(ReplicateTest, StopBeforeStartWithNothingToLoadReturnsOk) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 100);
  AddSmallTxns(a, 1, 150, 1);
  stop_ = true;

  ASSERT_TRUE(Run().ok());

  EXPECT_EQ(source_.open_stream_calls, 0);
  EXPECT_TRUE(log_.events().empty());
}

// ---------------------------------------------------------------------------------------------
// Errors and restarts

TEST_F(ReplicateTest, FailingApplyNamesTheTransactionPosition) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  opt_.group_max_changes = 1;
  AddTxn(source_.script, 100, {Insert(a, 1, "x")});
  AddTxn(source_.script, 200, {Insert(a, 2, "x"), Insert(a, 3, "x")});
  AddTxn(source_.script, 300, {Insert(a, 4, "x")});
  sink_.fail_apply_call = 3;  // the second change of txn 200

  Status s = Run();

  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("pos:200"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("x200"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("injected failure"), std::string::npos) << s.message();
  // txn 100 stays committed and confirmed; nothing of 200 is.
  EXPECT_EQ(Only(log_.events(), "commit"), Events{"commit pos:100"});
  EXPECT_EQ(Only(log_.events(), "confirm"), Events{"confirm pos:100"});
  EXPECT_EQ(sink_.state.applied->text, "pos:100");
  EXPECT_EQ(sink_.Contents(a), Events{"1=x"});
}

TEST_F(ReplicateTest, FailingCommitIsNotConfirmed) {
  auto a = MakeTable("a");
  source_.tables = {a};
  MarkLoaded(a, 1);
  AddSmallTxns(a, 2, 100, 100);
  sink_.fail_commit_call = 1;

  Status s = Run();

  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(source_.confirms.empty());
  EXPECT_FALSE(sink_.state.applied.has_value());
  EXPECT_TRUE(sink_.Contents(a).empty());
}

TEST_F(ReplicateTest, RestartAfterARunDuplicatesNothing) {
  auto a = MakeTable("a");
  auto b = MakeTable("b");
  source_.tables = {a, b};
  source_.SetRows(a, 2);
  source_.SetRows(b, 2);
  source_.cdc_start = Pos(100);
  AddTxn(source_.script, 150, {Insert(a, 10, "x"), Delete(b, 1)});
  AddTxn(source_.script, 250, {Update(a, 1, "y"), Truncate({b})});

  ASSERT_TRUE(Run().ok());
  auto a_after = sink_.Contents(a);
  auto b_after = sink_.Contents(b);
  EXPECT_EQ(a_after, (Events{"1=y", "10=x", "2=v2"}));
  EXPECT_TRUE(b_after.empty());
  EXPECT_EQ(sink_.state.applied->text, "pos:250");

  // Second run: the capture exists, everything is loaded, and the stream resends it all.
  stop_ = false;
  size_t log_before = log_.events().size();
  ASSERT_TRUE(Run().ok());

  Events all = log_.events();
  Events second(all.begin() + static_cast<std::ptrdiff_t>(log_before), all.end());
  EXPECT_EQ(second, (Events{"confirm pos:150", "confirm pos:250"}));
  EXPECT_EQ(source_.prepare_cdc_calls, (std::vector<bool>{true, false}));
  EXPECT_EQ(source_.stream_from.text, "pos:250");
  EXPECT_EQ(sink_.load_begins.size(), 2u);  // from the first run only
  EXPECT_EQ(sink_.Contents(a), a_after);
  EXPECT_EQ(sink_.Contents(b), b_after);
}

}  // namespace
}  // namespace cutover
