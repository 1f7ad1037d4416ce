// `cutover replicate --metrics-listen`: a real Prometheus (Debian's package, started here on a
// loopback port with its own config) scrapes a running PostgreSQL -> PostgreSQL task; the
// latency it records is checked against the lag this test measures itself from a heartbeat row
// (source clock_timestamp() written every ~100 ms, read on the target); promtool checks the
// exposition and the example alert rules; /healthz turns unhealthy with the reason while the
// target is away; bad --metrics-listen input is one line and exit 2; the password of the URIs
// appears in no output and no label.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "harness/throwaway_server.h"
#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/prometheus_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "Mtx-9q7Zs3cret";

// A role with a password of its own, so a leak is recognisable.
void CreateSecretRole(const harness::ThrowawayServer& s) {
  Sql(s, std::string("CREATE ROLE mtx LOGIN SUPERUSER REPLICATION PASSWORD '") + kSecret + "'");
}
std::string SecretUri(const harness::ThrowawayServer& s) {
  return "postgresql://mtx:" + std::string(kSecret) + "@127.0.0.1:" + std::to_string(s.port()) +
         "/cutover";
}

// The port the engine's metrics server bound (it is started on port 0), from its log.
int MetricsPort(EngineProcess& engine) {
  int port = 0;
  Eventually(
      [&] {
        std::smatch m;
        std::string log = engine.Log();
        if (std::regex_search(log, m, std::regex("metrics: serving http://[^ ]+:(\\d+)/metrics")))
          port = std::stoi(m[1]);
        return port != 0 || !engine.Running();
      },
      30s);
  return port;
}

// The value of one series in an exposition text (`series` exactly as written, labels included).
std::optional<double> SeriesValue(const std::string& text, const std::string& series) {
  size_t p = 0;
  while ((p = text.find(series + " ", p)) != std::string::npos) {
    if (p == 0 || text[p - 1] == '\n') return std::stod(text.substr(p + series.size() + 1));
    ++p;
  }
  return std::nullopt;
}

class MetricsEndpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartPostgres("msrc");
    target_ = StartPostgres("mtgt");
    ASSERT_TRUE(source_ && target_);
    CreateSecretRole(*source_);
    CreateSecretRole(*target_);
    Sql(*source_,
        "CREATE SCHEMA m;"
        "CREATE TABLE m.heartbeat (id int PRIMARY KEY, t timestamptz NOT NULL);"
        "INSERT INTO m.heartbeat VALUES (1, clock_timestamp());"
        "CREATE TABLE m.items (id bigserial PRIMARY KEY, v text);"
        "CREATE TABLE m.churn (id int PRIMARY KEY, n int NOT NULL);"
        "INSERT INTO m.churn SELECT g, 0 FROM generate_series(1, 50) g;");
  }

  std::unique_ptr<EngineProcess> StartTask() {
    return std::make_unique<EngineProcess>(std::vector<std::string>{
        "replicate", "--source", SecretUri(*source_), "--target", SecretUri(*target_), "--task",
        "mtx", "--metrics-listen", "127.0.0.1:0", "--retry-for", "120"});
  }

  // Waits until /healthz says the task is in CDC and caught up.
  static bool WaitCaughtUp(int port, std::chrono::seconds timeout) {
    return Eventually(
        [&] {
          HttpReply h = HttpGet(port, "/healthz");
          return h.status == 200 && h.body.find("cdc: caught up") != std::string::npos;
        },
        timeout);
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
};

