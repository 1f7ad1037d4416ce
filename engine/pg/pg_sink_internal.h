// What PgSink's parts share (pg_sink.cc: the Sink and its sessions, pg_loader.cc: the full load,
// pg_applier.cc: CDC apply). Private to engine/pg: nothing outside this folder includes it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/target_session.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_target_types.h"

namespace cutover::pg {

// Creates the control tables (cutover.checkpoint, cutover.table_state) when missing.
extern const char* const kControlDdl;

// "a", "b", ... of every column of `t`; and of its key columns.
std::string ColumnList(PgConn& conn, const TableSchema& t);
std::string KeyList(PgConn& conn, const TableSchema& t);

// Checks column `i` of `row` for the target (PgTargetValue: the one check of the full load and
// both apply modes): reports a lossy rule it hits, errors name table, key, column and value.
Result<PgWrite> CheckValue(const TableSchema& t, const std::vector<Value>& row, size_t i);

// pg_refusals.cc: a refused row under the error policies (CDC apply and the full load alike).
// What kind of refusal `s` is (by SQLSTATE: class 22, data; 22001, a value too long; class 23,
// integrity; 23505, a duplicate key; a value cutover refused before sending it is data too).
ApplyErrorKind ClassifyPgError(const Status& s);
// The INSERT of one row into cutover.apply_exceptions, and its 12 parameters.
extern const char* const kRecordExceptionSql;
std::vector<std::string> ExceptionParams(const std::string& task, const ApplyException& e);
// The upsert adding `n` to a table's cutover.table_stats row, and its 8 parameters (the 8th,
// the state, is NULL when empty: the row keeps its state).
extern const char* const kAddTableStatsSql;
std::vector<std::string> TableStatsParams(const std::string& task, const TableName& table,
                                          const TableChangeTotals& n);

// Where a source table lands here (engine/core/naming.h).
TableName TargetName(const TableSchema& t);

// Connects a target session whose lock waits are bounded; `replica` also switches off the
// target's triggers and foreign keys for it (engine/core/target_session.h).
Result<std::unique_ptr<PgConn>> ConnectTarget(const std::string& uri, const SinkOptions& options,
                                              std::string_view application, bool replica);

// `s` when it is not a lock wait that timed out; else `s` naming `table` and the sessions that
// hold locks on it (asked on a connection of its own: the failed one may be unusable).
Status ExplainLockWait(const std::string& uri, const SinkOptions& options, const Status& s,
                       const TableName& table);

// pg_schema_objects.cc. The clause a column of `t` adds to CREATE TABLE after its type and
// NOT NULL (default, identity).
std::string PgColumnClause(const TableSchema& t, const Column& c);
// Enums, domains and serial sequences of a PostgreSQL source's `tables`, created when missing.
Status CreatePgTypesAndSequences(PgConn& conn, const std::vector<TableSchemaPtr>& tables);
// Serial sequences owned by their columns, after CREATE TABLE.
Status OwnPgSequences(PgConn& conn, const TableSchema& t);

}  // namespace cutover::pg
