// ChildProcess: a background process of the scenario runner (the replication engine), in its own
// process group, with stdout and stderr appended to a log file.
//
// Design: the runner must be able to SIGKILL the engine at any moment, restart it, and be sure
// nothing it started outlives it, even when it is interrupted. So every child gets its own
// process group (a terminal's Ctrl-C reaches only the runner, which then decides), signals go to
// the whole group, and the destructor kills the group and reaps it. Output goes straight to the
// file (O_APPEND), so logs of successive starts follow each other and nothing is buffered in the
// runner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/status.h"

namespace cutover::scenario {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv`, stdin /dev/null, stdout+stderr appended to `log_path`.
  static Result<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                     const std::string& log_path);
  ~ChildProcess();  // SIGKILL to the group if still running, then reaps

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `sig` to the child's process group.
  void Signal(int sig);
  // The exit code if it has exited (128 + signal when killed), else nullopt. Never blocks.
  std::optional<int> Poll();
  // Waits up to `timeout` for the exit; nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::optional<int> exit_code_;
};

}  // namespace cutover::scenario
