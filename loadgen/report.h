// Report: how `cutover load` shows a run: per-second terminal lines, JSON samples and the
// summary (human line and JSON object). Pure formatting, no I/O, so it is unit-tested.
//
// Latency figures are percentiles of the histogram (histogram.h), never averages, in
// milliseconds with two decimals (bucket upper bounds: at most 3.1% above the true value).
//
// JSON (one object per line on stdout with --json):
//   {"type":"sample","second":3,"committed":500,"tps":500,"errors":0,"late":0,"skipped":0,
//    "latency_ms":{"p50":1.2,"p95":3.1,"p99":7.9,"max":12.0}}
//   {"type":"summary","workload":"oltp","engine":"postgresql","mode":"rate","rate":500,...,
//    "ops":{"transfer":{"count":5000,"rows":5000}},
//    "latency_ms":{"p50":...,"p90":...,"p95":...,"p99":...,"p999":...,"max":...},
//    "histogram_us":[[upper_bound_us,count],...]}
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "loadgen/runner.h"

namespace cutover::loadgen {

// "   3s  tps 500  p50 1.21 p95 3.10 p99 7.94 ms  errors 0  late 0  skipped 0"
std::string FormatSampleLine(const LoadSample& s);
nlohmann::json SampleJson(const LoadSample& s);

// Several lines: totals, rate, latency percentiles, per-operation counts, errors.
std::string FormatSummary(const LoadSummary& s);
nlohmann::json SummaryJson(const LoadSummary& s);

}  // namespace cutover::loadgen
