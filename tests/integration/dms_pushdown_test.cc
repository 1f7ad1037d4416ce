// DMS source filters pushed into the full load's query (engine/core/read_filter.h), on real
// servers: PostgreSQL -> MariaDB (with a same-table split: ranges AND filter), MariaDB ->
// PostgreSQL (text compared in byte order although the column's collation ignores case and
// trailing blanks) and SQLite -> PostgreSQL. Each test shows the source sent only the filtered
// rows (the load's "N rows read from the source" and the engine's line naming the pushed WHERE),
// that a filter the source cannot evaluate exactly (a float column) is still applied by cutover,
// that the target holds exactly the filtered rows, and that CDC keeps following the filter
// (rows moving in and out).
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// The row count of `table`'s "loaded ..." line and its "rows read from the source"; {-1, -1}
// when absent.
std::pair<long, long> LoadedRows(const std::string& log, const std::string& table) {
  std::smatch m;
  std::regex re("loaded " + table +
                ": ([0-9,]+) rows in [^\\n]*, ([0-9,]+) rows read from the source");
  if (!std::regex_search(log, m, re)) return {-1, -1};
  auto num = [](std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    return std::stol(s);
  };
  return {num(m[1]), num(m[2])};
}

// PostgreSQL: orders filtered on an integer range, a region (text, OR null), a date and a float
// (not pushed: judged by cutover alone); split is cut into three ranges by parallel-load and
// filtered on an integer.
constexpr const char* kPgSource = R"sql(
CREATE SCHEMA shop;
CREATE TABLE shop.orders (id int PRIMARY KEY, qty int, price numeric(10,2), made date,
                          region varchar(10), weight float8);
INSERT INTO shop.orders SELECT g, g % 100, g * 0.5, DATE '2024-01-01' + (g % 200),
  CASE g % 4 WHEN 0 THEN 'eu' WHEN 1 THEN 'EU' WHEN 2 THEN 'eu ' END, (g % 4) / 4.0
  FROM generate_series(1, 4000) g;
CREATE TABLE shop.split (id int PRIMARY KEY, k int, note text);
INSERT INTO shop.split SELECT g, g % 10, 'n' || g FROM generate_series(1, 3000) g;
)sql";

constexpr const char* kPgMapping = R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "orders", "rule-action": "include",
   "object-locator": {"schema-name": "shop", "table-name": "orders"},
   "filters": [
     {"filter-type": "source", "column-name": "qty", "filter-conditions": [
       {"filter-operator": "between", "start-value": "10", "end-value": "59"}]},
     {"filter-type": "source", "column-name": "region", "filter-conditions": [
       {"filter-operator": "eq", "value": "eu"}, {"filter-operator": "null"}]},
     {"filter-type": "source", "column-name": "made", "filter-conditions": [
       {"filter-operator": "gte", "value": "2024-02-01"}]},
     {"filter-type": "source", "column-name": "weight", "filter-conditions": [
       {"filter-operator": "gte", "value": "0.5"}]}]},
  {"rule-type": "selection", "rule-id": "2", "rule-name": "split", "rule-action": "include",
   "object-locator": {"schema-name": "shop", "table-name": "split"},
   "filters": [
     {"filter-type": "source", "column-name": "k", "filter-conditions": [
       {"filter-operator": "eq", "value": "3"}]}]},
  {"rule-type": "table-settings", "rule-id": "3", "rule-name": "split-it",
   "object-locator": {"schema-name": "shop", "table-name": "split"},
   "parallel-load": {"type": "ranges", "columns": ["id"], "boundaries": [["1000"], ["2000"]]}}
]})";

// The same filters in SQL, written independently of the engine's rendering.
constexpr const char* kOrdersWhere =
    "qty >= 10 AND qty <= 59 AND (region::bytea = 'eu'::bytea OR region IS NULL) AND "
    "made >= DATE '2024-02-01' AND weight >= 0.5";
constexpr const char* kOrdersPushedWhere =  // without the float filter
    "qty >= 10 AND qty <= 59 AND (region::bytea = 'eu'::bytea OR region IS NULL) AND "
    "made >= DATE '2024-02-01'";

std::string WriteFile(const SqliteDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.path(name)) << text;
  return dir.path(name);
}

