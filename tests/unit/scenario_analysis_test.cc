// The scenario runner's pure parts: series statistics, phase summaries, sizing step
// stability, expectations, /proc parsing, proxy URI rewriting and the engine's metrics line.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/pipeline/metrics.h"
#include "scenarios/runner/analysis.h"
#include "scenarios/runner/endpoints.h"
#include "scenarios/runner/expectations.h"
#include "scenarios/runner/proc_stats.h"
#include "scenarios/runner/report_json.h"

namespace cutover::scenario {
namespace {

TEST(ScenarioSeries, PercentileMaxAndWindows) {
  Series s;
  for (int i = 1; i <= 20; ++i) s.Add(i * 0.5, i == 7 ? std::nullopt : std::optional<double>(i));
  auto all = s.Values(0, 100);
  EXPECT_EQ(all.size(), 19u);           // the null is not a value
  EXPECT_EQ(*Percentile(all, 95), 20);  // nearest rank: ceil(0.95 * 19) = the 19th of 19
  EXPECT_EQ(*Max(all), 20);
  EXPECT_EQ(s.Values(1.0, 2.0), (std::vector<double>{2, 3}));  // t = 1.0, 1.5
  EXPECT_FALSE(Percentile({}, 50));
  EXPECT_EQ(*Percentile({5}, 50), 5);
  EXPECT_EQ(*Percentile({1, 2, 3, 4}, 50), 2);
}

TEST(ScenarioSeries, TimeUntilCaughtUp) {
  Series lag;
  lag.Add(10.0, 8.0);
  lag.Add(10.5, std::nullopt);
  lag.Add(11.0, 3.0);
  lag.Add(11.5, 0.4);
  lag.Add(12.0, 0.2);
  EXPECT_DOUBLE_EQ(*TimeUntilAtOrBelow(lag, 10.0, 100, 1.0), 1.5);
  EXPECT_DOUBLE_EQ(*TimeUntilAtOrBelow(lag, 10.0, 100, 3.0), 1.0);
  EXPECT_FALSE(TimeUntilAtOrBelow(lag, 10.0, 11.4, 1.0));  // window ends first
  // A dip that does not hold: caught up only from the second stretch on.
  Series dip;
  for (int i = 0; i < 40; ++i) {
    double t = i * 0.25;
    dip.Add(t, t < 1 ? 0.5 : t < 5 ? 3.0 : 0.3);
  }
  EXPECT_DOUBLE_EQ(*TimeUntilAtOrBelow(dip, 0, 100, 1.0, 2.0), 5.0);
  EXPECT_DOUBLE_EQ(*TimeUntilAtOrBelow(dip, 0, 100, 1.0, 0.0), 0.0);
}

TEST(ScenarioAnalysis, PhaseSummary) {
  RunRecord run;
  for (int i = 0; i < 40; ++i) run.series["lag_s"].Add(i * 0.25, i < 20 ? 0.2 : 2.0);
  for (int i = 1; i <= 10; ++i) {
    run.series["source_tps"].Add(i, 100);
    run.series["applied_tps"].Add(i, 90);
    run.series["engine_cpu_pct"].Add(i, i == 1 ? std::nullopt : std::optional<double>(50));
    run.series["engine_rss_mb"].Add(i, 10.0 + i);
  }
  PhaseRecord p;
  p.name = "cdc";
  p.start_s = 0;
  p.end_s = 5;
  p.disturbance_end_s = 2.0;
  PhaseSummary s = SummarizePhase(run, p, 0.5, 10);
  EXPECT_EQ(*s.lag_max_s, 0.2);  // [0, 5): samples 0..4.75, all 0.2 until t = 5
  EXPECT_DOUBLE_EQ(*s.catch_up_s, 0.0);
  EXPECT_DOUBLE_EQ(*s.source_tps, 100);
  EXPECT_DOUBLE_EQ(*s.applied_tps, 90);
  EXPECT_DOUBLE_EQ(*s.cpu_avg_pct, 50);
  EXPECT_DOUBLE_EQ(*s.rss_peak_mb, 15);
  p.disturbance_end_s = 6.0;  // lag 2.0 from t = 5 on: never caught up
  EXPECT_FALSE(SummarizePhase(run, p, 0.5, 10).caught_up);
}

TEST(ScenarioAnalysis, SizingStepStability) {
  auto step_with = [](std::function<double(double)> lag_at, double tps) {
    Series lag;
    for (double t = 0; t < 20; t += 0.25) lag.Add(t, lag_at(t));
    SizingStep s;
    s.rate = 100;
    s.start_s = 0;
    s.end_s = 20;
    s.tps = tps;
    JudgeSizingStep(lag, 3.0, s);
    return s;
  };
  EXPECT_TRUE(step_with([](double) { return 0.3; }, 99).lag_stable);
  SizingStep growing = step_with([](double t) { return 0.1 * t; }, 99);
  EXPECT_FALSE(growing.lag_stable);
  EXPECT_NE(growing.why.find("growing"), std::string::npos) << growing.why;
  SizingStep high = step_with([](double) { return 4.0; }, 99);
  EXPECT_FALSE(high.lag_stable);
  EXPECT_NE(high.why.find("above the bound"), std::string::npos) << high.why;
  SizingStep slow_source = step_with([](double) { return 0.3; }, 50);
  EXPECT_TRUE(slow_source.lag_stable);  // replication kept up with what arrived
  EXPECT_TRUE(slow_source.source_limited);
  EXPECT_NE(slow_source.why.find("source reached only"), std::string::npos);
}

TEST(ScenarioExpectations, ImpossibleLagFailsAndConsistencyPasses) {
  Scenario sc;
  sc.expect.max_lag_s = 0;
  sc.expect.consistent = true;
  sc.expect.no_engine_errors = true;
  sc.expect.catch_up_s = 5;
  RunRecord run;
  run.phases.push_back({"full-load", "loaded", 0, 10, std::nullopt, std::nullopt, false, false});
  run.phases.push_back({"cdc", "", 10, 30, std::nullopt, 20.0, false, true});
  PhaseSummary a, b;
  a.name = "full-load";
  a.lag_max_s = 9.0;  // not counted: until = "loaded"
  b.name = "cdc";
  b.lag_max_s = 0.4;
  b.catch_up_s = 1.5;
  run.phase_summaries = {a, b};
  ValidationSummary v;
  v.status = "equal";
  v.tables = 4;
  run.validations.push_back(v);
  auto r = JudgeExpectations(sc, run);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].key, "consistent");
  EXPECT_TRUE(r[0].passed);
  EXPECT_EQ(r[1].key, "max_lag_seconds");
  EXPECT_FALSE(r[1].passed);
  EXPECT_EQ(r[1].actual, "0.40");
  EXPECT_EQ(r[1].detail, "phase cdc");
  EXPECT_EQ(r[2].key, "catch_up_seconds");
  EXPECT_TRUE(r[2].passed);
  EXPECT_EQ(r[3].key, "no_engine_errors");
  EXPECT_TRUE(r[3].passed);
  run.engine_errors.push_back("pid 7 exited with 2: cutover: error: target gone");
  run.validations[0].status = "different";
  r = JudgeExpectations(sc, run);
  EXPECT_FALSE(r[0].passed);
  EXPECT_FALSE(r[3].passed);
}

