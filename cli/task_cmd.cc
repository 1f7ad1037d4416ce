// `cutover task ...`: manage a task's capture objects on the source and state on the target.
//   task prepare  create the source's change capture ahead of the first run (SQLite: triggers
//                 and change table; PostgreSQL: slot and publication). `replicate` prepares a
//                 missing capture itself; preparing earlier starts capturing earlier.
//   task drop     remove the source's capture objects and (with --target) the target's
//                 checkpoint rows and the task's control files (task_control.h)
//   task stats    per-table statistics (DMS describe-table-statistics' shape) from the target's
//                 control tables, read-only: full-load rows, CDC inserts/updates/deletes/DDLs,
//                 table state, last update
//   task status   the task's state on the target: checkpoint position and age, tables loaded
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "engine/core/log.h"
#include "engine/core/uri.h"
#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/http_get.h"
#include "engine/pipeline/start_checks.h"
#include "engine/pipeline/task_control.h"
#include "engine/registry/registry.h"
#include "validator/task_validation.h"

namespace cutover::cli {
namespace {

class TaskCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* task_cmd = root.add_subcommand("task", "Manage replication tasks");
    task_cmd->require_subcommand(1);
    prepare_ = task_cmd->add_subcommand(
        "prepare",
        "Create a task's change capture on the source (SQLite: triggers and a change "
        "table; PostgreSQL: slot and publication)");
    prepare_->add_option("--source", source_uri_, "Source URI")->required();
    prepare_->add_option("--task", task_, "Task name")->required();
    prepare_->add_option("--tables", tables_,
                         "schema.table pattern to capture ('%' wildcard; repeatable; default: "
                         "every table)");
    prepare_->add_option("--exclude-tables", exclude_tables_,
                         "Table pattern (as --tables) left out of the capture (repeatable)");
    drop_ = task_cmd->add_subcommand("drop",
                                     "Remove a task: source capture objects (slot, publication, "
                                     "triggers), target checkpoint rows");
    drop_->add_option("--source", source_uri_, "Source URI")->required();
    drop_->add_option("--target", target_uri_, "Target URI (its checkpoint rows are removed)");
    drop_->add_option("--task", task_, "Task name")->required();
    stats_ = task_cmd->add_subcommand(
        "stats", "Per-table statistics of a task, read from the target (DMS table statistics)");
    stats_->add_option("--target", target_uri_, "Target URI")->required();
    stats_->add_option("--task", task_, "Task name")->required();
    stats_->add_flag("--json", json_, "Print DMS describe-table-statistics JSON");
    status_ = task_cmd->add_subcommand(
        "status", "A task's state on the target: checkpoint position and age, tables loaded");
    status_->add_option("--target", target_uri_, "Target URI")->required();
    status_->add_option("--task", task_, "Task name")->required();
    status_->add_flag("--json", json_, "Print JSON");
    status_->add_option("--metrics", metrics_,
                        "HOST:PORT of the running task's --metrics-listen: adds its health "
                        "(state or why it is unhealthy) and lag");
    return task_cmd;
  }

  int Run(const GlobalOptions&) override {
    if (Status s = CheckTaskName(task_); !s.ok()) return Fail(s);
    if (*prepare_) return Prepare();
    if (*drop_) return Drop();
    if (*stats_) return Stats();
    if (*status_) return TaskStatus();
    return 0;
  }

 private:
  int Prepare() {
    auto source = MakeSource(source_uri_, SourceOptions{DefaultSpoolDir(task_, source_uri_)});
    if (!source.ok()) return Fail(source.status());
    // The same checks as `replicate` (engine/pipeline/start_checks.h), all named in one report.
    StartReport problems;
    auto tables = (*source)->DiscoverTables(TableSelection{tables_, exclude_tables_}, problems);
    if (!tables.ok()) return Fail(tables.status());
    if (Status s = CheckCdcStart(**source, *tables, problems); !s.ok()) return Fail(s);
    if (Status s = problems.ToStatus("task " + task_); !s.ok()) return Fail(s);
    if (tables->empty()) return Fail(NotFound("the source has no tables to capture"));
    auto setup = (*source)->PrepareCdc(task_, *tables, /*want_snapshot=*/false);
    if (!setup.ok()) return Fail(setup.status());
    Log(LogLevel::kInfo, "task {} {}: {} table(s) captured", task_,
        setup->created ? "prepared" : "was already prepared (brought up to date)", tables->size());
    return 0;
  }

  int Drop() {
    auto source = MakeSource(source_uri_, SourceOptions{DefaultSpoolDir(task_, source_uri_)});
    if (!source.ok()) return Fail(source.status());
    std::unique_ptr<Sink> sink;
    if (!target_uri_.empty()) {
      auto made = MakeSink(target_uri_);
      if (!made.ok()) return Fail(made.status());
      sink = std::move(*made);
    }
    if (Status s = (*source)->DropTask(task_); !s.ok()) return Fail(s);
    if (sink) {
      if (Status s = sink->DropTask(task_); !s.ok()) return Fail(s);
      TaskControl(task_, target_uri_).Forget();  // its run, stop request and switch record
    }
    Log(LogLevel::kInfo, "task {} dropped", task_);
    return 0;
  }

