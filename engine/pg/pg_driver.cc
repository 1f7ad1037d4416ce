#include "engine/pg/pg_driver.h"

#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_load_session.h"
#include "engine/pg/pg_log_retention.h"
#include "engine/pg/pg_preflight.h"
#include "engine/pg/pg_scanner.h"
#include "engine/pg/pg_sink.h"
#include "engine/pg/pg_sink_internal.h"
#include "engine/pg/pg_source.h"
#include "engine/pg/pg_switch.h"
#include "engine/pg/pg_target_types.h"
#include "engine/pg/pg_task_state.h"

namespace cutover::pg {
namespace {

class PgDriver final : public EngineDriver {
 public:
  std::string_view name() const override { return "postgresql"; }
  std::string_view display_name() const override { return "PostgreSQL"; }
  std::vector<std::string_view> schemes() const override { return {"postgresql", "postgres"}; }
  EngineCapabilities capabilities() const override {
    EngineCapabilities c;
    c.source = c.target = c.transactional = c.has_slot = c.network = true;
    return c;
  }

  Result<std::unique_ptr<Source>> OpenSource(const std::string& uri,
                                             const SourceOptions& options) const override {
    return std::unique_ptr<Source>(new PgSource(uri, options.spool_dir));
  }
  Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri,
                                         const SinkOptions& options) const override {
    return std::unique_ptr<Sink>(new PgSink(uri, options));
  }
  Result<std::unique_ptr<validator::RangeScanner>> OpenScanner(
      const std::string& uri) const override {
    return validator::OpenPgScanner(uri);
  }
  Result<std::unique_ptr<loadgen::Session>> OpenLoadSession(const std::string& uri) const override {
    return loadgen::OpenPgSession(uri);
  }

  Result<TableName> TargetTable(const TableSchema& t, const std::string&) const override {
    return TargetName(t);
  }

  std::vector<ColumnRules> TargetRules(const TableSchema& t) const override {
    return PgTargetRules(t);
  }

  Result<std::optional<TaskState>> ReadTaskState(const std::string& uri,
                                                 const std::string& task) const override {
    return ReadPgTaskState(uri, task);
  }

  Result<std::string> ServerVersion(const std::string& uri) const override {
    ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, "cutover-version"));
    ASSIGN_OR_RETURN(auto r, conn->Exec("SHOW server_version"));
    return "PostgreSQL " + LeadingVersionNumber(r.rows() ? r.get(0, 0) : "");
  }
  std::string HeartbeatMicrosSql() const override {
    return "SELECT (extract(epoch FROM source_time) * 1000000)::bigint FROM cutover_heartbeat "
           "WHERE id = 1";
  }
  int default_port() const override { return 5432; }
  std::string_view throwaway_server() const override { return "postgres"; }
  Result<std::optional<int64_t>> RetainedLogBytes(const std::string& uri, const std::string& task,
                                                  const std::string&) const override {
    return PgSlotRetainedWalBytes(uri, task);
  }
  Status CheckEndpoint(const std::string& uri, EndpointRole role,
                       const EndpointCheckOptions& options, CheckList& checks) const override {
    CheckList own;
    RETURN_IF_ERROR(EngineDriver::CheckEndpoint(uri, role, options, own));
    if (!own.failed())  // else not connected
      RETURN_IF_ERROR(CheckPgEndpoint(uri, role, options, own));
    checks.Append(own);
    return Status::Ok();
  }
  Result<SourceLogMark> ReadSourceLogMark(const std::string& uri) const override {
    return ReadPgLogMark(uri);
  }
  Result<std::vector<KeyGenerator>> ReadKeyGenerators(
      const std::string& uri, const std::vector<TableName>& tables) const override {
    return ReadPgKeyGenerators(uri, tables);
  }
  Result<std::vector<KeyGeneratorSet>> AdvanceKeyGenerators(
      const std::string& uri, const std::vector<KeyGeneratorFloor>& floors) const override {
    return AdvancePgKeyGenerators(uri, floors);
  }
  Result<std::vector<TriggerOutcome>> EnableTargetTriggers(
      const std::string& uri, const std::vector<TableTriggers>& tables) const override {
    return EnablePgTriggers(uri, tables);
  }
};

}  // namespace

const EngineDriver& Driver() {
  static const PgDriver driver;
  return driver;
}

}  // namespace cutover::pg
