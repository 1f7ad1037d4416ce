// MetricsEndpoint: what `replicate --metrics-listen HOST:PORT` runs beside the task: the HTTP
// server (metrics_server.h) answering /metrics with the Prometheus text and /healthz with the
// task's health (metrics_exposition.h), and the probe of the source's retained log
// (log_retention.h), all reading one ReplicationMetrics.
//
// /healthz: 200 and one line ("cdc: caught up, at 0/1A2B3C8") while the task runs and makes
// progress or is idle and caught up; 503 and the reason otherwise (retrying after an error,
// no progress for longer than the stall bound, stopped).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "engine/core/status.h"
#include "engine/pipeline/log_retention.h"
#include "engine/pipeline/metrics.h"
#include "engine/pipeline/metrics_exposition.h"
#include "engine/pipeline/metrics_server.h"

namespace cutover {

struct MetricsEndpointOptions {
  std::string listen;      // HOST:PORT (metrics_server.h)
  std::string source_uri;  // for the retained-log probe only; never shown
  std::string task;
  std::string target_uri;  // only its engine is shown
  std::chrono::seconds stall_after{300};
};

class MetricsEndpoint {
 public:
  // Binds first: an address in use or malformed fails here, before the task starts.
  static Result<std::unique_ptr<MetricsEndpoint>> Start(
      const MetricsEndpointOptions& options, std::shared_ptr<ReplicationMetrics> metrics);
  ~MetricsEndpoint();  // Stop()
  void Stop();
  uint16_t port() const { return server_->port(); }

 private:
  MetricsEndpoint() = default;
  HttpResponse Handle(const std::string& path) const;

  std::shared_ptr<ReplicationMetrics> metrics_;
  MetricsIdentity identity_;
  std::chrono::seconds stall_after_{300};
  std::unique_ptr<MetricsServer> server_;
  std::unique_ptr<LogRetentionProbe> probe_;
};

}  // namespace cutover