TEST(DmsPushdown, PgToMariaDbReadsOnlyFilteredRowsWithSplitAndCdc) {
  auto source = StartPostgres("dmspd_src");
  auto target = StartMariaDb("dmspd_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgSource);
  SqliteDir dir;
  std::string mapping = WriteFile(dir, "pg.json", kPgMapping);
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmspd", "--table-mappings", mapping, "--parallel", "2"});
  auto conn = MariaConnect(*target);
  auto pg_rows = [&](const std::string& where) {
    return Sql(*source,
               "SELECT coalesce(string_agg(concat_ws(':', id, qty, price, made, region, weight), "
               "',' ORDER BY id), '') FROM shop.orders WHERE " +
                   where);
  };
  auto maria_rows = [&] {
    return MariaValue(*conn,
                      "SELECT coalesce(group_concat(concat_ws(':', id, qty, price, made, region, "
                      "weight) ORDER BY id SEPARATOR ','), '') FROM orders");
  };
  auto split_same = [&] {
    return MariaValue(*conn, "SELECT coalesce(group_concat(id ORDER BY id), '') FROM split") ==
           Sql(*source, "SELECT string_agg(id::text, ',' ORDER BY id) FROM shop.split WHERE k = 3");
  };
  auto loaded = [&] {
    return MariaValue(*conn,
                      "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME IN "
                      "('orders', 'split')") == "2" &&
           maria_rows() == pg_rows(kOrdersWhere) && split_same();
  };
  ASSERT_TRUE(Eventually(loaded, 180s)) << engine.Log();

  // The source sent only the rows of the pushed filters; cutover dropped the float filter's.
  long pushed = std::stol(
      Sql(*source, std::string("SELECT count(*) FROM shop.orders WHERE ") + kOrdersPushedWhere));
  long kept = std::stol(
      Sql(*source, std::string("SELECT count(*) FROM shop.orders WHERE ") + kOrdersWhere));
  ASSERT_TRUE(Eventually([&] { return LoadedRows(engine.Log(), "shop.split").first >= 0; }, 30s));
  std::string log = engine.Log();
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, pushed);
  EXPECT_LT(pushed, 4000);
  EXPECT_EQ(LoadedRows(log, "shop.orders"), std::make_pair(kept, pushed)) << log;
  EXPECT_EQ(LoadedRows(log, "shop.split"), std::make_pair(300L, 300L)) << log;
  EXPECT_NE(log.find("table shop.orders: source filter pushed into the full-load query: WHERE "
                     "((\"qty\" >= '10'::bigint AND \"qty\" <= '59'::bigint)) AND (\"region\" "
                     "COLLATE \"C\" = 'eu'::text OR \"region\" IS NULL) AND (\"made\" >= "
                     "'2024-02-01'::date) (judged by cutover only: weight (rule 1): a "
                     "floating-point column)"),
            std::string::npos)
      << log;
  // The split table was read as its three ranges, each with the filter.
  EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM _cutover_load_range WHERE task = 'dmspd'"),
            "3");

  // CDC: rows move into and out of the filters, as before push-down. Rows in the filter have
  // id % 4 = 3 (region NULL, weight 0.75), qty = id % 100 in 10..59, id % 200 >= 31.
  Sql(*source,
      "UPDATE shop.orders SET qty = 5 WHERE id = 443;"         // in -> out (qty)
      "UPDATE shop.orders SET qty = 20 WHERE id = 1103;"       // out (qty 3) -> in
      "UPDATE shop.orders SET region = 'EU' WHERE id = 1151;"  // in -> out (text)
      "INSERT INTO shop.orders VALUES (5000, 30, 1, '2024-05-01', NULL, 0.75),"
      "                               (5001, 30, 1, '2024-05-01', 'eu ', 0.75);"
      "DELETE FROM shop.orders WHERE id = 1155;"
      "UPDATE shop.split SET k = 3 WHERE id = 1001;"    // out -> in
      "UPDATE shop.split SET k = 4 WHERE id = 1003;");  // in -> out
  EXPECT_TRUE(
      Eventually([&] { return maria_rows() == pg_rows(kOrdersWhere) && split_same(); }, 60s))
      << engine.Log() << "\ntarget " << maria_rows() << "\nsource " << pg_rows(kOrdersWhere);
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT group_concat(id ORDER BY id) FROM orders WHERE id IN "
                       "(443, 1103, 1151, 1155, 5000, 5001)"),
            "1103,5000");
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

