// MariaDB as a source, against real throwaway servers and the real `cutover` binary:
// MariaDB -> PostgreSQL full load and CDC of every operation over a table of every type family,
// a 200,000-row source transaction (memory bounded), and the preflight errors (MIXED format, row
// metadata, binlog off, purged binlog). Kill -9 under concurrent writers is in the conformance
// suite (tests/conformance/contract_test.cc).
//
// Equality is checked row by row with md5 of a canonical text computed in SQL on each server
// (support/maria_support.h); the only normalisations are the lossy rules of docs/types.md.
#include <signal.h>

#include <cstdio>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// Every MariaDB type family cutover carries, with edge values (docs/types.md).
constexpr const char* kZooDdl = R"sql(
CREATE TABLE zoo (
  id int PRIMARY KEY,
  ti tinyint, tiu tinyint unsigned, si smallint, siu smallint unsigned,
  mi mediumint, miu mediumint unsigned, i int, iu int unsigned, bi bigint, biu bigint unsigned,
  d65 decimal(65,30), d10 decimal(10,2), f float, dbl double,
  c100 char(100), vc varchar(50), tx text, en enum('small','medium','large'),
  st set('a','b','c','d'), bn binary(4), vb varbinary(20), bl blob,
  dt date, tm time(6), dtm datetime(6), ts timestamp(6) NULL DEFAULT NULL, yr year,
  b1 bit(1), b64 bit(64), js json, u uuid
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4)sql";

constexpr const char* kZooRows = R"sql(
INSERT INTO zoo VALUES
 (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
  -99999999999999999999999999999999999.999999999999999999999999999999, -12345678.90,
  -3.4e38, -1.7976931348623157e308, '😀 four-byte', 'ünïcödé 😀', '', 'small', '',
  0x00000000, 0x00, 0x0000, '1000-01-01', '-838:59:59.000000', '1000-01-01 00:00:00.000000',
  '1970-01-01 00:00:01.000000', 1901, b'0', b'0', '{}', '00000000-0000-0000-0000-000000000000'),
 (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,
  18446744073709551615, 99999999999999999999999999999999999.999999999999999999999999999999,
  12345678.90, 3.4e38, 1.7976931348623157e308, 'trailing  ', 'trailing  ', 'text', 'large',
  'a,b,c,d', 0xff00ff00, 0x00ff00ff00, 0x00010203000405, '9999-12-31', '838:59:59.000000',
  '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', 2155, b'1',
  b'1111111111111111111111111111111111111111111111111111111111111111',
  '{"a": [1, 2.5, null], "b": "x"}', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
 (3, 0, 1, -1, 1, -1, 1, -1, 1, -1, 1, -0.000000000000000000000000000001, -0.01, 1.2345678,
  0.30000000000000004, 'x', 'tab\there\nnewline\\back', REPEAT('long ', 12000), 'medium', 'b,d',
  0x61, X'', X'', '0001-01-01', '-00:00:01.500000', '2024-02-29 12:34:56.789012',
  '2024-02-29 12:34:56.000001', 0, b'1', b'1000000000000000000000000000000000000000000000000000000000000001',
  '"just a string"', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1.5, 2.5, 0, -0, '', '', '', 'small', 'a', 0x01, 0x01,
  0x01, '0000-00-00', '00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', 2000, b'0',
  b'101', '[]', '12345678-1234-1234-1234-123456789abc')
)sql";

// Canonical text per zoo column on MariaDB and on PostgreSQL (docs/types.md "MariaDB ->
// PostgreSQL"): zero dates are NULL on PostgreSQL; TIME compares as µs; exponents unified.
std::vector<CanonColumn> ZooColumns() {
  auto same = [](const std::string& c) { return CanonColumn{"CAST(" + c + " AS CHAR)", c}; };
  auto date_fmt = [](const std::string& c, const char* mfmt, const char* pfmt, bool tz) {
    return CanonColumn{"IF(MONTH(" + c + ") = 0 OR DAYOFMONTH(" + c + ") = 0, NULL, DATE_FORMAT(" +
                           c + ", '" + mfmt + "'))",
                       "to_char(" + c + (tz ? " AT TIME ZONE 'UTC'" : "") + ", '" + pfmt + "')"};
  };
  std::vector<CanonColumn> cols;
  for (const char* c : {"ti", "tiu", "si", "siu", "mi", "miu", "i", "iu", "bi", "biu", "d65", "d10",
                        "c100", "vc", "tx", "en", "st", "js", "u"}) {
    cols.push_back(same(c));
  }
  cols.push_back({"CAST(CAST(f AS DOUBLE) AS CHAR)", "replace(f::float8::text, 'e+', 'e')"});
  cols.push_back({"CAST(dbl AS CHAR)", "replace(dbl::text, 'e+', 'e')"});
  for (const char* c : {"bn", "vb", "bl"}) {
    cols.push_back({std::string("HEX(") + c + ")", std::string("upper(encode(") + c + ", 'hex'))"});
  }
  cols.push_back(date_fmt("dt", "%Y-%m-%d", "YYYY-MM-DD", false));
  cols.push_back(date_fmt("dtm", "%Y-%m-%d %H:%i:%s.%f", "YYYY-MM-DD HH24:MI:SS.US", false));
  cols.push_back(date_fmt("ts", "%Y-%m-%d %H:%i:%s.%f", "YYYY-MM-DD HH24:MI:SS.US", true));
  cols.push_back(
      {"CAST(TIME_TO_SEC(tm) * 1000000 AS SIGNED)", "(extract(epoch from tm) * 1000000)::bigint"});
  cols.push_back({"CAST(yr + 0 AS CHAR)", "yr"});
  cols.push_back({"CAST(b1 + 0 AS CHAR)", "b1"});
  cols.push_back({"CAST(b64 + 0 AS CHAR)", "b64"});
  return cols;
}

