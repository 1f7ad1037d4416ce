// Continuous revalidation (ValidationSettings.EnableValidation, validator/task_validation.h) on
// real servers, PostgreSQL -> MariaDB and MariaDB -> PostgreSQL: once the in-task validation has
// judged the table, the rows CDC writes are compared again and only they are (the revalidated
// count rises by the rows changed, not by the table's size); a row CDC wrote and that is then
// corrupted on the target is reported as a mismatch by revalidation, and the verdict returns to
// "Validated" when a later change of the row makes it equal again; a row corrupted on the target
// that CDC never touched is NOT rechecked (only `cutover validate` finds it, as asserted); the
// task stops cleanly with revalidation running.
#include <signal.h>

#include <fstream>
#include <functional>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "dmsreval-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

// One side of the pair: runs a statement, reads one value; `t` names the table there, `id` its
// key column.
struct Side {
  std::function<void(const std::string&)> exec;
  std::function<std::string(const std::string&)> value;
  std::string t;
  std::string id = "id";
};

// `cutover task stats --json`'s row of table t ("null" when absent).
nlohmann::json StatsOf(const std::string& target_uri, const std::string& task) {
  RunResult r =
      RunCutover({"task", "stats", "--target", target_uri, "--task", task, "--json"}, 30s);
  if (r.exit_code != 0) return nullptr;
  auto doc = nlohmann::json::parse(r.out, nullptr, false);
  if (doc.is_discarded()) return nullptr;
  for (const auto& row : doc["TableStatistics"])
    if (row["TableName"] == "t") return row;
  return nullptr;
}

// The scenario, the same for both directions. The source holds t (2000 rows) already.
// With `mapping`: the task (and the final `cutover validate`) runs with that table mapping.
void RunScenario(Side& source, Side& target, const std::string& source_uri,
                 const std::string& target_uri, const std::string& task,
                 const std::string& mapping = "") {
  std::string settings = WriteTemp(task + ".json", R"({
    "ValidationSettings": {"EnableValidation": true, "ValidationQueryCdcDelaySeconds": 6}})");
  std::vector<std::string> args = {"replicate", "--source",        source_uri,
                                   "--target",  target_uri,        "--task",
                                   task,        "--task-settings", settings};
  if (!mapping.empty()) args.insert(args.end(), {"--table-mappings", mapping});
  EngineProcess engine(args);
  ASSERT_TRUE(Eventually(
      [&] {
        return engine.Log().find("validation of task " + task + ": target equals source") !=
               std::string::npos;
      },
      180s))
      << engine.Log();
  nlohmann::json row;
  auto stats_are = [&](const std::string& state, int64_t revalidated, int64_t failed) {
    row = StatsOf(target_uri, task);
    return !row.is_null() && row["ValidationState"] == state &&
           row["ValidationRevalidatedRecords"] == revalidated &&
           row["ValidationFailedRecords"] == failed && row["ValidationPendingRecords"] == 0;
  };
  ASSERT_TRUE(Eventually([&] { return stats_are("Validated", 0, 0); }, 30s)) << row.dump();

  // CDC changes 10 distinct rows (7 updates, 2 inserts, 1 delete): exactly those are compared
  // again, once their last change is 6 s old.
  source.exec("UPDATE " + source.t + " SET v = 'changed' WHERE id BETWEEN 1 AND 7");
  source.exec("INSERT INTO " + source.t + " VALUES (3001, 'new'), (3002, 'new')");
  source.exec("DELETE FROM " + source.t + " WHERE id = 100");
  EXPECT_TRUE(Eventually([&] { return stats_are("Validated", 10, 0); }, 60s)) << row.dump() << "\n"
                                                                              << engine.Log();
  std::this_thread::sleep_for(4s);  // nothing else is rechecked: not the table's 2000 rows
  EXPECT_TRUE(stats_are("Validated", 10, 0)) << row.dump();

  // A row CDC writes, then corrupted on the target before its recheck (6 s later: a margin for a
  // loaded machine), and one corrupted that CDC never touches.
  source.exec("UPDATE " + source.t + " SET v = 'touched' WHERE id = 50");
  ASSERT_TRUE(Eventually(
      [&] {
        return target.value("SELECT v FROM " + target.t + " WHERE " + target.id + " = 50") ==
               "touched";
      },
      30s))
      << engine.Log();
  target.exec("UPDATE " + target.t + " SET v = 'corrupt' WHERE " + target.id + " IN (50, 60)");
  // Rechecked 6 s after the change, then 5 times 6 s apart (in flight), then failed.
  EXPECT_TRUE(Eventually([&] { return stats_are("Mismatched records", 10, 1); }, 90s))
      << row.dump() << "\n"
      << engine.Log();
  std::string detail = row.is_null() ? "" : row["ValidationStateDetails"].get<std::string>();
  EXPECT_NE(detail.find("failed: id=50 (different)"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("id=60"), std::string::npos) << detail;  // untouched: not rechecked
  EXPECT_NE(engine.Log().find("row id=50 (different) still differs"), std::string::npos)
      << engine.Log();

  // A later change makes row 50 equal again: the verdict returns to "Validated".
  source.exec("UPDATE " + source.t + " SET v = 'healed' WHERE id = 50");
  EXPECT_TRUE(Eventually([&] { return stats_are("Validated", 11, 0); }, 60s)) << row.dump() << "\n"
                                                                              << engine.Log();

  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  EXPECT_NE(engine.Log().find("revalidation of task " + task +
                              " stopped (revalidation: 11 revalidated, 0 failed"),
            std::string::npos)
      << engine.Log();

  // The untouched corruption is found by a full comparison only.
  std::vector<std::string> validate = {"validate", "--source", source_uri, "--target",
                                       target_uri, "--task",   task,       "--json"};
  if (!mapping.empty()) validate.insert(validate.end(), {"--table-mappings", mapping});
  RunResult v = RunCutover(validate, 120s);
  EXPECT_NE(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("\"60\""), std::string::npos) << v.out << v.err;  // its key
  EXPECT_NE((v.out + v.err).find("1 differing"), std::string::npos) << v.out << v.err;
}

