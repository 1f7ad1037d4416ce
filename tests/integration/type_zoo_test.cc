// The type zoo on every engine pair (issue 4): the zoo's edge values created on a real source
// (throwaway PostgreSQL or MariaDB server, or a SQLite file in a temp dir), `cutover replicate`
// run as a child process (full load, then CDC that inserts zoo rows, updates every column of some
// rows to other edge values, from and to NULL, changes a key and deletes rows), and the target
// compared with the source value by value by support/type_zoo.h: read with each engine's own
// client, normalised only by the rules docs/types.md states for the pair. The columns those
// rules touch must be announced once each at task start, and no other.
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

  EngineProcess engine(
      {"replicate", "--source", source.uri(), "--target", target.uri(), "--task", "zoo"});
  ASSERT_EQ(WaitZooEqual(source, target, 60s), "") << "after the full load\n" << engine.Log();

  auto changed = source.Sql(ZooCdcSql(pair.source));
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(WaitZooEqual(source, target, 60s), "") << "after CDC\n" << engine.Log();
  EXPECT_EQ(CheckZooWarnings(engine.Log(), source, pair.target), "") << engine.Log();

  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  // The comparison is not vacuous: every row arrived, and one changed integer is seen.
  auto count = target.Sql("SELECT count(*) FROM " + target.table());
  ASSERT_TRUE(count.ok()) << count.status().message();
  EXPECT_EQ(*count, std::to_string(2 * ZooRowCount() - 2));
  auto corrupt = target.Sql("UPDATE " + target.table() + " SET i64 = i64 - 1 WHERE id = 1");
  ASSERT_TRUE(corrupt.ok()) << corrupt.status().message();
  EXPECT_NE(CompareZoo(source, target).find("row id=1 column i64"), std::string::npos);
}

std::vector<ZooPair> AllPairs() {
  std::vector<ZooPair> pairs;
  for (ZooEngine s : {ZooEngine::kPostgres, ZooEngine::kMariaDb, ZooEngine::kSqlite})
    for (ZooEngine t : {ZooEngine::kPostgres, ZooEngine::kMariaDb, ZooEngine::kSqlite})
      pairs.push_back({s, t});
  return pairs;
}

INSTANTIATE_TEST_SUITE_P(TypeZoo, Pairs, ::testing::ValuesIn(AllPairs()), PairName);

}  // namespace
}  // namespace cutover::testing
