// ApplyErrors: CDC apply under the task's error policies (engine/core/error_policy.h), and the
// full load's rows under them too: a loader that can isolate a refused row hands out an Applier
// in its own transaction whose changes are the table's rows (ChangeOp::kRead, recorded with the
// load's snapshot position; engine/core/load_refusals.h).
//
// Design: exactly-once must hold for every change that is applied, and a refused change must
// be diverted alone. The target refuses a statement, but cutover sends many changes per
// statement (net-effect bulk batches) and many statements per round trip (PostgreSQL pipeline
// mode, MariaDB multi-statement packets), and a PostgreSQL error aborts the whole transaction.
// So changes go to the target in windows, each under a savepoint of the open target
// transaction: a row-mode window is up to kWindowChanges changes (kept in memory, with their
// source positions, until the window is flushed), a net-effect batch is one window (the
// pipeline flushes batches at each source commit while policies divert, so a batch's rows
// belong to one source transaction and carry its position). A window that the target accepts
// costs one savepoint more; a refused one is rolled back to its savepoint and replayed change
// by change, each under a savepoint of its own and flushed alone: the changes the target
// accepts are applied once, the refused one is rolled back to its own savepoint and handled by
// its policy (recorded in the exceptions control table in the same target transaction, or its
// table suspended, or the task stopped). Nothing needs to be re-read from the source, and a
// crash at any point leaves either the whole group (data, exception records, suspended states,
// checkpoint) or none of it, so the replay after a restart makes the same decisions.
//
// Only refusals about the row (Applier::ClassifyError: data, truncation, duplicate key) are
// diverted; anything else (a lost connection, a lock wait) stops the run as before, and the
// supervisor retries it from the checkpoint. With the default policies (all STOP_TASK) the
// pipeline does not use this class at all: the apply path is unchanged.
//
// An UPDATE or DELETE that finds no target row is not refused by the target: the applier
// reports it (RowsNotFound). When the task sets ApplyErrorUpdatePolicy / ApplyErrorDeletePolicy
// this class is the applier's report: a window in which a row was not found is handled like a
// refused one (rolled back, replayed change by change), and the change that finds no row takes
// its policy: recorded (LOG_ERROR, IGNORE_RECORD), its table suspended, the task stopped, or,
// for an update under UPDATE_RECORD, the row inserted from the update's new image when that
// image carries every column (else recorded as LOG_ERROR, saying why). The replay matters
// because bulk statements report only how many rows they missed, and a MariaDB bulk update
// (an upsert) would have inserted the missing rows itself. Without either setting, a missing
// row is only logged and counted (rows_not_found.h), as cutover always did, except on the
// tables of `moves_in` (tables with a row filter, see the constructor): there an update that
// finds no row is a row moving into the filter whose old image could not say it was outside
// (a PostgreSQL key-only old image, a SQLite source's key), and it is inserted from its new
// image as UPDATE_RECORD would, so the filter keeps its promise (docs/dms.md, "Rows crossing a
// filter"); a partial new image there is logged and counted as before.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/error_policy.h"

namespace cutover {

class ApplyErrors : public RowsNotFoundReport {
 public:
  static constexpr size_t kWindowChanges = 256;

  // Whether `p` acts on an UPDATE / DELETE that finds no target row (so the pipeline applies
  // under savepoints and this class is the applier's RowsNotFoundReport).
  static bool ActsOnMissingRows(const ErrorPolicies& p) { return p.missing_rows_set; }

  // `suspended`: tables suspended by an earlier run (TaskState::changes' state). `moves_in`:
  // the target names of tables with a row filter (see the header comment). `window`: changes
  // per row-mode window (the full load's rows take larger windows: engine/core/load_refusals.h).
  ApplyErrors(Applier& applier, const ErrorPolicies& policies, std::set<TableName> suspended,
              std::set<TableName> moves_in = {}, size_t window = kWindowChanges);

  // Whether a missing row of `r`'s kind is handled here rather than only logged.
  bool Handles(const RowsNotFound& r) const {
    return ActsOnMissingRows(policies_) ||
           (r.op == ChangeOp::kUpdate && moves_in_.count(r.table) > 0);
  }