TEST(DmsRevalidation, PgToMariaDbRevalidatesRowsCdcChanged) {
  auto source = StartPostgres("reval_src");
  auto target = StartMariaDb("reval_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE t (id int PRIMARY KEY, v varchar(40));"
      "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 2000) g;");
  auto conn = MariaConnect(*target);
  Side src{[&](const std::string& s) { Sql(*source, s); },
           [&](const std::string& s) { return Sql(*source, s); }, "t"};
  Side tgt{[&](const std::string& s) { MariaExec(*conn, s); },
           [&](const std::string& s) { return MariaValue(*conn, s); }, "t"};
  RunScenario(src, tgt, source->uri(), target->uri(), "revalpm");
}

TEST(DmsRevalidation, MariaDbToPgRevalidatesRowsCdcChanged) {
  auto source = StartMariaDb("reval_msrc");
  auto target = StartPostgres("reval_mtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE t (id int PRIMARY KEY, v varchar(40));"
            "INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_2000;");
  Side src{[&](const std::string& s) { MariaExec(*conn, s); },
           [&](const std::string& s) { return MariaValue(*conn, s); }, "t"};
  Side tgt{[&](const std::string& s) { Sql(*target, s); },
           [&](const std::string& s) { return Sql(*target, s); }, "public.t"};
  RunScenario(src, tgt, source->uri(), target->uri(), "revalmp");
}

// Through a table mapping: the table and its key column renamed on the target, a source filter
// (every row passes it) read on both sides: the changed rows are found by the renamed key.
TEST(DmsRevalidation, PgToMariaDbThroughRenamesAndAFilter) {
  auto source = StartPostgres("reval_rsrc");
  auto target = StartMariaDb("reval_rtgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE t (id int PRIMARY KEY, v varchar(40));"
      "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 2000) g;");
  std::string mapping = WriteTemp("renames.json", R"({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "t", "rule-action": "include",
     "object-locator": {"schema-name": "public", "table-name": "t"},
     "filters": [{"filter-type": "source", "column-name": "id", "filter-conditions": [
       {"filter-operator": "lte", "value": "5000"}]}]},
    {"rule-type": "transformation", "rule-id": "2", "rule-name": "table", "rule-action": "rename",
     "rule-target": "table", "object-locator": {"schema-name": "public", "table-name": "t"},
     "value": "items"},
    {"rule-type": "transformation", "rule-id": "3", "rule-name": "key", "rule-action": "rename",
     "rule-target": "column",
     "object-locator": {"schema-name": "public", "table-name": "t", "column-name": "id"},
     "value": "item_id"}]})");
  auto conn = MariaConnect(*target);
  Side src{[&](const std::string& s) { Sql(*source, s); },
           [&](const std::string& s) { return Sql(*source, s); }, "t"};
  Side tgt{[&](const std::string& s) { MariaExec(*conn, s); },
           [&](const std::string& s) { return MariaValue(*conn, s); }, "items", "item_id"};
  RunScenario(src, tgt, source->uri(), target->uri(), "revalrn", mapping);
}

}  // namespace
}  // namespace cutover::testing