// MariaDB: a case-insensitive, PAD SPACE collation would find 'EU' and 'eu ' equal to 'eu';
// cutover compares bytes, and so does the pushed query.
constexpr const char* kMariaSource = R"sql(
CREATE TABLE sales (id int PRIMARY KEY, region varchar(10) COLLATE utf8mb4_general_ci,
                    amount decimal(10,2), at datetime(6), flag tinyint) ENGINE=InnoDB;
INSERT INTO sales SELECT seq, ELT(1 + seq % 4, 'eu', 'EU', 'eu ', 'us'), seq * 0.25,
  TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq HOUR, seq % 2 FROM seq_1_to_2000;
)sql";

constexpr const char* kMariaMapping = R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "sales", "rule-action": "include",
   "object-locator": {"schema-name": "%", "table-name": "sales"},
   "filters": [
     {"filter-type": "source", "column-name": "region", "filter-conditions": [
       {"filter-operator": "eq", "value": "eu"}]},
     {"filter-type": "source", "column-name": "amount", "filter-conditions": [
       {"filter-operator": "between", "start-value": "10", "end-value": "300.25"}]},
     {"filter-type": "source", "column-name": "at", "filter-conditions": [
       {"filter-operator": "ste", "value": "2024-02-10 12:00:00"},
       {"filter-operator": "gte", "value": "2024-03-01"}]}]}
]})";

constexpr const char* kSalesWhere =
    "CAST(region AS BINARY) = 'eu' AND amount >= 10 AND amount <= 300.25 AND "
    "(at <= '2024-02-10 12:00:00' OR at >= '2024-03-01')";

