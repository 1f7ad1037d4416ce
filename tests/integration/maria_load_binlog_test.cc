// `--target-load-binlog off` on real MariaDB servers: the full load's rows skip the target's
// binary log while the tables and every CDC change are still logged; a target user without the
// privilege is refused at start with nothing written; a target without a binary log refuses
// the option.
//
// The binary log is measured by its size (SHOW BINARY LOGS, summed), before and after each
// step: the loaded rows are ~6 MB of row events when logged, so "skipped" and "logged" differ
// by orders of magnitude, not by a threshold tuned to pass.
#include <signal.h>

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kRows = 60000;

int64_t BinlogBytes(mariadb::MariaConn& conn) {
  auto r = conn.Query("SHOW BINARY LOGS");
  EXPECT_TRUE(r.ok()) << r.status().message();
  int64_t total = 0;
  if (r.ok())
    for (const auto& row : r->rows) total += std::stoll(row[1].value_or("0"));
  return total;
}

// Events of the binary log (every file) whose type starts with `type` and whose description
// contains `info`, e.g. ("Table_map", "(cutover.items)"): each row event of a table follows one.
int CountEvents(mariadb::MariaConn& conn, const std::string& type, const std::string& info) {
  auto logs = conn.Query("SHOW BINARY LOGS");
  EXPECT_TRUE(logs.ok()) << logs.status().message();
  if (!logs.ok()) return -1;
  int n = 0;
  for (const auto& log : logs->rows) {
    auto events = conn.Query("SHOW BINLOG EVENTS IN " + conn.QuoteLiteral(log[0].value_or("")));
    EXPECT_TRUE(events.ok()) << events.status().message();
    if (!events.ok()) return -1;
    for (const auto& e : events->rows)
      if (e[2].value_or("").rfind(type, 0) == 0 &&
          e[5].value_or("").find(info) != std::string::npos)
        ++n;
  }
  return n;
}

void FillSource(mariadb::MariaConn& conn) {
  MariaExec(conn,
            "CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL, note varchar(80)) "
            "ENGINE=InnoDB");
  MariaExec(conn,
            "INSERT INTO items SELECT seq, seq % 97, CONCAT('item ', seq, ' ', "
            "REPEAT('x', 60)) FROM seq_1_to_" +
                std::to_string(kRows));
}

TEST(MariaLoadBinlog, OffSkipsTheLoadedRowsButLogsTablesAndCdc) {
  auto source = StartMariaDb("lbsrc");
  auto target = StartMariaDb("lbtgt");
  ASSERT_TRUE(source && target);
  auto src = MariaConnect(*source);
  auto tgt = MariaConnect(*target);
  ASSERT_TRUE(src && tgt);
  FillSource(*src);
  const int64_t before = BinlogBytes(*tgt);
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "lb", "--target-load-binlog", "off"});
  EXPECT_EQ(WaitUntilRowsEqual(*source, "items", *target, "items", "id",
                               PlainColumns({"qty", "note"}), 120s),
            "")
      << engine.Log();
  const int64_t after_load = BinlogBytes(*tgt);
  // The table's CREATE and the task's own state rows are logged; ~6 MB of rows are not.
  EXPECT_LT(after_load - before, 200 * 1024) << "binlog grew by " << (after_load - before);
  EXPECT_EQ(CountEvents(*tgt, "Table_map", "(cutover.items)"), 0);
  EXPECT_EQ(CountEvents(*tgt, "Query", "CREATE TABLE `cutover`.`items`"), 1);

  // CDC changes after the load are logged as usual: 60,000 updated rows are megabytes.
  MariaExec(*src, "UPDATE items SET qty = qty + 1, note = CONCAT(note, '!')");
  EXPECT_EQ(WaitUntilRowsEqual(*source, "items", *target, "items", "id",
                               PlainColumns({"qty", "note"}), 120s),
            "")
      << engine.Log();
  const int64_t after_cdc = BinlogBytes(*tgt);
  EXPECT_GT(after_cdc - after_load, 4 * 1024 * 1024)
      << "binlog grew by " << (after_cdc - after_load);
  EXPECT_GT(CountEvents(*tgt, "Table_map", "(cutover.items)"), 0);
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

TEST(MariaLoadBinlog, OffWithoutThePrivilegeIsRefusedAtStartWithNothingWritten) {
  auto source = StartMariaDb("lbpsrc");
  auto target = StartMariaDb("lbptgt");
  ASSERT_TRUE(source && target);
  auto src = MariaConnect(*source);
  auto tgt = MariaConnect(*target);
  ASSERT_TRUE(src && tgt);
  FillSource(*src);
  // Every privilege on the task's database, none of the global ones sql_log_bin needs.
  MariaExec(*tgt, "CREATE USER 'nolog'@'%' IDENTIFIED BY 'nolog-secret'");
  MariaExec(*tgt, "GRANT ALL ON cutover.* TO 'nolog'@'%'");
  const std::string uri =
      "mariadb://nolog:nolog-secret@127.0.0.1:" + std::to_string(target->port()) + "/cutover";
  RunResult r = RunCutover({"replicate", "--source", source->uri(), "--target", uri, "--task",
                            "lbp", "--type", "full-load", "--target-load-binlog", "off"},
                           120s);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--target-load-binlog off needs the SUPER or BINLOG ADMIN privilege"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("nolog-secret"), std::string::npos) << r.err;
  EXPECT_EQ(MariaValue(*tgt,
                       "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                       "'cutover' AND TABLE_NAME = 'items'"),
            "0");
}

TEST(MariaLoadBinlog, OffIsRefusedForATargetWithoutABinaryLog) {
  auto source = StartMariaDb("lbssrc");
  ASSERT_TRUE(source);
  auto src = MariaConnect(*source);
  ASSERT_TRUE(src);
  FillSource(*src);
  const std::string db = ::testing::TempDir() + "/lb_target.db";
  std::remove(db.c_str());
  RunResult r = RunCutover({"replicate", "--source", source->uri(), "--target", "sqlite://" + db,
                            "--task", "lbs", "--type", "full-load", "--target-load-binlog", "off"},
                           120s);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--target-load-binlog off: a SQLite target has no binary log"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace cutover::testing
