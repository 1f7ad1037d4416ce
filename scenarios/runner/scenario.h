// Scenario: the model of a scenario file (TOML) and its parser.
//
// Design: the parser turns the TOML document into plain structs and checks everything that can
// be checked without a server, so `cutover scenario check` and `run` reject a bad file before
// anything starts. Every error is one line naming the file, the line of the offending value (or
// of the table that lacks a key) and the key's full path, then what was expected:
//   scenarios/x.toml:14: key 'phase[2].events[0].kind': expected one of kill-engine, ...
// Unknown keys are errors too (a typo must not silently become a default). docs/scenarios.md
// documents every key; the defaults live here in the struct initialisers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/driver.h"
#include "engine/core/status.h"
#include "engine/core/uri.h"
#include "engine/task/table_mapping.h"

namespace cutover::scenario {

enum class EventKind {
  kKillEngine,     // SIGKILL the engine, start it again after `delay`
  kStopEngine,     // SIGTERM, wait for the graceful exit
  kStartEngine,    // start a stopped engine
  kStopTarget,     // halt the throwaway target (for `duration`, or until start-target)
  kStartTarget,    // start it again
  kRestartSource,  // restart the throwaway source in place
  kNetwork,        // a fault on the proxy between the engine and an endpoint, for `duration`
  kSql,            // run SQL on an endpoint
  kLoad,           // change the phase's load rate
};
const char* EventKindName(EventKind kind);

enum class NetworkMode { kCut, kBlackhole, kLatency };
const char* NetworkModeName(NetworkMode mode);

enum class Side { kSource, kTarget };
const char* SideName(Side side);

struct LoadProfile {
  std::string workload;  // oltp | ecommerce | bulk
  double rate = 0;       // transactions per second (open loop)
  int clients = 8;
  std::string dist = "uniform";
  std::string mix = "50:40:10";
  int txn_size = 1;
  int64_t rows = 1000;  // bulk: rows per operation
};

struct Event {
  int line = 0;
  double at_s = 0;  // from the phase start
  EventKind kind = EventKind::kKillEngine;
  double delay_s = 3;     // kill-engine: restart after this long
  double duration_s = 0;  // stop-target (0: until start-target), network: length of the fault
  Side side = Side::kSource;
  NetworkMode mode = NetworkMode::kCut;
  int latency_ms = 0;
  std::string sql;       // sql: the statements (text, or the file's contents)
  std::string sql_file;  // sql: where they came from ("" when inline)
  double rate = 0;       // load: the new rate
};

// A `ramp` phase: the load rate rises from `start` by `step` every `step_seconds` up to `max`,
// until the lag stops being stable (sizing; see docs/scenarios.md).
struct Ramp {
  double start = 100, step = 100, step_seconds = 20, max = 10000;
  double max_lag_s = 5;  // a step whose lag p95 exceeds this is not sustainable
};

struct Phase {
  int line = 0;
  std::string name;
  double duration_s = 0;   // 0 when the phase ends on `until` (or is a ramp)
  std::string until;       // "" | "loaded" | "caught-up"
  double timeout_s = 600;  // with `until`: the phase fails the run after this long
  std::optional<LoadProfile> load;
  std::optional<Ramp> ramp;
  std::vector<Event> events;  // ordered by at_s
  bool validate = false;      // validate at the end of this phase
  // The cutover (docs/switch.md): the load on the source stops, `cutover switch` runs, then
  // `load` runs against the target for `duration` (events count from "target ready"). Last
  // phase only; the switch's validation is the run's.
  bool cutover = false;
};

struct EndpointSpec {
  const EngineDriver* engine = nullptr;  // set by the parser (engine/registry)
  std::string uri;  // empty: a throwaway server (SQLite: a file in the output directory)
  // A throwaway file target's store: "" (a folder in the output directory) or "s3" (an
  // S3-compatible server the run starts on loopback: harness/throwaway_s3_server.h).
  std::string store;
  bool throwaway() const { return uri.empty(); }
};

struct Dataset {
  std::string workload;  // "" (none) | oltp | ecommerce | bulk: created with --init semantics
  int64_t scale = 1;
  std::string dist = "uniform";
  std::vector<std::string> sql_files;  // resolved paths, run on the source in order
  std::vector<std::string> sql;        // their contents
};

struct TaskSpec {
  std::string name;
  std::string type = "full-load-and-cdc";
  std::vector<std::string> tables;  // empty: every table
  int parallel = 2;
  // DMS task files (docs/dms.md), paths resolved against the scenario file's folder; "" none.
  // Passed to `cutover replicate` as --table-mappings / --task-settings; the mapping also to
  // the validation, so it pairs and filters tables as the task does.
  std::string table_mappings, task_settings;
  // The target endpoint's settings file (`cutover replicate --target-settings`: a file target's
  // DMS S3Settings), resolved the same way; "" none.
  std::string target_settings;
  std::shared_ptr<const task::TableMapping> mapping;  // table_mappings, parsed
  bool restart_on_failure = true;
  double restart_backoff_s = 1;  // first backoff; doubles up to 8 s
  // The engine's --metrics-listen HOST:PORT, kept across engine restarts (so a Prometheus of
  // the user's can scrape the rehearsal); "": a free 127.0.0.1 port picked at the run's start.
  std::string metrics_listen;
};

struct Expect {
  std::optional<bool> consistent;
  std::optional<double> max_lag_s;
  std::vector<std::string> max_lag_phases;  // empty: every phase except until = "loaded"
  std::optional<double> catch_up_s;
  std::optional<bool> no_engine_errors;
  std::optional<double> min_rows_per_s;  // sizing: sustainable row changes per second
};

struct Measure {
  double caught_up_lag_s = 1.0;  // lag at or below this means caught up
  double lag_interval_s = 0.25;
  double final_catch_up_timeout_s = 180;
};

struct Scenario {
  std::string name, description;
  std::string file, text;  // path as given, and the file's text (for the report)
  EndpointSpec source, target;
  Dataset dataset;
  TaskSpec task;
  Measure measure;
  std::vector<Phase> phases;
  Expect expect;

  bool needs_proxy(Side side) const;  // some network event targets this side
  double planned_seconds() const;     // sum of fixed durations (ramps at their maximum)
};

// Parses scenario text. `file` names it in errors and anchors relative sql files.
Result<Scenario> ParseScenario(std::string_view text, const std::string& file);
// Reads and parses a file.
Result<Scenario> LoadScenarioFile(const std::string& path);

}  // namespace cutover::scenario