class MariaDbSource : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartMariaDb("msrc");
    target_ = StartPostgres("mtgt");
    ASSERT_TRUE(source_ && target_);
    conn_ = MariaConnect(*source_);
    ASSERT_TRUE(conn_);
  }

  std::vector<std::string> Replicate(const std::string& task, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "replicate", "--source", source_->uri(), "--target", target_->uri(), "--task", task};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::string WaitEqual(const std::string& table, const std::vector<CanonColumn>& cols,
                        std::chrono::seconds timeout = 90s) {
    return WaitUntilRowsEqual(*source_, table, *target_, "public." + table, "id", cols, timeout);
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
  std::unique_ptr<mariadb::MariaConn> conn_;
};

TEST_F(MariaDbSource, ToPostgresFullLoadThenEveryOperation) {
  MariaExec(*conn_, kZooDdl);
  MariaExec(*conn_, kZooRows);
  MariaExec(*conn_,
            "CREATE TABLE bulk (id int PRIMARY KEY, v bigint NOT NULL, s varchar(40)) "
            "ENGINE=InnoDB");
  MariaExec(*conn_,
            "INSERT INTO bulk SELECT seq, seq * 2, CONCAT('row ', seq) FROM seq_1_to_200000");

  EngineProcess engine(Replicate("mp", {}));
  EXPECT_EQ(WaitEqual("zoo", ZooColumns()), "") << engine.Log();
  EXPECT_EQ(WaitEqual("bulk", PlainColumns({"v", "s"})), "") << engine.Log();
  // The target's types follow docs/types.md.
  EXPECT_EQ(Sql(*target_,
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                "attrelid = 'public.zoo'::regclass AND attname IN ('tm', 'biu', 'js', "
                "'c100', 'b64') ORDER BY attname"),
            "numeric(20,0)\nnumeric(20,0)\ncharacter varying(100)\njson\ninterval");

  // CDC: every operation, multi-row statements, a key change, a multi-statement transaction.
  MariaExec(*conn_,
            "INSERT INTO zoo SELECT id + 100, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, "
            "d65, d10, f, dbl, c100, vc, tx, en, st, bn, vb, bl, dt, tm, dtm, ts, yr, b1, "
            "b64, js, u FROM zoo");
  MariaExec(*conn_,
            "UPDATE zoo z JOIN zoo o ON o.id = 1 SET z.ti = o.ti, z.tiu = o.tiu, "
            "z.d65 = o.d65, z.f = o.f, z.dbl = o.dbl, z.c100 = o.c100, z.vc = o.vc, "
            "z.tx = o.tx, z.en = o.en, z.st = o.st, z.bn = o.bn, z.bl = o.bl, "
            "z.dt = o.dt, z.tm = o.tm, z.dtm = o.dtm, z.ts = o.ts, z.yr = o.yr, "
            "z.b64 = o.b64, z.js = o.js, z.u = o.u WHERE z.id = 2");
  MariaExec(*conn_, "UPDATE zoo SET id = 33, tm = '-12:00:00.000001' WHERE id = 3");
  MariaExec(*conn_, "DELETE FROM zoo WHERE id IN (4, 104)");
  MariaExec(*conn_, "UPDATE zoo SET vc = NULL, js = NULL, d65 = 0 WHERE id = 101");
  MariaExec(*conn_,
            "START TRANSACTION; INSERT INTO zoo (id, vc) VALUES (200, 'in txn'); "
            "UPDATE zoo SET vc = 'updated in txn' WHERE id = 200; "
            "DELETE FROM zoo WHERE id = 105; COMMIT");
  MariaExec(*conn_, "START TRANSACTION; INSERT INTO zoo (id) VALUES (300); ROLLBACK");
  EXPECT_EQ(WaitEqual("zoo", ZooColumns()), "") << engine.Log();

  // A 200,000-row source transaction: applied whole, memory bounded.
  MariaExec(*conn_, "UPDATE bulk SET v = v + 1, s = CONCAT(s, '+')");
  MariaExec(*conn_, "DELETE FROM bulk WHERE id % 7 = 0");
  EXPECT_EQ(WaitEqual("bulk", PlainColumns({"v", "s"}), 180s), "") << engine.Log();
  long rss_kb = engine.PeakRssKb();
  EXPECT_GT(rss_kb, 0);
  EXPECT_LT(rss_kb, 300 * 1024) << "peak RSS " << rss_kb / 1024 << " MiB";
  RecordProperty("peak_rss_kb", static_cast<int>(rss_kb));
  std::printf("engine peak RSS during the 200,000-row transaction run: %.1f MiB\n",
              rss_kb / 1024.0);

  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  // A rerun resumes: nothing reloaded, nothing applied twice.
  MariaExec(*conn_, "INSERT INTO zoo (id, vc) VALUES (400, 'after restart')");
  EngineProcess again(Replicate("mp", {}));
  EXPECT_EQ(WaitEqual("zoo", ZooColumns()), "") << again.Log();
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(60s), 0) << again.Log();
  EXPECT_NE(again.Log().find("2 already loaded, 0 to load"), std::string::npos) << again.Log();
}

