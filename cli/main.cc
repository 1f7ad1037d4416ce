// cutover: the single command-line entry point. Subcommands:
//   replicate   full load and/or CDC from a source to a target (runs in the foreground)
//   task drop   remove a task's capture objects on the source and its state on the target
// Exit codes: 0 success (a CDC run stopped by SIGINT/SIGTERM included); 2 error (bad input,
// unreachable server, failure during replication); 130 full load interrupted by a signal.
// Errors are one line on stderr, prefixed "cutover: error: ", never containing a password.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/core/log.h"
#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/replicate.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) {
  if (g_stop.exchange(true)) _exit(130);  // second signal: leave now
}

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int Fail(const cutover::Status& s) {
  if (s.code() == cutover::StatusCode::kAborted) {  // stopped by a signal before completion
    std::fprintf(stderr, "cutover: interrupted: %s (run the same task again to resume)\n",
                 s.message().c_str());
    return 130;
  }
  std::fprintf(stderr, "cutover: error: %s\n", s.message().c_str());
  return 2;
}

cutover::Status CheckTaskName(const std::string& task) {
  static const std::regex kTask("[a-z0-9_]{1,48}");
  if (!std::regex_match(task, kTask)) {
    return cutover::InvalidArgument("--task '" + task +
                                    "': use 1-48 lower-case letters, digits or underscores");
  }
  return cutover::Status::Ok();
}

std::string DefaultSpoolDir(const std::string& task) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/cutover-spool-" + task;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cutover;
  CLI::App app{"cutover: database replication with full load, CDC and proof of equality"};
  app.set_version_flag("--version", std::string("cutover ") + CUTOVER_VERSION);
  app.require_subcommand(1);
  bool verbose = false, quiet = false;
  app.add_flag("-v,--verbose", verbose, "Log debug details");
  app.add_flag("-q,--quiet", quiet, "Log warnings and errors only");

  // replicate
  auto* rep =
      app.add_subcommand("replicate", "Replicate tables: full load, then change data capture");
  std::string source_uri, target_uri, task, type = "full-load-and-cdc", prep = "drop-and-create";
  std::string spool_dir, apply_mode = "net";
  std::vector<std::string> tables;
  int parallel = 4;
  int64_t group_changes = 10000, group_ms = 200;
  rep->add_option("--source", source_uri, "Source URI, e.g. postgresql://user@host:5432/db")
      ->required();
  rep->add_option("--target", target_uri, "Target URI")->required();
  rep->add_option("--task", task, "Task name: identifies the slot, publication and checkpoint")
      ->required();
  rep->add_option("--type", type, "What to run")
      ->check(CLI::IsMember({"full-load", "cdc", "full-load-and-cdc"}))
      ->capture_default_str();
  rep->add_option("--tables", tables,
                  "Table pattern schema.table, '%' matches any run of characters (repeatable; "
                  "default: all tables)");
  rep->add_option("--parallel", parallel, "Tables loaded at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  rep->add_option("--table-prep", prep, "How target tables are prepared before the full load")
      ->check(CLI::IsMember({"drop-and-create", "truncate", "do-nothing"}))
      ->capture_default_str();
  rep->add_option("--apply-mode", apply_mode,
                  "net: apply the net effect per key of each target transaction in bulk; row: "
                  "one statement per change in source order (targets with extra unique "
                  "constraints or order-dependent triggers)")
      ->check(CLI::IsMember({"net", "row"}))
      ->capture_default_str();
  rep->add_option("--spool-dir", spool_dir,
                  "Directory for spooled large transactions (default $TMPDIR/cutover-spool-TASK)");
  rep->add_option("--group-max-changes", group_changes,
                  "Close a target transaction after this many changes")
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}))
      ->capture_default_str();
  rep->add_option("--group-max-ms", group_ms,
                  "Close a target transaction after this many milliseconds")
      ->check(CLI::Range(int64_t{0}, int64_t{600000}))
      ->capture_default_str();

  // task drop
  auto* task_cmd = app.add_subcommand("task", "Manage replication tasks");
  task_cmd->require_subcommand(1);
  auto* drop = task_cmd->add_subcommand("drop",
                                        "Remove a task: source slot and publication, "
                                        "target checkpoint rows");
  std::string drop_source, drop_target, drop_task;
  drop->add_option("--source", drop_source, "Source URI")->required();
  drop->add_option("--target", drop_target, "Target URI")->required();
  drop->add_option("--task", drop_task, "Task name")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "cutover: error: %s (see cutover --help)\n", e.what());
    return 2;
  }
  SetLogLevel(verbose ? LogLevel::kDebug : quiet ? LogLevel::kWarn : LogLevel::kInfo);
  InstallSignalHandlers();

  if (*rep) {
    if (Status s = CheckTaskName(task); !s.ok()) return Fail(s);
    ReplicateOptions opt;
    opt.task = task;
    opt.type = type == "full-load" ? ReplicationType::kFullLoad
               : type == "cdc"     ? ReplicationType::kCdc
                                   : ReplicationType::kFullLoadAndCdc;
    opt.table_patterns = tables;
    opt.parallel = parallel;
    opt.prep = prep == "truncate"     ? TablePrep::kTruncate
               : prep == "do-nothing" ? TablePrep::kDoNothing
                                      : TablePrep::kDropAndCreate;
    opt.group_max_changes = group_changes;
    opt.group_max_ms = group_ms;
    opt.apply_mode = apply_mode == "row" ? ApplyMode::kRow : ApplyMode::kNet;
    if (quiet) opt.progress = Progress::Mode::kQuiet;
    SourceOptions so;
    so.spool_dir = spool_dir.empty() ? DefaultSpoolDir(task) : spool_dir;
    auto source = MakeSource(source_uri, so);
    if (!source.ok()) return Fail(source.status());
    auto sink = MakeSink(target_uri);
    if (!sink.ok()) return Fail(sink.status());
    ReplicateStats stats;
    Status s = RunReplication(**source, **sink, opt, g_stop, &stats);
    if (!s.ok()) return Fail(s);
    Log(LogLevel::kInfo,
        "done: {} table(s) / {} rows loaded; {} transactions ({} changes) applied in {} target "
        "commits, {} already-applied transactions skipped",
        stats.tables_loaded, stats.rows_loaded, stats.transactions_applied, stats.changes_applied,
        stats.target_commits, stats.transactions_skipped);
    return 0;
  }
  if (*drop) {
    if (Status s = CheckTaskName(drop_task); !s.ok()) return Fail(s);
    auto source = MakeSource(drop_source, SourceOptions{DefaultSpoolDir(drop_task)});
    if (!source.ok()) return Fail(source.status());
    auto sink = MakeSink(drop_target);
    if (!sink.ok()) return Fail(sink.status());
    if (Status s = (*source)->DropTask(drop_task); !s.ok()) return Fail(s);
    if (Status s = (*sink)->DropTask(drop_task); !s.ok()) return Fail(s);
    Log(LogLevel::kInfo, "task {} dropped", drop_task);
    return 0;
  }
  return 0;
}
