// Source and Sink: the two interfaces every engine implements, and all the pipeline knows.
//
// Contracts common to both:
//   - Objects are not copyable; each owns its connections and closes them on destruction.
//   - Every method returns a Status/Result whose message names what failed (table, position)
//     and never contains a password.
//   - Parallelism comes from opening several readers/loaders: each has its own connection and
//     may be used from its own thread; the Source/Sink object itself is used from one thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/change.h"
#include "engine/core/checkpoint.h"
#include "engine/core/column_diff.h"
#include "engine/core/error_policy.h"
#include "engine/core/generated_columns.h"
#include "engine/core/load_split.h"
#include "engine/core/schema.h"
#include "engine/core/schema_objects.h"
#include "engine/core/start_report.h"
#include "engine/core/status.h"
#include "engine/core/table_pattern.h"

namespace cutover {

class NonCopyable {
 public:
  NonCopyable() = default;
  NonCopyable(const NonCopyable&) = delete;
  NonCopyable& operator=(const NonCopyable&) = delete;
};

// Reads one table's rows from a snapshot, streaming: memory stays bounded whatever its size.
class TableReader : NonCopyable {
 public:
  virtual ~TableReader() = default;
  // Fills `row` with the next row (one Value per schema column). Returns false at the end.
  virtual Result<bool> Next(std::vector<Value>& row) = 0;
};

// A consistent view of the source at `position()`. Readers opened from it see exactly the
// transactions ordered before that position; the change stream delivers those after it.
class Snapshot : NonCopyable {
 public:
  virtual ~Snapshot() = default;
  virtual const Position& position() const = 0;
  // Opens a reader on its own connection. Thread-safe with respect to other OpenReader calls.
  virtual Result<std::unique_ptr<TableReader>> OpenReader(const TableSchema& table) = 0;

  // Same-table split (engine/core/load_split.h). The smallest and largest value of `column` (an
  // integer key column) in the snapshot; nullopt for an empty table. Default: kFailedPrecondition
  // (the source does not split tables).
  virtual Result<std::optional<std::pair<int64_t, int64_t>>> KeyBounds(const TableSchema& table,
                                                                       size_t column);
  // A reader of the rows of `range` only, like OpenReader (same thread-safety, same snapshot).
  virtual Result<std::unique_ptr<TableReader>> OpenRangeReader(const TableSchema& table,
                                                               const KeyRange& range);
};

// The change stream of a source, from a position on.
class ChangeStream : NonCopyable {
 public:
  virtual ~ChangeStream() = default;
  // Waits up to `wait` for the next event. `out.type == kNone` when nothing arrived.
  // Events come as kBegin, kChange..., kCommit per transaction, in commit order.
  virtual Status Next(StreamEvent& out, std::chrono::milliseconds wait) = 0;
  // Tells the source that every transaction up to and including `applied` is durable on the
  // target, so it may release the history before it. Must only be called after the commit.
  virtual Status Confirm(const Position& applied) = 0;
  // Between transactions: a position P such that every transaction ordered at or before P has
  // been delivered by Next, because the stream has read the source's log through P (it caught
  // up with the log's end). A task asked to stop at a position (`cutover switch`) records it as
  // its last checkpoint, so the target itself says it has everything up to there. nullopt while
  // a transaction is open or when the stream cannot tell. Default: nullopt.
  virtual std::optional<Position> CaughtUpTo() const { return std::nullopt; }
};

// How big a table is, as the source's statistics estimate it; -1: unknown.
struct TableSize {
  int64_t rows = -1;
  int64_t bytes = -1;  // data and indexes
};

struct CdcSetup {
  bool created = false;  // the task's CDC objects were created just now
  // When a snapshot was asked for and the source could make one at exactly the stream's start
  // (a new capture, or a source that needs no capture object): that snapshot.
  std::unique_ptr<Snapshot> snapshot;
  // Sources without a persistent capture object (MariaDB: the binlog is always there) return
  // the position capture begins at now. When the target holds no checkpoint and no table was
  // loaded, the pipeline records it as the task's first checkpoint, so a restart resumes there.
  Position start;
};

class Source : NonCopyable {
 public:
  virtual ~Source() = default;
  virtual std::string engine() const = 0;