  // The task's state on the target, read-only; kNotFound when the target holds none.
  Result<TaskState> ReadState() {
    ASSIGN_OR_RETURN(const EngineDriver* driver, EngineForUri(target_uri_, "--target"));
    ASSIGN_OR_RETURN(std::optional<TaskState> state, driver->ReadTaskState(target_uri_, task_));
    if (!state || (!state->applied && state->loaded.empty() && state->changes.empty())) {
      return NotFound("target " + RedactUri(target_uri_) + " holds no state of task " + task_ +
                      " (never run against this target, or dropped)");
    }
    return std::move(*state);
  }

  // DMS's TableState words for what the target knows of a table.
  static std::string TableStateOf(const TaskState& s, const TableName& t) {
    if (auto c = s.changes.find(t); c != s.changes.end() && c->second.state == "suspended")
      return "suspended";  // SUSPEND_TABLE (ErrorBehavior): its changes are no longer applied
    if (s.applied) return "CDC";  // the task streams changes into its loaded tables
    if (s.loaded.count(t)) return "loaded";
    return "before load";
  }

  int Stats() {
    auto state = ReadState();
    if (!state.ok()) return Fail(state.status());
    std::set<TableName> tables;
    for (const auto& [t, _] : state->loaded) tables.insert(t);
    for (const auto& [t, _] : state->changes) tables.insert(t);
    nlohmann::json rows = nlohmann::json::array();
    for (const TableName& t : tables) {
      auto l = state->loaded.find(t);
      auto c = state->changes.find(t);
      TableChangeTotals n = c == state->changes.end() ? TableChangeTotals{} : c->second;
      std::string last = n.updated_at;
      if (l != state->loaded.end() && l->second.loaded_at > last) last = l->second.loaded_at;
      auto v = state->validation.find(t);
      const TableValidationState none{"Not enabled", 0, "", ""};
      const TableValidationState& valid = v == state->validation.end() ? none : v->second;
      // In-task revalidation's counters ride in the verdict's detail (task_validation.h).
      auto re = validator::ParseRevalidationCounts(valid.detail)
                    .value_or(validator::RevalidationCounts{});
      rows.push_back({{"SchemaName", t.schema},
                      {"TableName", t.name},
                      {"Inserts", n.inserts},
                      {"Updates", n.updates},
                      {"Deletes", n.deletes},
                      {"Ddls", n.ddls},
                      {"FullLoadRows", l == state->loaded.end() ? 0 : l->second.rows},
                      {"FullLoadEndTime", l == state->loaded.end() ? "" : l->second.loaded_at},
                      {"LastUpdateTime", last},
                      {"TableState", TableStateOf(*state, t)},
                      {"ValidationState", valid.state},
                      {"ValidationFailedRecords", valid.failed_records},
                      {"ValidationPendingRecords", re.pending},
                      {"ValidationSuspendedRecords", re.suspended},
                      {"ValidationRevalidatedRecords", re.revalidated},
                      {"ValidationStateDetails", valid.detail},
                      {"LastValidationTime", valid.validated_at}});
    }
    if (json_) {
      std::printf("%s\n", nlohmann::json{{"TableStatistics", rows}}.dump(2).c_str());
      return 0;
    }
    size_t width = 5;
    for (const TableName& t : tables) width = std::max(width, t.ToString().size());
    std::printf("%s", fmt::format("{:<{}}  {:<11} {:>14} {:>10} {:>10} {:>10} {:>6}  {:<19}  {}\n",
                                  "table", width, "state", "full-load rows", "inserts", "updates",
                                  "deletes", "ddls", "last update (UTC)", "validation")
                          .c_str());
    for (const auto& r : rows) {
      std::printf(
          "%s", fmt::format(
                    "{:<{}}  {:<11} {:>14} {:>10} {:>10} {:>10} {:>6}  {:<19}  {}{}\n",
                    r["SchemaName"].get<std::string>() + "." + r["TableName"].get<std::string>(),
                    width, r["TableState"].get<std::string>(), r["FullLoadRows"].get<int64_t>(),
                    r["Inserts"].get<int64_t>(), r["Updates"].get<int64_t>(),
                    r["Deletes"].get<int64_t>(), r["Ddls"].get<int64_t>(),
                    r["LastUpdateTime"].get<std::string>(), r["ValidationState"].get<std::string>(),
                    r["LastValidationTime"].get<std::string>().empty()
                        ? std::string()
                        : " (" + r["LastValidationTime"].get<std::string>() + ")")
                    .c_str());
    }
    return 0;
  }

  // The value of the first sample of `name` in a Prometheus text page ("" when absent).
  static std::string Sample(const std::string& page, const std::string& name) {
    for (size_t p = 0; (p = page.find(name, p)) != std::string::npos; p += name.size()) {
      if (p > 0 && page[p - 1] != '\n') continue;
      const char next = page[p + name.size()];
      if (next != ' ' && next != '{') continue;
      const size_t end = page.find('\n', p);
      const std::string line = page.substr(p, end - p);
      return line.substr(line.rfind(' ') + 1);
    }
    return "";
  }

