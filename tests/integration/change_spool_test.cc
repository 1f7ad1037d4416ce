// The durable change spool (engine/pipeline/change_spool.h) against real servers, driving the
// real `cutover` binary: a target outage under load leaves the source's log free (PostgreSQL
// slot confirmed as changes become durable in the spool) and the target exact once it is back;
// a MariaDB binlog purged during the outage loses nothing; kill -9 at random points (spool
// append, source confirm, apply, prune) neither loses nor duplicates a change. Equality is
// checked by SQL on both servers (TableFingerprint / RowDigests), sharing no engine code.
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string MakeTempDir(const char* name) {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/" + name + "-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr);
  return tmpl;
}

int64_t DirBytes(const std::string& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file(ec)) total += static_cast<int64_t>(e.file_size(ec));
  return total;
}

// A count from the environment (scripts/long-tests.sh lengthens the loops), else `fallback`.
int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && std::atoi(v) > 0 ? std::atoi(v) : fallback;
}

int64_t SqlInt(const harness::ThrowawayServer& server, const std::string& sql) {
  return std::atoll(Sql(server, sql).c_str());
}

class ChangeSpoolPg : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartPostgres("cssrc");
    target_ = StartPostgres("cstgt");
    ASSERT_TRUE(source_ && target_);
    spool_dir_ = MakeTempDir("cutover-change-spool-test");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(spool_dir_, ec);
  }

  std::vector<std::string> Replicate(const std::string& task, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "replicate", "--source", source_->uri(), "--target",           target_->uri(), "--task",
        task,        "--tables", "kc.%",         "--change-spool-dir", spool_dir_};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  bool WaitLoaded(const std::string& task, EngineProcess& engine) {
    auto loaded = [&] {
      auto r = target_->Sql("SELECT count(*) FROM cutover.table_state WHERE task = '" + task + "'");
      return r.ok() && *r == "2";
    };
    return Eventually([&] { return loaded() || !engine.Running(); }, 60s) && loaded();
  }

  // Bytes of WAL between the source's current position and the slot's confirmed flush / restart
  // position (what the slot makes the server keep).
  int64_t ConfirmLag() {
    return SqlInt(*source_,
                  "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), "
                  "confirmed_flush_lsn)), -1)::bigint FROM pg_replication_slots");
  }
  int64_t RetainedWal() {
    return SqlInt(*source_,
                  "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)), "
                  "-1)::bigint FROM pg_replication_slots");
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
  std::string spool_dir_;
};

// Target down for 15 s (CUTOVER_SPOOL_OUTAGE_SECONDS; 300 in scripts/long-tests.sh) under a
// steady write load: the slot's confirmed_flush_lsn keeps up with
// the source (the retained WAL stays small) while the spool grows; after the target returns,
// the target is exactly the source.
TEST_F(ChangeSpoolPg, TargetDownSlotKeepsUpWhileSpoolGrowsThenExact) {
  CreateKcSchema(*source_);
  EngineProcess engine(Replicate("cs", {}));
  ASSERT_TRUE(WaitLoaded("cs", engine)) << engine.Log();
  std::atomic<bool> stop{false};
  std::atomic<long> committed{0};
  std::thread writer(RunKcOltpWriter, source_->uri(), 11, std::cref(stop), std::ref(committed));
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(target_->Halt().ok());
  const std::string wal_at_halt = Sql(*source_, "SELECT pg_current_wal_lsn()");
  const long committed_at_halt = committed.load();
  int64_t max_lag = 0, max_retained = 0, spool_first = -1, spool_last = 0;
  const int outage_s = EnvInt("CUTOVER_SPOOL_OUTAGE_SECONDS", 15);
  for (int i = 0; i < outage_s; ++i) {
    std::this_thread::sleep_for(1s);
    max_lag = std::max(max_lag, ConfirmLag());
    max_retained = std::max(max_retained, RetainedWal());
    spool_last = DirBytes(spool_dir_);
    if (spool_first < 0) spool_first = spool_last;
  }
  const int64_t wal_during = SqlInt(
      *source_, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + wal_at_halt + "')::bigint");
  std::printf(
      "[ measure ] target down %d s: %ld source txns, %lld WAL bytes written; slot confirm lag "
      "max %lld bytes, retained WAL max %lld bytes; spool %lld -> %lld bytes\n",
      outage_s, committed.load() - committed_at_halt, static_cast<long long>(wal_during),
      static_cast<long long>(max_lag), static_cast<long long>(max_retained),
      static_cast<long long>(spool_first), static_cast<long long>(spool_last));
  EXPECT_GT(committed.load() - committed_at_halt, 500);
  EXPECT_GE(max_lag, 0);
  EXPECT_LT(max_lag, 16 << 20) << engine.Log();  // confirmed keeps up: within one WAL segment
  EXPECT_LT(max_retained, 3 * (16 << 20)) << engine.Log();  // a few WAL segments at most
  EXPECT_GT(spool_last, spool_first) << "the spool did not grow while the target was down";
  ASSERT_TRUE(target_->Resume().ok());
  std::this_thread::sleep_for(2s);
  stop = true;
  writer.join();
  std::vector<TableSpec> tables = {{"kc.accounts", "id"}, {"kc.events", "id"}};
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 90s + std::chrono::seconds(outage_s)), "")
      << engine.Log();
  EXPECT_NE(engine.Log().find("capture goes on into the change spool"), std::string::npos)
      << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