TEST_F(MariaDbSource, PreflightNamesWhatIsWrong) {
  MariaExec(*conn_, "CREATE TABLE pf (id int PRIMARY KEY, v int) ENGINE=InnoDB");
  MariaExec(*conn_, "CREATE TABLE pf_myisam (id int PRIMARY KEY) ENGINE=MyISAM");
  auto expect_error = [&](const std::vector<std::string>& args, const std::string& text) {
    RunResult r = RunCutover(args, 120s);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("cutover:cutover@"), std::string::npos) << "password shown: " << r.err;
  };
  expect_error(Replicate("pf", {"--tables", "pf_myisam"}), "MyISAM storage engine");

  MariaExec(*conn_, "SET GLOBAL binlog_format = 'MIXED'");
  expect_error(Replicate("pf", {"--tables", "pf"}), "binlog_format is MIXED");
  MariaExec(*conn_, "SET GLOBAL binlog_format = 'ROW'");
  MariaExec(*conn_, "SET GLOBAL binlog_row_metadata = 'MINIMAL'");
  expect_error(Replicate("pf", {"--tables", "pf"}), "binlog_row_metadata is MINIMAL");
  MariaExec(*conn_, "SET GLOBAL binlog_row_metadata = 'FULL'");
}

TEST_F(MariaDbSource, PurgedBinlogIsAClearError) {
  MariaExec(*conn_, "CREATE TABLE pg1 (id int PRIMARY KEY, v int) ENGINE=InnoDB");
  EngineProcess engine(Replicate("purge", {"--tables", "pg1"}));
  MariaExec(*conn_, "INSERT INTO pg1 VALUES (1, 1)");
  ASSERT_EQ(WaitEqual("pg1", PlainColumns({"v"})), "") << engine.Log();
  engine.Signal(SIGTERM);
  ASSERT_EQ(engine.Wait(60s), 0) << engine.Log();
  std::string old_file = MariaValue(*conn_, "SELECT 'binlog.000001'");
  MariaExec(*conn_, "INSERT INTO pg1 VALUES (2, 2)");
  MariaExec(*conn_, "FLUSH BINARY LOGS");
  MariaExec(*conn_, "INSERT INTO pg1 VALUES (3, 3)");
  auto status = conn_->Query("SHOW MASTER STATUS");
  ASSERT_TRUE(status.ok());
  std::string current = status->rows.at(0)[0].value_or("");
  // The server keeps a binlog a (not yet gone) dump thread still reads: purge until it is gone.
  ASSERT_TRUE(Eventually(
      [&] {
        (void)conn_->Exec("PURGE BINARY LOGS TO '" + current + "'");
        auto logs = conn_->Query("SHOW BINARY LOGS");
        return logs.ok() && logs->rows.size() == 1;
      },
      30s));
  RunResult r = RunCutover(Replicate("purge", {"--tables", "pg1"}), 120s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("binlog " + old_file), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("purged"), std::string::npos) << r.err;
}

