// Unit tests of the load generator's per-second lines and JSON output.
#include <gtest/gtest.h>

#include "loadgen/report.h"

namespace cutover::loadgen {
namespace {

TEST(LoadgenReport, SampleLineAndJsonCarryPercentilesAndCounts) {
  LoadSample s;
  s.second = 3;
  s.committed = 1500;
  s.errors = 2;
  s.late = 4;
  s.skipped = 1;
  for (int i = 0; i < 100; ++i) s.latency.Record(i < 50 ? 1000 : 3000);
  std::string line = FormatSampleLine(s);
  EXPECT_NE(line.find("3s"), std::string::npos) << line;
  EXPECT_NE(line.find("tps   1,500"), std::string::npos) << line;
  EXPECT_NE(line.find("p50 1.0"), std::string::npos) << line;
  EXPECT_NE(line.find("errors 2  late 4  skipped 1"), std::string::npos) << line;
  auto j = SampleJson(s);
  EXPECT_EQ(j["type"], "sample");
  EXPECT_EQ(j["tps"], 1500);
  EXPECT_NEAR(j["latency_ms"]["p99"].get<double>(), 3.0, 0.1);
}

TEST(LoadgenReport, SummaryJsonHasOpsPercentilesAndHistogram) {
  LoadSummary s;
  s.workload = "oltp";
  s.engine = "postgresql";
  s.mode = "rate";
  s.rate = 500;
  s.committed = 5000;
  s.elapsed_s = 10;
  s.tps = 500;
  s.ops = {{"transfer", 5000, 5000}};
  for (int i = 0; i < 1000; ++i) s.latency.Record(i);
  auto j = SummaryJson(s);
  EXPECT_EQ(j["type"], "summary");
  EXPECT_EQ(j["latency_from"], "schedule");
  EXPECT_EQ(j["ops"]["transfer"]["count"], 5000);
  EXPECT_EQ(j["ops"]["transfer"]["rows"], 5000);
  EXPECT_NEAR(j["latency_ms"]["p50"].get<double>(), 0.5, 0.02);
  uint64_t total = 0;
  for (const auto& b : j["histogram_us"]) total += b[1].get<uint64_t>();
  EXPECT_EQ(total, 1000u);
  std::string text = FormatSummary(s);
  EXPECT_NE(text.find("5,000 transactions committed"), std::string::npos) << text;
  EXPECT_NE(text.find("transfer 5,000 (5,000 rows)"), std::string::npos) << text;
}

}  // namespace
}  // namespace cutover::loadgen
