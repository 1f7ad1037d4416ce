#include "engine/sqlite/sqlite_driver.h"

#include <sqlite3.h>

#include "engine/core/naming.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_load_session.h"
#include "engine/sqlite/sqlite_preflight.h"
#include "engine/sqlite/sqlite_scanner.h"
#include "engine/sqlite/sqlite_sink.h"
#include "engine/sqlite/sqlite_source.h"
#include "engine/sqlite/sqlite_switch.h"
#include "engine/sqlite/sqlite_target_types.h"
#include "engine/sqlite/sqlite_task_state.h"

namespace cutover::sqlite {
namespace {

class SqliteDriver final : public EngineDriver {
 public:
  std::string_view name() const override { return "sqlite"; }
  std::string_view display_name() const override { return "SQLite"; }
  std::vector<std::string_view> schemes() const override { return {"sqlite"}; }
  EngineCapabilities capabilities() const override {
    EngineCapabilities c;
    c.source = c.target = c.transactional = true;
    return c;
  }

  Result<std::unique_ptr<Source>> OpenSource(const std::string& uri,
                                             const SourceOptions&) const override {
    ASSIGN_OR_RETURN(auto source, SqliteSource::Open(uri));
    return std::unique_ptr<Source>(std::move(source));
  }
  Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri,
                                         const SinkOptions& options) const override {
    RETURN_IF_ERROR(SqlitePathOfUri(uri).status());
    return std::unique_ptr<Sink>(new SqliteSink(uri, options));
  }
  Result<std::unique_ptr<validator::RangeScanner>> OpenScanner(
      const std::string& uri) const override {
    return validator::OpenSqliteScanner(uri);
  }
  Result<std::unique_ptr<loadgen::Session>> OpenLoadSession(const std::string& uri) const override {
    return loadgen::OpenSqliteSession(uri);
  }

  Result<TableName> TargetTable(const TableSchema& t, const std::string&) const override {
    return TableName{"main", LandingTableName(t)};
  }
  std::vector<ColumnRules> TargetRules(const TableSchema& t) const override {
    std::vector<ColumnRules> out;
    for (const Column& c : t.columns) out.push_back(PlanSqliteColumn(c, t.engine).rules);
    return out;
  }

  Result<std::optional<TaskState>> ReadTaskState(const std::string& uri,
                                                 const std::string& task) const override {
    return ReadSqliteTaskState(uri, task);
  }

  Result<std::string> ServerVersion(const std::string&) const override {
    return std::string("SQLite ") + sqlite3_libversion();
  }
  std::string HeartbeatMicrosSql() const override {
    return "SELECT CAST((julianday(source_time) - 2440587.5) * 86400000000.0 AS INTEGER) FROM "
           "cutover_heartbeat WHERE id = 1";
  }
  std::string FileUri(const std::string& path) const override { return "sqlite://" + path; }
  Result<SourceLogMark> ReadSourceLogMark(const std::string& uri) const override {
    return ReadSqliteLogMark(uri);
  }
  Result<std::vector<KeyGenerator>> ReadKeyGenerators(
      const std::string& uri, const std::vector<TableName>& tables) const override {
    return ReadSqliteKeyGenerators(uri, tables);
  }
  Result<std::vector<KeyGeneratorSet>> AdvanceKeyGenerators(
      const std::string& uri, const std::vector<KeyGeneratorFloor>& floors) const override {
    return AdvanceSqliteKeyGenerators(uri, floors);
  }
  Result<std::vector<TriggerOutcome>> EnableTargetTriggers(
      const std::string& uri, const std::vector<TableTriggers>& tables) const override {
    return CreateSqliteTriggers(uri, tables);
  }
  Status CheckEndpoint(const std::string& uri, EndpointRole role,
                       const EndpointCheckOptions& options, CheckList& checks) const override {
    (void)options;
    checks.Pass("sqlite.version", "SQLite library version",
                std::string("SQLite ") + sqlite3_libversion());
    return CheckSqliteEndpoint(uri, role, checks);
  }
};

}  // namespace

const EngineDriver& Driver() {
  static const SqliteDriver driver;
  return driver;
}

}  // namespace cutover::sqlite
