// Integration test of harness::ThrowawayServer: real PostgreSQL and MariaDB servers start with
// the CDC settings the engine relies on, on distinct loopback ports, accept the `cutover`
// account over TCP, and leave nothing behind when destroyed.
//
// Design: each test starts its own servers (no shared fixture) so a failure in one cannot
// leak state into another; the servers are small (128 MB buffers) and start in a few seconds.
#include "harness/throwaway_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace cutover::harness {
namespace {

std::unique_ptr<ThrowawayServer> MustStart(ServerKind kind, const std::string& name) {
  auto server = ThrowawayServer::Start(kind, name);
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    return nullptr;
  }
  return std::move(server).value();
}

TEST(ThrowawayServerTest, PostgresIsConfiguredForLogicalDecoding) {
  auto pg = MustStart(ServerKind::kPostgres, "pg-config");
  ASSERT_NE(pg, nullptr);
  EXPECT_EQ(pg->uri(),
            "postgresql://cutover:cutover@127.0.0.1:" + std::to_string(pg->port()) + "/cutover");
  EXPECT_GT(pg->port(), 0);
  EXPECT_TRUE(std::filesystem::is_directory(pg->dir()));

  auto wal_level = pg->Sql("SHOW wal_level");
  ASSERT_TRUE(wal_level.ok()) << wal_level.status().ToString();
  EXPECT_EQ(wal_level.value(), "logical");

  auto settings = pg->Sql(
      "SELECT current_setting('max_replication_slots'), current_setting('max_wal_senders'), "
      "current_setting('fsync'), current_setting('listen_addresses')");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings.value(), "20|20|on|127.0.0.1");

  auto role = pg->Sql(
      "SELECT rolsuper, rolreplication, rolcanlogin FROM pg_roles WHERE rolname = 'cutover';"
      "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'cutover'");
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  EXPECT_EQ(role.value(), "t|t|t\ncutover");

  // A logical slot can be created and dropped: the server really is CDC-ready.
  auto slot = pg->Sql(
      "SELECT 1 FROM pg_create_logical_replication_slot('harness_probe', 'pgoutput');"
      "SELECT pg_drop_replication_slot('harness_probe')");
  ASSERT_TRUE(slot.ok()) << slot.status().ToString();

  // Errors come back as a Status carrying the server's message.
  auto bad = pg->Sql("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no_such_table"), std::string::npos)
      << bad.status().ToString();
}

TEST(ThrowawayServerTest, MariaDbHasFullRowBinlog) {
  auto maria = MustStart(ServerKind::kMariaDb, "maria-config");
  ASSERT_NE(maria, nullptr);
  EXPECT_EQ(maria->uri(),
            "mariadb://cutover:cutover@127.0.0.1:" + std::to_string(maria->port()) + "/cutover");

  auto binlog =
      maria->Sql("SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@binlog_row_metadata");
  ASSERT_TRUE(binlog.ok()) << binlog.status().ToString();
  EXPECT_EQ(binlog.value(), "1\tROW\tFULL\tFULL");

  auto who = maria->Sql("SELECT CURRENT_USER(), DATABASE(), @@bind_address");
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who.value(), "cutover@127.0.0.1\tcutover\t127.0.0.1");

  auto rows = maria->Sql(
      "CREATE TABLE t (id INT PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');"
      "SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows.value(), "2");

  auto bad = maria->Sql("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no_such_table"), std::string::npos)
      << bad.status().ToString();
}

TEST(ThrowawayServerTest, ServersGetDistinctPortsAndCleanUp) {
  std::string pg_dir, maria_dir;
  {
    auto pg = MustStart(ServerKind::kPostgres, "pg-ports");
    auto maria = MustStart(ServerKind::kMariaDb, "maria-ports");
    ASSERT_NE(pg, nullptr);
    ASSERT_NE(maria, nullptr);
    EXPECT_NE(pg->port(), maria->port());
    EXPECT_NE(pg->dir(), maria->dir());
    pg_dir = pg->dir();
    maria_dir = maria->dir();
    EXPECT_TRUE(std::filesystem::exists(pg_dir));
    EXPECT_TRUE(std::filesystem::exists(maria_dir));

    // Stop is idempotent; the destructor then has nothing left to do.
    EXPECT_TRUE(maria->Stop().ok());
    EXPECT_TRUE(maria->Stop().ok());
    EXPECT_FALSE(maria->running());
    EXPECT_FALSE(std::filesystem::exists(maria_dir));
    EXPECT_FALSE(maria->Sql("SELECT 1").ok());
  }
  EXPECT_FALSE(std::filesystem::exists(pg_dir));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(pg_dir).parent_path()));
}

TEST(ThrowawayServerTest, TwoPostgresServersDoNotCollide) {
  auto a = MustStart(ServerKind::kPostgres, "same name");
  auto b = MustStart(ServerKind::kPostgres, "same name");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->port(), b->port());
  EXPECT_NE(a->name(), b->name());
  ASSERT_TRUE(a->Sql("CREATE TABLE only_in_a (id int)").ok());
  auto in_b = b->Sql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'");
  ASSERT_TRUE(in_b.ok()) << in_b.status().ToString();
  EXPECT_EQ(in_b.value(), "0");
}

}  // namespace
}  // namespace cutover::harness