TEST_F(MetricsEndpoint, PrometheusScrapesTheSourceLatencyTheHeartbeatShows) {
  auto engine = StartTask();
  int port = MetricsPort(*engine);
  ASSERT_GT(port, 0) << engine->Log();
  ASSERT_TRUE(WaitCaughtUp(port, 40s)) << HttpGet(port, "/healthz").body << engine->Log();
  std::string prom_error;
  auto prom = PrometheusServer::Start(port, &prom_error);
  ASSERT_TRUE(prom) << prom_error;

  // Writer: each transaction moves the heartbeat, inserts an item and updates a churn row.
  std::atomic<bool> stop{false};
  std::atomic<long> done{0};
  std::thread writer([&] {
    for (long i = 0; !stop.load(); ++i) {
      auto r = source_->Sql(
          "UPDATE m.heartbeat SET t = clock_timestamp() WHERE id = 1;"
          "INSERT INTO m.items (v) VALUES ('v" +
          std::to_string(i) +
          "');"
          "UPDATE m.churn SET n = n + 1 WHERE id = " +
          std::to_string(1 + i % 50) + ";");
      if (r.ok()) ++done;
      std::this_thread::sleep_for(80ms);
    }
  });
  std::this_thread::sleep_for(3s);

  // Hold the target's heartbeat table (reads allowed, writes wait) so a lag builds up.
  std::atomic<bool> locked{false};
  std::thread locker([&] {
    locked = true;
    Sql(*target_, "BEGIN; LOCK TABLE m.heartbeat IN SHARE MODE; SELECT pg_sleep(7); COMMIT;");
  });
  std::this_thread::sleep_for(4s);
  int checked = 0;
  for (int i = 0; i < 2; ++i) {
    // The test's own lag: the scrape's time minus the newest heartbeat on the target, which
    // does not move while the target is held.
    double heartbeat = std::stod(Sql(*target_, "SELECT extract(epoch FROM t) FROM m.heartbeat"));
    auto ts = prom->Query("timestamp(cutover_cdc_latency_source_seconds)");
    auto lat = prom->Query("cutover_cdc_latency_source_seconds");
    auto lat_target = prom->Query("cutover_cdc_latency_target_seconds");
    ASSERT_EQ(ts.size(), 1u) << prom->Log();
    ASSERT_EQ(lat.size(), 1u);
    ASSERT_EQ(lat_target.size(), 1u);
    double measured = ts[0].value - heartbeat;
    EXPECT_GT(measured, 2.5) << "no lag built up: the test proves nothing";
    EXPECT_NEAR(lat[0].value, measured, 1.0)
        << "Prometheus says " << lat[0].value << " s, the heartbeat " << measured << " s";
    EXPECT_GE(lat_target[0].value + 0.01, lat[0].value);
    std::printf("latency: Prometheus %.3f s (target %.3f s), heartbeat %.3f s\n", lat[0].value,
                lat_target[0].value, measured);
    ++checked;
    std::this_thread::sleep_for(1200ms);
  }
  EXPECT_EQ(checked, 2);
  locker.join();
  EXPECT_TRUE(locked.load());

  // Caught up again: the latency falls back under a second.
  EXPECT_TRUE(Eventually(
      [&] {
        auto lat = prom->Query("cutover_cdc_latency_source_seconds");
        return lat.size() == 1 && lat[0].value < 1.0;
      },
      20s));
  stop = true;
  writer.join();
  ASSERT_EQ(WaitUntilEqual(*source_, *target_,
                           {{"m.heartbeat", "id"}, {"m.items", "id"}, {"m.churn", "id"}}, 30s),
            "");
  ASSERT_TRUE(WaitCaughtUp(port, 10s));

  // Per-table counters: the source operations this test made.
  HttpReply metrics = HttpGet(port, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string task = "task=\"mtx\",";
  EXPECT_EQ(SeriesValue(metrics.body, "cutover_table_inserts_total{" + task + "table=\"m.items\"}"),
            static_cast<double>(done.load()))
      << metrics.body;
  EXPECT_EQ(SeriesValue(metrics.body, "cutover_table_updates_total{" + task + "table=\"m.churn\"}"),
            static_cast<double>(done.load()));
  EXPECT_EQ(
      SeriesValue(metrics.body, "cutover_table_updates_total{" + task + "table=\"m.heartbeat\"}"),
      static_cast<double>(done.load()));
  EXPECT_EQ(SeriesValue(metrics.body, "cutover_cdc_target_rows_total{task=\"mtx\"}"),
            static_cast<double>(3 * done.load()));
  EXPECT_EQ(SeriesValue(metrics.body, "cutover_cdc_latency_source_seconds{task=\"mtx\"}"), 0.0);
  auto retained = SeriesValue(metrics.body, "cutover_source_log_retained_bytes{task=\"mtx\"}");
  ASSERT_TRUE(retained) << "no retained WAL reported: " << metrics.body;
  EXPECT_GE(*retained, 0);
  EXPECT_LT(*retained, 64 << 20);

  // The exposition passes promtool, and nothing anywhere carries the password.
  std::printf("retained WAL %.0f bytes; %ld writer transactions\n", *retained, done.load());
  ToolResult check = RunPromtool({"check", "metrics"}, metrics.body);
  EXPECT_EQ(check.exit_code, 0) << check.output << metrics.body;
  EXPECT_EQ(metrics.body.find(kSecret), std::string::npos);
  EXPECT_EQ(HttpGet(port, "/healthz").body.find(kSecret), std::string::npos);
  auto series = prom->Query("{job=\"cutover\"}");
  EXPECT_GT(series.size(), 20u);
  for (const auto& s : series) EXPECT_EQ(s.labels_json.find(kSecret), std::string::npos);
  EXPECT_EQ(HttpGet(port, "/nope").status, 404);

  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(30s), 0) << engine->Log();
  EXPECT_EQ(engine->Log().find(kSecret), std::string::npos) << engine->Log();
}

