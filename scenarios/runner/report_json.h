// report.json: a RunRecord in the format "cutover-scenario-report/1", the contract with the
// renderer (reports/report_render.h) and anything else that reads runs. Keys are never renamed;
// new keys may be added. Numbers are rounded for reading (lag to ms, rates to 0.1); series are
// arrays of [t_s, value|null] from the run start. URIs are already redacted in the record.
#pragma once

#include <nlohmann/json.hpp>

#include "scenarios/runner/run_record.h"

namespace cutover::scenario {

inline constexpr const char* kReportFormat = "cutover-scenario-report/1";

// `host` is {"cores", "memory_gb", "hostname"}; `sources` says whether endpoints are
// throwaway servers.
nlohmann::json ReportJson(const RunRecord& run, const nlohmann::json& host);

// This machine: cores, memory (GB), hostname.
nlohmann::json HostJson();

}  // namespace cutover::scenario
