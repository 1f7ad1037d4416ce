#include "engine/mariadb/maria_driver.h"

#include "engine/core/naming.h"
#include "engine/mariadb/maria_binlog_dump.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_load_session.h"
#include "engine/mariadb/maria_log_retention.h"
#include "engine/mariadb/maria_preflight.h"
#include "engine/mariadb/maria_scanner.h"
#include "engine/mariadb/maria_sink.h"
#include "engine/mariadb/maria_source.h"
#include "engine/mariadb/maria_switch.h"
#include "engine/mariadb/maria_target_types.h"
#include "engine/mariadb/maria_task_state.h"

namespace cutover::mariadb {
namespace {

class MariaDriver final : public EngineDriver {
 public:
  std::string_view name() const override { return "mariadb"; }
  std::string_view display_name() const override { return "MariaDB"; }
  std::vector<std::string_view> schemes() const override { return {"mariadb", "mysql"}; }
  EngineCapabilities capabilities() const override {
    EngineCapabilities c;
    c.source = c.target = c.transactional = c.network = true;
    c.load_without_change_log = true;  // sql_log_bin = 0 on the load sessions
    return c;
  }

  Result<std::unique_ptr<Source>> OpenSource(const std::string& uri,
                                             const SourceOptions& options) const override {
    MariaSourceOptions mo;
    mo.snapshot_connections = options.snapshot_connections;
    ASSIGN_OR_RETURN(auto source, MariaSource::Open(uri, mo));
    return std::unique_ptr<Source>(std::move(source));
  }
  Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri,
                                         const SinkOptions& options) const override {
    return std::unique_ptr<Sink>(new MariaSink(uri, options));
  }
  Result<std::unique_ptr<validator::RangeScanner>> OpenScanner(
      const std::string& uri) const override {
    return validator::OpenMariaScanner(uri);
  }
  Result<std::unique_ptr<loadgen::Session>> OpenLoadSession(const std::string& uri) const override {
    return loadgen::OpenMariaSession(uri);
  }

  // A MariaDB URI names one database: every table lands there.
  Result<TableName> TargetTable(const TableSchema& t, const std::string& uri) const override {
    ASSIGN_OR_RETURN(MariaUri u, ParseMariaUri(uri));
    return TableName{u.database, LandingTableName(t)};
  }

  std::vector<ColumnRules> TargetRules(const TableSchema& t) const override {
    std::vector<ColumnRules> out;
    for (MariaTargetColumn& tc : PlanMariaTable(t)) out.push_back(std::move(tc.rules));
    return out;
  }

  Result<std::optional<TaskState>> ReadTaskState(const std::string& uri,
                                                 const std::string& task) const override {
    return ReadMariaTaskState(uri, task);
  }

  Result<std::string> ServerVersion(const std::string& uri) const override {
    ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "server version"));
    ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT VERSION()"));
    std::string v = rows.rows.empty() || !rows.rows[0][0] ? "" : *rows.rows[0][0];
    return "MariaDB " + LeadingVersionNumber(v);
  }
  std::string HeartbeatMicrosSql() const override {
    return "SELECT CAST(UNIX_TIMESTAMP(source_time) * 1000000 AS SIGNED) FROM "
           "cutover_heartbeat WHERE id = 1";
  }
  int default_port() const override { return 3306; }
  std::string_view throwaway_server() const override { return "mariadb"; }

  Status DumpChangeLog(const ChangeLogDumpRequest& request) const override {
    return DumpBinlog(request);
  }
  Status CheckEndpoint(const std::string& uri, EndpointRole role,
                       const EndpointCheckOptions& options, CheckList& checks) const override {
    CheckList own;
    RETURN_IF_ERROR(EngineDriver::CheckEndpoint(uri, role, options, own));
    if (!own.failed()) RETURN_IF_ERROR(CheckMariaEndpoint(uri, role, own));  // else not connected
    checks.Append(own);
    return Status::Ok();
  }
  Result<SourceLogMark> ReadSourceLogMark(const std::string& uri) const override {
    return ReadMariaLogMark(uri);
  }
  Result<std::vector<KeyGenerator>> ReadKeyGenerators(
      const std::string& uri, const std::vector<TableName>& tables) const override {
    return ReadMariaKeyGenerators(uri, tables);
  }
  Result<std::vector<KeyGeneratorSet>> AdvanceKeyGenerators(
      const std::string& uri, const std::vector<KeyGeneratorFloor>& floors) const override {
    return AdvanceMariaKeyGenerators(uri, floors);
  }
  Result<std::vector<TriggerOutcome>> EnableTargetTriggers(
      const std::string& uri, const std::vector<TableTriggers>& tables) const override {
    return CreateMariaTriggers(uri, tables);
  }
  Result<std::optional<int64_t>> RetainedLogBytes(const std::string& uri, const std::string&,
                                                  const std::string& position) const override {
    return MariaBinlogBytesAfter(uri, position);
  }
};

}  // namespace

const EngineDriver& Driver() {
  static const MariaDriver driver;
  return driver;
}

}  // namespace cutover::mariadb
