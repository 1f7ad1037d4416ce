// Task validation: a validation of one replication task's tables whose verdicts are recorded on
// the target (DMS's ValidationState, shown by `cutover task stats`).
//
// Used by `cutover validate --task` (on demand) and by `cutover replicate` with the task setting
// ValidationSettings.EnableValidation (in the task, once the full load is done, while CDC runs:
// rows still in flight are rechecked after a delay rather than reported). Both record alike: every
// table of the task "Pending records" when it starts, then "Validated" / "Mismatched records", or
// "Error" with the reason when the validation could not judge.
//
// In the task, validation then goes on (continuous revalidation): the keys of the rows CDC writes
// (validator/changed_keys.h) are looked up on both sides once their last change is
// ValidationQueryCdcDelaySeconds old, a bounded number per second, each an indexed point read
// per side through the same scanners and canonical row hashes as the full comparison. A row that
// differs is read again after the delay (in flight) up to `recheck_rounds` times, then counted
// failed; a failed row that matches when it is next changed and rechecked is no longer failed.
// The table's verdict follows: "Pending records" while its changed rows wait, "Mismatched
// records" while a row failed (or the initial validation found differences), else "Validated".
// A table whose keys overflow the bound, or that the source truncates, is validated whole again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/core/status.h"
#include "engine/pipeline/metrics.h"
#include "validator/changed_keys.h"
#include "validator/validate.h"

namespace cutover::validator {

// Validates `options` (with `options.task` set: that task's tables; otherwise nothing is
// recorded), logs one line per table and records the verdicts on the target when it holds the
// task's state. Errors and the result as Validate.
Result<ValidationResult> ValidateAndRecord(const ValidateOptions& options,
                                           const std::atomic<bool>& stop);

// The counters of in-task revalidation for one table (DMS's table statistics): rows found equal
// on revalidation (`revalidated`), rows that still differed after the rechecks (`failed`, DMS
// ValidationFailedRecords' share of revalidation), changed rows waiting (`pending`, DMS
// ValidationPendingRecords), rows whose key could not be looked up (`suspended`, DMS
// ValidationSuspendedRecords). Written into the verdict's detail line as
// "revalidation: R revalidated, F failed, P pending, S suspended" and read back from it by
// ParseRevalidationCounts (`cutover task stats --json`).
struct RevalidationCounts {
  int64_t revalidated = 0, failed = 0, pending = 0, suspended = 0;
};
std::string FormatRevalidationCounts(const RevalidationCounts& c);
// nullopt when `detail` holds no revalidation counts.
std::optional<RevalidationCounts> ParseRevalidationCounts(const std::string& detail);

// Bounds of continuous revalidation (not DMS settings; cutover's own defaults).
struct RevalidationLimits {
  size_t max_keys = 100000;       // changed keys held at once over all tables (then: whole table)
  size_t keys_per_second = 1000;  // key lookups per second at most (per side)
  size_t batch = 100;             // keys looked up between two checks of the stop flag
  std::chrono::milliseconds record_every{2000};  // verdicts written at most this often
  // A table overflowing again within this time waits for it before its next whole-table
  // validation (its changed rows are not collected meanwhile).
  std::chrono::seconds whole_table_every{600};
};

// ValidationSettings.EnableValidation: a thread of the replicate process that waits for the
// task's CDC phase (the full load is done: `metrics` says so), then validates the task's tables
// once with rechecks of rows in flight, records the verdicts, and then revalidates the rows CDC
// changes (see above) until the task stops. Its lines are logged as the VALIDATOR_EXT component.
// Stopping (the destructor) interrupts a validation under way (its tables are then recorded
// "Error") or ends revalidation after the key at hand, recording the counters reached.
class InTaskValidation {
 public:
  InTaskValidation(ValidateOptions options, const ReplicationMetrics& metrics,
                   RevalidationLimits limits = {});
  ~InTaskValidation();
  // Validates now, on the calling thread, unless the thread already did (a full-load task: the
  // task has ended). Returns whether the task's tables were found equal.
  bool RunIfNotDone();
  // For ReplicateOptions::on_change_written: notes the rows the CDC loop writes.
  void ChangeWritten(const Change& c) { keys_.Note(c); }

 private:
  void Run();
  std::optional<ValidationResult> Validate();
  void Revalidate(const ValidationResult& initial);

  ValidateOptions options_;
  const ReplicationMetrics& metrics_;
  RevalidationLimits limits_;
  ChangedKeys keys_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace cutover::validator
