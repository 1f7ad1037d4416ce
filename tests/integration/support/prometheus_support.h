// Test helpers around a real Prometheus (Debian's `prometheus` package): a tiny HTTP GET, a
// `prometheus` server started on a free loopback port with its own temp config and data
// directory (never the system service), instant PromQL queries over its HTTP API, and
// `promtool` runs. Nothing here uses engine code: the tests read the endpoint as any scraper.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cutover::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused, timeout)
  std::string body;
};

// GET http://127.0.0.1:PORT/PATH (HTTP/1.1, Connection: close), bounded by `timeout`.
HttpReply HttpGet(int port, const std::string& path,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A free TCP port on 127.0.0.1 (bound and released: a small race remains).
int FreeLoopbackPort();

// One sample of an instant query: the metric's labels as a JSON text, its time and value.
struct PromSample {
  std::string labels_json;
  double time = 0;
  double value = 0;
};

class PrometheusServer {
 public:
  // Starts `prometheus` scraping 127.0.0.1:`target_port` every second; waits until ready.
  // Returns nullopt (with the reason in `error`) if it does not become ready within 20 s.
  static std::optional<PrometheusServer> Start(int target_port, std::string* error);
  PrometheusServer(PrometheusServer&& o) noexcept;
  PrometheusServer(const PrometheusServer&) = delete;
  ~PrometheusServer();  // SIGTERM, then SIGKILL; removes its directory

  // Instant query (GET /api/v1/query); empty when the query fails or matches nothing.
  std::vector<PromSample> Query(const std::string& promql) const;
  // Every stored sample of `selector` over the last `seconds`, oldest first, with the times
  // Prometheus scraped them (the range-vector query `selector[Ns]`).
  std::vector<PromSample> RawSamples(const std::string& selector, int seconds) const;
  std::string Log() const;
  int port() const { return port_; }

 private:
  PrometheusServer() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

struct ToolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
// Runs `promtool ARGS...` with `input` on stdin (bounded to 30 s).
ToolResult RunPromtool(const std::vector<std::string>& args, const std::string& input = "");

}  // namespace cutover::testing
