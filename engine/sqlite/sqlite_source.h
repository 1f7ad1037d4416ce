// SqliteSource: a SQLite database file (sqlite:///path/to/file.db) as a replication source.
//
// Capture is by triggers into a change table inside the file (sqlite_capture.h); the full load
// reads one WAL read transaction (sqlite_snapshot.h); CDC polls the change table
// (sqlite_stream.h); positions are change sequence numbers (sqlite_position.h).
//
// `cutover replicate` prepares the capture itself when the task has none (as PgSource creates
// its slot): the triggers exist before the snapshot is taken, so nothing written meanwhile is
// missed. `cutover task prepare` does the same ahead of time (e.g. to start capturing before the
// first run), `cutover task drop` removes triggers, change table and meta table. The file must
// exist: a missing file or one that is not a SQLite database is refused at open. cutover is a
// second writer on the source file (triggers, pruning): the file is switched to WAL mode, which
// is persistent, and the application's writers need a busy timeout.
#pragma once

#include <memory>
#include <string>

#include "engine/core/endpoint.h"
#include "engine/sqlite/sqlite_conn.h"

namespace cutover::sqlite {

class SqliteSource : public Source {
 public:
  static Result<std::unique_ptr<SqliteSource>> Open(const std::string& uri);
  std::string engine() const override { return "sqlite"; }

  Result<std::vector<TableSchemaPtr>> DiscoverTables(const TableSelection& selection,
                                                     StartReport& problems) override;
  Result<CdcSetup> PrepareCdc(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                              bool want_snapshot) override;
  Status CheckCapturedTables(const std::vector<TableSchemaPtr>& tables,
                             StartReport& problems) override;
  Result<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string& task) override;
  Result<std::unique_ptr<ChangeStream>> OpenStream(const std::string& task,
                                                   const std::vector<TableSchemaPtr>& tables,
                                                   const Position& from) override;
  Result<Position> ParsePosition(const std::string& text) const override;
  Status DropTask(const std::string& task) override;
  // The database's views (sqlite_catalog.h): named in the schema report, not carried.
  Result<std::vector<SourceObject>> ListOtherObjects(
      const std::vector<TableSchemaPtr>& tables) override;
  // Exact row counts (SQLite keeps no statistics to estimate from); sizes unknown.
  Result<std::map<TableName, TableSize>> EstimateTableSizes(
      const std::vector<TableSchemaPtr>& tables) override;

 private:
  SqliteSource(std::string uri, std::unique_ptr<SqliteConn> conn)
      : uri_(std::move(uri)), conn_(std::move(conn)) {}

  std::string uri_;
  std::unique_ptr<SqliteConn> conn_;  // catalog and capture DDL
};

}  // namespace cutover::sqlite
