// RunRecord: everything a scenario run measured and decided, in one plain struct. The runner
// fills it; analysis.h derives phase summaries and sizing from it, expectations.h judges it,
// report_json.h writes it as report.json (the contract with reports/report_render.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/runner/scenario.h"
#include "scenarios/runner/series.h"

namespace cutover::scenario {

struct EventRecord {
  double at_s = 0;
  std::string kind;  // an event kind, or "engine-error", "engine-start", "phase-timeout"...
  std::string phase;
  std::string detail;
  bool error = false;
  double end_s = -1;  // when the fault it caused ended (-1: instantaneous or unknown)
};

struct PhaseRecord {
  std::string name, until;
  double start_s = 0, end_s = 0;
  std::optional<LoadProfile> load;
  // When the phase's last disturbance ended (a fault's end, an engine restart, a finished SQL
  // event, or the phase start when load stopped here); nullopt: nothing to catch up from.
  std::optional<double> disturbance_end_s;
  bool timed_out = false;
  bool measure_lag = true;  // counted by max_lag_seconds
};

struct PhaseSummary {
  std::string name;
  double duration_s = 0;
  std::optional<double> lag_max_s, lag_p95_s, catch_up_s;
  bool caught_up = true;  // false: a disturbance never caught up before the run ended
  std::optional<double> source_tps, applied_tps, cpu_avg_pct, rss_peak_mb;
  int64_t load_errors = 0;
};

struct SizingStep {
  double rate = 0, start_s = 0, end_s = 0;
  double tps = 0, rows_per_s = 0, changes_per_s = 0;
  bool lag_stable = false;
  bool source_limited = false;  // the load generator fell short of the rate (< 90%)
  std::string why;              // when not stable or source-limited
  std::optional<double> lag_p95_s, cpu_avg_pct, rss_peak_mb;
};

struct SizingResult {
  std::string workload;
  std::vector<SizingStep> steps;
  std::optional<size_t> sustainable;  // index of the highest stable step
  // What ended the ramp: "replication" (lag not stable), "source" (the source could not take
  // more load: replication's own limit is higher), "ramp-max" (every rate up to max held).
  std::string limited_by;
};

struct TableValidation {
  std::string table;
  int64_t rows_source = 0, rows_target = 0, differences = 0;
};

struct ValidationSummary {
  std::string status;  // equal | different | error
  std::string error;
  int64_t tables = 0, rows_source = 0, rows_target = 0, differences = 0, in_flight = 0;
  double seconds = 0;
  std::string report;  // relative to the output directory
  std::vector<TableValidation> per_table;
  std::string phase;  // "" for the final validation
};

struct ExpectationResult {
  std::string key, expected, actual;
  bool passed = false;
  std::string detail;
};

// The cutover phase (docs/switch.md): the switch and the application's first writes on the
// target, on the run's clock.
struct CutoverRecord {
  std::string phase;
  int switch_exit_code = -1;
  std::string switch_report;        // switch.json as `cutover switch` wrote it ("" if not)
  double window_s = 0;              // the switch's cutover window (its own measure)
  double last_source_commit_s = 0;  // the application's load on the source had stopped by then
  double switch_start_s = 0, ready_s = 0;
  // The first second in which the application committed on the target (per-second samples of
  // the load, so at 1 s resolution); nullopt: it never committed.
  std::optional<double> first_target_commit_s;
  std::optional<double> write_downtime_s;  // first_target_commit_s - last_source_commit_s
  int64_t target_committed = 0, target_errors = 0;
};

struct RunRecord {
  const Scenario* scenario = nullptr;
  std::string version_cutover, version_source, version_target;
  std::string started_at;
  double t0_unix_s = 0;          // t = 0 of the series, seconds since the Unix epoch
  std::string metrics_endpoint;  // the engine's /metrics URL (--metrics-listen)
  double duration_s = 0;
  std::string outcome = "error";  // passed | failed | error
  std::string error;
  std::string source_uri, target_uri;  // redacted
  std::vector<PhaseRecord> phases;
  std::vector<EventRecord> events;
  std::map<std::string, Series> series;  // lag_s, source_tps, applied_tps, ...
  std::vector<PhaseSummary> phase_summaries;
  std::vector<ValidationSummary> validations;  // phase ends, then the final one
  std::optional<SizingResult> sizing;
  std::vector<ExpectationResult> expectations;
  int engine_restarts = 0;
  std::vector<int> engine_exit_codes;
  std::vector<std::string> engine_errors;
  int64_t load_errors = 0;
  std::optional<CutoverRecord> cutover;
  // File targets: the committed data files and their bytes when the run drained (the lag
  // series is then the lag until a change is visible in a committed file).
  std::optional<int64_t> target_files, target_bytes;
};

}  // namespace cutover::scenario