  // Resolves the selection (`schema.table` patterns with `%` wildcards) to tables with their
  // schemas. An empty include list means every user table. A pattern matching nothing is an
  // error naming it. A selected table the source cannot replicate at all (an unsupported column
  // type, storage engine...) is left out of the result and named in `problems`, every one of
  // them, with its remedy: the caller reports them together; the table itself, as far as it
  // could be described, goes to StartReport::KeepRefusedTable so the later start checks name
  // its other problems in the same run. A table without a primary key is
  // returned with an empty `key` (full load only; the pipeline refuses it for CDC).
  virtual Result<std::vector<TableSchemaPtr>> DiscoverTables(const TableSelection& selection,
                                                             StartReport& problems) = 0;

  // DiscoverTables for callers that refuse any problem at once (validator, `task prepare`):
  // the problems, all of them, become the returned error.
  Result<std::vector<TableSchemaPtr>> DiscoverTablesOrFail(const TableSelection& selection);

  // Whether the server is ready for change capture (settings, privileges): each missing piece
  // is a problem named with its remedy. Called at task start with the other checks, before
  // anything is created; PrepareCdc checks again. Errors only when the source cannot be asked.
  virtual Status CheckChangeCapture(StartReport& problems) {
    (void)problems;
    return Status::Ok();
  }

  // Whether change capture can follow the rows of each of `tables` beyond having a key (the
  // pipeline checks keys): PostgreSQL, the leaf partitions a partitioned table publishes;
  // SQLite, key columns that compare bytewise. Each table it cannot follow is a problem named
  // with its remedy: what PrepareCdc would refuse, found before anything is created. Errors only
  // when the source cannot be asked. Default: nothing more to check.
  virtual Status CheckCapturedTables(const std::vector<TableSchemaPtr>& tables,
                                     StartReport& problems) {
    (void)tables;
    (void)problems;
    return Status::Ok();
  }

  // Makes sure the task's change capture exists and covers `tables`. If it did not exist it is
  // created, and when `want_snapshot` a snapshot at exactly the point where its history starts
  // is returned. Idempotent.
  virtual Result<CdcSetup> PrepareCdc(const std::string& task,
                                      const std::vector<TableSchemaPtr>& tables,
                                      bool want_snapshot) = 0;

  // A fresh consistent snapshot that does not depend on the task's change capture: for
  // full-load-only tasks and for reloading tables after a restart. Its position is comparable
  // with the task's stream positions.
  virtual Result<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string& task) = 0;

  // Streams the task's changes from after `from`: the last applied transaction, or when none
  // was applied yet, the earliest loaded table's snapshot position or CdcSetup::start (empty:
  // from where the source's capture object began). The source may resend transactions at or
  // before `from`; the pipeline skips them.
  virtual Result<std::unique_ptr<ChangeStream>> OpenStream(
      const std::string& task, const std::vector<TableSchemaPtr>& tables, const Position& from) = 0;

  virtual Result<Position> ParsePosition(const std::string& text) const = 0;

  // Whether the change stream carries the row changes that foreign-key actions (ON DELETE /
  // ON UPDATE CASCADE, SET NULL) make. PostgreSQL's and SQLite's do; MariaDB's binlog does not
  // (InnoDB performs them below the binlog), so for such a source the pipeline reproduces them
  // on the target from TableSchema::foreign_keys (engine/pipeline/referential_actions.h).
  virtual bool StreamCarriesForeignKeyActions() const { return true; }

  // The source's objects that belong to no table of the task but that an application may rely
  // on (views, materialized views, functions, procedures, sequences no column owns), in the
  // schemas of `tables`, each with its schema report entry (kind, qualified name) and, for
  // views, functions and procedures, the definition a target of this engine recreates it from
  // (engine/core/schema_objects.h). Default: none.
  virtual Result<std::vector<SourceObject>> ListOtherObjects(
      const std::vector<TableSchemaPtr>& tables) {
    (void)tables;
    return std::vector<SourceObject>{};
  }

  // Removes the task's change capture objects. Missing objects are not an error.
  virtual Status DropTask(const std::string& task) = 0;

