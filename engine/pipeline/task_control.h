// TaskControl: how `cutover switch` finds and talks to a task's running `cutover replicate` on
// the same machine: a small directory per task (named by the task and its target URI without
// the password, like the spool directory) holding
//   run      the replicate process's pid and its start time (/proc), written at start and
//            removed at exit: whether the task runs, and which process to wait for;
//   stop-at  a source position written by the switch: the running task drains up to there,
//            records it as its checkpoint and exits 0 (ReplicateOptions::stop_at);
//   switched the switch's JSON report once the target is ready: a second switch reports it
//            instead of switching again;
//   change-spool/ the durable change spool's segments (change_spool.h), unless
//            --change-spool-dir puts them elsewhere.
//
// Why files and not a signal: a signal cannot carry the position to stop at, and a plain SIGTERM
// stops the task wherever it is, before the target has everything. A file carries the
// position, is still there when a supervised task is between two attempts (reconnect backoff)
// or has not reached CDC yet, and costs the task one stat every 250 ms. Why not a control row
// on the target: every target engine would need a new writer and reader for it, while the
// position the switch waits for is already on the target: the checkpoint.
// Limit: the switch must run on the machine (and with the TMPDIR) of the replicate process, or
// the task must be stopped, in which case the switch drains it itself.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "engine/core/status.h"

namespace cutover {

class TaskControl {
 public:
  // $TMPDIR/cutover-task-TASK-HASH (or /tmp/...), HASH naming the target URI without password.
  TaskControl(const std::string& task, const std::string& target_uri);
  explicit TaskControl(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  // The default directory of the task's durable change spool.
  std::string ChangeSpoolDir() const { return dir_ + "/change-spool"; }

  // The replicate process: records this process as the task's runner / removes the record.
  Status MarkRunning() const;
  void MarkStopped() const;
  // The pid of the task's live runner (checked against its start time, so a reused pid or a
  // zombie does not count); nullopt when none.
  std::optional<pid_t> RunningPid() const;

  Status RequestStopAt(const std::string& position_text) const;
  std::optional<std::string> StopRequest() const;
  void ClearStopRequest() const;

  Status WriteSwitched(const std::string& report_json) const;
  std::optional<std::string> Switched() const;  // the report of an earlier switch

  // Removes the directory and its files, the default change spool's included (`cutover task
  // drop`).
  void Forget() const;

 private:
  std::string dir_;
};

}  // namespace cutover
