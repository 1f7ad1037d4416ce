// The scenario runner end to end on throwaway servers, through the real `cutover` binary:
// the shipped quickstart and a short crash loop pass with a consistent target; an impossible
// expectation makes the run exit 1. Each run's report.json is checked for what it claims.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/throwaway_server.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

namespace fs = std::filesystem;

// Throwaway PostgreSQL -> PostgreSQL with the OLTP data set: the start of the test scenarios.
constexpr const char* kPgToPgOltp = R"(
[source]
engine = "postgresql"
[target]
engine = "postgresql"
[dataset]
workload = "oltp"
)";

class ScenarioRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "cutover-scenario-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  nlohmann::json Report(const std::string& out) {
    std::ifstream in(out + "/report.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return nlohmann::json::parse(ss.str());
  }

  // Runs `cutover scenario run FILE --out DIR/NAME`; checks the exit code; returns report.json.
  nlohmann::json RunScenario(const std::string& file, const std::string& name, int expected_exit,
                             RunResult* result = nullptr) {
    std::string out = dir_ + "/" + name;
    RunResult r = RunCutover({"scenario", "run", file, "--out", out}, std::chrono::seconds(240));
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    if (result) *result = r;
    return fs::exists(out + "/report.json") ? Report(out) : nlohmann::json::object();
  }

  const nlohmann::json* Expectation(const nlohmann::json& report, const std::string& key) {
    for (const auto& e : report["expectations"])
      if (e["key"] == key) return &e;
    return nullptr;
  }

  std::string dir_;
};

TEST_F(ScenarioRunTest, QuickstartPassesAndTargetIsConsistent) {
  auto j = RunScenario(harness::SourceDir() + "/scenarios/quickstart.toml", "quickstart", 0);
  const std::string out = dir_ + "/quickstart";
  EXPECT_EQ(j["format"], "cutover-scenario-report/1");
  EXPECT_EQ(j["outcome"], "passed");
  EXPECT_EQ(j["validation"]["status"], "equal");
  EXPECT_EQ(j["validation"]["differences"], 0);
  EXPECT_GE(j["validation"]["tables"], 5);  // 4 oltp tables + the heartbeat
  EXPECT_EQ(j["engine"]["restarts"], 1);    // the one kill-engine
  EXPECT_TRUE(j["engine"]["errors"].empty());
  EXPECT_EQ(j["phases"].size(), 3u);
  bool killed = false;
  for (const auto& e : j["events"]) killed = killed || e["kind"] == "kill-engine";
  EXPECT_TRUE(killed);
  // Lag was measured during CDC and is plausible; the source was loaded.
  const auto& cdc = j["phase_summaries"][1];
  EXPECT_EQ(cdc["name"], "cdc");
  ASSERT_FALSE(cdc["lag_max_s"].is_null());
  EXPECT_GT(cdc["lag_max_s"].get<double>(), 0.0);
  EXPECT_GT(cdc["source_tps"].get<double>(), 100.0);
  EXPECT_GT(cdc["applied_tps"].get<double>(), 50.0);
  EXPECT_FALSE(j["series"]["engine_rss_mb"].empty());
  EXPECT_TRUE(fs::exists(out + "/report.html"));
  EXPECT_TRUE(fs::exists(out + "/report.md"));
  EXPECT_TRUE(fs::exists(out + "/validation/validation.json"));
  std::ifstream log(out + "/engine.log");
  std::stringstream ss;
  ss << log.rdbuf();
  EXPECT_NE(ss.str().find("engine start #2"), std::string::npos);
  EXPECT_EQ(ss.str().find(":cutover@"), std::string::npos);  // no password in logs
}

TEST_F(ScenarioRunTest, ShortCrashLoopStaysConsistent) {
  std::string file = Write("crash.toml", "name = \"crash-short\"\n" + std::string(kPgToPgOltp) + R"(
[[phase]]
name = "load"
until = "loaded"
timeout = 120
[[phase]]
name = "crashes"
duration = 25
[phase.load]
rate = 200
[[phase.events]]
at = 5
kind = "kill-engine"
delay = 2
[[phase.events]]
at = 14
kind = "kill-engine"
delay = 1
[expect]
consistent = true
no_engine_errors = true
catch_up_seconds = 30
)");
  auto j = RunScenario(file, "crash", 0);
  EXPECT_EQ(j["outcome"], "passed");
  EXPECT_EQ(j["validation"]["status"], "equal");
  EXPECT_EQ(j["engine"]["restarts"], 2);
  // Both kills ended with SIGKILL (137), the final stop with 0.
  std::vector<int> codes = j["engine"]["exit_codes"];
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 137), 2);
  EXPECT_EQ(codes.back(), 0);
}