// A column added on the source while the target is down, with changes on both sides of it: the
// task reconnects without a restart, its next loop starts from the columns the target has, adds
// the column at the table's next change (with its default for the rows already there), and the
// target is exact, the new column included.
TEST_F(ChangeSpoolPg, AColumnAddedWhileTheTargetIsDownIsAddedWhenItReturns) {
  CreateKcSchema(*source_);
  EngineProcess engine(Replicate("csd", {}));
  ASSERT_TRUE(WaitLoaded("csd", engine)) << engine.Log();
  Sql(*source_, "UPDATE kc.accounts SET balance = balance + 1 WHERE id <= 10");
  std::vector<TableSpec> tables = {{"kc.accounts", "id"}, {"kc.events", "id"}};
  ASSERT_EQ(WaitUntilEqual(*source_, *target_, tables, 60s), "") << engine.Log();
  ASSERT_TRUE(target_->Halt().ok());
  Sql(*source_,
      "UPDATE kc.accounts SET balance = balance + 1 WHERE id BETWEEN 11 AND 20;"
      "ALTER TABLE kc.accounts ADD COLUMN tier text NOT NULL DEFAULT 'basic';"
      "UPDATE kc.accounts SET tier = 'gold' WHERE id % 7 = 0;"
      "INSERT INTO kc.accounts (id, balance, note, tier) VALUES (5000, 1, 'new', 'silver');");
  std::this_thread::sleep_for(2s);  // the task sees the target gone and waits for it
  ASSERT_TRUE(target_->Resume().ok());
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 90s), "") << engine.Log();
  EXPECT_EQ(Sql(*target_,
                "SELECT count(*) FILTER (WHERE tier = 'basic') || '/' || "
                "count(*) FILTER (WHERE tier = 'gold') FROM kc.accounts"),
            Sql(*source_,
                "SELECT count(*) FILTER (WHERE tier = 'basic') || '/' || "
                "count(*) FILTER (WHERE tier = 'gold') FROM kc.accounts"));
  EXPECT_TRUE(engine.Running()) << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

// --spool-max-bytes reached while the target is down: capture pauses and the slot is no longer
// confirmed (the metrics say "full"); when the target returns the spool drains, capture resumes
// from the spool's end and the target is exact.
TEST_F(ChangeSpoolPg, FullSpoolPausesCaptureAndStopsConfirmingThenResumes) {
  CreateKcSchema(*source_);
  std::string metrics = spool_dir_ + "-metrics.jsonl";
  EngineProcess engine(
      Replicate("csf", {"--spool-max-bytes", "1048576", "--metrics-file", metrics}));
  ASSERT_TRUE(WaitLoaded("csf", engine)) << engine.Log();
  ASSERT_TRUE(target_->Halt().ok());
  std::atomic<bool> stop{false};
  std::atomic<long> committed{0};
  std::thread writer(RunKcOltpWriter, source_->uri(), 12, std::cref(stop), std::ref(committed));
  auto metrics_say_full = [&] {
    std::FILE* f = std::fopen(metrics.c_str(), "r");
    if (!f) return false;
    char line[4096];
    bool full = false;
    while (std::fgets(line, sizeof line, f))
      full = std::string(line).find("\"spool_state\":\"full\"") != std::string::npos;
    std::fclose(f);
    return full;
  };
  EXPECT_TRUE(Eventually(metrics_say_full, 40s)) << engine.Log();
  std::this_thread::sleep_for(3s);
  int64_t lag = ConfirmLag();
  std::printf("[ measure ] spool full at %lld bytes on disk; slot confirm lag %lld bytes\n",
              static_cast<long long>(DirBytes(spool_dir_)), static_cast<long long>(lag));
  EXPECT_GT(lag, 256 << 10) << "the slot is still confirmed while the spool is full";
  EXPECT_NE(engine.Log().find("change spool full"), std::string::npos) << engine.Log();
  ASSERT_TRUE(target_->Resume().ok());
  stop = true;
  writer.join();
  std::vector<TableSpec> tables = {{"kc.accounts", "id"}, {"kc.events", "id"}};
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 90s), "") << engine.Log();
  EXPECT_NE(engine.Log().find("capture resumes"), std::string::npos) << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  std::remove(metrics.c_str());
}

