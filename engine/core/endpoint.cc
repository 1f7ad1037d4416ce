#include "engine/core/endpoint.h"

namespace cutover {

Result<std::vector<TableSchemaPtr>> Source::DiscoverTablesOrFail(const TableSelection& selection) {
  StartReport problems;
  ASSIGN_OR_RETURN(auto tables, DiscoverTables(selection, problems));
  RETURN_IF_ERROR(problems.ToStatus("the source's table list"));
  return tables;
}

Status Sink::RecordValidation(const std::string& task,
                              const std::map<TableName, TableValidationState>&) {
  return InvalidArgument("a " + engine() + " target keeps no validation state (task " + task + ")");
}

Status Applier::ApplyBatch(const TableBatch& batch) {
  Change c;
  c.table = batch.table;
  c.op = ChangeOp::kDelete;
  for (const auto& row : batch.deletes) {
    c.before = row;
    RETURN_IF_ERROR(Apply(c));
  }
  c.before.clear();
  c.op = ChangeOp::kUpdate;
  for (const UpdateGroup& g : batch.updates) {
    for (const auto& row : g.rows) {
      c.after = row;
      RETURN_IF_ERROR(Apply(c));
    }
  }
  c.op = ChangeOp::kInsert;
  for (const auto& row : batch.inserts) {
    c.after = row;
    RETURN_IF_ERROR(Apply(c));
  }
  return Status::Ok();
}

std::string UpdateGroup::ColumnsOf(const std::vector<Value>& row) {
  std::string columns(row.size(), '1');
  for (size_t i = 0; i < row.size(); ++i)
    if (row[i].is_unchanged()) columns[i] = '0';
  return columns;
}

Result<std::vector<std::vector<Value>>> Applier::ApplyReferential(const ReferentialStep& step) {
  return FailedPrecondition("this target cannot perform the foreign-key action " + step.constraint +
                            " on " + step.table->name.ToString());
}

Status Applier::Savepoint(const std::string& name) {
  return FailedPrecondition("this target cannot set savepoint " + name);
}

Status Applier::ReleaseSavepoint(const std::string& name) {
  return FailedPrecondition("this target cannot release savepoint " + name);
}

Status Applier::RollbackToSavepoint(const std::string& name) {
  return FailedPrecondition("this target cannot roll back to savepoint " + name);
}

Status Applier::RecordException(const ApplyException& e) {
  return FailedPrecondition("this target keeps no exceptions table (a refused change on " +
                            e.table->name.ToString() + ")");
}

Status Applier::AlterTable(const TableSchema& before, const TableSchema& after,
                           const std::vector<ColumnChange>& changes) {
  (void)before;
  return FailedPrecondition("this target cannot follow source schema changes (table " +
                            after.name.ToString() + ": " + DescribeColumnChanges(changes, after) +
                            ")");
}

}  // namespace cutover

namespace cutover {

Result<std::optional<std::pair<int64_t, int64_t>>> Snapshot::KeyBounds(const TableSchema& table,
                                                                       size_t column) {
  (void)column;
  return FailedPrecondition("table " + table.name.ToString() +
                            ": this source does not split tables");
}

Result<std::unique_ptr<TableReader>> Snapshot::OpenRangeReader(const TableSchema& table,
                                                               const KeyRange& range) {
  (void)range;
  return FailedPrecondition("table " + table.name.ToString() +
                            ": this source does not split tables");
}

Status Sink::BeginSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                            const std::vector<RangeLoadState>& ranges) {
  (void)task, (void)prep, (void)ranges;
  return FailedPrecondition("table " + table.name.ToString() + ": the " + engine() +
                            " target does not load tables in ranges");
}

Result<std::unique_ptr<TableLoader>> Sink::BeginRangeLoad(const std::string& task,
                                                          const TableSchema& table, int index) {
  (void)task, (void)index;
  return FailedPrecondition("table " + table.name.ToString() + ": the " + engine() +
                            " target does not load tables in ranges");
}

Status Sink::FinishSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                             const Position& snapshot, int64_t rows) {
  (void)task, (void)prep, (void)snapshot, (void)rows;
  return FailedPrecondition("table " + table.name.ToString() + ": the " + engine() +
                            " target does not load tables in ranges");
}

}  // namespace cutover