TEST_F(MetricsEndpoint, HealthzNamesTheReasonWhileTheTargetIsAway) {
  auto engine = StartTask();
  int port = MetricsPort(*engine);
  ASSERT_GT(port, 0) << engine->Log();
  ASSERT_TRUE(WaitCaughtUp(port, 40s)) << HttpGet(port, "/healthz").body << engine->Log();

  ASSERT_TRUE(target_->Halt().ok());
  Sql(*source_, "INSERT INTO m.items (v) VALUES ('while the target is away')");
  HttpReply h;
  EXPECT_TRUE(Eventually(
      [&] {
        h = HttpGet(port, "/healthz");
        return h.status == 503;
      },
      30s))
      << h.status << " " << h.body;
  EXPECT_NE(h.body.find("retrying after"), std::string::npos) << h.body;
  EXPECT_EQ(h.body.find(kSecret), std::string::npos) << h.body;
  std::string text = HttpGet(port, "/metrics").body;
  EXPECT_EQ(SeriesValue(text, "cutover_task_healthy{task=\"mtx\"}"), 0.0) << text;
  EXPECT_GE(SeriesValue(text, "cutover_task_retries_total{task=\"mtx\"}").value_or(0), 1.0);

  ASSERT_TRUE(target_->Resume().ok());
  EXPECT_TRUE(WaitCaughtUp(port, 40s)) << HttpGet(port, "/healthz").body << engine->Log();
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, {{"m.items", "id"}}, 20s), "");
  text = HttpGet(port, "/metrics").body;
  EXPECT_EQ(SeriesValue(text, "cutover_task_healthy{task=\"mtx\"}"), 1.0) << text;
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(30s), 0) << engine->Log();
  EXPECT_EQ(engine->Log().find(kSecret), std::string::npos) << engine->Log();
}

