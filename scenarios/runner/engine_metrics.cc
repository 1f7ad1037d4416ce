#include "scenarios/runner/engine_metrics.h"

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "engine/pipeline/http_get.h"

namespace cutover::scenario {

Result<EngineMetrics> ParseEngineMetrics(const std::string& page) {
  EngineMetrics m;
  bool phase_seen = false;
  std::istringstream in(page);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t name_end = line.find_first_of("{ ");
    const size_t value_at = line.rfind(' ');
    if (name_end == std::string::npos || value_at == std::string::npos) continue;
    const std::string name = line.substr(0, name_end);
    const std::string labels =
        line[name_end] == '{' ? line.substr(name_end, value_at - name_end) : "";
    const double v = std::strtod(line.c_str() + value_at + 1, nullptr);
    if (name == "cutover_task_phase") {
      phase_seen = true;
      const size_t p = labels.find("phase=\"");
      if (v == 1 && p != std::string::npos) {
        const size_t end = labels.find('"', p + 7);
        m.phase = labels.substr(p + 7, end - p - 7);
      }
    } else if (name == "cutover_full_load_source_rows_total") {
      m.rows_loaded = static_cast<int64_t>(v);
    } else if (name == "cutover_full_load_tables_loaded_total") {
      m.tables_loaded = static_cast<int64_t>(v);
    } else if (name == "cutover_cdc_transactions_applied_total") {
      m.transactions_applied = static_cast<int64_t>(v);
    } else if (name == "cutover_cdc_target_rows_total") {
      m.changes_applied = static_cast<int64_t>(v);
    } else if (name == "cutover_cdc_latency_source_seconds") {
      m.latency_source_s = v;
    }
  }
  if (!phase_seen) return InvalidArgument("not a cutover metrics page (no cutover_task_phase)");
  return m;
}

Result<EngineMetrics> ScrapeEngineMetrics(const std::string& host_port, int timeout_ms) {
  ASSIGN_OR_RETURN(HttpReply reply,
                   HttpGet(host_port, "/metrics", std::chrono::milliseconds(timeout_ms)));
  if (reply.status != 200)
    return Unavailable("GET http://" + host_port + "/metrics: HTTP " +
                       std::to_string(reply.status));
  return ParseEngineMetrics(reply.body);
}

}  // namespace cutover::scenario