  // The size of each of `tables` from the source's statistics, without scanning where the engine
  // keeps them (`cutover assess`). Tables without a figure are absent. Default: none.
  virtual Result<std::map<TableName, TableSize>> EstimateTableSizes(
      const std::vector<TableSchemaPtr>& tables) {
    (void)tables;
    return std::map<TableName, TableSize>();
  }
};

enum class TablePrep { kDropAndCreate, kTruncate, kDoNothing };

// Loads one table inside one target transaction; nothing is visible until Commit.
class TableLoader : NonCopyable {
 public:
  virtual ~TableLoader() = default;
  virtual Status Write(const std::vector<Value>& row) = 0;
  // Finishes the table (keys, indexes) and records it loaded at `snapshot` with `rows` rows in
  // the same transaction as the rows, then commits.
  virtual Status Commit(const Position& snapshot, int64_t rows) = 0;
};

// Updates of one table that carry the same columns: the others are Unchanged (a TOASTed value
// the source did not send), and the target keeps its value. One statement shape (SET of exactly
// these columns) serves every row of the group.
struct UpdateGroup {
  std::string columns;  // one character per column: '1' the rows carry its value, '0' Unchanged
  std::vector<std::vector<Value>> rows;  // new rows of existing keys

  // `columns` of `row`.
  static std::string ColumnsOf(const std::vector<Value>& row);
};

// The net effect of a run of changes on one table (see engine/pipeline/net_effect.h): every key
// appears at most once across the three lists, so they may be applied in any order among keys.
struct TableBatch {
  TableSchemaPtr table;
  std::vector<std::vector<Value>> deletes;  // rows whose key columns identify the row to delete
  std::vector<UpdateGroup> updates;         // new rows of existing keys, by the columns they carry
  std::vector<std::vector<Value>> inserts;  // rows for keys absent before the batch
  size_t size() const {
    size_t n = deletes.size() + inserts.size();
    for (const UpdateGroup& g : updates) n += g.rows.size();
    return n;
  }
};

// Target rows an UPDATE or DELETE did not find: the target differs from the source (rows changed
// or deleted there behind the task's back). Not an error: the applier reports it
// (Applier::ReportRowsNotFound) and goes on; the pipeline counts and logs it
// (engine/pipeline/rows_not_found.h), the same way for every target.
struct RowsNotFound {
  ChangeOp op = ChangeOp::kUpdate;  // kUpdate or kDelete
  TableName table;                  // the source table
  std::vector<Value> key;           // the row's key, for a statement on one row; else empty
  int64_t expected = 1;             // rows the statement named
  int64_t missing = 1;              // of them, not found on the target
  bool inserted = false;            // updates: the applier inserted them with the columns it had
};

// Where an applier's RowsNotFound go.
class RowsNotFoundReport {
 public:
  virtual ~RowsNotFoundReport() = default;
  virtual void Report(const RowsNotFound& r) = 0;
};

// One step of a foreign-key action the source performed but did not log (see
// Source::StreamCarriesForeignKeyActions): on the rows of `table` whose `columns` equal `match`,
// delete them, set those columns to NULL, or set them to `values`.
struct ReferentialStep {
  enum class Kind : uint8_t { kDelete, kSetNull, kSetValues };
  Kind kind = Kind::kDelete;
  TableSchemaPtr table;           // the referencing (child) table
  std::vector<size_t> columns;    // its foreign-key columns (indexes into table->columns)
  std::vector<Value> match;       // one value per column, none NULL
  std::vector<Value> values;      // kSetValues: the new value per column (may be NULL)
  std::vector<size_t> returning;  // columns whose values before the step the caller needs
  std::string constraint;         // the foreign key's name, for messages
};