// DMS CDCChangesDiskSource: the changes of a transaction still open on the source, which
// PostgreSQL streams ahead of its commit and the engine spools to disk; back to 0 once applied.
TEST_F(MetricsEndpoint, ChangesOfAnOpenSourceTransactionSpooledToDiskAreCounted) {
  Sql(*source_, "ALTER SYSTEM SET logical_decoding_work_mem = '64kB'; SELECT pg_reload_conf();");
  auto engine = StartTask();
  int port = MetricsPort(*engine);
  ASSERT_GT(port, 0) << engine->Log();
  ASSERT_TRUE(WaitCaughtUp(port, 40s)) << HttpGet(port, "/healthz").body << engine->Log();
  const std::string disk = "cutover_cdc_changes_disk_source{task=\"mtx\"}";
  std::thread writer([&] {
    Sql(*source_,
        "BEGIN; INSERT INTO m.items (v) SELECT repeat('d', 100) FROM generate_series(1, 20000);"
        "SELECT pg_sleep(6); COMMIT;");
  });
  std::optional<double> spooled;
  EXPECT_TRUE(Eventually(
      [&] {
        spooled = SeriesValue(HttpGet(port, "/metrics").body, disk);
        return spooled && *spooled >= 1000;
      },
      5s))
      << spooled.value_or(-1);
  ASSERT_TRUE(spooled);
  EXPECT_LE(*spooled, 20000);
  std::printf("changes spooled to disk while the source transaction is open: %.0f\n", *spooled);
  // Nothing committed waits meanwhile: caught up, latency 0, healthy.
  std::string text = HttpGet(port, "/metrics").body;
  EXPECT_EQ(SeriesValue(text, "cutover_cdc_latency_source_seconds{task=\"mtx\"}"), 0.0) << text;
  EXPECT_EQ(HttpGet(port, "/healthz").status, 200);
  writer.join();
  ASSERT_EQ(WaitUntilEqual(*source_, *target_, {{"m.items", "id"}}, 30s), "");
  EXPECT_TRUE(Eventually(
      [&] {
        text = HttpGet(port, "/metrics").body;
        return SeriesValue(text, disk) == 0.0 &&
               SeriesValue(text, "cutover_table_inserts_total{task=\"mtx\",table=\"m.items\"}") ==
                   20000.0;
      },
      10s))
      << text;
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(30s), 0) << engine->Log();
}

// MariaDB keeps no slot: the retained-log metric is the binlog from the task's resume position
// (the GTID event of its last applied transaction) to the end. While
// the target holds the task back, it must equal what this test sees the binlog grow by (SHOW
// BINARY LOGS, summed) plus what it was when caught up; afterwards it falls back.
TEST(MetricsEndpointMaria, RetainedBytesAreTheBinlogTheTaskHasNotApplied) {
  auto source = StartMariaDb("mbsrc");
  auto target = StartPostgres("mbtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  ASSERT_TRUE(conn);
  MariaExec(*conn,
            "CREATE TABLE t (id int PRIMARY KEY, pad varchar(2000)) ENGINE=InnoDB;"
            "INSERT INTO t VALUES (1, 'one')");
  auto binlog_total = [&] {
    auto rows = conn->Query("SHOW BINARY LOGS");
    EXPECT_TRUE(rows.ok());
    double total = 0;
    for (size_t i = 0; rows.ok() && i < rows->rows.size(); ++i)
      total += std::stod(rows->Get(i, "File_size").value_or("0"));
    return total;
  };
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "mb", "--metrics-listen", "127.0.0.1:0"});
  int port = MetricsPort(engine);
  ASSERT_GT(port, 0) << engine.Log();
  const std::string series = "cutover_source_log_retained_bytes{task=\"mb\"}";
  MariaExec(*conn, "INSERT INTO t VALUES (2, 'two')");  // a first applied position
  std::optional<double> caught_up;
  ASSERT_TRUE(Eventually(
      [&] {
        HttpReply h = HttpGet(port, "/healthz");
        if (h.body.find("cdc: caught up") == std::string::npos) return false;
        caught_up = SeriesValue(HttpGet(port, "/metrics").body, series);
        return caught_up.has_value();
      },
      40s))
      << HttpGet(port, "/metrics").body << engine.Log();
  const double before = binlog_total();
  EXPECT_LT(*caught_up, 16 * 1024);

  // Hold the target table; write about 2 MB the task cannot apply meanwhile.
  std::thread locker([&] {
    Sql(*target, "BEGIN; LOCK TABLE public.t IN SHARE MODE; SELECT pg_sleep(12); COMMIT;");
  });
  std::this_thread::sleep_for(1s);
  MariaExec(*conn, "INSERT INTO t SELECT seq, REPEAT('x', 2000) FROM seq_3_to_1000");
  const double grown = binlog_total() - before;
  EXPECT_GT(grown, 1.9e6);
  std::optional<double> held;
  EXPECT_TRUE(Eventually(
      [&] {
        held = SeriesValue(HttpGet(port, "/metrics").body, series);
        return held && *held >= grown;
      },
      10s))
      << held.value_or(-1);
  ASSERT_TRUE(held);
  std::printf("binlog retained: %.0f bytes caught up, %.0f held back (binlog grew %.0f)\n",
              *caught_up, *held, grown);
  EXPECT_NEAR(*held, *caught_up + grown, 16 * 1024);
  locker.join();

  // Applied: the distance falls back to the last applied transaction (a resume re-reads it from
  // its GTID event, so the server must keep it), here a small one.
  MariaExec(*conn, "INSERT INTO t VALUES (5000, 'small')");
  EXPECT_EQ(WaitUntilRowsEqual(*source, "t", *target, "public.t", "id", {{"pad", "pad"}}, 30s), "");
  EXPECT_TRUE(Eventually(
      [&] {
        auto v = SeriesValue(HttpGet(port, "/metrics").body, series);
        return v && *v < 16 * 1024;
      },
      15s));
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

