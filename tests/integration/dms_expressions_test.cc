// DMS add-column expressions on real servers (engine/task/column_expression.h): PostgreSQL ->
// MariaDB through the full load and CDC, with header variables (the source transaction's commit
// time, id and position, the operation, the source table) and functions / CASE landing in the
// added columns; full-load rows carry the load's time, INSERT and empty position and id.
#include <signal.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMapping = R"j({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "shop", "rule-action": "include",
   "object-locator": {"schema-name": "shop", "table-name": "items"}},
  {"rule-type": "transformation", "rule-id": "2", "rule-name": "commit-ts",
   "rule-action": "add-column", "rule-target": "column", "value": "commit_ts",
   "expression": "$AR_H_COMMIT_TIMESTAMP", "data-type": {"type": "string", "length": 30},
   "object-locator": {"schema-name": "shop", "table-name": "items"}},
  {"rule-type": "transformation", "rule-id": "3", "rule-name": "op",
   "rule-action": "add-column", "rule-target": "column", "value": "op",
   "expression": "$AR_H_OPERATION", "data-type": {"type": "string", "length": 10},
   "object-locator": {"schema-name": "shop", "table-name": "items"}},
  {"rule-type": "transformation", "rule-id": "4", "rule-name": "where",
   "rule-action": "add-column", "rule-target": "column", "value": "at_source",
   "expression": "$AR_H_TRANSACTION_ID||'@'||$AR_H_STREAM_POSITION",
   "data-type": {"type": "string", "length": 60},
   "object-locator": {"schema-name": "shop", "table-name": "items"}},
  {"rule-type": "transformation", "rule-id": "5", "rule-name": "from",
   "rule-action": "add-column", "rule-target": "column", "value": "from_table",
   "expression": "$AR_M_SOURCE_SCHEMA||'.'||$AR_M_SOURCE_TABLE_NAME",
   "data-type": {"type": "string", "length": 60},
   "object-locator": {"schema-name": "shop", "table-name": "items"}},
  {"rule-type": "transformation", "rule-id": "6", "rule-name": "label",
   "rule-action": "add-column", "rule-target": "column", "value": "label",
   "expression": "CASE WHEN $qty > 10 THEN upper(trim($name)) ELSE lower(substr($name, 1, 3)) || '~' END",
   "data-type": {"type": "string", "length": 60},
   "object-locator": {"schema-name": "shop", "table-name": "items"}},
  {"rule-type": "transformation", "rule-id": "7", "rule-name": "flag",
   "rule-action": "add-column", "rule-target": "column", "value": "flag",
   "expression": "operation_indicator('D', 'U', 'I')", "data-type": {"type": "string",
   "length": 1}, "object-locator": {"schema-name": "shop", "table-name": "items"}}
]})j";

// 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, now, on the server.
std::string PgNow(const harness::ThrowawayServer& pg) {
  return Sql(pg,
             "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')");
}

TEST(DmsExpressions, HeaderVariablesAndFunctionsLandPgToMariaDb) {
  auto source = StartPostgres("dmsx_src");
  auto target = StartMariaDb("dmsx_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE SCHEMA shop; CREATE TABLE shop.items (id int PRIMARY KEY, qty int, name text);"
      "INSERT INTO shop.items VALUES (1, 5, 'Widget'), (2, 20, '  gadget '), (3, 7, 'Bolt');");
  SqliteDir dir;
  std::ofstream(dir.path("m.json")) << kMapping;
  std::string before_load = PgNow(*source);
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmsx", "--table-mappings", dir.path("m.json")});
  auto conn = MariaConnect(*target);
  auto row = [&](int id) {
    return MariaValue(*conn,
                      "SELECT concat_ws('|', id, qty, op, at_source, from_table, label, flag) FROM "
                      "items WHERE id = " +
                          std::to_string(id));
  };
  auto commit_ts = [&](int id) {
    return MariaValue(*conn, "SELECT commit_ts FROM items WHERE id = " + std::to_string(id));
  };
  auto loaded = [&] {
    return MariaValue(*conn,
                      "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME = "
                      "'items'") == "1" &&
           MariaValue(*conn, "SELECT count(*) FROM items") == "3";
  };
  ASSERT_TRUE(Eventually(loaded, 120s)) << engine.Log();
  std::string after_load = PgNow(*source);
  // Full-load rows: INSERT, no transaction or position, the load's time.
  EXPECT_EQ(row(1), "1|5|INSERT|@|shop.items|wid~|I");
  EXPECT_EQ(row(2), "2|20|INSERT|@|shop.items|GADGET|I");
  EXPECT_GE(commit_ts(1), before_load);
  EXPECT_LE(commit_ts(1), after_load);
  EXPECT_EQ(commit_ts(1), commit_ts(2));  // one table, one load time

  // CDC: an update in a transaction whose id the source reports, then an insert and a delete.
  std::string t0 = PgNow(*source);
  std::string xid =
      Sql(*source,
          "BEGIN; UPDATE shop.items SET qty = 50 WHERE id = 1; SELECT txid_current(); COMMIT;");
  std::string t1 = PgNow(*source);
  Sql(*source, "INSERT INTO shop.items VALUES (4, 1, 'Nut')");
  Sql(*source, "DELETE FROM shop.items WHERE id = 3");
  ASSERT_TRUE(
      Eventually([&] { return row(3).find("DELETE") != std::string::npos && row(4) != ""; }, 60s))
      << engine.Log();
  std::string r1 = row(1);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      r1, m,
      std::regex("1\\|50\\|UPDATE\\|([0-9]+)@([0-9A-F]+/[0-9A-F]+)\\|shop\\.items\\|WIDGET\\|U")))
      << r1;
  EXPECT_EQ(m[1].str(), xid);
  // The update's commit time: the source's, between the moments before and after it.
  EXPECT_GE(commit_ts(1), t0);
  EXPECT_LE(commit_ts(1), t1);
  EXPECT_GT(commit_ts(1), commit_ts(2));  // row 2 still carries the load's time
  EXPECT_NE(row(4).find("4|1|INSERT|"), std::string::npos) << row(4);
  EXPECT_NE(row(4).find("|shop.items|nut~|I"), std::string::npos) << row(4);
  // operation_indicator keeps the deleted row, marked; its operation header says DELETE.
  EXPECT_NE(row(3).find("|DELETE|"), std::string::npos) << row(3);
  EXPECT_EQ(row(3).substr(row(3).size() - 2), "|D");
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

}  // namespace
}  // namespace cutover::testing
