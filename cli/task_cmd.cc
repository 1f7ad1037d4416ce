// `cutover task ...`: manage a task's capture objects on the source and state on the target.
//   task drop   remove the source's slot/publication (or triggers) and the target's checkpoint
#include <string>

#include "cli/command.h"
#include "engine/core/log.h"
#include "engine/pipeline/endpoints.h"

namespace cutover::cli {
namespace {

class TaskCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* task_cmd = root.add_subcommand("task", "Manage replication tasks");
    task_cmd->require_subcommand(1);
    drop_ = task_cmd->add_subcommand("drop",
                                     "Remove a task: source capture objects (slot, publication), "
                                     "target checkpoint rows");
    drop_->add_option("--source", source_uri_, "Source URI")->required();
    drop_->add_option("--target", target_uri_, "Target URI")->required();
    drop_->add_option("--task", task_, "Task name")->required();
    return task_cmd;
  }

  int Run(const GlobalOptions&) override {
    if (*drop_) return Drop();
    return 0;
  }

 private:
  int Drop() {
    if (Status s = CheckTaskName(task_); !s.ok()) return Fail(s);
    auto source = MakeSource(source_uri_, SourceOptions{DefaultSpoolDir(task_, source_uri_)});
    if (!source.ok()) return Fail(source.status());
    auto sink = MakeSink(target_uri_);
    if (!sink.ok()) return Fail(sink.status());
    if (Status s = (*source)->DropTask(task_); !s.ok()) return Fail(s);
    if (Status s = (*sink)->DropTask(task_); !s.ok()) return Fail(s);
    Log(LogLevel::kInfo, "task {} dropped", task_);
    return 0;
  }

  CLI::App* drop_ = nullptr;
  std::string source_uri_, target_uri_, task_;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<TaskCommand>();
});

}  // namespace
}  // namespace cutover::cli
