// `cutover replicate`: full load and/or CDC from a source to a target, in the foreground.
// Exit codes: 0 success (a CDC run stopped by SIGINT/SIGTERM included); 2 error; 130 full load
// interrupted by a signal (run the same task again to resume). A server that goes away once the
// task has started is waited for (reconnect with backoff, resume from the checkpoint) for up to
// --retry-for seconds.
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "engine/core/load_split.h"
#include "engine/core/log.h"
#include "engine/core/log_component.h"
#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/lob_report.h"
#include "engine/pipeline/metrics_endpoint.h"
#include "engine/pipeline/replicate.h"
#include "engine/pipeline/supervise.h"
#include "engine/pipeline/task_control.h"
#include "engine/task/task_settings.h"
#include "validator/task_validation.h"

namespace cutover::cli {
namespace {

class ReplicateCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* rep =
        root.add_subcommand("replicate", "Replicate tables: full load, then change data capture");
    rep->add_option("--source", source_uri_,
                    "Source URI, e.g. postgresql://user@host:5432/db or mariadb://user@host/db")
        ->required();
    rep->add_option("--target", target_uri_, "Target URI")->required();
    rep->add_option("--task", task_, "Task name: identifies the slot, publication and checkpoint")
        ->required();
    rep->add_option("--type", type_, "What to run")
        ->check(CLI::IsMember({"full-load", "cdc", "full-load-and-cdc"}))
        ->capture_default_str();
    rep->add_option("--tables", tables_,
                    "Table pattern schema.table, '%' matches any run of characters (repeatable; "
                    "default: all tables)");
    rep->add_option("--exclude-tables", exclude_tables_,
                    "Table pattern (as --tables) left out of the selection (repeatable)");
    rep->add_option("--table-mappings", mappings_file_,
                    "DMS table-mapping JSON: selection rules (on top of --tables), load order, "
                    "schema and table renames (docs/dms.md)");
    rep->add_option("--task-settings", settings_file_,
                    "DMS task-settings JSON; options given on the command line win (docs/dms.md)");
    rep->add_option("--target-settings", target_settings_file_,
                    "Target endpoint settings JSON: DMS's S3Settings for a file:// target "
                    "(docs/lakehouse.md)");
    parallel_opt_ = rep->add_option("--parallel", parallel_, "Tables loaded at once")
                        ->check(CLI::Range(1, 64))
                        ->capture_default_str();
    rep->add_option("--split-tables-larger-than", split_larger_than_,
                    "Load a table larger than this (source statistics: 512MB, 2GB...) as "
                    "--parallel key ranges at once, each resumable after a crash; off: only "
                    "tables a DMS parallel-load rule names (docs/operations.md)")
        ->capture_default_str();
    prep_opt_ = rep->add_option("--table-prep", prep_,
                                "How target tables are prepared before the full load")
                    ->check(CLI::IsMember({"drop-and-create", "truncate", "do-nothing"}))
                    ->capture_default_str();
    apply_mode_opt_ =
        rep->add_option(
               "--apply-mode", apply_mode_,
               "net: apply the net effect per key of each target transaction in bulk; row: "
               "one statement per change in source order (targets with extra unique "
               "constraints or order-dependent triggers)")
            ->check(CLI::IsMember({"net", "row"}))
            ->capture_default_str();
    rep->add_option(
        "--spool-dir", spool_dir_,
        "Directory for spooled large transactions (default $TMPDIR/cutover-spool-TASK)");
    rep->add_option("--change-spool", change_spool_,
                    "on: CDC captures source transactions into a durable spool on this host and "
                    "confirms the source once they are durable there, so a target outage holds "
                    "no log on the source; off: apply straight from the source's stream "
                    "(docs/change-spool.md)")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    rep->add_option("--change-spool-dir", change_spool_dir_,
                    "Directory of the durable change spool (default: the task's state directory "
                    "$TMPDIR/cutover-task-TASK-HASH/change-spool)");
    rep->add_option("--spool-max-bytes", spool_max_bytes_,
                    "Largest change spool: at this size capture pauses and the source is no "
                    "longer confirmed past the spool's end until the target catches up")
        ->check(CLI::Range(int64_t{1} << 20, int64_t{1} << 50))
        ->capture_default_str();
    group_changes_opt_ = rep->add_option("--group-max-changes", group_changes_,
                                         "Close a target transaction after this many changes")
                             ->check(CLI::Range(int64_t{1}, int64_t{10000000}))
                             ->capture_default_str();
    group_ms_opt_ = rep->add_option("--group-max-ms", group_ms_,
                                    "Close a target transaction after this many milliseconds")
                        ->check(CLI::Range(int64_t{0}, int64_t{600000}))
                        ->capture_default_str();
    rep->add_option("--metrics-file", metrics_file_,
                    "Append one JSON line of cumulative counters per second to this file "
                    "(phase, rows loaded, transactions and changes applied, last position)");
    rep->add_option("--metrics-listen", metrics_listen_,
                    "Serve Prometheus metrics on http://HOST:PORT/metrics and the task's health "
                    "on /healthz (HOST numeric, e.g. 127.0.0.1:9187; docs/metrics.md)");
    rep->add_option("--metrics-stall-seconds", stall_s_,
                    "/healthz reports the task unhealthy after this long without progress "
                    "(rows loaded, a change read, a target commit, or a poll that found the source "
                    "caught up)")
        ->check(CLI::Range(int64_t{1}, int64_t{24} * 3600))
        ->capture_default_str();
    retry_for_opt_ =
        rep->add_option(
               "--retry-for", retry_for_s_,
               "When a server goes away after the task started, reconnect and resume for up "
               "to this many seconds of continuous failure (0: exit at once)")
            ->check(CLI::Range(int64_t{0}, int64_t{30} * 24 * 3600))
            ->capture_default_str();
    rep->add_option("--schema-report", schema_report_,
                    "Write the schema report (each index, foreign key, default, check, identity, "
                    "type, trigger, view... of the source and what becomes of it on the target) "
                    "as JSON to this file (docs/types.md, \"Schema objects\")");
    rep->add_option("--target-load-binlog", target_load_binlog_,
                    "off: a MariaDB target's full load writes its rows without binary logging "
                    "(SET SESSION sql_log_bin = 0, as myloader does; needs SUPER or BINLOG "
                    "ADMIN): faster, but replicas of the target never receive the loaded rows. "
                    "Tables, indexes and CDC changes stay logged")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    rep->add_option("--lock-timeout", lock_timeout_s_,
                    "Longest a statement on the target waits for a lock another session holds; "
                    "the wait is then reported naming the table and the holder, and retried")
        ->check(CLI::Range(int64_t{1}, int64_t{24} * 3600))
        ->capture_default_str();
    return rep;
  }

