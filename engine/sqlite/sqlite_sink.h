// SqliteSink: a SQLite database file as a replication target, with the other sinks' guarantees:
// a table's full load commits together with its `_cutover_table_state` row, and each CDC target
// transaction together with its `_cutover_checkpoint` row, so `kill -9` at any moment loses and
// duplicates nothing.
//
// SQLite has one writer at a time per file. Parallel full-load workers therefore take turns: a
// table loader holds the sink's write lock (an in-process mutex, so workers queue instead of
// spinning on SQLITE_BUSY) from BeginTableLoad to Commit, and loads its table in one big
// transaction: BEGIN IMMEDIATE, drop-and-create (SQLite DDL is transactional, so a crash leaves
// the old table or the complete new one), a prepared INSERT stepped per row, the table_state row,
// COMMIT. The primary key is declared in CREATE TABLE (SQLite cannot add one later).
//
// CDC: one connection, BEGIN IMMEDIATE at the first change of a group, prepared statements cached
// per table and operation (per set of changed columns for updates): inserts are
// `INSERT ... ON CONFLICT(key) DO UPDATE`, updates `UPDATE ... WHERE key` (a row not found is
// reported as in the other sinks, and inserted when the change carries every column), deletes
// `DELETE ... WHERE key`, TRUNCATE is `DELETE FROM`. Statements run in-process, so the
// row-at-a-time default ApplyBatch costs no round trips. Every connection: WAL, busy timeout 5 s,
// synchronous=NORMAL.
//
// Sessions (engine/core/target_session.h): load and apply connections run with
// `PRAGMA foreign_keys = OFF`, so foreign keys of a pre-created schema neither reject rows nor
// fire their actions, and wait for another writer of the file up to SinkOptions::lock_timeout.
// SQLite cannot switch triggers off for one connection: CheckTarget refuses the task naming every
// trigger on its tables that survives the table prep (DROP TABLE drops a table's triggers).
//
// Tables land in the main schema under their source name (TargetTableName); the control tables
// `_cutover_checkpoint(task, position, updated_at)` and `_cutover_table_state(task, table_schema,
// table_name, snapshot_position, rows, loaded_at)` live in the same file (times UTC text).
// Column types and value storage: sqlite_types.h and docs/types.md.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/core/endpoint.h"
#include "engine/core/target_session.h"

namespace cutover::sqlite {

class SqliteConn;
struct TablePlan;

class SqliteSink : public Sink {
 public:
  // `uri`: sqlite:///path/to/file.db; the file is created when first written.
  explicit SqliteSink(std::string uri, SinkOptions options = {});
  std::string engine() const override { return "sqlite"; }

  Result<TaskState> ReadTaskState(const std::string& task) override;
  Status CreateControlTables() override;
  bool LoadsRanges() const override { return true; }
  Status BeginSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                        const std::vector<RangeLoadState>& ranges) override;
  Result<std::unique_ptr<TableLoader>> BeginRangeLoad(const std::string& task,
                                                      const TableSchema& table, int index) override;
  Status FinishSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                         const Position& snapshot, int64_t rows) override;
  Result<std::unique_ptr<TableLoader>> BeginTableLoad(const std::string& task,
                                                      const TableSchema& table,
                                                      TablePrep prep) override;
  Result<std::unique_ptr<Applier>> OpenApplier(const std::string& task) override;
  Result<std::map<TableName, TargetTableColumns>> ReadTargetColumns(
      const std::vector<TableSchemaPtr>& tables) override;
  Status CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                     TablePrep prep, StartReport& problems) override;
  Status DropTask(const std::string& task) override;
  Status RecordValidation(const std::string& task,
                          const std::map<TableName, TableValidationState>& tables) override;
  // Schema objects: sqlite_schema_objects.cc.
  std::vector<PlannedObject> PlanSchemaObjects(
      const TableSchema& table, const std::vector<TableSchemaPtr>& tables) const override;
  Status CreateTableObjects(const std::string& task, const TableSchema& table,
                            const std::vector<TableSchemaPtr>& tables) override;
  Status CreateSourceObject(const SourceObject& object) override;

 private:
  Result<std::unique_ptr<TableLoader>> BeginLoad(const std::string& task, const TableSchema& table,
                                                 TablePrep prep, std::optional<int> range);
  Status PrepareLoadTable(SqliteConn& conn, const TableSchema& table, const TablePlan& plan,
                          TablePrep prep);
  // A connection for loading or applying: foreign keys off, busy waits bounded.
  Result<std::unique_ptr<class SqliteConn>> OpenWriter(std::string_view purpose) const;

  std::string uri_;
  SinkOptions options_;
  std::shared_ptr<std::mutex> write_mu_;
  // The task's tables, for CREATE TABLE's foreign keys: recorded by the first PlanSchemaObjects
  // call, which the pipeline makes for the schema report (schema_build.h) before any table is
  // created; written once, before any loader runs, read only afterwards.
  mutable std::vector<TableSchemaPtr> task_tables_;
};

}  // namespace cutover::sqlite
