// MariaSink: MariaDB (or MySQL-protocol) as a replication target, with the PostgreSQL target's
// guarantees: a table's full load commits together with its `_cutover_table_state` row, and each
// CDC target transaction commits together with its `_cutover_checkpoint` row, so `kill -9` at
// any moment loses and duplicates nothing.
//
// Where things live: every source table lands in the target URI's database under its own name
// (TargetTableName); the two control tables live there too (InnoDB; `_cutover_table_state` is
// keyed by the *source* schema and table name, like PgSink's).
//
// Sessions (engine/core/target_session.h): every connection bounds its lock waits
// (lock_wait_timeout for metadata locks, innodb_lock_wait_timeout for row locks); load and apply
// sessions run with foreign_key_checks = 0, so foreign keys of a pre-created schema neither
// reject rows loaded or applied out of parent/child order nor fire their actions. MariaDB cannot
// switch triggers off for one session: CheckTarget refuses the task naming every trigger of its
// tables that survives the table prep. A lock wait that runs out names the table and the
// sessions that may hold it (information_schema.METADATA_LOCK_INFO when the plugin is loaded,
// else the sessions with an open transaction).
//
// Preparing the tables (PrepareTables): DROP TABLE or TRUNCATE TABLE of every table to load, one
// after the other from one session with foreign_key_checks = 0, before any load starts. Two
// concurrent TRUNCATEs of tables linked by a foreign key livelock MariaDB 10.11 (seen: beyond
// lock_wait_timeout and KILL), so the parallel loaders never run DDL on existing tables.
//
// Full load, one connection per table: create the table (drop-and-create, with the primary key
// already in place; DDL commits implicitly in MariaDB, so it runs before the table's transaction:
// a crash after it leaves an empty table with no state row, which the restart loads again), then
// START TRANSACTION, one LOAD DATA LOCAL INFILE streamed from memory,
// the table_state row, COMMIT. The pipeline thread encodes rows into 256 KiB chunks that a
// bounded queue (4 chunks) hands to a loader thread, which runs the LOAD DATA statement and
// feeds it through mysql_set_local_infile_handler: memory stays bounded, reading the source and
// writing the target overlap. The primary key is created with the table (InnoDB clusters rows on
// it; adding it afterwards rebuilds the table and was slower: bench/RESULTS.md). LOAD DATA LOCAL
// behaves as IGNORE (duplicates are skipped, bad values become warnings), so the loader checks
// the affected row count and the warning count and fails the table on any difference.
// Measured against large multi-row INSERTs (bench/macro/maria_load_methods.sh); the INSERT path
// stays available for that comparison with CUTOVER_MARIA_LOAD=insert.
//
// CDC, one connection with multi-statement packets: statements are appended to a packet and sent
// in one round trip every ~1000 statements / few MiB (below max_allowed_packet) and at commit;
// results are read back per statement, so UPDATE/DELETE that touch no row are reported as in
// PgSink. Net-effect batches use multi-row `DELETE ... WHERE (k...) IN (...)` (a PRIMARY range
// scan), multi-row `INSERT`, and `INSERT ... ON DUPLICATE KEY UPDATE` naming only the changed
// columns, so Unchanged (TOAST) columns keep the target's value (1.86x a joined multi-row UPDATE:
// bench/RESULTS.md). An updated row missing on the target (the target diverged) is therefore
// inserted with the changed columns, and reported like PgSink's "not found" rows (from the
// "Duplicates:" count of mysql_info). A source TRUNCATE becomes `DELETE FROM` (TRUNCATE TABLE
// would commit the open transaction).
#pragma once

#include <memory>
#include <string>

#include "engine/core/endpoint.h"
#include "engine/core/target_session.h"

namespace cutover::mariadb {

class MariaConn;
struct TablePlan;

class MariaSink : public Sink {
 public:
  // `uri`: mariadb:// or mysql://; nothing is contacted until the first call.
  explicit MariaSink(std::string uri, SinkOptions options = {});
  std::string engine() const override { return "mariadb"; }

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
  // Schema objects: maria_schema_objects.cc.
  std::vector<PlannedObject> PlanSchemaObjects(
      const TableSchema& table, const std::vector<TableSchemaPtr>& tables) const override;
  Status CreateTableObjects(const std::string& task, const TableSchema& table,
                            const std::vector<TableSchemaPtr>& tables) override;
  Result<std::vector<std::string>> CreateForeignKeys(
      const std::string& task, const std::vector<TableSchemaPtr>& tables) override;
  Status CreateSourceObject(const SourceObject& object) override;

 private:
  struct LoadSession;  // maria_loader.cc
  Result<LoadSession> ConnectLoad(const TableSchema& table);
  Status CreateLoadTable(MariaConn& conn, const TableSchema& table, const TablePlan& plan,
                         TablePrep prep);
  std::string uri_;
  SinkOptions options_;
};

}  // namespace cutover::mariadb