// Bad --metrics-listen: one error line, exit 2, no password; checked before any connection.
TEST(MetricsListen, BadAddressOrPortInUseIsOneLineAndExitTwo) {
  int busy = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t len = sizeof(a);
  getsockname(busy, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string in_use = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  const std::string uri = std::string("postgresql://mtx:") + kSecret + "@127.0.0.1:1/cutover";
  struct Case {
    std::string listen, expected;
  };
  for (const Case& c : std::vector<Case>{{in_use, "Address already in use"},
                                         {"127.0.0.1", "no port"},
                                         {"127.0.0.1:99999", "port must be a number"},
                                         {"127.0.0.1:http", "port must be a number"},
                                         {"metrics.example.com:9187", "not a numeric IPv4"},
                                         {"[::1:9187", "not a numeric IPv4"}}) {
    RunResult r = RunCutover({"replicate", "--source", uri, "--target", uri, "--task", "t",
                              "--metrics-listen", c.listen},
                             30s);
    EXPECT_EQ(r.exit_code, 2) << c.listen << ": " << r.err;
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    EXPECT_EQ(err.find('\n'), std::string::npos) << c.listen << ": more than one line: " << r.err;
    EXPECT_EQ(err.rfind("cutover: error: --metrics-listen", 0), 0u) << r.err;
    EXPECT_NE(err.find(c.expected), std::string::npos) << c.listen << ": " << r.err;
    EXPECT_EQ((r.err + r.out).find(kSecret), std::string::npos) << r.err;
  }
  close(busy);

  // A good address and an unreachable source: the task's own error is the one error line (after
  // the info line naming the metrics port), nothing from the metrics side.
  RunResult r = RunCutover({"replicate", "--source", uri, "--target", uri, "--task", "t",
                            "--metrics-listen", "127.0.0.1:0"},
                           30s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string err = r.err;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  std::string last = err.substr(err.rfind('\n') == std::string::npos ? 0 : err.rfind('\n') + 1);
  EXPECT_EQ(last.rfind("cutover: error: ", 0), 0u) << r.err;
  size_t errors = 0, lines = 1;
  for (size_t p = 0; (p = err.find("error", p)) != std::string::npos; ++p) ++errors;
  for (char ch : err) lines += ch == '\n';
  EXPECT_EQ(errors, 1u) << r.err;
  EXPECT_LE(lines, 2u) << r.err;
  EXPECT_EQ((r.err + r.out).find(kSecret), std::string::npos) << r.err;
}

// The example alert rules are valid, and their unit tests (series in, alerts out) pass.
TEST(MetricsAlerts, ExampleRulesPassPromtool) {
  const std::string dir = harness::SourceDir() + "/deploy/prometheus/";
  ToolResult check = RunPromtool({"check", "rules", dir + "cutover-alerts.yml"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  ToolResult test = RunPromtool({"test", "rules", dir + "cutover-alerts.test.yml"});
  EXPECT_EQ(test.exit_code, 0) << test.output;
}

}  // namespace
}  // namespace cutover::testing
