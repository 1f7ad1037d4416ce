// DMS source filters and column rules on real servers, through full load and CDC:
// PostgreSQL -> MariaDB with every filter operator (rows moving into and out of a filter, with
// key-only old images), and MariaDB -> PostgreSQL with renamed, removed, included and
// added columns, key updates, and `cutover validate --table-mappings` pairing the renamed
// columns and still finding a corruption. Expected contents are computed with SQL on the source.
#include <signal.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "dmsrules-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

// Three copies of one table, each with its own filters, so every operator is exercised:
//   items_a: qty between 5 and 15 OR qty eq 0; AND made gte 2024-02-01 (a date)
//   items_b: region noteq 'us'; AND price ste 150 OR price lte 3; AND note notnull
//   items_c: qty notbetween 5 and 15; AND region null OR region eq 'eu'
// The tables have the default replica identity: old images hold the key only, so updates are
// judged by their new image (full old images are covered by the unit tests).
constexpr const char* kPgSource = R"sql(
CREATE SCHEMA shop;
CREATE TABLE shop.items_a (id int PRIMARY KEY, qty int, price numeric(10,2), made date,
                           region text, note text, secret text);
INSERT INTO shop.items_a SELECT g, g % 20, g * 1.5, DATE '2024-01-01' + g,
  CASE g % 3 WHEN 0 THEN 'eu' WHEN 1 THEN 'us' END, CASE WHEN g % 7 <> 0 THEN 'n' || g END, 's'
  FROM generate_series(1, 200) g;
CREATE TABLE shop.items_b (LIKE shop.items_a INCLUDING ALL);
CREATE TABLE shop.items_c (LIKE shop.items_a INCLUDING ALL);
INSERT INTO shop.items_b SELECT * FROM shop.items_a;
INSERT INTO shop.items_c SELECT * FROM shop.items_a;
)sql";

constexpr const char* kFilterA = "(qty BETWEEN 5 AND 15 OR qty = 0) AND made >= DATE '2024-02-01'";
constexpr const char* kFilterB =
    "region <> 'us' AND (price <= 150 OR price <= 3) AND note IS NOT NULL";
constexpr const char* kFilterC = "qty NOT BETWEEN 5 AND 15 AND (region IS NULL OR region = 'eu')";

constexpr const char* kPgMapping = R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "a", "rule-action": "include",
   "object-locator": {"schema-name": "shop", "table-name": "items_a"},
   "filters": [
     {"filter-type": "source", "column-name": "qty", "filter-conditions": [
       {"filter-operator": "between", "start-value": "5", "end-value": "15"},
       {"filter-operator": "eq", "value": "0"}]},
     {"filter-type": "source", "column-name": "made", "filter-conditions": [
       {"filter-operator": "gte", "value": "2024-02-01"}]}]},
  {"rule-type": "selection", "rule-id": "2", "rule-name": "b", "rule-action": "include",
   "object-locator": {"schema-name": "shop", "table-name": "items_b"},
   "filters": [
     {"filter-type": "source", "column-name": "region", "filter-conditions": [
       {"filter-operator": "noteq", "value": "us"}]},
     {"filter-type": "source", "column-name": "price", "filter-conditions": [
       {"filter-operator": "ste", "value": "150"}, {"filter-operator": "lte", "value": "3"}]},
     {"filter-type": "source", "column-name": "note", "filter-conditions": [
       {"filter-operator": "notnull"}]}]},
  {"rule-type": "selection", "rule-id": "3", "rule-name": "c", "rule-action": "explicit",
   "object-locator": {"schema-name": "shop", "table-name": "items_c"},
   "filters": [
     {"filter-type": "source", "column-name": "qty", "filter-conditions": [
       {"filter-operator": "notbetween", "start-value": "5", "end-value": "15"}]},
     {"filter-type": "source", "column-name": "region", "filter-conditions": [
       {"filter-operator": "null"}, {"filter-operator": "eq", "value": "eu"}]}]},
  {"rule-type": "transformation", "rule-id": "4", "rule-name": "qty", "rule-action": "rename",
   "rule-target": "column", "object-locator": {"schema-name": "shop", "table-name": "items_%",
   "column-name": "qty"}, "value": "quantity"},
  {"rule-type": "transformation", "rule-id": "5", "rule-name": "secret",
   "rule-action": "remove-column", "rule-target": "column",
   "object-locator": {"schema-name": "shop", "table-name": "%", "column-name": "secret"}},
  {"rule-type": "transformation", "rule-id": "6", "rule-name": "region",
   "rule-action": "add-prefix", "rule-target": "column", "value": "r_",
   "object-locator": {"schema-name": "shop", "table-name": "%", "column-name": "region"}}
]})";