TEST(DmsPushdown, MariaDbToPgComparesTextAsBytesInTheQuery) {
  auto source = StartMariaDb("dmspd_msrc");
  auto target = StartPostgres("dmspd_mtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn, kMariaSource);
  SqliteDir dir;
  std::string mapping = WriteFile(dir, "maria.json", kMariaMapping);
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmspm", "--table-mappings", mapping});
  std::string schema;
  ASSERT_TRUE(Eventually(
      [&] {
        schema = Sql(*target,
                     "SELECT coalesce(max(table_schema), '') FROM information_schema.tables "
                     "WHERE table_name = 'sales'");
        return !schema.empty();
      },
      120s))
      << engine.Log();
  auto source_rows = [&] {
    return MariaValue(*conn, std::string("SELECT coalesce(group_concat(concat_ws(':', id, "
                                         "hex(region), amount, at) ORDER BY id SEPARATOR ','), "
                                         "'') FROM sales WHERE ") +
                                 kSalesWhere);
  };
  auto target_rows = [&] {
    return Sql(*target,
               "SELECT coalesce(string_agg(concat_ws(':', id, upper(encode(convert_to(region, "
               "'UTF8'), 'hex')), amount, to_char(at, 'YYYY-MM-DD HH24:MI:SS.US')), ',' ORDER BY "
               "id), '') FROM \"" +
                   schema + "\".sales");
  };
  ASSERT_TRUE(Eventually([&] { return target_rows() == source_rows(); }, 120s))
      << engine.Log() << "\ntarget " << target_rows() << "\nsource " << source_rows();
  long kept =
      std::stol(MariaValue(*conn, std::string("SELECT count(*) FROM sales WHERE ") + kSalesWhere));
  ASSERT_TRUE(
      Eventually([&] { return LoadedRows(engine.Log(), "[^ ]*\\.sales").first >= 0; }, 30s));
  std::string log = engine.Log();
  EXPECT_GT(kept, 10);
  EXPECT_EQ(LoadedRows(log, "[^ ]*\\.sales"), std::make_pair(kept, kept)) << log;
  EXPECT_NE(log.find("sales: source filter pushed into the full-load query: WHERE (CONVERT("
                     "`region` USING utf8mb4) COLLATE utf8mb4_nopad_bin = _utf8mb4'eu') AND "
                     "((`amount` >= 10 AND `amount` <= 300.25)) AND (`at` <= "
                     "TIMESTAMP'2024-02-10 12:00:00' OR `at` >= TIMESTAMP'2024-03-01 00:00:00' "
                     "OR MONTH(`at`) = 0 OR DAYOFMONTH(`at`) = 0)\n"),
            std::string::npos)
      << log;  // zero dates ('0000-00-00') are always read: cutover judges them
  // CDC keeps judging every change.
  MariaExec(*conn,
            "UPDATE sales SET region = 'EU' WHERE id = 40;"  // in -> out
            "UPDATE sales SET region = 'eu' WHERE id = 41;"  // out -> in
            "INSERT INTO sales VALUES (3000, 'eu', 20, '2024-01-05', 0), "
            "(3001, 'eu ', 20, '2024-01-05', 0);");
  EXPECT_TRUE(Eventually([&] { return target_rows() == source_rows(); }, 60s))
      << engine.Log() << "\ntarget " << target_rows() << "\nsource " << source_rows();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

TEST(DmsPushdown, SqliteToPgReadsOnlyFilteredRows) {
  SqliteDir dir;
  std::string db = dir.path("src.db");
  SqliteExec(db,
             "PRAGMA journal_mode=WAL;"
             "CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER, name TEXT, r REAL);"
             "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1000) "
             "INSERT INTO items SELECT n, n % 50, CASE n % 3 WHEN 0 THEN 'b' || n WHEN 1 THEN "
             "'B' || n ELSE 'a' || n END, n / 10.0 FROM g;");
  auto target = StartPostgres("dmspd_stgt");
  ASSERT_TRUE(target);
  std::string mapping = WriteFile(dir, "sqlite.json", R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "items", "rule-action": "include",
   "object-locator": {"schema-name": "main", "table-name": "items"},
   "filters": [
     {"filter-type": "source", "column-name": "qty", "filter-conditions": [
       {"filter-operator": "ste", "value": "9"}]},
     {"filter-type": "source", "column-name": "name", "filter-conditions": [
       {"filter-operator": "gte", "value": "b"}]}]}
]})");
  EngineProcess engine({"replicate", "--source", dir.uri("src.db"), "--target", target->uri(),
                        "--task", "dmsps", "--table-mappings", mapping});
  const std::string where = "qty <= 9 AND name >= 'b'";  // SQLite's default BINARY collation
  auto source_rows = [&] {
    auto v = SqliteColumn(
        db, "SELECT id || ':' || qty || ':' || name FROM items WHERE " + where + " ORDER BY id");
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
  };
  auto target_rows = [&] {
    return Sql(*target,
               "SELECT coalesce(string_agg(concat_ws(':', id, qty, name), ',' ORDER BY id), '') "
               "FROM items");
  };
  auto has_table = [&] {
    return Sql(*target,
               "SELECT count(*) FROM information_schema.tables WHERE table_name = "
               "'items'") == "1";
  };
  ASSERT_TRUE(Eventually([&] { return has_table() && target_rows() == source_rows(); }, 120s))
      << engine.Log();
  long kept = std::stol(SqliteValue(db, "SELECT count(*) FROM items WHERE " + where));
  ASSERT_TRUE(Eventually([&] { return LoadedRows(engine.Log(), "main.items").first >= 0; }, 30s));
  EXPECT_GT(kept, 10);
  EXPECT_EQ(LoadedRows(engine.Log(), "main.items"), std::make_pair(kept, kept)) << engine.Log();
  EXPECT_NE(engine.Log().find("table main.items: source filter pushed into the full-load query: "
                              "WHERE (\"qty\" <= 9) AND (\"name\" COLLATE BINARY >= 'b')"),
            std::string::npos)
      << engine.Log();
  SqliteExec(db,
             "UPDATE items SET qty = 40 WHERE id = 3;"      // in -> out
             "UPDATE items SET name = 'b1x' WHERE id = 6;"  // in, stays in
             "INSERT INTO items VALUES (2000, 1, 'zz', 0), (2001, 1, 'A', 0);");
  EXPECT_TRUE(Eventually([&] { return target_rows() == source_rows(); }, 60s))
      << engine.Log() << "\ntarget " << target_rows() << "\nsource " << source_rows();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

}  // namespace
}  // namespace cutover::testing