  int Run(const GlobalOptions& global) override {
    if (Status s = CheckTaskName(task_); !s.ok()) return Fail(s);
    ReplicateOptions opt;
    opt.task = task_;
    opt.type = type_ == "full-load" ? ReplicationType::kFullLoad
               : type_ == "cdc"     ? ReplicationType::kCdc
                                    : ReplicationType::kFullLoadAndCdc;
    opt.table_patterns = tables_;
    opt.exclude_patterns = exclude_tables_;
    opt.parallel = parallel_;
    auto split_size = ParseByteSize(split_larger_than_);
    if (!split_size.ok())
      return Fail(split_size.status().WithContext("--split-tables-larger-than"));
    opt.split_larger_than = *split_size;
    opt.prep = prep_ == "truncate"     ? TablePrep::kTruncate
               : prep_ == "do-nothing" ? TablePrep::kDoNothing
                                       : TablePrep::kDropAndCreate;
    opt.group_max_changes = group_changes_;
    opt.group_max_ms = group_ms_;
    opt.apply_mode = apply_mode_ == "row" ? ApplyMode::kRow : ApplyMode::kNet;
    opt.sink_options.lock_timeout = std::chrono::seconds(lock_timeout_s_);
    opt.sink_options.load_change_log = target_load_binlog_ == "on";
    opt.schema_report_path = schema_report_;
    opt.sink_options.settings_file = target_settings_file_;
    if (global.quiet) opt.progress = Progress::Mode::kQuiet;
    if (Status s = ApplyTaskFiles(global, opt); !s.ok()) return Fail(s);
    SourceOptions so;
    so.spool_dir = spool_dir_.empty() ? DefaultSpoolDir(task_, source_uri_) : spool_dir_;
    so.snapshot_connections = opt.parallel;
    auto metrics = std::make_shared<ReplicationMetrics>();
    std::unique_ptr<MetricsFileWriter> metrics_writer;
    std::unique_ptr<MetricsEndpoint> metrics_endpoint;
    if (!metrics_listen_.empty()) {
      MetricsEndpointOptions mo{metrics_listen_, source_uri_, task_, target_uri_,
                                std::chrono::seconds(stall_s_)};
      auto e = MetricsEndpoint::Start(mo, metrics);
      if (!e.ok()) return Fail(e.status());
      metrics_endpoint = std::move(*e);
      opt.metrics = metrics.get();
    }
    if (!metrics_file_.empty()) {
      auto w = MetricsFileWriter::Start(metrics_file_, *metrics);
      if (!w.ok()) return Fail(w.status());
      metrics_writer = std::move(*w);
      opt.metrics = metrics.get();
    }
    RetryPolicy retry;
    retry.retry_for = std::chrono::seconds(retry_for_s_);
    if (recoverable_count_ == 0 && (retry_for_opt_ == nullptr || retry_for_opt_->count() == 0))
      retry.retry_for = std::chrono::seconds(0);  // RecoverableErrorCount 0: never restart
    if (recoverable_interval_s_ > 0) {
      retry.first_backoff = std::chrono::seconds(recoverable_interval_s_);
      retry.max_backoff =
          std::max<std::chrono::milliseconds>(retry.max_backoff, retry.first_backoff);
    }
    ReplicateStats stats;
    // `cutover switch` finds this process and asks it to stop at a position (task_control.h).
    TaskControl control(task_, target_uri_);
    if (Status m = control.MarkRunning(); !m.ok())
      Log(LogLevel::kWarn, "cutover switch will not find this task: {}", m.message());
    if (control.Switched())
      Log(LogLevel::kWarn,
          "task {} was switched to its target before ({}/switched): the "
          "application may write there now",
          task_, control.dir());
    opt.stop_at = [&control] { return control.StopRequest(); };
    if (change_spool_ == "on") {
      opt.change_spool.dir =
          change_spool_dir_.empty() ? control.ChangeSpoolDir() : change_spool_dir_;
      opt.change_spool.max_bytes = static_cast<uint64_t>(spool_max_bytes_);
      opt.target_wait = std::chrono::seconds(retry_for_s_);
    }
    std::unique_ptr<validator::InTaskValidation> validation;
    if (validation_) {
      opt.metrics = metrics.get();
      validation = std::make_unique<validator::InTaskValidation>(*validation_, *metrics);
      // Continuous revalidation: the rows CDC writes are compared again (task_validation.h).
      opt.on_change_written = [v = validation.get()](const Change& c) { v->ChangeWritten(c); };
    }
    Status s =
        RunReplicationSupervised(source_uri_, target_uri_, so, opt, retry, StopFlag(), &stats);
    // A full-load task ends with its load: its validation runs now.
    if (validation && s.ok() && opt.type == ReplicationType::kFullLoad && !StopFlag().load())
      validation->RunIfNotDone();
    validation.reset();
    control.MarkStopped();
    metrics->SetPhase(ReplicationPhase::kStopped);
    if (metrics_writer) metrics_writer->Stop();
    if (metrics_endpoint) metrics_endpoint->Stop();
    if (!s.ok()) return Fail(s);
    Log(LogLevel::kInfo,
        "done: {} table(s) / {} rows loaded; {} transactions ({} changes) applied in {} target "
        "commits, {} already-applied transactions skipped, {} reconnect(s)",
        stats.tables_loaded, stats.rows_loaded, stats.transactions_applied, stats.changes_applied,
        stats.target_commits, stats.transactions_skipped, stats.reconnects);
    return 0;
  }

