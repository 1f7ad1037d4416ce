// `cutover task ...`: manage a task's capture objects on the source and state on the target.
//   task prepare  create the source's change capture ahead of the first run (SQLite: triggers
//                 and change table; PostgreSQL: slot and publication). `replicate` prepares a
//                 missing capture itself; preparing earlier starts capturing earlier.
//   task drop     remove the source's capture objects and (with --target) the target's
//                 checkpoint rows and the task's control files (task_control.h)
#include <string>
#include <vector>

#include "cli/command.h"
#include "engine/core/log.h"
#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/start_checks.h"
#include "engine/pipeline/task_control.h"

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
    return task_cmd;
  }

  int Run(const GlobalOptions&) override {
    if (Status s = CheckTaskName(task_); !s.ok()) return Fail(s);
    if (*prepare_) return Prepare();
    if (*drop_) return Drop();
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

  CLI::App* prepare_ = nullptr;
  CLI::App* drop_ = nullptr;
  std::string source_uri_, target_uri_, task_;
  std::vector<std::string> tables_;
  std::vector<std::string> exclude_tables_;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<TaskCommand>();
});

}  // namespace
}  // namespace cutover::cli
