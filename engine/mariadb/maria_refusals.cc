// What MariaSink's CDC applier and its full-load loader share to act on a refused row under the
// task's error policies (engine/core/error_policy.h): how a MariaDB error is classified, and the
// statements that record a refused row and a table's state.
#include <cstdlib>

#include "engine/mariadb/maria_sink_internal.h"

namespace cutover::mariadb {

ApplyErrorKind ClassifyMariaError(const Status& s) {
  const std::string& m = s.message();
  size_t at = m.rfind("(error ");
  if (at != std::string::npos) {
    switch (std::atoi(m.c_str() + at + 7)) {
      case 1406:  // ER_DATA_TOO_LONG
      case 1265:  // WARN_DATA_TRUNCATED
        return ApplyErrorKind::kTruncation;
      case 1062:  // ER_DUP_ENTRY
      case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
        return ApplyErrorKind::kDuplicateKey;
      case 4025:  // ER_CONSTRAINT_FAILED (CHECK)
      case 1048:  // ER_BAD_NULL_ERROR
      case 1264:  // ER_WARN_DATA_OUT_OF_RANGE
      case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
      case 1292:  // ER_TRUNCATED_WRONG_VALUE
      case 1452:  // ER_NO_REFERENCED_ROW_2
      case 1451:  // ER_ROW_IS_REFERENCED_2
      case 1690:  // ER_DATA_OUT_OF_RANGE
        return ApplyErrorKind::kData;
      default:
        return ApplyErrorKind::kOther;
    }
  }
  if (s.code() == StatusCode::kFailedPrecondition && m.find(kNotStoredExactly) != std::string::npos)
    return ApplyErrorKind::kTruncation;
  return s.code() == StatusCode::kInvalidArgument ? ApplyErrorKind::kData : ApplyErrorKind::kOther;
}

std::string RecordExceptionSql(const std::string& db, const std::string& task,
                               const ApplyException& e, const TableName& target) {
  std::string sql = "INSERT INTO " + MariaConn::QuoteIdent(db) + "." + kApplyExceptionsTable +
                    " (task, table_schema, table_name, target_schema, target_table, operation, "
                    "row_key, source_position, source_xid, policy, error, row_values, "
                    "recorded_at) VALUES (";
  for (const std::string* v :
       {&task, &e.table->name.schema, &e.table->name.name, &target.schema, &target.name}) {
    AppendLiteral(sql, MariaText::kString, *v);
    sql += ", ";
  }
  AppendLiteral(sql, MariaText::kString, ChangeOpName(e.op));
  for (const std::string* v : {&e.key, &e.position, &e.xid, &e.policy, &e.error, &e.row}) {
    sql += ", ";
    AppendLiteral(sql, MariaText::kString, *v);
  }
  return sql + ", UTC_TIMESTAMP(6))";
}

std::string AddTableStatsSql(const std::string& db, const std::string& task, const TableName& table,
                             const TableChangeTotals& n) {
  std::string sql = "INSERT INTO " + MariaConn::QuoteIdent(db) + "." + kTableStatsTable +
                    " (task, table_schema, table_name, inserts, updates, deletes, ddls, "
                    "updated_at, state) VALUES (";
  AppendLiteral(sql, MariaText::kString, task);
  sql += ", ";
  AppendLiteral(sql, MariaText::kString, table.schema);
  sql += ", ";
  AppendLiteral(sql, MariaText::kString, table.name);
  sql += ", " + std::to_string(n.inserts) + ", " + std::to_string(n.updates) + ", " +
         std::to_string(n.deletes) + ", " + std::to_string(n.ddls) + ", UTC_TIMESTAMP(6), ";
  if (n.state.empty())
    sql += "NULL";
  else
    AppendLiteral(sql, MariaText::kString, n.state);
  return sql +
         ") ON DUPLICATE KEY UPDATE inserts = inserts + VALUES(inserts), updates = updates + "
         "VALUES(updates), deletes = deletes + VALUES(deletes), ddls = ddls + VALUES(ddls), "
         "updated_at = VALUES(updated_at), state = COALESCE(VALUES(state), state)";
}

}  // namespace cutover::mariadb
