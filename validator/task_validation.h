// Task validation: a validation of one replication task's tables whose verdicts are recorded on
// the target (DMS's ValidationState, shown by `cutover task stats`).
//
// Used by `cutover validate --task` (on demand) and by `cutover replicate` with the task setting
// ValidationSettings.EnableValidation (in the task, once the full load is done, while CDC runs:
// rows still in flight are rechecked after a delay rather than reported). Both record alike: every
// table of the task "Pending records" when it starts, then "Validated" / "Mismatched records", or
// "Error" with the reason when the validation could not judge.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/core/status.h"
#include "engine/pipeline/metrics.h"
#include "validator/validate.h"

namespace cutover::validator {

// Validates `options` (with `options.task` set: that task's tables; otherwise nothing is
// recorded), logs one line per table and records the verdicts on the target when it holds the
// task's state. Errors and the result as Validate.
Result<ValidationResult> ValidateAndRecord(const ValidateOptions& options,
                                           const std::atomic<bool>& stop);

// ValidationSettings.EnableValidation: a thread of the replicate process that waits for the
// task's CDC phase (the full load is done: `metrics` says so), then validates the task's tables
// once with rechecks of rows in flight and records the verdicts. Its lines are logged as the
// VALIDATOR_EXT component. Stopping (the destructor) interrupts a validation under way; its
// tables are then recorded "Error".
class InTaskValidation {
 public:
  InTaskValidation(ValidateOptions options, const ReplicationMetrics& metrics);
  ~InTaskValidation();
  // Validates now, on the calling thread, unless the thread already did (a full-load task: the
  // task has ended). Returns whether the task's tables were found equal.
  bool RunIfNotDone();

 private:
  void Run();
  bool Validate();

  ValidateOptions options_;
  const ReplicationMetrics& metrics_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace cutover::validator