 private:
  // Reads --table-mappings and --task-settings into `opt`. A setting applies only where the
  // matching option was not given on the command line.
  Status ApplyTaskFiles(const GlobalOptions& global, ReplicateOptions& opt) {
    if (!mappings_file_.empty()) {
      std::vector<std::string> notes;
      ASSIGN_OR_RETURN(task::TableMapping mapping,
                       task::ReadTableMappingFile(mappings_file_, &notes));
      for (const auto& n : notes) Log(LogLevel::kWarn, "{}", n);
      opt.mapping = std::make_shared<const task::TableMapping>(std::move(mapping));
    }
    // DMS's LOB settings: a report of the values DMS would truncate (lob_report.h), with DMS's
    // defaults when the task settings do not say.
    LobPolicy lobs;
    if (!settings_file_.empty() || (opt.mapping && opt.mapping->sets_lobs()))
      opt.lob_report = std::make_shared<LobReport>(lobs, opt.mapping);
    if (settings_file_.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(task::TaskSettings s, task::ReadTaskSettingsFile(settings_file_));
    auto unset = [](CLI::Option* o) { return o == nullptr || o->count() == 0; };
    if (s.target_schema && !s.target_schema->empty()) opt.target_schema = *s.target_schema;
    if (s.batch_apply && unset(apply_mode_opt_))
      opt.apply_mode = *s.batch_apply ? ApplyMode::kNet : ApplyMode::kRow;
    if (s.prep && unset(prep_opt_)) opt.prep = *s.prep;
    if (s.max_subtasks && unset(parallel_opt_)) opt.parallel = *s.max_subtasks;
    if (s.group_max_changes && unset(group_changes_opt_))
      opt.group_max_changes = *s.group_max_changes;
    if (s.follow_schema_changes) opt.follow_schema_changes = *s.follow_schema_changes;
    if (s.apply_truncates) opt.apply_truncates = *s.apply_truncates;
    if (s.group_max_ms && unset(group_ms_opt_)) opt.group_max_ms = *s.group_max_ms;
    if (s.memory_limit_mb) opt.net_max_bytes = static_cast<size_t>(*s.memory_limit_mb) << 20;
    // Per-component severities; --verbose / --quiet on the command line win over them.
    if (!global.quiet && !global.verbose)
      for (const auto& [component, level] : s.log_levels) SetComponentLogLevel(component, level);
    lobs.support_lobs = s.support_lobs;
    lobs.full_lob_mode = s.full_lob_mode;
    lobs.limited_mode = s.limited_lob_mode;
    lobs.lob_max_kb = s.lob_max_kb;
    opt.lob_report = std::make_shared<LobReport>(lobs, opt.mapping);
    if (s.enable_validation) {  // in-task validation (validator/task_validation.h)
      validation_ = std::make_unique<validator::ValidateOptions>();
      validator::ValidateOptions& v = *validation_;
      v.source_uri = source_uri_;
      v.target_uri = target_uri_;
      v.task = task_;
      v.mapping = opt.mapping;
      if (s.validation_threads > 0) v.threads = s.validation_threads;
      if (s.validation_partition_rows > 0) v.chunk_rows = s.validation_partition_rows;
      if (s.validation_failure_max > 0)
        v.max_listed = static_cast<size_t>(s.validation_failure_max);
      // While CDC applies, a differing row may be in flight: read it again before reporting it.
      v.recheck_seconds = s.validation_recheck_s > 0 ? s.validation_recheck_s : 5;
    }
    if (s.errors) opt.errors = *s.errors;
    if (s.recoverable_count) recoverable_count_ = *s.recoverable_count;
    if (s.recoverable_interval_s) recoverable_interval_s_ = *s.recoverable_interval_s;
    for (const auto& n : s.notes) Log(LogLevel::kWarn, "{}", n);
    return Status::Ok();
  }

  std::string mappings_file_, settings_file_, target_settings_file_;
  std::unique_ptr<validator::ValidateOptions> validation_;  // EnableValidation
  CLI::Option *parallel_opt_ = nullptr, *prep_opt_ = nullptr, *apply_mode_opt_ = nullptr;
  CLI::Option *group_changes_opt_ = nullptr, *group_ms_opt_ = nullptr;
  CLI::Option* retry_for_opt_ = nullptr;
  int64_t recoverable_count_ = -1, recoverable_interval_s_ = 0;  // ErrorBehavior
  std::string source_uri_, target_uri_, task_, type_ = "full-load-and-cdc";
  std::string prep_ = "drop-and-create", spool_dir_, apply_mode_ = "net", metrics_file_;
  std::string metrics_listen_, schema_report_;
  std::string change_spool_ = "on", change_spool_dir_;
  int64_t spool_max_bytes_ = int64_t{10} << 30;
  int64_t stall_s_ = 300;
  std::vector<std::string> tables_;
  std::vector<std::string> exclude_tables_;
  int parallel_ = 4;
  std::string split_larger_than_ = "512MB";
  int64_t group_changes_ = 10000, group_ms_ = 200;
  int64_t retry_for_s_ = 3600;
  int64_t lock_timeout_s_ = 60;
  std::string target_load_binlog_ = "on";
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<ReplicateCommand>();
});

}  // namespace
}  // namespace cutover::cli
