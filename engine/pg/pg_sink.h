// PgSink: PostgreSQL as a replication target.
//
// Sessions (engine/core/target_session.h): every connection bounds its lock waits
// (lock_timeout); load and apply sessions run with session_replication_role = replica, so target
// triggers, foreign-key checks and foreign-key actions leave replicated rows as the source wrote
// them. CheckTarget finds out whether the role may set it; when it may not and the task's tables
// have triggers or foreign keys, the task is refused at start naming them and the GRANT.
//
// Preparing the tables (PrepareTables, one session, before the loads): drop-and-create drops
// every table to load in one DROP (foreign keys between them do not block it; a foreign key of
// another table referencing one refuses the task at start, since dropping would change that
// table). Truncate empties them in one TRUNCATE ONLY (children and partitions of other tables
// are not touched), except a table referenced by a foreign key of a table that is not being
// reloaded (outside the task, or already loaded), which TRUNCATE would refuse or cascade to: it
// is emptied with DELETE under replica role, which leaves the referencing table unchanged.
// Each table is locked first, one by one, so a lock wait names its table and holder.
//
// Full load: one connection and one transaction per table: create the table (drop-and-create,
// without its primary key) or use it as it is, COPY the rows in, add the primary key after
// the data (one sorted index build instead of millions of inserts), record the table as loaded in
// cutover.table_state, commit. A crash mid-table leaves nothing behind; the restart reloads it.
//
// CDC: one connection in libpq pipeline mode. Statements are prepared per table and operation,
// sent without waiting for each result, and synchronised every few hundred statements and at
// commit, so a group of source transactions costs one round trip per sync instead of one per
// row. The checkpoint row (cutover.checkpoint) is written in the same target transaction.
#pragma once

#include <memory>
#include <string>

#include "engine/core/endpoint.h"
#include "engine/core/target_session.h"

namespace cutover::pg {

class PgConn;

class PgSink : public Sink {
 public:
  // `uri` is a libpq URI; nothing is contacted until the first call.
  explicit PgSink(std::string uri, SinkOptions options = {})
      : uri_(std::move(uri)), options_(options) {}
  std::string engine() const override { return "postgresql"; }

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
  Status CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                     TablePrep prep, StartReport& problems) override;
  Status DropTask(const std::string& task) override;
  Status RecordValidation(const std::string& task,
                          const std::map<TableName, TableValidationState>& tables) override;
  Result<std::map<TableName, TargetTableColumns>> ReadTargetColumns(
      const std::vector<TableSchemaPtr>& tables) override;
  Status PrepareTables(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                       TablePrep prep) override;
  // Schema objects: pg_schema_objects.cc.
  std::vector<PlannedObject> PlanSchemaObjects(
      const TableSchema& table, const std::vector<TableSchemaPtr>& tables) const override;
  Status CreateTableObjects(const std::string& task, const TableSchema& table,
                            const std::vector<TableSchemaPtr>& tables) override;
  Result<std::vector<std::string>> CreateForeignKeys(
      const std::string& task, const std::vector<TableSchemaPtr>& tables) override;
  Status ValidateSchemaObject(const std::string& statement) override;
  Status CreateSourceObject(const SourceObject& object) override;
  Status CreateDisabledTriggers(const std::vector<TableSchemaPtr>& tables) override;

 private:
  Result<std::unique_ptr<PgConn>> ConnectLoad(const TableSchema& table, TablePrep prep);
  Status CreateLoadTable(PgConn& conn, const TableSchema& table, TablePrep prep);
  // Whether load and apply sessions set session_replication_role = replica: kUnknown until
  // CheckTarget ran (then they do, and fail if the role may not).
  enum class ReplicaRole { kUnknown, kOn, kNotNeeded };

  std::string uri_;
  SinkOptions options_;
  ReplicaRole replica_role_ = ReplicaRole::kUnknown;  // written before any load or apply starts
};

}  // namespace cutover::pg