// The CDC changes: rows move into and out of each filter, keys change, rows come and go.
constexpr const char* kPgChanges = R"sql(
UPDATE shop.items_a SET qty = 100 WHERE id = 45;          -- in -> out
UPDATE shop.items_a SET qty = 7 WHERE id = 43;            -- out (qty 3) -> in
UPDATE shop.items_a SET note = 'changed' WHERE id = 46;   -- in, stays in
UPDATE shop.items_a SET note = 'x' WHERE id = 44;         -- out (qty 4), stays out (a delete
                                                          -- of a missing row)
UPDATE shop.items_a SET id = 1046 WHERE id = 47;          -- key update of an in row
INSERT INTO shop.items_a VALUES (500, 10, 1, '2025-01-01', 'eu', 'new', 's'),
                                (501, 99, 1, '2025-01-01', 'eu', 'new', 's');
DELETE FROM shop.items_a WHERE id IN (48, 49);            -- one in (qty 8), one in (qty 9)
UPDATE shop.items_b SET region = 'us' WHERE id = 2;       -- in -> out (key-only old image)
UPDATE shop.items_b SET region = 'eu' WHERE id = 4;       -- out -> in (key-only old image)
UPDATE shop.items_b SET price = 1000 WHERE id = 3;        -- in -> out
DELETE FROM shop.items_b WHERE id IN (6, 10);             -- in, and out
INSERT INTO shop.items_b VALUES (600, 1, 2, '2025-01-01', NULL, 'n', 's'),
                                (601, 1, 2, '2025-01-01', NULL, NULL, 's');
UPDATE shop.items_c SET qty = 10 WHERE id = 3;            -- in -> out
UPDATE shop.items_c SET qty = 1 WHERE id = 6;             -- out (qty 6) -> in
UPDATE shop.items_c SET region = NULL WHERE id = 1;       -- out ('us') -> in
UPDATE shop.items_c SET id = 2002 WHERE id = 2;           -- key update of an in row (NULL region)
)sql";

std::string PgRows(const harness::ThrowawayServer& pg, const std::string& table,
                   const std::string& where) {
  return Sql(pg,
             "SELECT coalesce(string_agg(concat_ws(':', id, qty, price, made, region, note), "
             "',' ORDER BY id), '') FROM " +
                 table + " WHERE " + where);
}

std::string MariaRows(mariadb::MariaConn& conn, const std::string& table) {
  return MariaValue(conn,
                    "SELECT coalesce(group_concat(concat_ws(':', id, quantity, price, made, "
                    "r_region, note) ORDER BY id SEPARATOR ','), '') FROM " +
                        table);
}