// kill -9 at random points under a writer (spool append, source confirm, apply, prune), four
// times (CUTOVER_SPOOL_KILLS; more in scripts/long-tests.sh), every fourth while the target is
// down: no change lost or duplicated.
TEST_F(ChangeSpoolPg, KillNineAtRandomPointsIsExact) {
  CreateKcSchema(*source_);
  std::atomic<bool> stop{false};
  std::atomic<long> committed{0};
  std::thread writer(RunKcOltpWriter, source_->uri(), 13, std::cref(stop), std::ref(committed));
  auto engine = std::make_unique<EngineProcess>(Replicate("csk", {"--retry-for", "120"}));
  ASSERT_TRUE(WaitLoaded("csk", *engine)) << engine->Log();
  std::mt19937 rng(std::random_device{}());
  const int kills = EnvInt("CUTOVER_SPOOL_KILLS", 4);
  for (int k = 0; k < kills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 2500));
    const bool outage = k % 4 == 1;
    if (outage) {
      ASSERT_TRUE(target_->Halt().ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(1000 + rng() % 2000));
    }
    engine->Signal(SIGKILL);
    EXPECT_EQ(engine->Wait(10s), 128 + SIGKILL);
    std::printf("[ measure ] kill %d: spool %lld bytes%s\n", k + 1,
                static_cast<long long>(DirBytes(spool_dir_)), outage ? " (target down)" : "");
    // After the outage the spool holds confirmed transactions the target has not: the slot
    // cannot resend them. (A run starts only with both servers up: restart after the target.)
    if (outage) {
      ASSERT_TRUE(target_->Resume().ok());
    }
    engine = std::make_unique<EngineProcess>(Replicate("csk", {"--retry-for", "120"}));
  }
  std::this_thread::sleep_for(1s);
  stop = true;
  writer.join();
  std::vector<TableSpec> tables = {{"kc.accounts", "id"}, {"kc.events", "id"}};
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 90s), "") << engine->Log();
  std::printf("[ measure ] writer committed %ld transactions across %d kills\n", committed.load(),
              kills);
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

// MariaDB source, target down while the source rotates and purges its binlogs: the spool holds
// what the purged binlogs had. The engine is also killed (-9) during the outage, after the
// purge: the restarted one resumes capture from the spool's end (the target's checkpoint is in
// a purged binlog) and applies from the spool. Nothing is lost.
TEST(ChangeSpoolMaria, BinlogPurgedWhileTargetDownLosesNothing) {
  auto source = StartMariaDb("csmsrc");
  auto target = StartPostgres("csmtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  ASSERT_TRUE(conn);
  std::string spool_dir = MakeTempDir("cutover-change-spool-maria");
  MariaExec(*conn, "CREATE TABLE sp (id int PRIMARY KEY, v int, note varchar(40)) ENGINE=InnoDB");
  MariaExec(*conn,
            "INSERT INTO sp WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
            "WHERE n < 500) SELECT n, n, 'loaded' FROM s");
  std::vector<std::string> args = {
      "replicate", "--source", source->uri(),        "--target", target->uri(), "--task", "csm",
      "--tables",  "sp",       "--change-spool-dir", spool_dir,  "--retry-for", "120"};
  auto engine = std::make_unique<EngineProcess>(args);
  auto cols = PlainColumns({"v", "note"});
  ASSERT_EQ(WaitUntilRowsEqual(*source, "sp", *target, "public.sp", "id", cols, 60s), "")
      << engine->Log();
  ASSERT_TRUE(target->Halt().ok());
  for (int i = 0; i < 50; ++i) {
    MariaExec(*conn, "START TRANSACTION; INSERT INTO sp VALUES (" + std::to_string(1000 + i) +
                         ", " + std::to_string(i) +
                         ", 'during outage'); UPDATE sp SET v = v + 1 "
                         "WHERE id = " +
                         std::to_string(1 + i) +
                         "; DELETE FROM sp WHERE id = " + std::to_string(400 + i) + "; COMMIT");
  }
  MariaExec(*conn, "UPDATE sp SET note = 'bulk during outage' WHERE id % 3 = 0");
  std::this_thread::sleep_for(2s);  // captured into the spool
  MariaExec(*conn, "FLUSH BINARY LOGS");
  ASSERT_TRUE(Eventually(
      [&] {
        (void)conn->Exec("PURGE BINARY LOGS BEFORE NOW()");
        auto logs = conn->Query("SHOW BINARY LOGS");
        return logs.ok() && logs->rows.size() == 1;
      },
      30s));
  MariaExec(*conn, "INSERT INTO sp VALUES (5000, 1, 'after purge')");
  std::this_thread::sleep_for(1s);
  engine->Signal(SIGKILL);
  EXPECT_EQ(engine->Wait(10s), 128 + SIGKILL);
  MariaExec(*conn, "INSERT INTO sp VALUES (5001, 2, 'while killed'); DELETE FROM sp WHERE id = 7");
  // A run starts only with both servers up: the target first, then the engine, whose
  // checkpoint on the target lies in a purged binlog.
  ASSERT_TRUE(target->Resume().ok());
  engine = std::make_unique<EngineProcess>(args);
  EXPECT_EQ(WaitUntilRowsEqual(*source, "sp", *target, "public.sp", "id", cols, 60s), "")
      << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
  std::error_code ec;
  std::filesystem::remove_all(spool_dir, ec);
}

}  // namespace
}  // namespace cutover::testing
