// The cutover switch: turns a replicating task into a target the application can switch to,
// and measures how long that takes (the cutover window).
//
// Order of work (each step is timed; the window runs from the start to "target ready"):
//   quiet      the source must take no writes: two write marks (EngineDriver::
//              ReadSourceLogMark) `quiet_window` apart must be equal. Otherwise refuse
//              (kFailedPrecondition), or with `wait_for_writes` keep sampling until they stop.
//              The log end of the second mark is the fixed position P.
//   drain      ask the task to stop at P (task_control.h: its stop-at file) and wait until
//              the target's checkpoint (read-only, EngineDriver::ReadTaskState) is at or past
//              P. A task with no live process is drained here, in this process: its CDC runs
//              on the tables its target state lists until it reaches P.
//   stop       wait for the task's process to exit (it does once it recorded P); then check the
//              source's write mark again: a write since P means the application is not
//              stopped, and the switch refuses rather than hand over a target that lacks it.
//   sequences  every key generator (identity, serial, AUTO_INCREMENT, free-standing sequences)
//              of the task's target tables is moved past the source's next value and past the
//              table's largest key (EngineDriver::ReadKeyGenerators / AdvanceKeyGenerators).
//   triggers   same engine: the source's triggers of the task's tables are enabled on the
//              target where cutover created them disabled, created where the target could
//              not hold them disabled (EngineDriver::EnableTargetTriggers).
//   validation the caller's validation (the validator, injected so the pipeline does not depend
//              on it) compares every table; differences are named in the result, not an error.
// A switch that completed leaves its report in the task's control directory; running it again
// returns that report (already_switched) and changes nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/driver.h"
#include "engine/core/progress.h"
#include "engine/core/status.h"

namespace cutover {

struct SwitchValidation {
  std::string mode;  // "fast" / "full"
  bool equal = true;
  int64_t tables = 0;
  int64_t source_rows = 0, target_rows = 0;
  std::vector<std::string> differences;  // one line per differing table, naming what differs
};

struct SwitchOptions {
  std::string source_uri, target_uri, task;
  SourceOptions source_options;  // for a drain run in this process (spool directory)
  // Writes seen over this window mean the source is not quiet.
  std::chrono::milliseconds quiet_window{2000};
  // nullopt: refuse at once while the source takes writes; else wait up to this long for them
  // to stop.
  std::optional<std::chrono::seconds> wait_for_writes;
  std::chrono::seconds drain_timeout{600};  // target catching up to P
  std::chrono::seconds stop_timeout{120};   // the task's process exiting once drained
  Progress::Mode progress = Progress::Mode::kAuto;
  // Compares source and target (every table of the task); empty: no validation.
  std::function<Result<SwitchValidation>(const std::atomic<bool>& stop)> validate;
  // Where the task's control files live; empty: TaskControl(task, target_uri).
  std::string control_dir;
};

struct SwitchStep {
  std::string name;  // quiet, drain, stop, sequences, triggers, validation
  double seconds = 0;
  std::string detail;
};

struct SwitchResult {
  bool already_switched = false;
  std::string earlier_report;  // already_switched: the JSON report of the switch that completed
  std::string task, source, target;  // URIs without password
  std::string started_at, ready_at;  // UTC, ISO 8601 with milliseconds
  double window_seconds = 0;         // started_at to ready_at
  std::vector<SwitchStep> steps;
  std::string position;           // the source's fixed position P
  std::string checkpoint;         // the target's checkpoint once drained
  bool task_was_running = false;  // a live replicate process drained and stopped
  bool drained_here = false;      // the drain ran in this process (the task was stopped)
  std::vector<KeyGeneratorSet> key_generators;
  std::vector<std::string> sequences_not_on_target;  // free-standing sequences, by name
  std::vector<std::string> triggers_enabled;         // "schema.table.trigger", enabled or created
  std::vector<std::string> triggers_not_enabled;     // "schema.table.trigger: why"
  std::optional<SwitchValidation> validation;

  bool target_equal() const { return !validation || validation->equal; }
};

Result<SwitchResult> RunSwitch(const SwitchOptions& options, const std::atomic<bool>& stop);

// The result as a JSON document (docs/switch.md describes the fields).
std::string SwitchReportJson(const SwitchResult& result);

}  // namespace cutover