TEST(DmsRules, PgToMariaDbEveryFilterOperatorThroughLoadAndCdc) {
  auto source = StartPostgres("dmsr_src");
  auto target = StartMariaDb("dmsr_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgSource);
  std::string mapping = WriteTemp("pg.json", kPgMapping);
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmsr", "--table-mappings", mapping});
  auto conn = MariaConnect(*target);
  auto same = [&] {
    return MariaRows(*conn, "items_a") == PgRows(*source, "shop.items_a", kFilterA) &&
           MariaRows(*conn, "items_b") == PgRows(*source, "shop.items_b", kFilterB) &&
           MariaRows(*conn, "items_c") == PgRows(*source, "shop.items_c", kFilterC);
  };
  auto loaded = [&] {
    return MariaValue(*conn,
                      "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME LIKE "
                      "'items%'") == "3" &&
           same();
  };
  ASSERT_TRUE(Eventually(loaded, 120s)) << engine.Log();
  // The filters left rows out (the test would prove nothing otherwise).
  EXPECT_NE(MariaValue(*conn, "SELECT count(*) FROM items_a"), "200");
  EXPECT_NE(MariaValue(*conn, "SELECT count(*) FROM items_b"), "0");
  EXPECT_NE(MariaValue(*conn, "SELECT count(*) FROM items_c"), "0");

  Sql(*source, kPgChanges);
  EXPECT_TRUE(Eventually(same, 60s))
      << engine.Log() << "\nitems_a target " << MariaRows(*conn, "items_a") << "\nsource "
      << PgRows(*source, "shop.items_a", kFilterA) << "\nitems_b target "
      << MariaRows(*conn, "items_b") << "\nsource " << PgRows(*source, "shop.items_b", kFilterB)
      << "\nitems_c target " << MariaRows(*conn, "items_c") << "\nsource "
      << PgRows(*source, "shop.items_c", kFilterC);
  // Spot checks of the moves: 43 moved in, 45 moved out, 1046 is the re-keyed 47.
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT group_concat(id ORDER BY id) FROM items_a WHERE id IN "
                       "(43, 45, 47, 1046, 500, 501)"),
            "43,500,1046");
  // Renamed columns land renamed, the removed one is absent.
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT group_concat(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM "
                       "information_schema.COLUMNS WHERE TABLE_NAME = 'items_a'"),
            "id,quantity,price,made,r_region,note");
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  // Validation follows the filters: only the rows the task replicates are compared, so the
  // filtered-out source rows are not reported missing ...
  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                            "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
  // ... and a corruption inside the filter, a row outside it on the target, and a row inside it
  // missing from the target are each still found.
  MariaExec(*conn, "UPDATE items_a SET note = 'corrupt' WHERE id = 43");
  MariaExec(*conn,
            "INSERT INTO items_b (id, quantity, price, made, r_region, note) "
            "VALUES (2, 2, 3.00, '2024-01-03', 'us', 'n2')");  // 2 has region 'us'
  MariaExec(*conn, "DELETE FROM items_c WHERE id = 6");        // moved into the filter
  v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                  "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.err << v.out;
  for (const char* expected : {"\"different\"", "\"extra-in-target\"", "\"missing-in-target\""})
    EXPECT_NE(v.out.find(expected), std::string::npos) << expected << "\n" << v.out;
}

// MariaDB -> PostgreSQL: column rules of every kind; validation follows them.
constexpr const char* kMariaSource = R"sql(
CREATE TABLE Customer (CustomerId int PRIMARY KEY, FirstName varchar(40), LastName varchar(40),
                       Email varchar(80), Password varchar(80), Notes text) ENGINE=InnoDB;
CREATE TABLE Orders (OrderId int PRIMARY KEY, CustomerId int, Total decimal(10,2),
                     Internal varchar(20), Status varchar(10)) ENGINE=InnoDB;
)sql";

constexpr const char* kMariaMapping = R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
   "object-locator": {"schema-name": "%", "table-name": "%"}},
  {"rule-type": "transformation", "rule-id": "2", "rule-name": "lower",
   "rule-action": "convert-lowercase", "rule-target": "column",
   "object-locator": {"schema-name": "%", "table-name": "%", "column-name": "%"}},
  {"rule-type": "transformation", "rule-id": "3", "rule-name": "email",
   "rule-action": "rename", "rule-target": "column", "value": "mail",
   "object-locator": {"schema-name": "%", "table-name": "Customer", "column-name": "Email"}},
  {"rule-type": "transformation", "rule-id": "4", "rule-name": "no-password",
   "rule-action": "remove-column", "rule-target": "column",
   "object-locator": {"schema-name": "%", "table-name": "Customer", "column-name": "Pass%"}},
  {"rule-type": "transformation", "rule-id": "5", "rule-name": "suffix",
   "rule-action": "add-suffix", "rule-target": "column", "value": "_txt",
   "object-locator": {"schema-name": "%", "table-name": "Customer", "column-name": "Notes"}},
  {"rule-type": "transformation", "rule-id": "6", "rule-name": "full-name",
   "rule-action": "add-column", "rule-target": "column", "value": "full_name",
   "expression": "$FirstName||' '||$LastName", "data-type": {"type": "string", "length": 90},
   "object-locator": {"schema-name": "%", "table-name": "Customer"}},
  {"rule-type": "transformation", "rule-id": "7", "rule-name": "keep-id",
   "rule-action": "include-column", "rule-target": "column",
   "object-locator": {"schema-name": "%", "table-name": "Orders", "column-name": "OrderId"}},
  {"rule-type": "transformation", "rule-id": "8", "rule-name": "keep-total",
   "rule-action": "include-column", "rule-target": "column",
   "object-locator": {"schema-name": "%", "table-name": "Orders", "column-name": "Total"}},
  {"rule-type": "transformation", "rule-id": "9", "rule-name": "keep-status",
   "rule-action": "include-column", "rule-target": "column",
   "object-locator": {"schema-name": "%", "table-name": "Orders", "column-name": "Status"}}
]})";

