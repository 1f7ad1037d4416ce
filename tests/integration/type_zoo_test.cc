// The type zoo on every engine pair (issue 4): the zoo's edge values created on a real source
// (throwaway PostgreSQL or MariaDB server, or a SQLite file in a temp dir), `cutover replicate`
// run as a child process (full load, then CDC that inserts zoo rows, updates every column of some
// rows to other edge values, from and to NULL, changes a key and deletes rows; then the engine
// is restarted with --apply-mode row for a second CDC workload), and the target compared with
// the source value by value by support/type_zoo.h: read with each engine's own
// client, normalised only by the rules docs/types.md states for the pair. A column those rules
// touch is announced once per run (at start for a type-level rule, when a value hits it for a
// value-level rule), and no other.
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"
#include "tests/integration/support/type_zoo.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

struct ZooPair {
  ZooEngine source, target;
};

void PrintTo(const ZooPair& p, std::ostream* os) {
  *os << ZooEngineName(p.source) << " -> " << ZooEngineName(p.target);
}

std::string PairName(const ::testing::TestParamInfo<ZooPair>& info) {
  return std::string(ZooEngineName(info.param.source)) + "_to_" + ZooEngineName(info.param.target);
}

class Pairs : public ::testing::TestWithParam<ZooPair> {
 protected:
  // A fresh endpoint of `engine`: a throwaway server, or a new SQLite file in this test's dir.
  ZooEndpoint Make(ZooEngine engine, const std::string& name) {
    ZooEndpoint e;
    e.engine = engine;
    if (engine == ZooEngine::kSqlite) {
      e.sqlite_path = files_.path(name + ".db");
      return e;
    }
    servers_.push_back(engine == ZooEngine::kPostgres ? StartPostgres(name) : StartMariaDb(name));
    e.server = servers_.back().get();
    return e;
  }

  std::vector<std::unique_ptr<harness::ThrowawayServer>> servers_;
  SqliteDir files_;
};

TEST_P(Pairs, FullLoadThenCdc) {
  const ZooPair pair = GetParam();
  ZooEndpoint source = Make(pair.source, "zoosrc");
  ZooEndpoint target = Make(pair.target, "zootgt");
  ASSERT_TRUE(source.engine == ZooEngine::kSqlite || source.server);
  ASSERT_TRUE(target.engine == ZooEngine::kSqlite || target.server);
  auto created = source.Sql(ZooCreateSql(pair.source));
  ASSERT_TRUE(created.ok()) << created.status().message();
  if (pair.source == ZooEngine::kSqlite) {
    RunResult prep = RunCutover({"task", "prepare", "--source", source.uri(), "--task", "zoo"});
    ASSERT_EQ(prep.exit_code, 0) << prep.err;
  }

  std::vector<std::string> replicate = {"replicate",  "--source", source.uri(), "--target",
                                        target.uri(), "--task",   "zoo"};
  EngineProcess engine(replicate);
  ASSERT_EQ(WaitZooEqual(source, target, 60s), "") << "after the full load\n" << engine.Log();

  auto changed = source.Sql(ZooCdcSql(pair.source));
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(WaitZooEqual(source, target, 60s), "") << "after CDC\n" << engine.Log();
  EXPECT_EQ(CheckZooWarnings(engine.Log(), source, pair.target, /*first_run=*/true), "")
      << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  // Restarted (resuming from the target's checkpoint), applying one statement per change.
  replicate.insert(replicate.end(), {"--apply-mode", "row"});
  EngineProcess again(replicate);
  changed = source.Sql(ZooSecondCdcSql(pair.source));
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(WaitZooEqual(source, target, 60s), "") << "after CDC in row mode\n" << again.Log();
  EXPECT_EQ(CheckZooWarnings(again.Log(), source, pair.target, /*first_run=*/false), "")
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

std::vector<ZooPair> AllPairs() {
  std::vector<ZooPair> pairs;
  for (ZooEngine s : {ZooEngine::kPostgres, ZooEngine::kMariaDb, ZooEngine::kSqlite})
    for (ZooEngine t : {ZooEngine::kPostgres, ZooEngine::kMariaDb, ZooEngine::kSqlite})
      pairs.push_back({s, t});
  return pairs;
}

INSTANTIATE_TEST_SUITE_P(TypeZoo, Pairs, ::testing::ValuesIn(AllPairs()), PairName);

// Values a target cannot hold stop the load with one error naming the table, the column and the
// value (docs/types.md "Refusals"), never a silent change. Sources are SQLite files, whose
// dynamic typing can hold every one of these.
struct Refusal {
  const char* name;
  ZooEngine target;
  const char* declared;  // SQLite column type
  const char* literal;   // the stored value
  const char* expected;  // in the error line, besides table and column
};

void PrintTo(const Refusal& r, std::ostream* os) {
  *os << r.name;
}

class RefusalCases : public ::testing::TestWithParam<Refusal> {
 protected:
  std::vector<std::unique_ptr<harness::ThrowawayServer>> servers_;
  SqliteDir files_;
};

TEST_P(RefusalCases, StopTheLoadNamingTableColumnAndValue) {
  const Refusal& c = GetParam();
  std::string path = files_.path("refuse.db");
  SqliteExec(path, std::string("CREATE TABLE refuse (id INTEGER PRIMARY KEY, v ") + c.declared +
                       "); INSERT INTO refuse VALUES (1, " + c.literal + ");");
  auto server = c.target == ZooEngine::kPostgres ? StartPostgres("refuse") : StartMariaDb("refuse");
  ASSERT_TRUE(server);
  RunResult r = RunCutover({"replicate", "--source", "sqlite://" + path, "--target", server->uri(),
                            "--task", "refuse", "--type", "full-load"},
                           120s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string last = r.err.substr(
      r.err.rfind("cutover: error: ") == std::string::npos ? 0 : r.err.rfind("cutover: error: "));
  EXPECT_NE(last.find("main.refuse"), std::string::npos) << last;
  EXPECT_NE(last.find("column v"), std::string::npos) << last;
  EXPECT_NE(last.find(c.expected), std::string::npos) << last;
}

INSTANTIATE_TEST_SUITE_P(
    TypeZoo, RefusalCases,
    ::testing::Values(Refusal{"sqlite_to_pg_time_beyond_24h", ZooEngine::kPostgres, "TIME",
                              "'25:00:00'", "25:00:00"},
                      Refusal{"sqlite_to_mariadb_time_beyond_838h", ZooEngine::kMariaDb, "TIME",
                              "'-900:00:00'", "900"},
                      Refusal{"sqlite_to_mariadb_date_year_0", ZooEngine::kMariaDb, "DATE",
                              "'0000-01-01'", "years 1-9999"},
                      Refusal{"sqlite_to_mariadb_decimal_nan", ZooEngine::kMariaDb, "DECIMAL TEXT",
                              "'NaN'", "NaN"}),
    [](const ::testing::TestParamInfo<Refusal>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cutover::testing
