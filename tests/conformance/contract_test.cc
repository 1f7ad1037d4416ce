// The conformance contract: what every engine driver must pass, as a source and as a target.
// Instantiated over every (source, target) pair of the engines in support/engines.h; a new
// engine is done when this suite passes for every pair it is part of.
//
// Each test starts its own throwaway databases (about a second each) and runs the real
// `cutover` binary as a child process; both sides are read independently with SQL and compared
// as sets of canonical rows (support/engines.h), never with engine code.
//
//   FullLoadOfShapedTablesIsExact        composite key, CamelCase, NULLs, DECIMAL(12,4) limits,
//                                        multibyte text, microseconds, bytes, 2000 rows
//   EveryCdcOperationIsApplied           insert, update of non-key columns and of a key
//                                        (single and composite), delete, a multi-row
//                                        transaction, a rolled-back transaction
//   StopAndStartLosesAndDuplicatesNothing  SIGTERM, changes while stopped, restart, no reload
//   KillNineUnderAConcurrentWriterIsExactlyOnce  three kills -9 during CDC while a writer commits
//   BadEndpointsGiveOneLineExitTwoAndNoPassword  unreachable / wrong password, either side
//   TypeRoundTripThroughTheNeutralType   the type zoo: every edge value, load, CDC, restart
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "tests/conformance/support/contract_tables.h"
#include "tests/conformance/support/engines.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"
#include "tests/integration/support/type_zoo.h"

namespace cutover::testing::conformance {
namespace {

using namespace std::chrono_literals;

struct Pair {
  const Engine* source;
  const Engine* target;
};

void PrintTo(const Pair& p, std::ostream* os) {
  *os << p.source->name << " -> " << p.target->name;
}

std::vector<Pair> AllPairs() {
  std::vector<Pair> pairs;
  for (const Engine& s : Engines())
    for (const Engine& t : Engines()) pairs.push_back({&s, &t});
  return pairs;
}

std::string PairName(const ::testing::TestParamInfo<Pair>& info) {
  return info.param.source->name + "_to_" + info.param.target->name;
}

class Contract : public ::testing::TestWithParam<Pair> {
 protected:
  void SetUp() override {
    std::string pair = PairName(::testing::TestParamInfo<Pair>(GetParam(), 0));
    if (pair != pooled_pair_) {  // a process running several pairs holds one pair's servers
      pool_.clear();
      pooled_pair_ = pair;
    }
    ++test_number_;
    source_ = Make(*GetParam().source, "src");
    target_ = Make(*GetParam().target, "tgt");
    ASSERT_TRUE(source_ && target_);
  }
  static void TearDownTestSuite() { pool_.clear(); }

  // This test's fresh database of `engine` in `role`, on the pair's server for the role (started
  // by the first test of the pair that needs it). `own`: the server's own database.
  std::unique_ptr<Database> Make(const Engine& engine, const std::string& role, bool own = false) {
    const harness::ThrowawayServer* server = nullptr;
    if (engine.start_server) {
      auto& pooled = pool_[role];
      if (!pooled) pooled = engine.start_server(engine.name + "_" + role);
      if (!pooled) return nullptr;
      server = pooled.get();
    }
    auto db =
        engine.create(server, "c" + std::to_string(test_number_) + "_" + role, own, scratch());
    if (db) db->engine = &engine;
    return db;
  }

  std::string scratch() const {
    std::string dir = scratch_.path("");
    return dir.substr(0, dir.size() - 1);
  }

  void SourceSql(const std::string& sql) {
    auto r = source_->Sql(sql);
    const std::string& m = r.status().message();  // the client echoes the statement: keep the end
    ASSERT_TRUE(r.ok()) << (m.size() > 2000 ? "..." + m.substr(m.size() - 2000) : m);
  }

  std::vector<std::string> Replicate(const std::string& task,
                                     std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"replicate",  "--source", source_->uri, "--target",
                                     target_->uri, "--task",   task};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // Polls until every table has the same canonical rows on both sides; "" or the differences.
  std::string WaitSame(const std::vector<ContractTable>& tables, std::chrono::seconds timeout) {
    std::string diffs;
    for (const ContractTable& t : tables) {
      std::string d = WaitUntilSame([&] { return source_->Rows(t.name, t.cols); },
                                    [&] { return target_->Rows(t.name, t.cols); }, timeout);
      if (!d.empty()) diffs += t.name + ": " + d + "\n";
    }
    return diffs;
  }

  // Whether the target holds a row of `table` whose canonical text starts with `key|`.
  bool TargetHas(const ContractTable& table, const std::string& key) {
    for (const auto& row : target_->Rows(table.name, table.cols))
      if (row.rfind(key + "|", 0) == 0) return true;
    return false;
  }

