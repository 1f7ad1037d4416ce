// `cutover validate` across engines. MariaDB -> PostgreSQL: after `cutover replicate` of every
// MariaDB type family (with the mapping rules of docs/types.md in play: TIME -> interval, zero
// dates -> NULL, unsigned -> wider types, CHAR -> varchar, BIT -> integers), validate finds no
// false difference; corruptions on the PostgreSQL target are found exactly. PostgreSQL ->
// MariaDB the same way (char padding, NaN -> NULL, -0, numeric rounding, bool -> TINYINT(1),
// timestamptz -> DATETIME in UTC, arrays as text).
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr const char* kMariaTypes = R"sql(
CREATE TABLE vt (
  id int PRIMARY KEY, ti tinyint, tiu tinyint unsigned, si smallint unsigned, mi mediumint,
  i int, iu int unsigned, bi bigint, biu bigint unsigned, dec65 decimal(65,30), d decimal(10,2),
  f float, dbl double, ch char(10), vc varchar(30), tx text, en enum('x','y'), st set('a','b','c'),
  bn binary(3), vb varbinary(10), bl blob, dt date, tm time(6), dtm datetime(6),
  ts timestamp(6) NULL DEFAULT NULL, yr year, b1 bit(1), b64 bit(64), js json, u uuid
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO vt VALUES
 (1, -128, 255, 65535, -8388608, -2147483648, 4294967295, -9223372036854775808,
  18446744073709551615, -12345678901234567890.123456789012345678901234567890, -0.50, -3.4e38,
  -1.7976931348623157e308, 'padded', 'trailing  ', '', 'y', 'a,c', 0x000102, 0x00ff, 0x5c4e,
  '1000-01-01', '-838:59:59.000000', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000',
  1901, b'1', b'1111111111111111111111111111111111111111111111111111111111111111', '{"a": [1, 2.5]}',
  '00000000-0000-0000-0000-000000000001'),
 (2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.2345678, 0.1, '😀', 'ünï 😀', 'text', 'x', '', 0x000000, '',
  '', '9999-12-31', '838:59:59.999999', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999',
  2155, b'0', b'0', '[]', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 1, 1, 1, 1, 1, 1, 1, 1, 0.000000000000000000000000000001, 12345678.99, 1e-38, 5e-324, 'c',
  'v', REPEAT('long ', 5000), 'y', 'a,b,c', 0x616263, 0x616263, 0x616263, '2024-02-29',
  '-00:00:00.000001', '2024-02-29 12:34:56.000001', '2024-02-29 12:34:56.000001', 2024, b'1',
  b'1000000000000000000000000000000000000000000000000000000000000000', '"s"', NULL);
CREATE TABLE zd (id int PRIMARY KEY, d date, dt datetime) ENGINE=InnoDB;
SET SESSION sql_mode = '';
INSERT INTO zd VALUES (1, '0000-00-00', '0000-00-00 00:00:00'), (2, '2024-01-01', '2024-01-01 10:00:00');
CREATE TABLE many (id bigint unsigned PRIMARY KEY, s varchar(40) NOT NULL, v double) ENGINE=InnoDB;
INSERT INTO many SELECT seq, CONCAT('row ', seq), seq / 3 FROM seq_1_to_100000;
CREATE TABLE sk (k varchar(40) PRIMARY KEY, v int) ENGINE=InnoDB;
INSERT INTO sk SELECT MD5(seq), seq FROM seq_1_to_20000;
)sql";

// "table kind key=value... column..." for each listed difference, e.g.
// "cutover.vt different id=1 i tm".
std::set<std::string> DiffLines(const Json& j) {
  std::set<std::string> out;
  for (const auto& t : j["tables"]) {
    for (const auto& d : t["differences"]) {
      std::string line = t["source_table"].get<std::string>() + " " + d["kind"].get<std::string>();
      for (auto& [k, v] : d["key"].items()) line += " " + k + "=" + v.get<std::string>();
      if (d.contains("columns"))
        for (const auto& c : d["columns"]) line += " " + c["column"].get<std::string>();
      out.insert(line);
    }
  }
  return out;
}

