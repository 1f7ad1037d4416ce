// Type refusals (issue 4): values a target cannot hold stop the load with one clear error.
// The type zoo's round trip on every engine pair (full load, CDC, restart, validate) is part of
// the conformance suite: tests/conformance/contract_test.cc, TypeRoundTripThroughTheNeutralType.
#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"
#include "tests/integration/support/type_zoo.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

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
