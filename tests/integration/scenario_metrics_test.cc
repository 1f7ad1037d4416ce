// The scenario runner reads the engine through its Prometheus endpoint, and a real Prometheus
// (Debian's package, started here on loopback) scraping the same endpoint during a scenario run
// records CDCLatencySource within a second of the lag the runner measures from its heartbeat.
// The target's heartbeat table is held by an `sql` event for 8 s so a lag of several seconds
// builds up and falls back; the runner's report.json (lag_s, its absolute start t0_unix_s) is
// compared, sample by sample, with the series Prometheus stored.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/prometheus_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

namespace fs = std::filesystem;

// The runner's lag at `t` (seconds from its t = 0), interpolated between the two samples around
// it; nullopt when either is missing (a null sample, or outside the series).
std::optional<double> LagAt(const nlohmann::json& series, double t) {
  for (size_t i = 1; i < series.size(); ++i) {
    const double t1 = series[i][0].get<double>();
    if (t1 < t) continue;
    const double t0 = series[i - 1][0].get<double>();
    if (t0 > t || series[i][1].is_null() || series[i - 1][1].is_null()) return std::nullopt;
    const double v0 = series[i - 1][1].get<double>(), v1 = series[i][1].get<double>();
    // The lag fell between the two samples (the hold was released): a value in between is an
    // artefact of interpolating across the drop, not a lag the runner measured.
    if (v1 < v0 - 0.5) return std::nullopt;
    return t1 == t0 ? v1 : v0 + (v1 - v0) * (t - t0) / (t1 - t0);
  }
  return std::nullopt;
}

TEST(ScenarioMetrics, PrometheusLatencyMatchesTheRunnersHeartbeatLag) {
  std::string tmpl = (fs::temp_directory_path() / "cutover-scenario-prom-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl;
  const int port = FreeLoopbackPort();
  std::string prom_error;
  auto prom = PrometheusServer::Start(port, &prom_error);
  ASSERT_TRUE(prom) << prom_error;

  const std::string file = dir + "/prom.toml";
  std::ofstream(file) << R"(name = "prometheus-lag"
[source]
engine = "postgresql"
[target]
engine = "postgresql"
[task]
metrics_listen = "127.0.0.1:)"
                      << port << R"("
[[phase]]
name = "cdc"
duration = 24
[[phase.events]]
at = 8
kind = "sql"
endpoint = "target"
sql = "BEGIN; LOCK TABLE cutover_heartbeat IN SHARE MODE; SELECT pg_sleep(8); COMMIT;"
[expect]
consistent = true
)";
  RunResult r =
      RunCutover({"scenario", "run", file, "--out", dir + "/out"}, std::chrono::seconds(150));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::ifstream in(dir + "/out/report.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const nlohmann::json report = nlohmann::json::parse(ss.str());
  EXPECT_EQ(report["engine"]["metrics"], "http://127.0.0.1:" + std::to_string(port) + "/metrics");
  EXPECT_FALSE(fs::exists(dir + "/out/engine-metrics.jsonl"));
  const double t0 = report["t0_unix_s"].get<double>();
  ASSERT_GT(t0, 1.7e9);
  const nlohmann::json& lag = report["series"]["lag_s"];
  // The runner read the engine's counters and latency through the endpoint.
  EXPECT_GT(report["phase_summaries"][0]["applied_tps"].get<double>(), 5.0) << report.dump();
  int engine_samples = 0;
  for (const auto& p : report["series"]["engine_latency_s"]) engine_samples += !p[1].is_null();
  EXPECT_GT(engine_samples, 15);

  auto samples =
      prom->RawSamples("cutover_cdc_latency_source_seconds{task=\"prometheus_lag\"}", 300);
  ASSERT_GT(samples.size(), 15u) << prom->Log();
  int compared = 0;
  double worst = 0, highest = 0;
  for (const PromSample& s : samples) {
    auto runner = LagAt(lag, s.time - t0);
    if (!runner || *runner < 2.0) continue;  // only the held stretch: a lag worth comparing
    ++compared;
    worst = std::max(worst, std::fabs(s.value - *runner));
    highest = std::max(highest, *runner);
    EXPECT_NEAR(s.value, *runner, 1.0) << "at t=" << s.time - t0 << " s Prometheus has " << s.value
                                       << " s, the runner " << *runner << " s";
  }
  std::printf(
      "compared %d Prometheus samples with the runner's heartbeat lag (up to %.2f s): "
      "largest difference %.3f s\n",
      compared, highest, worst);
  EXPECT_GE(compared, 4) << "no lag built up: the test proves nothing";
  EXPECT_GT(highest, 5.0);
  // The endpoint said nothing wrong about the lag once caught up either: its last value is 0.
  EXPECT_LT(samples.back().value, 1.0);
  std::error_code ec;
  if (!HasFailure()) fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace cutover::testing
