// MariaSource: MariaDB/MySQL as a replication source (full load + binlog CDC).
//
// Shape, and why:
//   - The URI names one database; its InnoDB base tables are the candidates (`_cutover_*`
//     control tables of a MariaDB target excluded). TableName.schema is the database name.
//   - There is no slot: the binlog is always there, so a task has no capture object on the
//     source, and nothing to drop. Where a task's CDC starts is made durable on the target:
//     the table snapshot positions of the full load, or for a CDC-only task the position at
//     PrepareCdc (CdcSetup::start), which the pipeline records as the first checkpoint. The
//     retention of binlogs is the user's to size; a purged binlog needed to resume is a clear
//     kDataLoss error naming the file, never a silent gap.
//   - Positions (position.h): major = binlog file sequence number, minor = offset. A
//     transaction's position is its GTID event's end offset, and its text carries the full GTID
//     state including it ("mariadb-bin.000003:1234 0-1-57,1-2-9"), so resuming is by GTID
//     (`@slave_connect_state`) while ordering stays a plain (file, offset) comparison. A
//     snapshot's position is the binlog offset of the consistent snapshot and the GTID state
//     there (BINLOG_GTID_POS).
//   - Snapshots: MariaDB cannot share a snapshot between connections, so all the full load's
//     connections are opened up front and aligned once (BACKUP STAGE BLOCK_COMMIT held while N
//     `START TRANSACTION WITH CONSISTENT SNAPSHOT` are taken, a few milliseconds); with one
//     connection no lock at all. Readers borrow those connections.
//   - Preflight (CheckChangeCapture, at task start with the other checks, and again at
//     PrepareCdc): binlog on, ROW format, FULL row image, FULL row metadata, privileges; InnoDB
//     and column types at DiscoverTables: every problem found is named in one report.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/mariadb/maria_conn.h"

namespace cutover::mariadb {

struct MariaSourceOptions {
  int snapshot_connections = 4;  // connections a snapshot aligns up front (the full load's N)
};

class MariaSource : public Source {
 public:
  // Connects once to check the server is reachable and readable.
  static Result<std::unique_ptr<MariaSource>> Open(const std::string& uri,
                                                   const MariaSourceOptions& options);

  std::string engine() const override { return "mariadb"; }
  Result<std::vector<TableSchemaPtr>> DiscoverTables(const TableSelection& selection,
                                                     StartReport& problems) override;
  Result<CdcSetup> PrepareCdc(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                              bool want_snapshot) override;
  Result<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string& task) override;
  Result<std::unique_ptr<ChangeStream>> OpenStream(const std::string& task,
                                                   const std::vector<TableSchemaPtr>& tables,
                                                   const Position& from) override;
  Result<Position> ParsePosition(const std::string& text) const override;
  // InnoDB performs foreign-key actions below the binlog: only the statement's own rows appear.
  bool StreamCarriesForeignKeyActions() const override { return false; }
  Status DropTask(const std::string& task) override;
  // Binlog on, ROW format, FULL row image and metadata, privileges: each missing one a problem.
  Status CheckChangeCapture(StartReport& problems) override;
  Result<std::vector<SourceObject>> ListOtherObjects(
      const std::vector<TableSchemaPtr>& tables) override;
  Result<std::map<TableName, TableSize>> EstimateTableSizes(
      const std::vector<TableSchemaPtr>& tables) override;

  // The binlog server id the task's dump connection uses: derived from the task name, so a
  // restarted engine replaces its own previous (possibly dead) dump session on the server.
  static uint32_t DumpServerId(const std::string& task, uint32_t source_server_id);

 private:
  MariaSource(std::string uri, MariaSourceOptions options, std::unique_ptr<MariaConn> conn)
      : uri_(std::move(uri)), options_(options), conn_(std::move(conn)) {}
  // The current end of the binlog as a position (file, offset, GTID state there).
  Result<Position> CurrentPosition();

  std::string uri_;
  MariaSourceOptions options_;
  std::unique_ptr<MariaConn> conn_;  // catalog and preflight queries
};

// The file name of snapshot positions on a server without a binary log (full load only).
constexpr const char* kNoBinlog = "-";

// Builds a Position from a binlog file name, an offset and a GTID state text.
Result<Position> MakeBinlogPosition(const std::string& file, uint64_t offset,
                                    const std::string& gtid_state);
// The file, offset and GTID state of a MariaDB position text.
struct BinlogCoordinates {
  std::string file;
  uint64_t offset = 0;
  std::string gtid_state;
};
Result<BinlogCoordinates> ParseBinlogPosition(const std::string& text);

}  // namespace cutover::mariadb
