// What PgSink's CDC applier and its full-load loader share to act on a refused row under the
// task's error policies (engine/core/error_policy.h): how a PostgreSQL error is classified, and
// the statements that record a refused row and a table's state.
#include "engine/pg/pg_sink_internal.h"

namespace cutover::pg {

ApplyErrorKind ClassifyPgError(const Status& s) {
  const std::string& m = s.message();
  size_t at = m.rfind("[SQLSTATE ");
  if (at != std::string::npos && m.size() >= at + 15) {
    std::string state = m.substr(at + 10, 5);
    if (state == "22001") return ApplyErrorKind::kTruncation;
    if (state == "23505") return ApplyErrorKind::kDuplicateKey;
    if (state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0) return ApplyErrorKind::kData;
    return ApplyErrorKind::kOther;
  }
  return s.code() == StatusCode::kInvalidArgument ? ApplyErrorKind::kData : ApplyErrorKind::kOther;
}

const char* const kRecordExceptionSql =
    "INSERT INTO cutover.apply_exceptions (task, table_schema, table_name, "
    "target_schema, target_table, operation, row_key, source_position, source_xid, "
    "policy, error, row_values, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10, $11, $12, now())";

std::vector<std::string> ExceptionParams(const std::string& task, const ApplyException& e) {
  return {task,
          e.table->name.schema,
          e.table->name.name,
          TargetName(*e.table).schema,
          TargetName(*e.table).name,
          ChangeOpName(e.op),
          e.key,
          e.position,
          e.xid,
          e.policy,
          e.error,
          e.row};
}

const char* const kAddTableStatsSql =
    "INSERT INTO cutover.table_stats AS s (task, table_schema, table_name, inserts, "
    "updates, deletes, ddls, updated_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, "
    "now(), $8) ON CONFLICT (task, table_schema, table_name) DO UPDATE SET inserts = "
    "s.inserts + excluded.inserts, updates = s.updates + excluded.updates, deletes = "
    "s.deletes + excluded.deletes, ddls = s.ddls + excluded.ddls, updated_at = "
    "excluded.updated_at, state = coalesce(excluded.state, s.state)";

std::vector<std::string> TableStatsParams(const std::string& task, const TableName& table,
                                          const TableChangeTotals& n) {
  return {task,
          table.schema,
          table.name,
          std::to_string(n.inserts),
          std::to_string(n.updates),
          std::to_string(n.deletes),
          std::to_string(n.ddls),
          n.state};
}

}  // namespace cutover::pg