// Applies CDC transactions. Several source transactions may share one target transaction.
class Applier : NonCopyable {
 public:
  virtual ~Applier() = default;
  virtual Status Begin() = 0;
  // The source transaction whose changes follow, before the first of them (only transactions
  // the pipeline applies). Targets that record each change's source position (files) keep it.
  // Default: nothing.
  virtual void TransactionBegins(const TransactionInfo& txn) { (void)txn; }
  virtual Status Apply(const Change& change) = 0;
  // Applies a batch in the open target transaction: deletes, then updates, then inserts. The
  // default applies it row by row through Apply(); sinks override it with bulk statements.
  virtual Status ApplyBatch(const TableBatch& batch);
  // Performs `step` in the open target transaction, after every change sent before it, and
  // returns, per row it touched, the values of `step.returning` before the step (in that order;
  // no rows are read when `returning` is empty). Returned values are in a form this applier
  // takes back in a later step's `match` for the same columns (the caller only compares them and
  // passes them back). Touching no row is not an error. Default: an error (kFailedPrecondition).
  virtual Result<std::vector<std::vector<Value>>> ApplyReferential(const ReferentialStep& step);
  // Follows a source schema change of one table (docs/ddl.md): runs `changes` (DiffColumns of
  // `before` and `after`, both as the pipeline hands tables to this applier) so that the target
  // table holds `after`'s columns; later changes of the table come with `after`. Runs in the open
  // target transaction when DdlIsTransactional(), else on its own after the pipeline committed
  // the group. Idempotent: a change the target table already shows (a restart that replays the
  // transaction) is skipped. Default: kFailedPrecondition (the target cannot follow).
  virtual Status AlterTable(const TableSchema& before, const TableSchema& after,
                            const std::vector<ColumnChange>& changes);
  // Whether AlterTable commits or rolls back with the open target transaction (PostgreSQL,
  // SQLite) or commits on its own (MariaDB: DDL commits implicitly).
  virtual bool DdlIsTransactional() const { return true; }
  // Adds `counts` (the changes of the open target transaction, by source table) to the task's
  // per-table totals (TaskState::changes) in the open target transaction, so they commit or
  // vanish with the data and the checkpoint. Called right before Commit when there are changes.
  // Default: totals are not kept (a target without control tables).
  virtual Status AddChangeCounts(const std::map<TableName, TableChangeTotals>& counts) {
    (void)counts;
    return Status::Ok();
  }
  // Records `applied` as the task's checkpoint in the open target transaction and commits.
  virtual Status Commit(const Position& applied) = 0;
  // Whether the open group, opened `age` ago, is to be committed now (asked after each source
  // commit and whenever the source is idle). nullopt (the default): the pipeline's own rule
  // (--group-max-changes, --group-max-ms, and at once when the source is idle). A file target
  // answers by its own rule: its files are written when large or old enough.
  virtual std::optional<bool> CommitDue(std::chrono::steady_clock::duration age) const {
    (void)age;
    return std::nullopt;
  }

  // Error policies (engine/core/error_policy.h, engine/pipeline/apply_errors.h). An applier
  // that supports them isolates a refused change with savepoints in the open target
  // transaction: the pipeline sets a savepoint, applies, calls Flush, and on a refusal rolls
  // back to the savepoint and retries change by change. Default: not supported (a task whose
  // policies would divert a change is refused on such a target).
  virtual bool SupportsSavepoints() const { return false; }
  // Queues a savepoint / its release (errors surface at the next Flush).
  virtual Status Savepoint(const std::string& name);
  virtual Status ReleaseSavepoint(const std::string& name);
  // Rolls the open transaction back to `name` after a failed Flush, synchronously; the
  // transaction is usable again and the savepoint still set.
  virtual Status RollbackToSavepoint(const std::string& name);
  // Sends everything queued and returns the first error among it (OK when nothing is queued).
  virtual Status Flush() { return Status::Ok(); }
  // What kind of refusal `error` (returned by Apply, ApplyBatch or Flush) is.
  virtual ApplyErrorKind ClassifyError(const Status& error) const {
    (void)error;
    return ApplyErrorKind::kOther;
  }
  // Records `e` in the exceptions control table, in the open target transaction (queued).
  virtual Status RecordException(const ApplyException& e);

  // Where the applier reports target rows its UPDATEs and DELETEs did not find; set by the
  // pipeline before the first Begin. Unset: they are not reported.
  void set_rows_not_found_report(RowsNotFoundReport* report) { rows_not_found_ = report; }