TEST(DmsRules, MariaDbToPgColumnRulesThroughCdcAndValidate) {
  auto source = StartMariaDb("dmsr_msrc");
  auto target = StartPostgres("dmsr_mtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn, kMariaSource);
  MariaExec(*conn,
            "INSERT INTO Customer SELECT seq, CONCAT('F', seq), CONCAT('L', seq), "
            "CONCAT('c', seq, '@x'), 'pw', IF(seq % 5 = 0, NULL, 'note') FROM seq_1_to_100;"
            "INSERT INTO Orders SELECT seq, 1 + seq % 100, seq * 2.5, 'int', 'new' "
            "FROM seq_1_to_300");
  std::string mapping = WriteTemp("maria.json", kMariaMapping);
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmsm", "--table-mappings", mapping});
  // The tables land in the schema named after the source's database.
  std::string schema;
  ASSERT_TRUE(Eventually(
      [&] {
        schema = Sql(*target,
                     "SELECT CASE WHEN count(*) = 2 THEN max(table_schema) ELSE '' END FROM "
                     "information_schema.tables WHERE table_name IN ('Orders', 'Customer')");
        return !schema.empty();
      },
      120s))
      << engine.Log();
  auto customers = [&] {
    return MariaValue(*conn,
                      "SELECT group_concat(concat_ws(':', CustomerId, FirstName, LastName, Email, "
                      "ifnull(Notes, '-'), CONCAT(FirstName, ' ', LastName)) ORDER BY CustomerId "
                      "SEPARATOR ',') FROM Customer") ==
           Sql(*target,
               "SELECT string_agg(concat_ws(':', customerid, firstname, lastname, mail, "
               "coalesce(notes_txt, '-'), full_name), ',' ORDER BY customerid) FROM \"" +
                   schema + "\".\"Customer\"");
  };
  auto orders = [&] {
    return MariaValue(*conn,
                      "SELECT group_concat(concat_ws(':', OrderId, Total, Status) ORDER BY OrderId "
                      "SEPARATOR ',') FROM Orders") ==
           Sql(*target,
               "SELECT string_agg(concat_ws(':', orderid, total, status), ',' ORDER BY orderid) "
               "FROM \"" +
                   schema + "\".\"Orders\"");
  };
  ASSERT_TRUE(Eventually([&] { return customers() && orders(); }, 120s)) << engine.Log();
  MariaExec(*conn,
            "UPDATE Customer SET LastName = 'Changed', Password = 'new' WHERE CustomerId = 5;"
            "UPDATE Customer SET CustomerId = 1005 WHERE CustomerId = 6;"
            "UPDATE Customer SET Password = 'only' WHERE CustomerId = 7;"
            "DELETE FROM Customer WHERE CustomerId = 8;"
            "INSERT INTO Customer VALUES (200, 'New', 'One', 'n@x', 'pw', 'n');"
            "UPDATE Orders SET Internal = 'changed', Total = 1.25 WHERE OrderId = 3;"
            "UPDATE Orders SET OrderId = 3003 WHERE OrderId = 4;"
            "DELETE FROM Orders WHERE OrderId = 9;"
            "INSERT INTO Orders VALUES (400, 1, 9.99, 'x', 'paid')");
  EXPECT_TRUE(Eventually([&] { return customers() && orders(); }, 60s)) << engine.Log();
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                "information_schema.columns WHERE table_name = 'Customer'"),
            "customerid,firstname,lastname,mail,notes_txt,full_name");
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                "information_schema.columns WHERE table_name = 'Orders'"),
            "orderid,total,status");
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                            "--table-mappings", mapping});
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
  Sql(*target, "UPDATE \"" + schema + "\".\"Customer\" SET mail = 'corrupt' WHERE customerid = 42");
  v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                  "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.err << v.out;
  EXPECT_NE(v.out.find("\"42\""), std::string::npos) << v.out;
}

