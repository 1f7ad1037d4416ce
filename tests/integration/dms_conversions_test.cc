// DMS change-data-type rules that change the kind of value (task/value_conversion.h) on real
// servers, through the full load and CDC:
//   PostgreSQL -> MariaDB: integers (the key among them), numerics, dates, datetimes and
//     booleans to strings and numbers, text to integers, numerics and datetimes; key updates and
//     deletes find their rows by the converted key; a source filter still judges source values;
//     `validate --table-mappings` compares the converted values (equal), still finds a
//     corruption, and a value that does not convert stops the task naming table, key, column,
//     the value's kind and the rule, nothing of it applied;
//   MariaDB -> PostgreSQL under DataErrorPolicy / DataTruncationErrorPolicy LOG_ERROR: values
//     that do not convert are recorded in the exceptions table with their error while the rest
//     of the stream is applied.
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
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "dmscv-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

std::string Rule(int id, const std::string& column, const std::string& data_type) {
  return R"(, {"rule-type": "transformation", "rule-id": ")" + std::to_string(id) +
         R"(", "rule-name": "r)" + std::to_string(id) +
         R"(", "rule-action": "change-data-type", "rule-target": "column",
   "object-locator": {"schema-name": "%", "table-name": "%", "column-name": ")" +
         column + R"("}, "data-type": )" + data_type + "}";
}

constexpr const char* kPgSource = R"sql(
CREATE TABLE codes (id int PRIMARY KEY, code int NOT NULL, amount numeric(12,3), qty text,
                    born date, at timestamp(6), flag boolean, big bigint, price text,
                    happened text);
INSERT INTO codes SELECT g, g * 7, g * 1.125, lpad(g::text, 3, '0'), date '2024-01-01' + g,
  timestamp '2024-01-01' + g * interval '1 hour 1.5 second', g % 2 = 0, g * 1000000000000,
  (g * 2.5)::text, '2024-03-0' || (g % 9 + 1) || ' 12:00:0' || (g % 10)
  FROM generate_series(1, 30) g;
)sql";

std::string PgMapping() {
  return std::string(R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
   "object-locator": {"schema-name": "public", "table-name": "%"},
   "filters": [{"filter-type": "source", "column-name": "code",
                "filter-conditions": [{"filter-operator": "ste", "value": "1000000"}]}]})") +
         Rule(2, "id", R"({"type": "string", "length": 11})") +
         Rule(3, "code", R"({"type": "string", "length": 20})") +
         Rule(4, "amount", R"({"type": "string", "length": 20})") +
         Rule(5, "qty", R"({"type": "int8"})") +
         Rule(6, "born", R"({"type": "string", "length": 10})") +
         Rule(7, "at", R"({"type": "string", "length": 26})") +
         Rule(8, "flag", R"({"type": "int1"})") +
         Rule(9, "big", R"({"type": "numeric", "precision": 20, "scale": 0})") +
         Rule(10, "price", R"({"type": "numeric", "precision": 10, "scale": 2})") +
         Rule(11, "happened", R"({"type": "datetime", "scale": 0})") + "]}";
}

// The rows as PostgreSQL's own casts give them (the rules' conversions agree with them here).
std::string PgExpected(const harness::ThrowawayServer& pg) {
  return Sql(pg,
             "SELECT string_agg(concat_ws('|', id, code, amount, qty::bigint, born, at, flag::int, "
             "big, price::numeric(10,2), to_char(happened::timestamp, 'YYYY-MM-DD HH24:MI:SS')), "
             "',' ORDER BY id) FROM codes WHERE code <= 1000000");
}
std::string MariaRows(mariadb::MariaConn& c) {
  return MariaValue(c,
                    "SELECT group_concat(concat_ws('|', id, code, amount, qty, born, `at`, flag, "
                    "big, price, happened) ORDER BY CAST(id AS SIGNED) SEPARATOR ',') FROM codes");
}