  static inline std::map<std::string, std::unique_ptr<harness::ThrowawayServer>> pool_;
  static inline std::string pooled_pair_;
  static inline int test_number_ = 0;
  SqliteDir scratch_;
  std::unique_ptr<Database> source_, target_;
};

TEST_P(Contract, FullLoadOfShapedTablesIsExact) {
  SourceSql(CreateShapedTables(*source_->engine));
  RunResult r = RunCutover(Replicate("fl", {"--type", "full-load"}), 120s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const ContractTable& t : ShapedTables())
    EXPECT_EQ(CompareCanonRows(source_->Rows(t.name, t.cols), target_->Rows(t.name, t.cols)), "")
        << t.name;
  EXPECT_EQ(target_->Rows("Customer", ShapedTables()[0].cols).size(), size_t{kCustomerRows});
}

TEST_P(Contract, EveryCdcOperationIsApplied) {
  SourceSql(CreateShapedTables(*source_->engine));
  EngineProcess engine(Replicate("cdc"));
  ASSERT_EQ(WaitSame(ShapedTables(), 60s), "") << "after the full load\n" << engine.Log();
  SourceSql(EveryCdcOperation(*source_->engine));
  ASSERT_TRUE(Eventually([&] { return TargetHas(ShapedTables()[2], kMarkerKey); }, 60s))
      << engine.Log();
  EXPECT_EQ(WaitSame(ShapedTables(), 30s), "") << "after CDC\n" << engine.Log();
  EXPECT_FALSE(TargetHas(ShapedTables()[0], kRolledBackCustomer));
  EXPECT_TRUE(TargetHas(ShapedTables()[0], "100050")) << "the key update did not arrive";
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

TEST_P(Contract, StopAndStartLosesAndDuplicatesNothing) {
  SourceSql(CreateShapedTables(*source_->engine));
  {
    EngineProcess engine(Replicate("rs"));
    ASSERT_EQ(WaitSame(ShapedTables(), 60s), "") << engine.Log();
    SourceSql(SmallWorkload(*source_->engine, 1));
    EXPECT_EQ(WaitSame(ShapedTables(), 60s), "") << engine.Log();
    engine.Signal(SIGTERM);
    ASSERT_EQ(engine.Wait(30s), 0) << engine.Log();
  }
  SourceSql(SmallWorkload(*source_->engine, 2));  // while stopped
  EngineProcess again(Replicate("rs"));
  SourceSql(SmallWorkload(*source_->engine, 3));
  EXPECT_EQ(WaitSame(ShapedTables(), 60s), "") << again.Log();
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(30s), 0) << again.Log();
  // Resumed from the checkpoint, not reloaded (a reload would hide lost changes).
  EXPECT_NE(again.Log().find("3 already loaded, 0 to load"), std::string::npos) << again.Log();
}

TEST_P(Contract, KillNineUnderAConcurrentWriterIsExactlyOnce) {
  constexpr int kAccounts = 300;
  SourceSql(CreateKcTables(*source_->engine, kAccounts));
  auto engine = std::make_unique<EngineProcess>(Replicate("kc"));
  ASSERT_EQ(WaitSame(KcTables(), 60s), "") << engine->Log();
  std::atomic<bool> stop{false};
  std::atomic<long> committed{0};
  std::thread writer(RunKcWriter, std::cref(*source_), 1, kAccounts, std::cref(stop),
                     std::ref(committed));
  // Kills at seeded random moments (three; CUTOVER_KILLS=N for scripts/long-tests.sh); restarts
  // alternate the apply mode (net effect in bulk, one statement per change), as an operator may
  // when resuming.
  const char* kills_env = std::getenv("CUTOVER_KILLS");
  const int kills = kills_env ? std::clamp(std::atoi(kills_env), 1, 100) : 3;
  std::mt19937 rng(5);
  std::string runs;  // every killed run's log, shown if the end state differs
  int killed = 0;
  for (int kill_no = 1; kill_no <= kills; ++kill_no) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000 + rng() % 1500));
    if (!engine->Running()) break;
    engine->Signal(SIGKILL);
    EXPECT_EQ(engine->Wait(10s), 128 + SIGKILL);
    ++killed;
    runs += "--- run " + std::to_string(kill_no) + " (killed) ---\n" + engine->Log();
    if (runs.size() > (1u << 20)) runs.erase(0, runs.size() - (1u << 20));  // the latest runs
    engine = std::make_unique<EngineProcess>(
        Replicate("kc", {"--apply-mode", kill_no % 2 == 0 ? "row" : "net"}));
  }
  std::this_thread::sleep_for(1s);
  stop = true;
  writer.join();
  ASSERT_TRUE(engine->Running()) << "an engine run died on its own:\n" << runs << engine->Log();
  std::printf("[ measure ] %s: the writer committed %ld transactions across %d kills\n",
              PairName(::testing::TestParamInfo<Pair>(GetParam(), 0)).c_str(), committed.load(),
              killed);
  EXPECT_EQ(killed, kills);
  EXPECT_GT(committed.load(), 20);
  EXPECT_EQ(WaitSame(KcTables(), 120s), "") << runs << "--- last run ---\n" << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

