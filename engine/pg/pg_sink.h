// PgSink: PostgreSQL as a replication target.
//
// Full load: one connection and one transaction per table: prepare the table (drop-and-create
// without its primary key, truncate, or nothing), COPY the rows in, add the primary key after
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

namespace cutover::pg {

class PgSink : public Sink {
 public:
  // `uri` is a libpq URI; nothing is contacted until the first call.
  explicit PgSink(std::string uri) : uri_(std::move(uri)) {}
  std::string engine() const override { return "postgresql"; }

  Result<TaskState> ReadTaskState(const std::string& task) override;
  Result<std::unique_ptr<TableLoader>> BeginTableLoad(const std::string& task,
                                                      const TableSchema& table,
                                                      TablePrep prep) override;
  Result<std::unique_ptr<Applier>> OpenApplier(const std::string& task) override;
  Status CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                     TablePrep prep, StartReport& problems) override;
  Status DropTask(const std::string& task) override;
  std::vector<std::string> MappingWarnings(const TableSchema& table) const override;

 private:
  std::string uri_;
};

}  // namespace cutover::pg