TEST(ScenarioProc, ParsesStatAndStatus) {
  // comm with a space and a parenthesis; utime 1500, stime 500.
  std::string stat =
      "4242 (cut over) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 500 0 0 20 0 5 0 100 "
      "1000 200";
  EXPECT_EQ(*CpuTicksFromStat(stat), 2000);
  EXPECT_FALSE(CpuTicksFromStat("garbage"));
  EXPECT_EQ(*RssKbFromStatus("Name:\tcutover\nVmHWM:\t 9000 kB\nVmRSS:\t   41200 kB\n"), 41200);
  EXPECT_FALSE(RssKbFromStatus("Name:\tx\n"));
}

TEST(ScenarioEndpoints, ProxyUriRewrite) {
  EXPECT_EQ(
      UriWithPort("postgresql://cutover:pw@127.0.0.1:5433/cutover?sslmode=disable", 7000).value(),
      "postgresql://cutover:pw@127.0.0.1:7000/cutover?sslmode=disable");
  EXPECT_EQ(UriWithPort("mariadb://u@db.example:3306/app", 7001).value(),
            "mariadb://u@127.0.0.1:7001/app");
  auto hp = HostPortOfUri("mariadb://u:p@db.example/app");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "db.example");
  EXPECT_EQ(hp->port, 3306);
  hp = HostPortOfUri("postgresql://u:p@127.0.0.1:6543/x");
  EXPECT_EQ(hp->port, 6543);
}

TEST(ScenarioMetrics, EngineMetricsLineIsJson) {
  ReplicationMetrics m;
  m.SetPhase(ReplicationPhase::kCdc);
  m.AddRowsLoaded(10);
  m.Committed(3, 12, 1200, {}, "0/1A\"B", 1763770000050000);
  m.Committed(1, 4, 400, {}, "0/1C", 0);
  auto j = nlohmann::json::parse(m.JsonLine());
  EXPECT_EQ(j["phase"], "cdc");
  EXPECT_EQ(j["rows_loaded"], 10);
  EXPECT_EQ(j["transactions_applied"], 4);
  EXPECT_EQ(j["changes_applied"], 16);
  EXPECT_EQ(j["target_commits"], 2);
  EXPECT_EQ(j["position"], "0/1C");
  EXPECT_EQ(j["commit_time_us"], 1763770000050000);  // 0 = unknown keeps the last
}

TEST(ScenarioReport, JsonFollowsTheContract) {
  Scenario sc;
  sc.name = "q";
  sc.task.name = "q";
  RunRecord run;
  run.scenario = &sc;
  run.outcome = "passed";
  run.series["lag_s"].Add(0.25, 0.0314159);
  run.series["lag_s"].Add(0.5, std::nullopt);
  auto j = ReportJson(run, HostJson());
  EXPECT_EQ(j["format"], "cutover-scenario-report/1");
  EXPECT_EQ(j["series"]["lag_s"][0][1], 0.031);
  EXPECT_TRUE(j["series"]["lag_s"][1][1].is_null());
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_TRUE(j["validation"].is_null());
  for (const char* k : {"scenario", "versions", "host", "started_at", "duration_s", "outcome",
                        "source", "target", "task", "phases", "events", "series", "phase_summaries",
                        "expectations", "sizing", "engine"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
}

}  // namespace
}  // namespace cutover::scenario
