// What SqliteSink's parts share (sqlite_sink.cc: the Sink, the table plan and value binding;
// sqlite_loader.cc: the full load; sqlite_applier.cc: CDC apply). Private to engine/sqlite:
// nothing outside this folder includes it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_types.h"

namespace cutover::sqlite {

// The control tables, in the target file's main schema.
inline constexpr const char* kCheckpointTable = "_cutover_checkpoint";
inline constexpr const char* kTableStateTable = "_cutover_table_state";
inline constexpr const char* kTableStatsTable = "_cutover_table_stats";
inline constexpr const char* kLoadRangeTable = "_cutover_load_range";  // split loads' ranges
inline constexpr const char* kTableValidationTable = "_cutover_table_validation";
// The current time as the control tables store it (UTC text).
inline constexpr const char* kNowUtc = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

inline std::string Q(std::string_view ident) {
  return SqliteConn::QuoteIdent(ident);
}

// Creates both control tables when missing.
Status CreateControlTables(SqliteConn& conn);

// Everything a statement about one table needs, computed once per table schema.
struct TablePlan {
  TableName target;
  std::string quoted;       // "table"
  std::string column_list;  // "a", "b", ...
  std::vector<SqliteTargetColumn> columns;
};

TablePlan MakePlan(const TableSchema& t);

// `INSERT INTO t (...) VALUES (?1, ...)`, as an upsert when `upsert` and the table has a key.
std::string InsertSql(const TableSchema& t, const TablePlan& plan, bool upsert);

// Binds column `i` of `row` as parameter `index` (BindForSqlite: the one conversion of the full
// load and both apply modes): a lossy rule it hits is reported, errors name table, key, column.
Status BindOne(const TablePlan& plan, const TableSchema& t, const std::vector<Value>& row, size_t i,
               SqliteStmt& st, int index);

// Binds `v` for column `i`: a parameter of a foreign-key action step (a value the target already
// holds), bound by the rule it was written with; nothing to announce.
Status BindMatch(const TablePlan& plan, const TableSchema& t, size_t i, const Value& v,
                 SqliteStmt& st, int index);

// Binds the whole row as ?1...?n.
Status BindRow(const TablePlan& plan, const TableSchema& t, const std::vector<Value>& row,
               SqliteStmt& st);

// sqlite_schema_objects.cc: `t`'s schema objects on SQLite (`tables`: the task's, for foreign
// keys' parents). CHECKs and foreign keys are part of CREATE TABLE (SQLite cannot add them
// later); indexes are kAfterData objects.
struct SqliteSchemaPlan {
  std::vector<std::string> column_clauses;  // per column: " DEFAULT ..."
  std::string table_constraints;            // ", CONSTRAINT ... CHECK (...), ... FOREIGN KEY ..."
  std::vector<PlannedObject> objects;
};
SqliteSchemaPlan PlanSqliteSchema(const TableSchema& t, const std::vector<TableSchemaPtr>& tables,
                                  const TablePlan& plan);

// Rolls back the connection's open transaction, if any.
Status RollbackIfOpen(SqliteConn& conn);

}  // namespace cutover::sqlite