// operation_indicator on a real target: a source delete leaves the row marked, as in DMS.
TEST(DmsRules, OperationIndicatorMarksRowsPgToPg) {
  auto source = StartPostgres("dmsr_opsrc");
  auto target = StartPostgres("dmsr_optgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE t (id int PRIMARY KEY, v text, big text);"
      "INSERT INTO t SELECT g, 'v' || g, repeat('x', 5000) FROM generate_series(1, 3) g;");
  std::string mapping = WriteTemp("op.json", R"j({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
     "object-locator": {"schema-name": "public", "table-name": "%"}},
    {"rule-type": "transformation", "rule-id": "2", "rule-name": "op",
     "rule-action": "add-column", "rule-target": "column", "value": "op",
     "expression": "operation_indicator('D', 'U', 'I')",
     "object-locator": {"schema-name": "public", "table-name": "t"}}]})j");
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "op", "--table-mappings", mapping});
  ASSERT_TRUE(Eventually(
      [&] {
        return Sql(*target,
                   "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                   "'public' AND table_name = 't'") == "1";
      },
      120s))
      << engine.Log();
  auto rows = [&] {
    return Sql(*target,
               "SELECT coalesce(string_agg(concat_ws(':', id, v, length(big), op), ',' ORDER BY "
               "id), '') FROM public.t");
  };
  ASSERT_TRUE(Eventually([&] { return rows() == "1:v1:5000:I,2:v2:5000:I,3:v3:5000:I"; }, 120s))
      << engine.Log() << rows();
  Sql(*source,
      "UPDATE t SET v = 'changed' WHERE id = 1; DELETE FROM t WHERE id = 2;"
      "INSERT INTO t VALUES (4, 'v4', 'y');");
  EXPECT_TRUE(Eventually(
      [&] { return rows() == "1:changed:5000:U,2:v2:5000:D,3:v3:5000:I,4:v4:1:I"; }, 60s))
      << engine.Log() << rows();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

TEST(DmsRules, RemovedKeyColumnAndBadExpressionAreNamed) {
  auto source = StartPostgres("dmsr_bad");
  auto target = StartPostgres("dmsr_badt");
  ASSERT_TRUE(source && target);
  Sql(*source, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a');");
  std::string no_key = WriteTemp("nokey.json", R"({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
     "object-locator": {"schema-name": "public", "table-name": "%"}},
    {"rule-type": "transformation", "rule-id": "7", "rule-name": "drop-id",
     "rule-action": "remove-column", "rule-target": "column",
     "object-locator": {"schema-name": "public", "table-name": "t", "column-name": "id"}}]})");
  RunResult r = RunCutover({"replicate", "--source", source->uri(), "--target", target->uri(),
                            "--task", "bad", "--table-mappings", no_key});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("table mapping rule 7 removes key column id of public.t"), std::string::npos)
      << r.err;
  std::string bad_expr = WriteTemp("expr.json", R"j({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
     "object-locator": {"schema-name": "public", "table-name": "%"}},
    {"rule-type": "transformation", "rule-id": "3", "rule-name": "time",
     "rule-action": "add-column", "rule-target": "column", "value": "at",
     "expression": "hex(randomblob(4))",
     "object-locator": {"schema-name": "public", "table-name": "t"}}]})j");
  r = RunCutover({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                  "bad", "--table-mappings", bad_expr});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(bad_expr + ": $.rules[1].expression: rule 3: cannot evaluate expression"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM pg_replication_slots"), "0");
}

}  // namespace
}  // namespace cutover::testing