// MariaDB -> MariaDB: the same zoo, compared with no normalisation at all (every column's
// exact text, binaries in hex): a same-engine copy must be exact.
std::vector<CanonColumn> ExactZooColumns() {
  std::vector<CanonColumn> cols;
  for (const char* c :
       {"ti", "tiu", "si", "siu", "mi", "miu", "i",  "iu", "bi",  "biu", "d65", "d10", "c100",
        "vc", "tx",  "en", "st",  "js", "u",   "dt", "tm", "dtm", "ts",  "yr",  "dbl"}) {
    cols.push_back({std::string("CAST(") + c + " AS CHAR)", ""});
  }
  cols.push_back({"CAST(CAST(f AS DOUBLE) AS CHAR)", ""});
  for (const char* c : {"bn", "vb", "bl"}) cols.push_back({std::string("HEX(") + c + ")", ""});
  cols.push_back({"CAST(b1 + 0 AS CHAR)", ""});
  cols.push_back({"CAST(b64 + 0 AS CHAR)", ""});
  return cols;
}

TEST(MariaDbToMariaDb, FullLoadThenEveryOperationExact) {
  auto source = StartMariaDb("mmsrc");
  auto target = StartMariaDb("mmtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  ASSERT_TRUE(conn);
  MariaExec(*conn, kZooDdl);
  MariaExec(*conn, kZooRows);
  MariaExec(*conn,
            "CREATE TABLE bulk (id int PRIMARY KEY, v bigint NOT NULL, s varchar(40)) "
            "ENGINE=InnoDB");
  MariaExec(*conn,
            "INSERT INTO bulk SELECT seq, seq * 2, CONCAT('row ', seq) FROM seq_1_to_100000");
  auto wait_equal = [&](const std::string& table, const std::vector<CanonColumn>& cols) {
    return WaitUntilRowsEqual(*source, table, *target, table, "id", cols, 120s);
  };
  EngineProcess engine(
      {"replicate", "--source", source->uri(), "--target", target->uri(), "--task", "mm"});
  EXPECT_EQ(wait_equal("zoo", ExactZooColumns()), "") << engine.Log();
  EXPECT_EQ(wait_equal("bulk", PlainColumns({"v", "s"})), "") << engine.Log();
  // Same column types (type, charset, collation, nullability, key) on the target.
  auto columns = [](const harness::ThrowawayServer& s) {
    auto c = MariaConnect(s);
    return MariaValue(*c,
                      "SELECT GROUP_CONCAT(CONCAT_WS(' ', COLUMN_NAME, COLUMN_TYPE, "
                      "CHARACTER_SET_NAME, COLLATION_NAME, IS_NULLABLE, COLUMN_KEY) ORDER BY "
                      "ORDINAL_POSITION SEPARATOR ', ') FROM information_schema.COLUMNS "
                      "WHERE TABLE_SCHEMA = 'cutover' AND TABLE_NAME = 'zoo'");
  };
  EXPECT_EQ(columns(*source), columns(*target));

  MariaExec(*conn,
            "INSERT INTO zoo SELECT id + 100, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, "
            "d65, d10, f, dbl, c100, vc, tx, en, st, bn, vb, bl, dt, tm, dtm, ts, yr, b1, "
            "b64, js, u FROM zoo");
  MariaExec(*conn, "UPDATE zoo SET id = 33, tm = '-12:00:00.000001', vc = 'moved' WHERE id = 3");
  MariaExec(*conn, "DELETE FROM zoo WHERE id IN (4, 104)");
  MariaExec(*conn,
            "START TRANSACTION; UPDATE bulk SET v = -v WHERE id <= 50000; "
            "DELETE FROM bulk WHERE id % 10 = 0; INSERT INTO bulk VALUES (200001, 1, 'n'); "
            "COMMIT");
  EXPECT_EQ(wait_equal("zoo", ExactZooColumns()), "") << engine.Log();
  EXPECT_EQ(wait_equal("bulk", PlainColumns({"v", "s"})), "") << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

TEST(MariaDbSourceBinlogOff, PreflightSaysTheBinaryLogIsOff) {
  auto server = StartMariaDb("nobin", "--skip-log-bin");
  ASSERT_TRUE(server);
  auto target = StartPostgres("nobin_tgt");
  ASSERT_TRUE(target);
  auto conn = MariaConnect(*server);
  ASSERT_TRUE(conn);
  MariaExec(*conn, "CREATE TABLE t (id int PRIMARY KEY) ENGINE=InnoDB");
  RunResult r = RunCutover(
      {"replicate", "--source", server->uri(), "--target", target->uri(), "--task", "nobin"}, 120s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("binary log is off"), std::string::npos) << r.err;
  // A full load alone needs no binlog.
  RunResult fl = RunCutover({"replicate", "--source", server->uri(), "--target", target->uri(),
                             "--task", "nobin", "--type", "full-load", "--parallel", "1"},
                            120s);
  EXPECT_EQ(fl.exit_code, 0) << fl.err;
}

}  // namespace
}  // namespace cutover::testing
