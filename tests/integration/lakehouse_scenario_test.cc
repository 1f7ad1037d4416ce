// The shipped scenarios/pg-to-lakehouse.toml, shortened, through the real `cutover scenario
// run`: PostgreSQL -> Parquet files on a throwaway S3-compatible server under OLTP load, with two
// kill -9s and the object store stopped for 5 s in between. The run must pass with a consistent
// target (the final validation folds the objects), measure the lag to a visible file (the
// heartbeat in a committed file: the lag series has values), and report the committed files and
// their bytes; the objects the server holds must be Parquet and what the report counts, and the
// outage must have been felt by the engine.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/throwaway_server.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LakehouseScenario, PgToLakehouseShortRunPassesWithLagToAVisibleFile) {
  std::string tmpl = (fs::temp_directory_path() / "cutover-lakehouse-scenario-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::string dir = tmpl;
  std::string shipped = harness::SourceDir() + "/scenarios/pg-to-lakehouse.toml";
  std::string text = ReadText(shipped);
  ASSERT_FALSE(text.empty()) << shipped;
  ASSERT_NE(text.find("store = \"s3\""), std::string::npos) << text;
  // Shorter: 20 s of CDC, the kills at 3 s and 14 s, the store down from 7 s to 12 s; the
  // settings file from the repository.
  text = std::regex_replace(text, std::regex("duration = 40"), "duration = 20");
  text = std::regex_replace(text, std::regex("at = 8\n"), "at = 3\n");
  text = std::regex_replace(text, std::regex("at = 16\n"), "at = 7\n");
  text = std::regex_replace(text, std::regex("duration = 8\n"), "duration = 5\n");
  text = std::regex_replace(text, std::regex("at = 30\n"), "at = 14\n");
  text =
      std::regex_replace(text, std::regex("target_settings = \"lakehouse/"),
                         "target_settings = \"" + harness::SourceDir() + "/scenarios/lakehouse/");
  std::string file = dir + "/pg-to-lakehouse-short.toml";
  std::ofstream(file) << text;

  std::string out = dir + "/run";
  RunResult r = RunCutover({"scenario", "run", file, "--out", out}, std::chrono::seconds(240));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(fs::exists(out + "/report.json")) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(ReadText(out + "/report.json"));
  EXPECT_EQ(j["outcome"], "passed") << j.dump(1).substr(0, 4000);
  EXPECT_EQ(j["validation"]["status"], "equal");
  EXPECT_EQ(j["engine"]["restarts"], 2);
  EXPECT_EQ(j["target"]["uri"].get<std::string>().rfind("s3://lake/pg-to-lakehouse-", 0), 0u)
      << j["target"].dump();
  std::string events = j["events"].dump();
  EXPECT_NE(events.find("stop-target"), std::string::npos) << events;
  EXPECT_NE(events.find("start-target"), std::string::npos) << events;
  // The engine felt the outage: its S3 requests failed after their retries.
  std::string engine_log = ReadText(out + "/engine.log");
  EXPECT_NE(engine_log.find("after 5 attempts"), std::string::npos) << engine_log.substr(0, 4000);

  // The files the report counts are the Parquet objects the server holds (s3rver keeps each
  // object as <key>._S3rver_object).
  ASSERT_TRUE(j.contains("target_files")) << j.dump(1).substr(0, 2000);
  int64_t files = j["target_files"]["files"], bytes = j["target_files"]["bytes"];
  int64_t on_disk = 0, parquet = 0;
  const std::string suffix = "._S3rver_object";
  for (const auto& e : fs::recursive_directory_iterator(out + "/target-s3/data/lake")) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || e.path().string().find("/_cutover/") != std::string::npos ||
        name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix)
      continue;
    ++on_disk;
    if (name.size() > suffix.size() + 8 &&
        name.substr(name.size() - suffix.size() - 8, 8) == ".parquet")
      ++parquet;
  }
  EXPECT_GT(files, 0);
  EXPECT_GT(bytes, 0);
  EXPECT_EQ(parquet, on_disk);
  EXPECT_EQ(files, on_disk);
  std::printf("[ measure ] pg-to-lakehouse: %lld files, %lld bytes committed\n",
              static_cast<long long>(files), static_cast<long long>(bytes));

  // The lag was measured to the files: samples with values in the CDC phase, under 20 s.
  int measured = 0;
  double max_lag = 0;
  for (const auto& p : j["series"]["lag_s"]) {
    if (p[1].is_null()) continue;
    ++measured;
    max_lag = std::max(max_lag, p[1].get<double>());
  }
  EXPECT_GT(measured, 10);
  EXPECT_LT(max_lag, 20);
  std::printf("[ measure ] pg-to-lakehouse: lag to a visible file max %.2f s over %d samples\n",
              max_lag, measured);
  EXPECT_NE(r.out.find("lag to a visible file"), std::string::npos) << r.out;
  std::error_code ec;
  if (!::testing::Test::HasFailure()) fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace cutover::testing