TEST(DmsConversions, PgToMariaDbConvertsKindsThroughLoadAndCdcValidatesAndStopsOnABadValue) {
  auto source = StartPostgres("dmscv_src");
  auto target = StartMariaDb("dmscv_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgSource);
  std::string mapping = WriteTemp("pg.json", PgMapping());
  std::vector<std::string> args = {"replicate", "--source",         source->uri(),
                                   "--target",  target->uri(),      "--task",
                                   "dmscv",     "--table-mappings", mapping};
  auto engine = std::make_unique<EngineProcess>(args);
  auto conn = MariaConnect(*target);
  MariaExec(*conn, "SET SESSION group_concat_max_len = 1000000");
  auto same = [&] { return MariaRows(*conn) == PgExpected(*source); };
  auto loaded = [&] {
    return MariaValue(*conn,
                      "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                      "DATABASE() AND TABLE_NAME = 'codes'") == "1" &&
           same();
  };
  ASSERT_TRUE(Eventually(loaded, 120s))
      << engine->Log() << "\ntarget " << MariaRows(*conn) << "\nsource " << PgExpected(*source);
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT group_concat(concat(COLUMN_NAME, ' ', COLUMN_TYPE) ORDER BY "
                       "ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                       "DATABASE() AND TABLE_NAME = 'codes'"),
            "id varchar(11),code varchar(20),amount varchar(20),qty bigint(20),born "
            "varchar(10),at varchar(26),flag tinyint(4),big decimal(20,0),price "
            "decimal(10,2),happened datetime");
  EXPECT_EQ(
      MariaValue(*conn, "SELECT concat_ws('|', id, amount, qty, `at`) FROM codes WHERE id = '1'"),
      "1|1.125|1|2024-01-01 01:00:01.5");

  // CDC: inserts, updates of the key and of converted columns, a delete, a row out of the filter.
  Sql(*source,
      "INSERT INTO codes VALUES (31, 217, 34.875, ' 0042 ', '2024-05-05', "
      "'2024-05-05 05:05:05.123456', true, 5, '1e2', '2024-05-05T05:05:05');"
      "UPDATE codes SET code = 9999, qty = '-7' WHERE id = 3;"
      "UPDATE codes SET id = 300 WHERE id = 4;"
      "DELETE FROM codes WHERE id = 5;"
      "INSERT INTO codes VALUES (32, 2000000, 1, '1', NULL, NULL, NULL, NULL, NULL, NULL);"
      "UPDATE codes SET code = 3000000 WHERE id = 6;");  // moves out of the filter
  EXPECT_TRUE(Eventually(same, 60s))
      << engine->Log() << "\ntarget " << MariaRows(*conn) << "\nsource " << PgExpected(*source);
  EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM codes WHERE id IN ('4', '5', '6', '32')"), "0");
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();

  // The validator compares the source's values converted as the task converted them ...
  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                            "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
  // ... and still finds a corruption of a converted column.
  MariaExec(*conn, "UPDATE codes SET amount = '7.876' WHERE id = '7'");
  v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                  "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.err << v.out;
  EXPECT_NE(v.out.find("\"different\""), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("7.876"), std::string::npos) << v.out;
  MariaExec(*conn, "UPDATE codes SET amount = '7.875' WHERE id = '7'");

  // A value that does not convert stops the task naming it; nothing of its transaction lands.
  engine = std::make_unique<EngineProcess>(args);
  Sql(*source,
      "BEGIN; INSERT INTO codes VALUES (33, 1, 1, '33', NULL, NULL, NULL, NULL, NULL, NULL);"
      "INSERT INTO codes VALUES (40, 1, 1, 'forty', NULL, NULL, NULL, NULL, NULL, NULL); COMMIT;");
  EXPECT_NE(engine->Wait(90s), 0) << engine->Log();
  std::string log = engine->Log();
  // (The filtered table applies under savepoints, apply_errors.h: the line names the policy.)
  EXPECT_NE(log.find("table public.codes, key (id='40'), insert of source transaction"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("column qty: a text value does not convert to int8 exactly (it is not an "
                     "integer literal); table mapping rule 5 (change-data-type int8) "
                     "(DataErrorPolicy is STOP_TASK)"),
            std::string::npos)
      << log;
  EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM codes WHERE id IN ('33', '40')"), "0");
}

// MariaDB -> PostgreSQL under LOG_ERROR: refused conversions are recorded, the rest applied.
TEST(DmsConversions, MariaDbToPgRecordsValuesThatDoNotConvertUnderLogError) {
  auto source = StartMariaDb("dmscv_msrc");
  auto target = StartPostgres("dmscv_mtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE m (id int PRIMARY KEY, code varchar(10), amount decimal(10,2), "
            "qty varchar(20), happened datetime(3), price decimal(10,2)) ENGINE=InnoDB;"
            "INSERT INTO m SELECT seq, lpad(seq, 4, '0'), seq * 2, concat(seq, '.5'), "
            "TIMESTAMP'2024-01-01 10:00:00' + INTERVAL seq SECOND + INTERVAL (seq * 250000) "
            "MICROSECOND, "
            "seq / 4 FROM seq_1_to_20;");
  MariaExec(*conn, "SET SESSION group_concat_max_len = 1000000");
  std::string mapping = WriteTemp(
      "m.json", std::string(R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
   "object-locator": {"schema-name": "%", "table-name": "%"}})") +
                    Rule(2, "id", R"({"type": "numeric", "precision": 12, "scale": 0})") +
                    Rule(3, "code", R"({"type": "int4"})") +
                    Rule(4, "amount", R"({"type": "int4"})") +
                    Rule(5, "qty", R"({"type": "numeric", "precision": 12, "scale": 3})") +
                    Rule(6, "happened", R"({"type": "string", "length": 30})") +
                    Rule(7, "price", R"({"type": "string", "length": 6})") + "]}");
  std::string settings = WriteTemp("m-settings.json", R"({"ErrorBehavior": {
      "DataErrorPolicy": "LOG_ERROR", "DataTruncationErrorPolicy": "LOG_ERROR"}})");
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmscvm", "--table-mappings", mapping, "--task-settings", settings});
  std::string schema;
  auto expected = [&](const std::string& where) {
    // MariaDB's own casts of the kept rows; the datetime as text without trailing fraction zeros.
    return MariaValue(*conn,
                      "SELECT group_concat(concat_ws('|', id, CAST(code AS SIGNED), CAST(amount "
                      "AS SIGNED), CAST(qty AS DECIMAL(12,3)), TRIM(TRAILING '.' FROM "
                      "TRIM(TRAILING '0' FROM CAST(happened AS CHAR))), price) ORDER BY id "
                      "SEPARATOR ',') FROM m WHERE " +
                          where);
  };
  auto on_target = [&] {
    return Sql(*target,
               "SELECT string_agg(concat_ws('|', id, code, amount, qty, happened, price), "
               "',' ORDER BY id) FROM \"" +
                   schema + "\".m");
  };
  ASSERT_TRUE(Eventually(
      [&] {
        schema = Sql(*target,
                     "SELECT coalesce(max(table_schema), '') FROM information_schema.tables "
                     "WHERE table_name = 'm'");
        return !schema.empty() && on_target() == expected("true");
      },
      120s))
      << engine.Log() << "\n"
      << (schema.empty() ? "" : on_target()) << "\n"
      << expected("true");
  EXPECT_EQ(
      Sql(*target, "SELECT concat_ws('|', happened, price) FROM \"" + schema + "\".m WHERE id = 2"),
      "2024-01-01 10:00:02.5|0.50");

  MariaExec(*conn,
            "INSERT INTO m VALUES (21, '21', 42, '21.5', '2024-02-02 02:02:02', 5.25);"
            "INSERT INTO m VALUES (22, 'abc', 44, '1', NULL, NULL);"     // code: not an integer
            "INSERT INTO m VALUES (23, '23', 46, '1', NULL, 12345.67);"  // price: too long
            "UPDATE m SET amount = 2.5 WHERE id = 3;"                    // amount: a fraction
            "UPDATE m SET qty = '1.2345' WHERE id = 4;"                  // qty: would round
            "INSERT INTO m VALUES (24, '+0024', 48, ' 2e1 ', NULL, -1.5);");
  EXPECT_TRUE(Eventually(
      [&] {
        return Sql(*target,
                   "SELECT count(*) FROM cutover.apply_exceptions WHERE task = 'dmscvm'") == "4" &&
               Sql(*target, "SELECT count(*) FROM \"" + schema + "\".m WHERE id = 24") == "1";
      },
      60s))
      << engine.Log();
  // Rows 3 and 4 keep their values before the refused updates; 22 and 23 are not there.
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(concat_ws('|', id, code, amount, qty, price), ',' "
                "ORDER BY id) FROM \"" +
                    schema + "\".m WHERE id IN (3, 4, 21, 22, 23, 24)"),
            "3|3|6|3.500|0.75,4|4|8|4.500|1.00,21|21|42|21.500|5.25,24|24|48|20.000|-1.50");
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(concat_ws('|', row_key, operation, policy), ',' ORDER BY id) "
                "FROM cutover.apply_exceptions WHERE task = 'dmscvm'"),
            "id='22'|insert|LOG_ERROR,id='23'|insert|LOG_ERROR,id='3'|update|LOG_ERROR,"
            "id='4'|update|LOG_ERROR");  // the key converted to numeric, shown as numerics are
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(error, ' / ' ORDER BY id) FROM cutover.apply_exceptions "
                "WHERE task = 'dmscvm'"),
            "column code: a text value does not convert to int4 exactly (it is not an integer "
            "literal); table mapping rule 3 (change-data-type int4) / column price: a numeric "
            "value does not convert to string(6) exactly (its text form has 8 characters, more "
            "than string(6) holds); table mapping rule 7 (change-data-type string) / column "
            "amount: a numeric value does not convert to int4 exactly (it has a fraction); table "
            "mapping rule 4 (change-data-type int4) / column qty: a text value does not convert "
            "to numeric(12,3) exactly (it has more than 3 fraction digits (numeric(12,3) would "
            "round it)); table mapping rule 5 (change-data-type numeric)");
  EXPECT_NE(engine.Log().find("(DataTruncationErrorPolicy LOG_ERROR)"), std::string::npos)
      << engine.Log();
  // Updates that repair the refused values apply: their old images (which hold the values that
  // did not convert) find the rows by key.
  MariaExec(*conn, "UPDATE m SET amount = 8 WHERE id = 3; UPDATE m SET qty = '4.25' WHERE id = 4;");
  EXPECT_TRUE(Eventually(
      [&] {
        return Sql(*target,
                   "SELECT string_agg(concat_ws('|', id, amount, qty), ',' ORDER BY id) "
                   "FROM \"" +
                       schema + "\".m WHERE id IN (3, 4)") == "3|8|3.500,4|8|4.250";
      },
      60s))
      << engine.Log();
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM cutover.apply_exceptions WHERE task = 'dmscvm'"),
            "4");
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  // Once the source holds only values that convert, the validator finds the tables equal.
  MariaExec(*conn, "DELETE FROM m WHERE id IN (22, 23)");
  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                            "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
  Sql(*target, "UPDATE \"" + schema + "\".m SET code = 99 WHERE id = 9");
  v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                  "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.err << v.out;
  EXPECT_NE(v.out.find("\"different\""), std::string::npos) << v.out;
}

}  // namespace
}  // namespace cutover::testing

namespace cutover::testing {
namespace {

// In the full load a value that does not convert stops the load naming it (the full load's
// error policies act on the target's refusals only).
TEST(DmsConversions, MariaDbToPgFullLoadStopsOnAValueThatDoesNotConvert) {
  auto source = StartMariaDb("dmscv_fsrc");
  auto target = StartPostgres("dmscv_ftgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE f (id int PRIMARY KEY, qty varchar(10)) ENGINE=InnoDB;"
            "INSERT INTO f VALUES (1, '10'), (2, '2.5'), (3, '30');");
  std::string mapping = WriteTemp("f.json", std::string(R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
   "object-locator": {"schema-name": "%", "table-name": "%"}})") +
                                                Rule(2, "qty", R"({"type": "int4"})") + "]}");
  RunResult r = RunCutover({"replicate", "--source", source->uri(), "--target", target->uri(),
                            "--task", "dmscvf", "--table-mappings", mapping, "--retry-for", "0"},
                           120s);
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(", key (id=2), column qty: a text value does not convert to int4 exactly "
                       "(it is not an integer literal (no '.' or exponent allowed)); table mapping "
                       "rule 2 (change-data-type int4)"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace cutover::testing