 protected:
  void ReportRowsNotFound(const RowsNotFound& r) {
    if (rows_not_found_) rows_not_found_->Report(r);
  }

 private:
  RowsNotFoundReport* rows_not_found_ = nullptr;
};

// A target table's columns as the target's catalog has them now (Sink::ReadTargetColumns).
struct TargetTableColumns {
  std::vector<TargetColumn> columns;  // in the table's order
  bool case_insensitive = false;      // names match regardless of case (MariaDB)
};

class Sink : NonCopyable {
 public:
  virtual ~Sink() = default;
  virtual std::string engine() const = 0;

  // Reads the task's state. Creates and changes nothing on the target (it may not even have been
  // written to yet): no control tables, or no state for the task, is an empty TaskState.
  virtual Result<TaskState> ReadTaskState(const std::string& task) = 0;

  // Creates the control tables (checkpoint, table state) when missing: the explicit step before
  // anything is written. The pipeline calls it once per run, after ReadTaskState and before
  // PrepareTables, BeginTableLoad and OpenApplier, which need the tables. Idempotent. Default:
  // nothing (a sink without control tables).
  virtual Status CreateControlTables() { return Status::Ok(); }

  // Starts loading `table` on a new connection (thread-safe with other BeginTableLoad calls).
  virtual Result<std::unique_ptr<TableLoader>> BeginTableLoad(const std::string& task,
                                                              const TableSchema& table,
                                                              TablePrep prep) = 0;

  // Opens the CDC applier. Called again in the same run after an applier failed with
  // kUnavailable (the change spool's reconnect; no applier or loader of this sink is open then):
  // the new one starts from what the target holds now, as in a new run, never from what this
  // process believes it committed (a commit whose reply was lost may have committed).
  virtual Result<std::unique_ptr<Applier>> OpenApplier(const std::string& task) = 0;