  // Whether changes of `table` (the source name) are no longer applied (SUSPEND_TABLE).
  bool Suspended(const TableName& table) const { return suspended_.count(table) > 0; }

  // Row apply: `c`, a change of source transaction `txn`, joins the open window (opened here
  // with a savepoint when none is). The window is flushed when full.
  Status Apply(const Change& c, const TransactionInfo& txn);
  // Net-effect apply: `b`, whose rows all come from `txn`, as a window of its own.
  Status ApplyBatch(const TableBatch& b, const TransactionInfo& txn);
  // `c`, a change of `txn` that the task's change-data-type rules could not convert (never sent:
  // engine/pipeline/table_transform.h), handled by the policy of `kind` (DataErrorPolicy or
  // DataTruncationErrorPolicy) as a refusal of the target would be. The open window is flushed
  // first, so no later replay rolls the record back.
  Status Unconvertible(const Change& c, const TransactionInfo& txn, ApplyErrorKind kind,
                       const Status& error);
  // Flushes the open window (before a foreign-key action step and before the group commits),
  // replaying it change by change when the target refuses it.
  Status CloseWindow();

  // `tables` (source names) were suspended by TableErrorPolicy in this run's full load (their
  // loads never began: docs/dms.md "In the full load"): their changes are skipped, and their
  // state is recorded with the first group this applier commits (AddStates).
  void SuspendRefusedTables(const std::set<TableName>& tables) {
    suspended_.insert(tables.begin(), tables.end());
    newly_suspended_.insert(tables.begin(), tables.end());
  }

  // Adds the state of tables suspended in the open group to its per-table totals, so that it
  // commits with them (Applier::AddChangeCounts), then forgets them.
  void AddStates(std::map<TableName, TableChangeTotals>& totals);

  int64_t diverted() const { return diverted_; }  // changes recorded as exceptions, this run

  // Where target rows not found go when no policy acts on them (the pipeline's log).
  void set_rows_not_found_log(RowsNotFoundReport* log) { log_ = log; }
  // RowsNotFoundReport: inside a window under ApplyErrorUpdatePolicy / DeletePolicy, noted for
  // the window's flush; otherwise passed on to the log.
  void Report(const RowsNotFound& r) override;

 private:
  struct Kept {
    Change change;
    std::string position, xid;
  };

  Status OpenWindow();
  // `refusal`: the target's error, or Ok when the window was accepted but a row was not found.
  // `batch`: the window is one table's net-effect batch of one source transaction, whose rows
  // are in no particular order: a suspension rolls back all of them (the table is suspended
  // from that transaction on), keeping the exception records.
  Status Replay(const Status& refusal, bool batch = false);
  Status Divert(const Kept& k, ApplyErrorKind kind, const Status& error);
  // `k`, an update or delete, found no target row (its change savepoint is rolled back).
  Status Missing(const Kept& k, const RowsNotFound& found);
  // Records `k` in the exceptions table under `policy` and acts on it (suspension, log line).
  Status Record(const Kept& k, ErrorPolicy policy, const std::string& setting,
                const std::string& where, const std::string& error);
  std::string Where(const Kept& k) const;
  ErrorPolicy PolicyFor(const Kept& k, ApplyErrorKind kind, std::string& setting);
  ErrorPolicy MissingPolicyFor(const Kept& k, std::string& setting);

  Applier& applier_;
  ErrorPolicies policies_;
  std::set<TableName> suspended_;
  std::set<TableName> moves_in_;
  std::set<TableName> newly_suspended_;  // in the open group
  size_t window_changes_;
  std::vector<Kept> window_;
  std::vector<ApplyException> recorded_;  // in the replay under way
  bool window_open_ = false;
  std::map<TableName, int64_t> data_errors_, apply_errors_;  // per table, for escalation
  int64_t diverted_ = 0;
  int64_t logged_ = 0;
  RowsNotFoundReport* log_ = nullptr;
  std::vector<RowsNotFound> missing_;  // reported in the open window
};

}  // namespace cutover
