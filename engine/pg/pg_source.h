// PgSource: PostgreSQL as a replication source (logical decoding with pgoutput, protocol 2).
//
// Per task: publication `cutover_<task>` on the task's tables and logical slot `cutover_<task>`,
// created in that order (pgoutput looks the publication up while decoding). The publication
// names every table with ONLY (an inheritance parent must not publish its children: a child
// without a replica identity would make the application's UPDATE/DELETE on the parent fail on
// the source) and publishes a partitioned table through its root (publish_via_partition_root),
// so a partitioned table is one table to the task, as it is to discovery (partitions are never
// listed). After every CREATE or ALTER, in the same transaction, pg_publication_tables must list
// exactly the task's tables, or nothing is changed. A publication made by an older cutover (no
// ONLY) is repaired by the ALTER ... SET TABLE of the next start. The slot is created
// with an exported snapshot on a replication connection that then stays idle and open until the
// full load is over, so every full-load reader can import it (SET TRANSACTION SNAPSHOT). Rows
// committed before the slot's consistent point are in the snapshot, later ones in the stream:
// no gap, no duplicate. After a crash during the full load the original snapshot is gone; a
// TEMPORARY slot gives a fresh snapshot whose consistent point is recorded per reloaded table,
// and the pipeline skips that table's older changes (see position.h).
//
// The stream answers keepalives, confirms a transaction's end LSN only when the pipeline says
// the target committed it, and spools streamed in-progress transactions (S...E chunks) to disk
// per top-level xid, replaying them in order on stream commit and dropping them (or the aborted
// subtransactions' changes) on stream abort. Memory stays bounded by one message.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "engine/core/endpoint.h"

namespace cutover::pg {

class PgSource : public Source {
 public:
  // `uri`: libpq URI; `spool_dir`: where streamed transactions are spooled.
  PgSource(std::string uri, std::string spool_dir)
      : uri_(std::move(uri)), spool_dir_(std::move(spool_dir)) {}
  std::string engine() const override { return "postgresql"; }

  Result<std::vector<SourceObject>> ListOtherObjects(
      const std::vector<TableSchemaPtr>& tables) override;
  Result<std::vector<TableSchemaPtr>> DiscoverTables(const TableSelection& selection,
                                                     StartReport& problems) override;
  Result<CdcSetup> PrepareCdc(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                              bool want_snapshot) override;
  Result<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string& task) override;
  Result<std::unique_ptr<ChangeStream>> OpenStream(const std::string& task,
                                                   const std::vector<TableSchemaPtr>& tables,
                                                   const Position& from) override;
  Result<Position> ParsePosition(const std::string& text) const override;
  Status DropTask(const std::string& task) override;
  // wal_level=logical and the REPLICATION attribute, each missing one a problem.
  Status CheckChangeCapture(StartReport& problems) override;
  Status CheckCapturedTables(const std::vector<TableSchemaPtr>& tables,
                             StartReport& problems) override;
  Result<std::map<TableName, TableSize>> EstimateTableSizes(
      const std::vector<TableSchemaPtr>& tables) override;

  static std::string SlotName(const std::string& task) { return "cutover_" + task; }
  static std::string PublicationName(const std::string& task) { return "cutover_" + task; }

 private:
  std::string uri_;
  std::string spool_dir_;
  std::set<TableName> partitioned_;  // read with COPY (SELECT ...) rather than COPY table
};

}  // namespace cutover::pg
