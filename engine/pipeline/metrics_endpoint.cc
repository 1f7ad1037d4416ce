#include "engine/pipeline/metrics_endpoint.h"

#include "engine/core/log.h"
#include "engine/registry/registry.h"

namespace cutover {

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const MetricsEndpointOptions& options, std::shared_ptr<ReplicationMetrics> metrics) {
  ASSIGN_OR_RETURN(ListenAddress address, ParseListenAddress(options.listen, "--metrics-listen"));
  ASSIGN_OR_RETURN(const EngineDriver* source, EngineForUri(options.source_uri, "--source"));
  ASSIGN_OR_RETURN(const EngineDriver* target, EngineForUri(options.target_uri, "--target"));
  std::unique_ptr<MetricsEndpoint> e(new MetricsEndpoint());
  e->metrics_ = metrics;
  e->identity_ = {options.task, std::string(source->name()), std::string(target->name())};
  e->stall_after_ = options.stall_after;
  ASSIGN_OR_RETURN(
      e->server_, MetricsServer::Start(
                      address, [p = e.get()](const std::string& path) { return p->Handle(path); }));
  e->probe_ = std::make_unique<LogRetentionProbe>(options.source_uri, options.task, metrics);
  Log(LogLevel::kInfo, "metrics: serving http://{}:{}/metrics and /healthz",
      options.listen.substr(0, options.listen.rfind(':')), e->server_->port());
  return e;
}

MetricsEndpoint::~MetricsEndpoint() {
  Stop();
}

void MetricsEndpoint::Stop() {
  if (probe_) probe_->Stop();
  if (server_) server_->Stop();
}

HttpResponse MetricsEndpoint::Handle(const std::string& path) const {
  if (path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8",
            PrometheusText(metrics_->Snapshot(), identity_, metrics_->process_start_unix_us(),
                           stall_after_)};
  }
  if (path == "/healthz") {
    Health h = TaskHealth(metrics_->Snapshot(), stall_after_);
    return {h.healthy ? 200 : 503, "text/plain; charset=utf-8",
            (h.healthy ? "ok: " : "unhealthy: ") + h.reason + "\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n"};
}

}  // namespace cutover
