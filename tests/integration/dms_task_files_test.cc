// DMS task files on real servers: `replicate --table-mappings --task-settings` selects, excludes
// and renames as the files say through full load and CDC, the source publishes only the
// selected tables, `validate --table-mappings` pairs the renamed tables, and bad files stop at
// once with one line per problem. Comparisons are SQL fingerprints on both servers.
#include <signal.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "dms-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

// The "typical DMS how-to" mapping: everything in myapp except tmp_%, schema renamed.
constexpr const char* kMappings = R"({
  "rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "include-all-tables",
     "object-locator": {"schema-name": "myapp", "table-name": "%"}, "rule-action": "include"},
    {"rule-type": "selection", "rule-id": "2", "rule-name": "exclude-temp-tables",
     "object-locator": {"schema-name": "myapp", "table-name": "tmp_%"}, "rule-action": "exclude"},
    {"rule-type": "transformation", "rule-id": "3", "rule-name": "add-schema-prefix",
     "rule-action": "rename", "rule-target": "schema",
     "object-locator": {"schema-name": "myapp"}, "value": "source_myapp"},
    {"rule-type": "transformation", "rule-id": "4", "rule-name": "customers-renamed",
     "rule-action": "add-prefix", "rule-target": "table",
     "object-locator": {"schema-name": "myapp", "table-name": "customers"}, "value": "crm_"}
  ]
})";

constexpr const char* kSettings = R"({
  "TargetMetadata": {"TargetSchema": "", "SupportLobs": true, "LimitedSizeLobMode": true,
                     "LobMaxSize": 32},
  "FullLoadSettings": {"TargetTablePrepMode": "DROP_AND_CREATE", "MaxFullLoadSubTasks": 2},
  "ChangeProcessingTuning": {"BatchApplyEnabled": true, "CommitTimeout": 1},
  "ErrorBehavior": {"DataErrorPolicy": "LOG_ERROR"},
  "ValidationSettings": {"EnableValidation": false},
  "Logging": {"EnableLogging": true,
              "LogComponents": [{"Id": "TARGET_APPLY", "Severity": "LOGGER_SEVERITY_DEFAULT"}]}
})";

constexpr const char* kSourceSchema = R"sql(
CREATE SCHEMA myapp;
CREATE TABLE myapp.customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE myapp.orders (id bigint PRIMARY KEY, customer_id int NOT NULL,
                           total numeric(10,2), placed timestamptz DEFAULT now());
CREATE TABLE myapp.tmp_sessions (id int PRIMARY KEY, data text);
CREATE SCHEMA other;
CREATE TABLE other.audit (id int PRIMARY KEY, what text);
INSERT INTO myapp.customers SELECT g, 'customer ' || g FROM generate_series(1, 50) g;
INSERT INTO myapp.orders (id, customer_id, total)
  SELECT g, 1 + g % 50, g * 1.25 FROM generate_series(1, 500) g;
INSERT INTO myapp.tmp_sessions SELECT g, 'session' FROM generate_series(1, 20) g;
INSERT INTO other.audit VALUES (1, 'x');
)sql";

class DmsTaskFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartPostgres("dmssrc");
    target_ = StartPostgres("dmstgt");
    ASSERT_TRUE(source_ && target_);
    Sql(*source_, kSourceSchema);
    mappings_ = WriteTemp("mappings.json", kMappings);
    settings_ = WriteTemp("settings.json", kSettings);
  }

  bool Same(const std::string& source_table, const std::string& target_table) {
    return TableFingerprint(*source_, source_table, "id") ==
           TableFingerprint(*target_, target_table, "id");
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
  std::string mappings_, settings_;
};