  // What the running task says of itself on its metrics endpoint (--metrics), as JSON.
  Result<nlohmann::json> LiveStatus() {
    nlohmann::json live;
    auto health = HttpGet(metrics_, "/healthz", std::chrono::seconds(5));
    if (!health.ok() && health.status().code() == StatusCode::kInvalidArgument)
      return health.status();
    if (!health.ok()) {
      live["running"] = false;
      live["health"] = health.status().message() + ": the task is not running there";
      return live;
    }
    std::string h = health->body;
    while (!h.empty() && h.back() == '\n') h.pop_back();
    live["running"] = true;
    live["healthy"] = health->status == 200;
    live["health"] = h;
    auto page = HttpGet(metrics_, "/metrics", std::chrono::seconds(5));
    if (page.ok()) {
      for (auto [key, metric] :
           {std::pair{"cdc_latency_source_seconds", "cutover_cdc_latency_source_seconds"},
            {"cdc_latency_target_seconds", "cutover_cdc_latency_target_seconds"},
            {"source_log_retained_bytes", "cutover_source_log_retained_bytes"},
            {"checkpoint_age_seconds", "cutover_checkpoint_age_seconds"}}) {
        std::string v = Sample(page->body, metric);
        if (!v.empty()) live[key] = std::strtod(v.c_str(), nullptr);
      }
    }
    return live;
  }

  int TaskStatus() {
    auto state = ReadState();
    if (!state.ok()) return Fail(state.status());
    nlohmann::json live;
    if (!metrics_.empty()) {
      auto l = LiveStatus();
      if (!l.ok()) return Fail(l.status());
      live = std::move(*l);
    }
    int64_t rows = 0, inserts = 0, updates = 0, deletes = 0, ddls = 0;
    for (const auto& [t, l] : state->loaded) rows += l.rows;
    for (const auto& [t, n] : state->changes) {
      inserts += n.inserts, updates += n.updates, deletes += n.deletes, ddls += n.ddls;
    }
    // Age of the checkpoint: the stored time is UTC "YYYY-MM-DD HH:MM:SS".
    int64_t age = -1;
    std::tm tm{};
    if (!state->applied_at.empty() &&
        strptime(state->applied_at.c_str(), "%Y-%m-%d %H:%M:%S", &tm) != nullptr) {
      age = static_cast<int64_t>(std::time(nullptr) - timegm(&tm));
    }
    const std::string phase = state->applied ? "cdc" : "full load";
    if (json_) {
      nlohmann::json j{{"task", task_},
                       {"phase", phase},
                       {"position", state->applied ? state->applied->text : ""},
                       {"checkpoint_time", state->applied_at},
                       {"checkpoint_age_seconds", age},
                       {"tables_loaded", state->loaded.size()},
                       {"full_load_rows", rows},
                       {"inserts", inserts},
                       {"updates", updates},
                       {"deletes", deletes},
                       {"ddls", ddls}};
      if (!live.is_null()) j["live"] = live;
      std::printf("%s\n", j.dump(2).c_str());
      return 0;
    }
    std::printf("task %s on %s\n", task_.c_str(), RedactUri(target_uri_).c_str());
    std::printf("  phase:      %s\n", phase.c_str());
    if (state->applied) {
      std::printf("  position:   %s (checkpoint written %s UTC, %s ago)\n",
                  state->applied->text.c_str(), state->applied_at.c_str(),
                  age < 0 ? "?" : (std::to_string(age) + " s").c_str());
    }
    std::printf("  tables:     %zu loaded, %lld full-load rows\n", state->loaded.size(),
                static_cast<long long>(rows));
    std::printf("  changes:    %lld inserts, %lld updates, %lld deletes, %lld ddls applied\n",
                static_cast<long long>(inserts), static_cast<long long>(updates),
                static_cast<long long>(deletes), static_cast<long long>(ddls));
    if (live.is_null()) {
      std::printf(
          "  running:    not asked (--metrics HOST:PORT of the running task adds its "
          "health and lag)\n");
      return 0;
    }
    std::printf("  running:    %s\n", live["health"].get<std::string>().c_str());
    if (live.contains("cdc_latency_source_seconds")) {
      std::printf("  lag:        source %.1f s, target %.1f s\n",
                  live["cdc_latency_source_seconds"].get<double>(),
                  live.value("cdc_latency_target_seconds", 0.0));
    }
    if (live.contains("source_log_retained_bytes")) {
      std::printf("  source log: %.0f bytes retained for the task\n",
                  live["source_log_retained_bytes"].get<double>());
    }
    return 0;
  }

  CLI::App* prepare_ = nullptr;
  CLI::App* drop_ = nullptr;
  CLI::App* stats_ = nullptr;
  CLI::App* status_ = nullptr;
  bool json_ = false;
  std::string metrics_;
  std::string source_uri_, target_uri_, task_;
  std::vector<std::string> tables_;
  std::vector<std::string> exclude_tables_;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<TaskCommand>();
});

}  // namespace
}  // namespace cutover::cli
