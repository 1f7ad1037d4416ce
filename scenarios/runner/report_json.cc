#include "scenarios/runner/report_json.h"

#include <unistd.h>

#include <cmath>

namespace cutover::scenario {

namespace {

using nlohmann::json;

json Num(std::optional<double> v, double unit = 0.001) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return std::round(*v / unit) * unit;
}

json SeriesJson(const Series& s, double unit) {
  json a = json::array();
  for (const Point& p : s.Points()) a.push_back({std::round(p.t * 1000) / 1000, Num(p.v, unit)});
  return a;
}

json LoadJson(const LoadProfile& l) {
  return {{"workload", l.workload},
          {"rate", l.rate},
          {"clients", l.clients},
          {"dist", l.dist},
          {"txn_size", l.txn_size}};
}

json EndpointJson(const EndpointSpec& e, const std::string& uri) {
  return {{"engine", e.engine ? std::string(e.engine->name()) : std::string()},
          {"uri", uri},
          {"throwaway", e.throwaway()}};
}

json ValidationJson(const ValidationSummary& v) {
  json per = json::array();
  for (const auto& t : v.per_table) {
    per.push_back({{"table", t.table},
                   {"rows_source", t.rows_source},
                   {"rows_target", t.rows_target},
                   {"differences", t.differences}});
  }
  json j = {{"status", v.status},
            {"tables", v.tables},
            {"rows_source", v.rows_source},
            {"rows_target", v.rows_target},
            {"differences", v.differences},
            {"in_flight", v.in_flight},
            {"seconds", Num(v.seconds, 0.01)},
            {"report", v.report},
            {"per_table", per}};
  if (!v.error.empty()) j["error"] = v.error;
  if (!v.phase.empty()) j["phase"] = v.phase;
  return j;
}

}  // namespace

json HostJson() {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  char name[256] = {0};
  gethostname(name, sizeof name - 1);
  return {{"cores", sysconf(_SC_NPROCESSORS_ONLN)},
          {"memory_gb", std::round(static_cast<double>(pages) * page / (1 << 30) * 10) / 10},
          {"hostname", name}};
}