TEST_F(DmsTaskFiles, HowToMappingSelectsExcludesAndRenamesThroughLoadAndCdc) {
  EngineProcess engine({"replicate", "--source", source_->uri(), "--target", target_->uri(),
                        "--task", "dms", "--table-mappings", mappings_, "--task-settings",
                        settings_});
  ASSERT_TRUE(Eventually([&] { return Same("myapp.orders", "source_myapp.orders"); }, 120s))
      << engine.Log();
  // CDC: the selected tables follow, the excluded one is never touched on the target.
  Sql(*source_,
      "INSERT INTO myapp.orders (id, customer_id, total) VALUES (501, 7, 99.99);"
      "UPDATE myapp.customers SET name = 'renamed' WHERE id = 3;"
      "DELETE FROM myapp.orders WHERE id <= 10;"
      "INSERT INTO myapp.tmp_sessions VALUES (21, 'more');"
      "DELETE FROM myapp.tmp_sessions WHERE id = 1;");
  EXPECT_TRUE(Eventually(
      [&] {
        return Same("myapp.orders", "source_myapp.orders") &&
               Same("myapp.customers", "source_myapp.crm_customers");
      },
      60s))
      << engine.Log();
  EXPECT_EQ(Sql(*target_,
                "SELECT count(*) FROM pg_tables WHERE tablename IN "
                "('tmp_sessions', 'audit', 'customers')"),
            "0");
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM pg_namespace WHERE nspname = 'myapp'"), "0");
  // The source publishes exactly the selected tables.
  EXPECT_EQ(Sql(*source_,
                "SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY 1) "
                "FROM pg_publication_tables WHERE pubname = 'cutover_dms'"),
            "myapp.customers,myapp.orders");
  // The task files' notes are logged once, each naming the file.
  std::string log = engine.Log();
  EXPECT_NE(log.find("$.ChangeProcessingTuning.BatchApplyEnabled: DMS documents "
                     "BatchApplyEnabled under TargetMetadata"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("cutover never truncates a LOB"), std::string::npos) << log;
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  RunResult v = RunCutover({"validate", "--source", source_->uri(), "--target", target_->uri(),
                            "--table-mappings", mappings_});
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
  Sql(*target_, "UPDATE source_myapp.orders SET total = 0.01 WHERE id = 42");
  v = RunCutover({"validate", "--source", source_->uri(), "--target", target_->uri(),
                  "--table-mappings", mappings_, "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.err << v.out;
  EXPECT_NE(v.out.find("source_myapp.orders"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("\"42\""), std::string::npos) << v.out;
}

TEST_F(DmsTaskFiles, BadFilesStopBeforeAnythingIsCreated) {
  std::string bad_json =
      WriteTemp("bad.json", "{\"rules\": [ {\"rule-type\": \"selection\",, } ]}");
  RunResult r = RunCutover({"replicate", "--source", source_->uri(), "--target", target_->uri(),
                            "--task", "bad", "--table-mappings", bad_json});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(bad_json + ": line 1, column"), std::string::npos) << r.err;

  std::string bad_action = WriteTemp("action.json", R"({"rules": [{"rule-type": "selection",
      "rule-id": "1", "rule-name": "x", "rule-action": "includ",
      "object-locator": {"schema-name": "myapp", "table-name": "%"}}]})");
  r = RunCutover({"replicate", "--source", source_->uri(), "--target", target_->uri(), "--task",
                  "bad", "--table-mappings", bad_action});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(bad_action + ": $.rules[0].rule-action: 'includ' is not one of include, "
                                    "exclude, explicit"),
            std::string::npos)
      << r.err;

  std::string typo = WriteTemp("typo.json", R"({"FullLoadSettings": {
      "StopTaskCachedSourceNotApplied": false, "TargetTablePrepMode": "DROP_AND_CREATE"}})");
  r = RunCutover({"replicate", "--source", source_->uri(), "--target", target_->uri(), "--task",
                  "bad", "--task-settings", typo});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("did you mean StopTaskCachedChangesNotApplied?"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(source_->uri()), std::string::npos) << "no URI (password) in errors";
  // Nothing was created on either side.
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_replication_slots"), "0");
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover'"), "0");
}

TEST(DmsTaskFilesMaria, PgToMariaDbTableRenameAndExclude) {
  auto source = StartPostgres("dmsm_src");
  auto target = StartMariaDb("dmsm_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kSourceSchema);
  std::string mappings = WriteTemp("maria.json", R"({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "app",
     "object-locator": {"schema-name": "myapp", "table-name": "%"}, "rule-action": "include"},
    {"rule-type": "selection", "rule-id": "2", "rule-name": "no-tmp",
     "object-locator": {"schema-name": "myapp", "table-name": "tmp[_]%"}, "rule-action": "exclude"},
    {"rule-type": "transformation", "rule-id": "3", "rule-name": "legacy",
     "rule-action": "add-prefix", "rule-target": "table",
     "object-locator": {"schema-name": "myapp", "table-name": "%"}, "value": "legacy_"}]})");
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmsm", "--table-mappings", mappings});
  auto conn = MariaConnect(*target);
  auto count = [&](const std::string& table) {
    return MariaValue(
        *conn, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME = '" + table + "'");
  };
  ASSERT_TRUE(Eventually([&] { return count("legacy_orders") == "1"; }, 120s)) << engine.Log();
  Sql(*source, "INSERT INTO myapp.orders (id, customer_id, total) VALUES (900, 1, 12.34)");
  EXPECT_TRUE(Eventually(
      [&] {
        return MariaValue(*conn, "SELECT count(*) FROM legacy_orders WHERE total = 12.34") == "1";
      },
      60s))
      << engine.Log();
  EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM legacy_orders"), "501");
  EXPECT_EQ(count("legacy_customers"), "1");
  EXPECT_EQ(count("legacy_tmp_sessions"), "0");
  EXPECT_EQ(count("tmp_sessions"), "0");
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                            "--table-mappings", mappings});
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
}

}  // namespace
}  // namespace cutover::testing
