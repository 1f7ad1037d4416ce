// Error policies: what a task does with a change the target refuses (DMS's ErrorBehavior).
//
// Design: the default is the one cutover always had, STOP_TASK: a refused change stops the task
// with one line naming table, key and source position, and nothing after it is applied. A user
// who asks for LOG_ERROR or IGNORE_RECORD gets the change diverted into the exceptions control
// table on the target (in the same target transaction as the rest of its group, so a crash
// neither loses nor duplicates the record) while every other change is applied exactly once;
// SUSPEND_TABLE stops only that table (its state in the table statistics says so). How a refused
// change is isolated from the rest of its batch (savepoints, per-change retry) lives in
// engine/pipeline/apply_errors.h; these are the plain data both the task-file reader and the
// pipeline and the sinks share.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/change.h"
#include "engine/core/schema.h"

namespace cutover {

// DMS's policy values. kInsertRecord (ApplyErrorInsertPolicy: the row exists, overwrite it) and
// kUpdateRecord (ApplyErrorUpdatePolicy: the row is missing, insert it) apply to conflicts only.
enum class ErrorPolicy : uint8_t {
  kStopTask,
  kLogError,
  kIgnoreRecord,
  kSuspendTable,
  kInsertRecord,
  kUpdateRecord,
};

const char* ErrorPolicyName(ErrorPolicy p);  // "STOP_TASK", ...

// Why the target refused a change, as the applier classifies its error (Applier::ClassifyError).
enum class ApplyErrorKind : uint8_t {
  kOther,         // not about the row (connection, lock, privilege...): the task stops
  kData,          // the row's values: a CHECK, NOT NULL, a foreign key, a conversion, a range
  kTruncation,    // a value too long or too precise for the target column
  kDuplicateKey,  // an insert of a key the target already holds
};

// The task's policies (TaskSettings ErrorBehavior; ReplicateOptions::errors).
struct ErrorPolicies {
  ErrorPolicy data = ErrorPolicy::kStopTask;        // DataErrorPolicy
  ErrorPolicy truncation = ErrorPolicy::kStopTask;  // DataTruncationErrorPolicy
  ErrorPolicy table = ErrorPolicy::kStopTask;       // TableErrorPolicy (a TRUNCATE refused)
  ErrorPolicy insert = ErrorPolicy::kStopTask;      // ApplyErrorInsertPolicy (duplicate key)
  // ApplyErrorUpdatePolicy / ApplyErrorDeletePolicy: an UPDATE / DELETE that finds no row. Unset
  // (the default): reported and counted as cutover always did (rows_not_found.h).
  ErrorPolicy update_missing = ErrorPolicy::kIgnoreRecord;
  ErrorPolicy delete_missing = ErrorPolicy::kIgnoreRecord;
  bool missing_rows_set = false;  // either of the two was given
  // DataErrorEscalationPolicy / Count and ApplyErrorEscalationPolicy / Count: after `count`
  // diverted changes of the kind (0: never), the policy becomes the escalation policy.
  ErrorPolicy data_escalation = ErrorPolicy::kStopTask;
  int64_t data_escalation_count = 0;
  ErrorPolicy apply_escalation = ErrorPolicy::kStopTask;
  int64_t apply_escalation_count = 0;

  // Set by the supervisor for the run after a refusal under the default policies: that run
  // applies under savepoints only to name the refused change exactly (table, key, position)
  // before stopping, since a refused bulk statement names neither its row nor its transaction.
  bool locate = false;

  // Whether any refused change may be diverted instead of stopping the task (so the pipeline
  // applies under savepoints).
  bool Diverts() const {
    return data != ErrorPolicy::kStopTask || truncation != ErrorPolicy::kStopTask ||
           table != ErrorPolicy::kStopTask || insert != ErrorPolicy::kStopTask;
  }
};

// One refused change, as the exceptions control table records it (`cutover.apply_exceptions` on
// PostgreSQL, `_cutover_apply_exceptions` on MariaDB).
struct ApplyException {
  TableSchemaPtr table;  // the (target) schema of the change's table: the applier
                         // records its source name and where it lands
  ChangeOp op = ChangeOp::kInsert;
  std::string key;       // the row's key, "col=value, ..."
  std::string position;  // the source transaction's position (its text form)
  std::string xid;       // the source transaction's id
  std::string policy;    // the policy applied (ErrorPolicyName)
  std::string error;     // the target's error, one line
  std::string row;       // the row's values, "col=value, ..." (new image; old for deletes)
};

}  // namespace cutover