TEST_F(ScenarioRunTest, ImpossibleExpectationExitsOne) {
  std::string file =
      Write("impossible.toml", "name = \"impossible\"\n" + std::string(kPgToPgOltp) + R"(
[[phase]]
name = "load"
until = "loaded"
[[phase]]
name = "cdc"
duration = 6
[phase.load]
rate = 100
[expect]
consistent = true
max_lag_seconds = 0
)");
  RunResult r;
  auto j = RunScenario(file, "impossible", 1, &r);
  EXPECT_EQ(j["outcome"], "failed");
  const auto* lag = Expectation(j, "max_lag_seconds");
  ASSERT_NE(lag, nullptr);
  EXPECT_FALSE((*lag)["passed"].get<bool>());
  const auto* consistent = Expectation(j, "consistent");
  ASSERT_NE(consistent, nullptr);
  EXPECT_TRUE((*consistent)["passed"].get<bool>());  // only the impossible one failed
  EXPECT_NE(r.out.find("FAIL max_lag_seconds"), std::string::npos) << r.out;
}

TEST_F(ScenarioRunTest, CheckRejectsMalformedFileWithLineAndKey) {
  std::string file = Write("bad.toml",
                           "[source]\nengine = \"postgresql\"\n[target]\n"
                           "engine = \"oracle\"\n");
  RunResult r = RunCutover({"scenario", "check", file}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, file +
                       ":4: key 'target.engine': expected one of postgresql, mariadb, "
                       "sqlite, lakehouse (got 'oracle')\n");
  r = RunCutover({"scenario", "check", harness::SourceDir() + "/scenarios/quickstart.toml"},
                 std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// The cutover phase: the source load stops, `cutover switch` runs, and the application writes
// to the target (its load and an INSERT without a key into a table whose identity the setup
// step added); the report holds the switch's window with its parts and the write downtime.
TEST_F(ScenarioRunTest, CutoverPhaseSwitchesAndTheApplicationWritesToTheTarget) {
  Write("app.sql",
        "CREATE TABLE app_note (note_id serial PRIMARY KEY, note text NOT NULL);"
        "INSERT INTO app_note (note) SELECT 'n' || g FROM generate_series(1, 100) g;"
        "DELETE FROM app_note WHERE note_id > 90;");
  std::string file = Write("cutover.toml", std::string("name = \"cutover\"\n") + kPgToPgOltp +
                                               R"toml(sql = ["app.sql"]
[[phase]]
name = "load"
until = "loaded"
[phase.load]
rate = 50
[[phase]]
name = "cdc"
duration = 6
[phase.load]
rate = 50
[[phase.events]]
at = 0
kind = "sql"
endpoint = "target"
sql = "ALTER TABLE app_note ALTER COLUMN note_id ADD GENERATED BY DEFAULT AS IDENTITY"
[[phase]]
name = "cutover"
cutover = true
duration = 5
[phase.load]
rate = 50
[[phase.events]]
at = 0
kind = "sql"
endpoint = "target"
sql = "INSERT INTO app_note (note) VALUES ('after the switch')"
[expect]
consistent = true
no_engine_errors = true
)toml");
  auto j = RunScenario(file, "cutover", 0);
  ASSERT_TRUE(j.contains("cutover") && j["cutover"].is_object()) << j.dump(2);
  const auto& c = j["cutover"];
  EXPECT_EQ(c["switch_exit_code"], 0);
  EXPECT_GT(c["window_s"].get<double>(), 0);
  std::vector<std::string> parts;
  for (const auto& s : c["steps"]) parts.push_back(s["name"]);
  EXPECT_EQ(parts, (std::vector<std::string>{"quiet", "drain", "stop", "sequences", "triggers",
                                             "validation"}));
  ASSERT_TRUE(c["write_downtime_s"].is_number()) << c.dump(2);
  EXPECT_GE(c["write_downtime_s"].get<double>(), c["window_s"].get<double>() - 1.0);
  EXPECT_GT(c["target_committed"].get<int64_t>(), 0);
  EXPECT_EQ(c["target_errors"], 0);
  EXPECT_EQ(j["validation"]["status"], "equal");
  const nlohmann::json* e = Expectation(j, "cutover");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE((*e)["passed"].get<bool>()) << e->dump();
  EXPECT_EQ(j["engine"]["restarts"], 0) << "the switch's stop is not an engine failure";
}

}  // namespace
}  // namespace cutover::testing