// Full load of every source table as task `task`; then the validate command line for it.
RunResult FullLoad(const harness::ThrowawayServer& source, const harness::ThrowawayServer& target,
                   const std::string& task) {
  return RunCutover({"replicate", "--source", source.uri(), "--target", target.uri(), "--task",
                     task, "--type", "full-load"},
                    300s);
}
std::vector<std::string> ValidateTaskArgs(const harness::ThrowawayServer& source,
                                          const harness::ThrowawayServer& target,
                                          const std::string& task) {
  return {"validate", "--source", source.uri(), "--target",     target.uri(),
          "--task",   task,       "--json",     "--chunk-rows", "10000"};
}

class ValidateMaria : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartMariaDb("vmsrc");
    target_ = StartPostgres("vmtgt");
    ASSERT_TRUE(source_ && target_);
    conn_ = MariaConnect(*source_);
    ASSERT_TRUE(conn_);
  }

  RunResult Validate(std::vector<std::string> extra) {
    std::vector<std::string> args = {"validate",     "--source", source_->uri(), "--target",
                                     target_->uri(), "--json",   "--chunk-rows", "10000"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCutover(args, 300s);
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
  std::unique_ptr<mariadb::MariaConn> conn_;
};

TEST_F(ValidateMaria, MariaDbToPostgresNoFalseDifferencesThenEveryCorruption) {
  MariaExec(*conn_, kMariaTypes);
  RunResult rep = FullLoad(*source_, *target_, "vm");
  ASSERT_EQ(rep.exit_code, 0) << rep.err;

  RunResult r = Validate({"--task", "vm"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j["tables"].size(), 4u);
  for (const auto& t : j["tables"]) {
    EXPECT_EQ(t["result"], "equal") << t.dump();
    EXPECT_EQ(t["source_rows"], t["target_rows"]) << t.dump();
  }

  Sql(*target_,
      "UPDATE public.vt SET i = i + 1 WHERE id = 1;"
      "UPDATE public.vt SET dtm = dtm + interval '1 microsecond' WHERE id = 2;"
      "UPDATE public.vt SET dbl = 0.10000000000000002 WHERE id = 2;"
      "UPDATE public.vt SET vc = '' WHERE id = 3;"
      "UPDATE public.vt SET vc = vc || ' ' WHERE id = 4;"
      "UPDATE public.vt SET tm = tm + interval '1 microsecond' WHERE id = 1;"
      "DELETE FROM public.many WHERE id = 77;"
      "INSERT INTO public.many VALUES (18446744073709551615, 'extra', 0);"
      "UPDATE public.many SET s = CASE id WHEN 500 THEN 'row 501' ELSE 'row 500' END "
      "WHERE id IN (500, 501);"
      "UPDATE public.zd SET d = '2000-01-01' WHERE id = 1;");
  r = Validate({"--task", "vm"});
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  j = Json::parse(r.out);
  std::set<std::string> expected = {
      "cutover.vt different id=1 i tm",
      "cutover.vt different id=2 dbl dtm",
      "cutover.vt different id=3 vc",
      "cutover.vt different id=4 vc",
      "cutover.many missing-in-target id=77",
      "cutover.many extra-in-target id=18446744073709551615",
      "cutover.many different id=500 s",
      "cutover.many different id=501 s",
      "cutover.zd different id=1 d",
  };
  EXPECT_EQ(DiffLines(j), expected);
}

TEST(ValidatePgToMaria, PostgresToMariaDbNoFalseDifferencesThenCorruptions) {
  auto source = StartPostgres("vpmsrc");
  auto target = StartMariaDb("vpmtgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE public.pm (id int PRIMARY KEY, b boolean, i8 bigint, n numeric, n2 "
      "numeric(12,2), f4 real, f8 double precision, c char(6), vc varchar(20), t text, by bytea, "
      "d date, tm time, ts timestamp(6), tz timestamptz, j json, jb jsonb, u uuid, arr int[]);"
      "INSERT INTO public.pm VALUES"
      " (1, true, 9223372036854775807, 1.0000000000000000000000000000004, -12.5, 3.4028235e38, "
      "  1.7976931348623157e308, 'ab', 'trailing  ', '', '\\x00ff', '2024-02-29', "
      "'23:59:59.999999',"
      "  '2000-01-01 00:00:00.000001', '2000-01-01 00:00:00.5+05:30', '{\"a\": 1}', '{\"b\": [1]}',"
      "  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}'),"
      " (2, false, -1, 0.5, 0, '-0', 'NaN', '', '', NULL, '\\x', '0001-01-01', '00:00:00',"
      "  '1970-01-01 00:00:00', '1969-12-31 23:59:59.999999+00', 'null', '[]', NULL, '{}'),"
      " (3, NULL, NULL, NULL, NULL, 'Infinity', '-0', NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL,"
      "  NULL, NULL, NULL, NULL);"
      "CREATE TABLE public.many (id bigint PRIMARY KEY, s text NOT NULL);"
      "INSERT INTO public.many SELECT g, 'row ' || g FROM generate_series(1, 50000) g;"
      "ANALYZE;");
  RunResult rep = FullLoad(*source, *target, "pm");
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  std::vector<std::string> args = ValidateTaskArgs(*source, *target, "pm");
  RunResult r = RunCutover(args, 300s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j["tables"].size(), 2u);

  auto conn = MariaConnect(*target);
  ASSERT_TRUE(conn);
  MariaExec(*conn,
            "UPDATE pm SET i8 = i8 - 1 WHERE id = 1; UPDATE pm SET ts = ts + INTERVAL 1 "
            "MICROSECOND WHERE id = 2; UPDATE pm SET t = '' WHERE id = 3; UPDATE pm SET vc = "
            "CONCAT(vc, ' ') WHERE id = 1; DELETE FROM many WHERE id = 9; INSERT INTO many VALUES "
            "(70000, 'extra')");
  r = RunCutover(args, 300s);
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  j = Json::parse(r.out);
  std::set<std::string> expected = {
      "public.pm different id=1 i8 vc", "public.pm different id=2 ts", "public.pm different id=3 t",
      "public.many missing-in-target id=9", "public.many extra-in-target id=70000"};
  EXPECT_EQ(DiffLines(j), expected);
}

// MariaDB -> MariaDB: every MariaDB type family replicated to a second MariaDB (same column
// types, no mapping rules) validates equal; then corruptions of the target (1 µs, a trailing
// space, NULL -> '', a changed unsigned, a deleted and an extra row) are each named exactly, so
// the equal verdict is not vacuous.
TEST(ValidateMariaToMaria, NoFalseDifferencesAfterReplicationThenCorruptions) {
  auto source = StartMariaDb("vmmsrc");
  auto target = StartMariaDb("vmmtgt");
  ASSERT_TRUE(source && target);
  auto sconn = MariaConnect(*source);
  ASSERT_TRUE(sconn);
  MariaExec(*sconn, kMariaTypes);
  RunResult rep = FullLoad(*source, *target, "mm");
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  std::vector<std::string> args = ValidateTaskArgs(*source, *target, "mm");
  RunResult r = RunCutover(args, 300s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["result"], "equal");
  ASSERT_EQ(j["tables"].size(), 4u);
  for (const auto& t : j["tables"]) {
    EXPECT_EQ(t["result"], "equal") << t.dump();
    EXPECT_TRUE(t["schema_differences"].empty()) << t.dump();  // same types on both sides
    EXPECT_EQ(t["source_rows"], t["target_rows"]) << t.dump();
    if (t["source_table"] == "cutover.many") {
      EXPECT_EQ(t["source_rows"], 100000);
      EXPECT_GE(t["chunks"], 5);
    }
  }

  auto tconn = MariaConnect(*target);
  ASSERT_TRUE(tconn);
  MariaExec(*tconn,
            "UPDATE vt SET dtm = dtm + INTERVAL 1 MICROSECOND WHERE id = 1;"
            "UPDATE vt SET vc = CONCAT(vc, ' ') WHERE id = 2;"
            "UPDATE vt SET tx = '' WHERE id = 3;"
            "UPDATE vt SET biu = biu - 1 WHERE id = 4;"
            "DELETE FROM many WHERE id = 4242;"
            "INSERT INTO sk VALUES ('zzzz-extra', 1);");
  r = RunCutover(args, 300s);
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  j = Json::parse(r.out);
  std::set<std::string> expected = {
      "cutover.vt different id=1 dtm",          "cutover.vt different id=2 vc",
      "cutover.vt different id=3 tx",           "cutover.vt different id=4 biu",
      "cutover.many missing-in-target id=4242", "cutover.sk extra-in-target k=zzzz-extra"};
  EXPECT_EQ(DiffLines(j), expected);
}

}  // namespace
}  // namespace cutover::testing
