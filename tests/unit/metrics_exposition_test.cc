// The Prometheus text and /healthz logic of `replicate --metrics-listen` on hand-made snapshots:
// label escaping, the latency rules (idle source = 0, target >= source), health states, and the
// parsing of --metrics-listen. The real scrape is tested in tests/integration/
// metrics_endpoint_test.cc.
#include <gtest/gtest.h>

#include "engine/pipeline/metrics_exposition.h"
#include "engine/pipeline/metrics_server.h"

namespace cutover {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000;  // µs

MetricsSnapshot Cdc() {
  MetricsSnapshot m;
  m.unix_us = kNow;
  m.phase = ReplicationPhase::kCdc;
  m.last_progress_unix_us = kNow - 1'000'000;
  return m;
}

TEST(MetricsExposition, LatencyIsZeroWhenIdleAndTargetNeverBelowSource) {
  MetricsSnapshot m = Cdc();
  m.last_read_commit_us = kNow - 5'000'000;
  EXPECT_DOUBLE_EQ(m.SourceLatencySeconds(), 5.0);
  EXPECT_DOUBLE_EQ(m.TargetLatencySeconds(), 5.0);  // nothing pending: as the source
  m.oldest_pending_commit_us = kNow - 7'500'000;
  EXPECT_DOUBLE_EQ(m.TargetLatencySeconds(), 7.5);
  m.source_idle = true;
  m.oldest_pending_commit_us = 0;
  EXPECT_DOUBLE_EQ(m.SourceLatencySeconds(), 0.0);
  EXPECT_DOUBLE_EQ(m.TargetLatencySeconds(), 0.0);
}

TEST(MetricsExposition, TextHasTypedFamiliesAndEscapedLabels) {
  MetricsSnapshot m = Cdc();
  m.table_changes["s.we\"ird\\name\nx"] = {3, 2, 1};
  m.retained_log_bytes = 4096;
  std::string text = PrometheusText(m, {"t1", "postgresql", "mariadb"}, kNow - 60'000'000,
                                    std::chrono::seconds(300));
  EXPECT_NE(text.find("# TYPE cutover_cdc_latency_source_seconds gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE cutover_cdc_source_rows_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("cutover_table_inserts_total{task=\"t1\",table=\"s.we\\\"ird\\\\name\\nx\"} "
                      "3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cutover_source_log_retained_bytes{task=\"t1\"} 4096\n"), std::string::npos);
  EXPECT_NE(text.find("cutover_task_phase{task=\"t1\",phase=\"cdc\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("cutover_task_healthy{task=\"t1\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("cutover_checkpoint_age_seconds"), std::string::npos);  // no commit yet
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsExposition, HealthNamesWhyNot) {
  MetricsSnapshot m = Cdc();
  m.source_idle = true;
  m.position = "0/16B3748";
  Health h = TaskHealth(m, std::chrono::seconds(60));
  EXPECT_TRUE(h.healthy);
  EXPECT_EQ(h.reason, "cdc: caught up, at 0/16B3748");

  m.source_idle = false;
  m.last_progress_unix_us = kNow - 90'000'000;
  m.incoming_changes = 12;
  h = TaskHealth(m, std::chrono::seconds(60));
  EXPECT_FALSE(h.healthy);
  EXPECT_NE(h.reason.find("no progress for 90 s"), std::string::npos) << h.reason;
  EXPECT_NE(h.reason.find("12 change(s) waiting"), std::string::npos) << h.reason;

  m.last_progress_unix_us = kNow;
  m.retrying_after = "target: connection refused";
  h = TaskHealth(m, std::chrono::seconds(60));
  EXPECT_FALSE(h.healthy);
  EXPECT_EQ(h.reason, "retrying after: target: connection refused");

  m.phase = ReplicationPhase::kStopped;
  EXPECT_FALSE(TaskHealth(m, std::chrono::seconds(60)).healthy);
}

TEST(MetricsListenAddress, AcceptsNumericHostsAndRejectsTheRest) {
  EXPECT_TRUE(ParseListenAddress("127.0.0.1:9187", "--metrics-listen").ok());
  EXPECT_TRUE(ParseListenAddress("localhost:0", "--metrics-listen").ok());
  EXPECT_TRUE(ParseListenAddress("[::1]:9187", "--metrics-listen").ok());
  EXPECT_TRUE(ParseListenAddress("0.0.0.0:65535", "--metrics-listen").ok());
  for (const char* bad : {"", "9187", ":9187", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:9x",
                          "host.example:9187", "[::1:9187", "1.2.3:80"}) {
    auto a = ParseListenAddress(bad, "--metrics-listen");
    EXPECT_FALSE(a.ok()) << bad;
    if (!a.ok()) {
      EXPECT_EQ(a.status().message().rfind("--metrics-listen '", 0), 0u) << a.status().message();
    }
  }
}

}  // namespace
}  // namespace cutover
