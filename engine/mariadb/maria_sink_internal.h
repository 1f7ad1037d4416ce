// What MariaSink's parts share (maria_sink.cc: the Sink, its sessions and the SQL literals of
// values; maria_loader.cc: the full load; maria_applier.cc: CDC apply). Private to
// engine/mariadb: nothing outside this folder includes it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/target_session.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_target_types.h"

namespace cutover::mariadb {

// The control tables, in the target URI's database.
inline constexpr const char* kCheckpointTable = "_cutover_checkpoint";
inline constexpr const char* kTableStateTable = "_cutover_table_state";
inline constexpr const char* kTableStatsTable = "_cutover_table_stats";
inline constexpr const char* kLoadRangeTable = "_cutover_load_range";  // split loads' ranges
inline constexpr const char* kApplyExceptionsTable = "_cutover_apply_exceptions";
inline constexpr const char* kTableValidationTable = "_cutover_table_validation";

// Creates the control tables in `db` when missing.
Status CreateControlTables(MariaConn& conn, const std::string& db);

// Everything a statement about one table needs, computed once per table schema.
struct TablePlan {
  TableName target;
  std::string qualified;    // `db`.`table`
  std::string column_list;  // `a`, `b`, ...
  std::vector<MariaTargetColumn> columns;
};

TablePlan MakePlan(const TableSchema& t, const std::string& db);

// maria_schema_objects.cc: what column `i` of `t` adds to CREATE TABLE after its type and NOT
// NULL (DEFAULT, ON UPDATE, AUTO_INCREMENT).
std::string MariaColumnClause(const TableSchema& t, size_t i, const TablePlan& plan);

// Appends `text` as the SQL literal `how` says (NULL, bare, a string, a _binary string).
void AppendLiteral(std::string& out, MariaText how, const std::string& text);

// Encodes column `i` of `row` (the full load's and both apply modes' one conversion): a value
// hitting a lossy rule is reported (engine/core/lossy.h), errors name table, key and column.
Result<MariaText> Encode(const TablePlan& plan, const TableSchema& t, const std::vector<Value>& row,
                         size_t i, std::string& scratch);

// Appends the SQL literal of column `i` of `row`.
Status AppendValue(std::string& out, const TablePlan& plan, const TableSchema& t,
                   const std::vector<Value>& row, size_t i, std::string& scratch);

// Appends the SQL literal of `v` for column `i`: a parameter of a foreign-key action step (a
// value the target already holds), encoded by the rule it was written with; nothing to announce.
Status AppendMatchValue(std::string& out, const TablePlan& plan, const TableSchema& t, size_t i,
                        const Value& v, std::string& scratch);

// "(v1, v2, ...)" of a whole row.
Status AppendRowTuple(std::string& out, const TablePlan& plan, const TableSchema& t,
                      const std::vector<Value>& row, std::string& scratch);

// Connects a target session whose lock waits are bounded; `writes_rows` (load and apply) also
// switches foreign-key checks and actions off for it.
Result<std::unique_ptr<MariaConn>> ConnectTarget(const std::string& uri, const SinkOptions& o,
                                                 std::string_view purpose, bool writes_rows,
                                                 const MariaConnectOptions& connect = {});

// `s` when it is not a lock wait that ran out; else `s` naming `table` and the sessions that may
// hold it (asked on a connection of its own).
Status ExplainLockWait(const std::string& uri, const SinkOptions& o, const Status& s,
                       const TableName& table);

// maria_refusals.cc: a refused row under the error policies (CDC apply and the full load alike).
// What a statement that MariaDB adjusted (warnings) says, so ClassifyMariaError calls it a
// truncation.
inline constexpr const char* kNotStoredExactly = "would not store the values exactly";
// What kind of refusal `s` is, by MariaDB error number (the "(error N)" LastError appends).
ApplyErrorKind ClassifyMariaError(const Status& s);
// The INSERT of one row into the exceptions table of `db`; `target`: where e.table lands.
std::string RecordExceptionSql(const std::string& db, const std::string& task,
                               const ApplyException& e, const TableName& target);
// The upsert adding `n` (and its state, when not empty) to a table's statistics row.
std::string AddTableStatsSql(const std::string& db, const std::string& task, const TableName& table,
                             const TableChangeTotals& n);

// The target's max_allowed_packet.
Result<size_t> MaxAllowedPacket(MariaConn& conn);

}  // namespace cutover::mariadb
