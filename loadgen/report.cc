#include "loadgen/report.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/core/progress.h"

namespace cutover::loadgen {

namespace {

double Ms(int64_t micros) {
  return std::round(static_cast<double>(micros) / 10.0) / 100.0;  // two decimals
}

nlohmann::json LatencyJson(const HistogramSnapshot& h, bool full) {
  nlohmann::json j;
  j["p50"] = Ms(h.Percentile(0.50));
  if (full) j["p90"] = Ms(h.Percentile(0.90));
  j["p95"] = Ms(h.Percentile(0.95));
  j["p99"] = Ms(h.Percentile(0.99));
  if (full) j["p999"] = Ms(h.Percentile(0.999));
  j["max"] = Ms(h.Percentile(1.0));
  return j;
}

}  // namespace

std::string FormatSampleLine(const LoadSample& s) {
  const auto& h = s.latency;
  return fmt::format(
      "{:>5}s  tps {:>7}  p50 {:.2f} p95 {:.2f} p99 {:.2f} ms  errors {}  late {}"
      "  skipped {}",
      s.second, FormatCount(s.committed), Ms(h.Percentile(0.5)), Ms(h.Percentile(0.95)),
      Ms(h.Percentile(0.99)), s.errors, s.late, s.skipped);
}

nlohmann::json SampleJson(const LoadSample& s) {
  return {{"type", "sample"},         {"second", s.second},
          {"committed", s.committed}, {"tps", s.committed},
          {"errors", s.errors},       {"late", s.late},
          {"skipped", s.skipped},     {"latency_ms", LatencyJson(s.latency, false)}};
}

std::string FormatSummary(const LoadSummary& s) {
  std::string out = fmt::format(
      "load {} on {}: {} transactions committed in {:.1f} s = {:.1f} tps ({}, {} client(s), "
      "seed {})\n",
      s.workload, s.engine, FormatCount(s.committed), s.elapsed_s, s.tps,
      s.mode == "max" ? std::string("closed loop --max") : fmt::format("--rate {}", s.rate),
      s.clients, s.seed);
  const auto& h = s.latency;
  out += fmt::format(
      "  latency ms{}: p50 {:.2f}  p90 {:.2f}  p95 {:.2f}  p99 {:.2f}  p99.9 {:.2f}  max {:.2f}\n",
      s.mode == "max" ? "" : " (from schedule)", Ms(h.Percentile(0.5)), Ms(h.Percentile(0.9)),
      Ms(h.Percentile(0.95)), Ms(h.Percentile(0.99)), Ms(h.Percentile(0.999)),
      Ms(h.Percentile(1.0)));
  out += "  ops:";
  for (const auto& op : s.ops)
    out += fmt::format(" {} {} ({} rows)", op.name, FormatCount(op.count), FormatCount(op.rows));
  out += "\n";
  out += fmt::format("  errors {} (connection lost {}, failed connects {}, reconnects {})",
                     s.errors, s.connection_errors, s.connect_failures, s.reconnects);
  if (s.mode != "max")
    out += fmt::format("  arrivals {}  late {}  skipped {}", s.arrivals, s.late, s.skipped);
  if (s.heartbeats || s.heartbeat_errors)
    out += fmt::format("  heartbeats {} (errors {})", s.heartbeats, s.heartbeat_errors);
  return out;
}

nlohmann::json SummaryJson(const LoadSummary& s) {
  nlohmann::json ops = nlohmann::json::object();
  for (const auto& op : s.ops) ops[op.name] = {{"count", op.count}, {"rows", op.rows}};
  nlohmann::json hist = nlohmann::json::array();
  for (const auto& [upper, count] : s.latency.NonEmpty()) hist.push_back({upper, count});
  nlohmann::json j = {{"type", "summary"},
                      {"workload", s.workload},
                      {"engine", s.engine},
                      {"mode", s.mode},
                      {"rate", s.rate},
                      {"clients", s.clients},
                      {"seed", s.seed},
                      {"duration_s", s.duration_s},
                      {"elapsed_s", s.elapsed_s},
                      {"committed", s.committed},
                      {"tps", s.tps},
                      {"errors", s.errors},
                      {"connection_errors", s.connection_errors},
                      {"connect_failures", s.connect_failures},
                      {"reconnects", s.reconnects},
                      {"arrivals", s.arrivals},
                      {"late", s.late},
                      {"skipped", s.skipped},
                      {"latency_from", s.mode == "max" ? "start" : "schedule"},
                      {"ops", ops},
                      {"latency_ms", LatencyJson(s.latency, true)},
                      {"histogram_us", hist},
                      {"heartbeats", s.heartbeats},
                      {"heartbeat_errors", s.heartbeat_errors}};
  return j;
}

}  // namespace cutover::loadgen