json ReportJson(const RunRecord& run, const json& host) {
  const Scenario& sc = *run.scenario;
  json j;
  j["format"] = kReportFormat;
  j["scenario"] = {
      {"name", sc.name}, {"file", sc.file}, {"description", sc.description}, {"toml", sc.text}};
  j["versions"] = {{"cutover", run.version_cutover},
                   {"source", run.version_source},
                   {"target", run.version_target}};
  j["host"] = host;
  j["started_at"] = run.started_at;
  j["t0_unix_s"] = run.t0_unix_s;
  j["duration_s"] = Num(run.duration_s, 0.1);
  j["outcome"] = run.outcome;
  j["error"] = run.error.empty() ? json(nullptr) : json(run.error);
  j["source"] = EndpointJson(sc.source, run.source_uri);
  j["target"] = EndpointJson(sc.target, run.target_uri);
  if (run.target_files) {
    // A file target: what it committed, and what the lag series measures there.
    j["target_files"] = {{"files", *run.target_files},
                         {"bytes", *run.target_bytes},
                         {"lag_measured_to", "the heartbeat in a committed file"}};
  }
  j["task"] = {{"name", sc.task.name},
               {"type", sc.task.type},
               {"tables", sc.task.tables.empty() ? json::array({"%"}) : json(sc.task.tables)},
               {"parallel", sc.task.parallel},
               {"restart_on_failure", sc.task.restart_on_failure}};

  json phases = json::array();
  for (const PhaseRecord& p : run.phases) {
    json pj = {{"name", p.name},
               {"start_s", Num(p.start_s, 0.01)},
               {"end_s", Num(p.end_s, 0.01)},
               {"until", p.until.empty() ? json(nullptr) : json(p.until)},
               {"load", p.load ? LoadJson(*p.load) : json(nullptr)}};
    if (p.timed_out) pj["timed_out"] = true;
    phases.push_back(pj);
  }
  j["phases"] = phases;

  json events = json::array();
  for (const EventRecord& e : run.events) {
    json ej = {
        {"at_s", Num(e.at_s, 0.01)}, {"kind", e.kind}, {"phase", e.phase}, {"detail", e.detail}};
    if (e.end_s >= 0) ej["end_s"] = Num(e.end_s, 0.01);
    if (e.error) ej["error"] = true;
    events.push_back(ej);
  }
  j["events"] = events;

  json series = json::object();
  for (const auto& [name, s] : run.series) {
    series[name] = SeriesJson(s, name == "lag_s" || name == "engine_latency_s" ? 0.001 : 0.1);
  }
  j["series"] = series;

  json sums = json::array();
  for (const PhaseSummary& s : run.phase_summaries) {
    sums.push_back({{"name", s.name},
                    {"duration_s", Num(s.duration_s, 0.01)},
                    {"lag_max_s", Num(s.lag_max_s)},
                    {"lag_p95_s", Num(s.lag_p95_s)},
                    {"catch_up_s", Num(s.catch_up_s, 0.01)},
                    {"caught_up", s.caught_up},
                    {"source_tps", Num(s.source_tps, 0.1)},
                    {"applied_tps", Num(s.applied_tps, 0.1)},
                    {"engine_cpu_avg_pct", Num(s.cpu_avg_pct, 0.1)},
                    {"engine_rss_peak_mb", Num(s.rss_peak_mb, 0.1)},
                    {"load_errors", s.load_errors}});
  }
  j["phase_summaries"] = sums;

  json ex = json::array();
  for (const ExpectationResult& e : run.expectations) {
    ex.push_back({{"key", e.key},
                  {"expected", e.expected},
                  {"actual", e.actual},
                  {"passed", e.passed},
                  {"detail", e.detail}});
  }
  j["expectations"] = ex;

  j["validation"] = nullptr;
  json phase_validations = json::array();
  for (const ValidationSummary& v : run.validations) {
    if (v.phase.empty())
      j["validation"] = ValidationJson(v);
    else
      phase_validations.push_back(ValidationJson(v));
  }
  if (!phase_validations.empty()) j["phase_validations"] = phase_validations;

  if (run.sizing) {
    const SizingResult& z = *run.sizing;
    json steps = json::array();
    for (const SizingStep& s : z.steps) {
      json sj = {{"rate", s.rate},
                 {"start_s", Num(s.start_s, 0.01)},
                 {"end_s", Num(s.end_s, 0.01)},
                 {"tps", Num(s.tps, 0.1)},
                 {"rows_per_s", Num(s.rows_per_s, 0.1)},
                 {"changes_per_s", Num(s.changes_per_s, 0.1)},
                 {"lag_stable", s.lag_stable},
                 {"source_limited", s.source_limited},
                 {"lag_p95_s", Num(s.lag_p95_s)},
                 {"engine_cpu_avg_pct", Num(s.cpu_avg_pct, 0.1)},
                 {"engine_rss_peak_mb", Num(s.rss_peak_mb, 0.1)}};
      if (!s.why.empty()) sj["why"] = s.why;
      steps.push_back(sj);
    }
    json sz = {{"workload", z.workload}, {"steps", steps}, {"limited_by", z.limited_by}};
    if (z.sustainable) {
      const SizingStep& s = z.steps[*z.sustainable];
      sz["sustainable_rate"] = s.rate;
      sz["sustainable_tps"] = Num(s.tps, 0.1);
      sz["sustainable_rows_per_s"] = Num(s.rows_per_s, 0.1);
      sz["sustainable_changes_per_s"] = Num(s.changes_per_s, 0.1);
      sz["engine_cpu_avg_pct"] = Num(s.cpu_avg_pct, 0.1);
      sz["engine_rss_peak_mb"] = Num(s.rss_peak_mb, 0.1);
    } else {
      sz["sustainable_tps"] = nullptr;
      sz["sustainable_rows_per_s"] = nullptr;
    }
    j["sizing"] = sz;
  } else {
    j["sizing"] = nullptr;
  }

  if (run.cutover) {
    const CutoverRecord& c = *run.cutover;
    json sw = json::parse(c.switch_report.empty() ? "null" : c.switch_report, nullptr, false);
    j["cutover"] = {{"phase", c.phase},
                    {"switch_exit_code", c.switch_exit_code},
                    {"window_s", Num(c.window_s, 0.001)},
                    {"steps", sw.is_object() && sw.contains("steps") ? sw["steps"] : json()},
                    {"last_source_commit_s", Num(c.last_source_commit_s, 0.01)},
                    {"switch_start_s", Num(c.switch_start_s, 0.01)},
                    {"ready_s", Num(c.ready_s, 0.01)},
                    {"first_target_commit_s", Num(c.first_target_commit_s, 0.01)},
                    {"write_downtime_s", Num(c.write_downtime_s, 0.01)},
                    {"target_committed", c.target_committed},
                    {"target_errors", c.target_errors},
                    {"report", "switch.json"},
                    {"log", "switch.log"}};
  } else {
    j["cutover"] = nullptr;
  }

  j["engine"] = {{"restarts", run.engine_restarts},
                 {"exit_codes", run.engine_exit_codes},
                 {"errors", run.engine_errors},
                 {"log", "engine.log"},
                 {"metrics", run.metrics_endpoint}};
  j["load"] = {{"errors", run.load_errors}, {"log", "load.log"}};
  return j;
}

}  // namespace cutover::scenario