  // Adds to `problems` every reason the target cannot take `tables` as the task needs (e.g.
  // triggers that would rewrite replicated rows and cannot be switched off for the task's
  // sessions), each naming the object and the remedy. `prep` is what the full load will do to
  // the tables (kDoNothing for a CDC-only task): triggers of a table that is dropped and created
  // do not survive into its load. Returns an error only when the target cannot be asked.
  // Creates nothing. Default: no problem.
  virtual Status CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                             TablePrep prep, StartReport& problems) {
    (void)task, (void)tables, (void)prep, (void)problems;
    return Status::Ok();
  }

  // The columns the target tables of `tables` have now, keyed by source name
  // (TableSchema::name); a table the target does not have is left out. Read once at CDC start
  // to follow columns added on the source while the task was stopped
  // (pipeline/columns_added_while_stopped.h). Creates and changes nothing. Default: an empty
  // map (a target that cannot tell, e.g. files: nothing is followed at start).
  virtual Result<std::map<TableName, TargetTableColumns>> ReadTargetColumns(
      const std::vector<TableSchemaPtr>& tables) {
    (void)tables;
    return std::map<TableName, TargetTableColumns>{};
  }

  // Prepares `tables`, the tables about to be loaded, for their loads as `prep` says, all from
  // one session before any load starts (engine/core/target_session.h): drops them
  // (kDropAndCreate) or empties them (kTruncate) together, so that foreign keys between them
  // neither block the step nor make parallel loaders' DDL wait on each other. BeginTableLoad is
  // then called with the same `prep` and does only what is left (creating the table). Tables
  // not in `tables` (other tables, tables of the task already loaded) are never emptied or
  // changed. Default: nothing here, BeginTableLoad prepares each table itself.
  virtual Status PrepareTables(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                               TablePrep prep) {
    (void)task, (void)tables, (void)prep;
    return Status::Ok();
  }

  // Same-table split of the full load (engine/core/load_split.h). A sink that can load a table
  // as ranges committed one by one says so here and implements the three calls below;
  // otherwise the pipeline loads every table whole. Default: false.
  virtual bool LoadsRanges() const { return false; }
  // Makes `table` ready for a split load as `prep` says (kDropAndCreate: created now, its
  // primary key added by FinishSplitLoad; kTruncate: emptied by PrepareTables already) and
  // records `ranges` (index, split column's source name, bounds) as its ranges, none done,
  // replacing any the table had: one transaction.
  virtual Status BeginSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                                const std::vector<RangeLoadState>& ranges);
  // Loads range `index` of `table` on a new connection (thread-safe, like BeginTableLoad): the
  // loader's Commit(snapshot, rows) marks the range done with its snapshot and rows in the same
  // transaction as the rows.
  virtual Result<std::unique_ptr<TableLoader>> BeginRangeLoad(const std::string& task,
                                                              const TableSchema& table, int index);
  // Every range of `table` is done: adds what BeginTableLoad's Commit adds after the data (the
  // primary key when the table was created with `prep`) and records the table loaded at
  // `snapshot` (the earliest of its ranges' snapshots) with `rows`, in one transaction. The
  // range rows stay.
  virtual Status FinishSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                                 const Position& snapshot, int64_t rows);

  // Schema objects (engine/core/schema_objects.h, docs/types.md "Schema objects").
  //
  // The plan of `table`'s schema objects on this target: a pure function of the task's tables
  // (`tables`: every target table of the task, for foreign keys' parents), asking nothing of
  // the target. Default: nothing is carried (a target that keeps no schema objects).
  virtual std::vector<PlannedObject> PlanSchemaObjects(
      const TableSchema& table, const std::vector<TableSchemaPtr>& tables) const {
    (void)tables;
    return NotCarriedObjects(table, "the " + engine() + " target keeps no schema objects");
  }

  // Creates the planned kAfterData objects of `table` (indexes, checks, the identity's next
  // value past the loaded rows) that the target does not have yet. Called by the worker that
  // loaded the table, right after its commit, and at later starts for tables loaded before
  // (idempotent). Default: nothing.
  virtual Status CreateTableObjects(const std::string& task, const TableSchema& table,
                                    const std::vector<TableSchemaPtr>& tables) {
    (void)task, (void)table, (void)tables;
    return Status::Ok();
  }

  // Creates the planned kForeignKey objects of `tables` that the target does not have yet,
  // once every table of the task is loaded and before CDC starts, so that they do not stop CDC
  // apply. Returns the statements that validate them (PlannedObject::validate), which the
  // pipeline runs on its own while CDC applies (ValidateSchemaObject). Default: nothing.
  virtual Result<std::vector<std::string>> CreateForeignKeys(
      const std::string& task, const std::vector<TableSchemaPtr>& tables) {
    (void)task, (void)tables;
    return std::vector<std::string>{};
  }

  // Runs one statement CreateForeignKeys returned, on a session of its own (thread-safe).
  virtual Status ValidateSchemaObject(const std::string& statement) {
    (void)statement;
    return Status::Ok();
  }

  // Same-engine objects (docs/types.md, "Views, functions and triggers"), once every table is
  // loaded. Creates one view, function or procedure of a source of this target's own engine
  // from its definition (SourceObject::definition), on a session that does not replicate; an
  // error says why (the pipeline names the object and goes on). Default: refused.
  virtual Status CreateSourceObject(const SourceObject& object) {
    return InvalidArgument("the " + engine() + " target does not create " + object.entry.kind +
                           "s");
  }
  // Creates the triggers of `tables` that the plan carries after the load (a target that can
  // keep a trigger from firing: PostgreSQL) when missing, disabled until `cutover switch`
  // enables them (EngineDriver::EnableTargetTriggers). Each failure is logged with the trigger's
  // name and the rest go on. Default: nothing (the switch creates them).
  virtual Status CreateDisabledTriggers(const std::vector<TableSchemaPtr>& tables) {
    (void)tables;
    return Status::Ok();
  }

  // Removes the task's control rows.
  virtual Status DropTask(const std::string& task) = 0;

  // Records `cutover validate --task`'s verdict per source table of `task` (replacing each
  // table's previous one), in a control table created when missing; read back by ReadTaskState
  // (TaskState::validation) for `cutover task stats`. Default: kInvalidArgument (the engine
  // keeps no validation state).
  virtual Status RecordValidation(const std::string& task,
                                  const std::map<TableName, TableValidationState>& tables);
};

}  // namespace cutover