// One error line ("cutover: error: ..." last, no other "error:"), exit 2, no password.
void ExpectRefused(const std::vector<std::string>& args, const BadUri& bad) {
  SCOPED_TRACE(bad.what + ": " + bad.uri);
  RunResult r = RunCutover(args, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string err = r.err;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  std::string last = err.substr(err.rfind('\n') == std::string::npos ? 0 : err.rfind('\n') + 1);
  EXPECT_EQ(last.rfind("cutover: error: ", 0), 0u) << r.err;
  EXPECT_NE(last.find(bad.expected), std::string::npos)
      << "expected '" << bad.expected << "' in: " << last;
  size_t errors = 0;
  for (size_t p = 0; (p = r.err.find("error:", p)) != std::string::npos; ++p) ++errors;
  EXPECT_EQ(errors, 1u) << r.err;
  EXPECT_EQ(r.err.find(kSecret), std::string::npos) << "password leaked: " << r.err;
  EXPECT_EQ(r.out.find(kSecret), std::string::npos) << "password leaked: " << r.out;
}

TEST_P(Contract, BadEndpointsGiveOneLineExitTwoAndNoPassword) {
  SourceSql("CREATE TABLE keyed (id " + source_->engine->types.integer + " PRIMARY KEY)");
  for (const BadUri& bad : target_->engine->bad_uris(*target_, scratch())) {
    ExpectRefused({"replicate", "--source", source_->uri, "--target", bad.uri, "--task", "bad"},
                  bad);
  }
  for (const BadUri& bad : source_->engine->bad_uris(*source_, scratch())) {
    ExpectRefused({"replicate", "--source", bad.uri, "--target", target_->uri, "--task", "bad"},
                  bad);
  }
}

// The type zoo (tests/integration/support/type_zoo.h): every edge value of every type family
// the source has, through the neutral column type to the target, compared value by value under
// the pair's documented lossy rules; load, CDC, restart with --apply-mode row, `cutover validate`.
TEST_P(Contract, TypeRoundTripThroughTheNeutralType) {
  // The zoo's table names assume each server's own database.
  source_ = Make(*GetParam().source, "src", /*own=*/true);
  target_ = Make(*GetParam().target, "tgt", /*own=*/true);
  ASSERT_TRUE(source_ && target_);
  ZooEndpoint source = source_->Zoo(), target = target_->Zoo();
  auto created = source.Sql(ZooCreateSql(source.engine));
  ASSERT_TRUE(created.ok()) << created.status().message();
  if (source.engine == ZooEngine::kSqlite) {
    RunResult prep = RunCutover({"task", "prepare", "--source", source.uri(), "--task", "zoo"});
    ASSERT_EQ(prep.exit_code, 0) << prep.err;
  }

  std::vector<std::string> replicate = Replicate("zoo");
  EngineProcess engine(replicate);
  ASSERT_EQ(WaitZooEqual(source, target, 60s), "") << "after the full load\n" << engine.Log();

  auto changed = source.Sql(ZooCdcSql(source.engine));
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(WaitZooEqual(source, target, 60s), "") << "after CDC\n" << engine.Log();
  EXPECT_EQ(CheckZooWarnings(engine.Log(), source, target.engine, /*first_run=*/true), "")
      << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  // Restarted (resuming from the target's checkpoint), applying one statement per change.
  replicate.insert(replicate.end(), {"--apply-mode", "row"});
  EngineProcess again(replicate);
  changed = source.Sql(ZooSecondCdcSql(source.engine));
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(WaitZooEqual(source, target, 60s), "") << "after CDC in row mode\n" << again.Log();
  EXPECT_EQ(CheckZooWarnings(again.Log(), source, target.engine, /*first_run=*/false), "")
      << again.Log();
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(60s), 0) << again.Log();

  // `cutover validate` agrees: its per-column rules are the pair's lossy rules, no more.
  const std::vector<std::string> validate = {
      "validate",   "--source", source.uri(),          "--target",
      target.uri(), "--tables", source.logged_table(), "--json"};
  RunResult valid = RunCutover(validate, 120s);
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;

  // The comparison is not vacuous: every row arrived, and one changed integer is seen, by the
  // zoo's comparison and by the validator.
  auto count = target.Sql("SELECT count(*) FROM " + target.table());
  ASSERT_TRUE(count.ok()) << count.status().message();
  EXPECT_EQ(*count, std::to_string(ZooRowCountAfterCdc()));
  auto corrupt = target.Sql("UPDATE " + target.table() + " SET i64 = i64 - 1 WHERE id = 200");
  ASSERT_TRUE(corrupt.ok()) << corrupt.status().message();
  EXPECT_NE(CompareZoo(source, target).find("row id=200 column i64"), std::string::npos);
  valid = RunCutover(validate, 120s);
  EXPECT_EQ(valid.exit_code, 1) << valid.out << valid.err;
  EXPECT_NE(valid.out.find("\"column\": \"i64\""), std::string::npos) << valid.out;
}

INSTANTIATE_TEST_SUITE_P(Pairs, Contract, ::testing::ValuesIn(AllPairs()), PairName);

}  // namespace
}  // namespace cutover::testing::conformance
