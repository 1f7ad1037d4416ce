// EngineMetrics: what the scenario runner reads from the engine's Prometheus endpoint
// (`cutover replicate --metrics-listen`, docs/metrics.md), one scrape a second.
//
// Design: the runner reads the engine as any scraper does (HTTP GET /metrics, the text format),
// so a rehearsal measures through the interface a user's Prometheus uses. Counters restart at 0
// with each engine process; the supervisor (engine_supervisor.h) banks them across restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/core/status.h"

namespace cutover::scenario {

// The series the runner uses, from one exposition page.
struct EngineMetrics {
  std::string phase = "starting";          // cutover_task_phase{phase=...} == 1
  int64_t rows_loaded = 0;                 // cutover_full_load_source_rows_total
  int64_t tables_loaded = 0;               // cutover_full_load_tables_loaded_total
  int64_t transactions_applied = 0;        // cutover_cdc_transactions_applied_total
  int64_t changes_applied = 0;             // cutover_cdc_target_rows_total
  std::optional<double> latency_source_s;  // cutover_cdc_latency_source_seconds (CDCLatencySource)
};

// Parses a Prometheus text page of `cutover replicate`; kInvalidArgument when it is not one
// (no cutover_task_phase sample).
Result<EngineMetrics> ParseEngineMetrics(const std::string& page);

// GET http://HOST:PORT/metrics within `timeout_ms`, parsed.
Result<EngineMetrics> ScrapeEngineMetrics(const std::string& host_port, int timeout_ms);

}  // namespace cutover::scenario
