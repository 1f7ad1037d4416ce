// Reading whole rows of a SQLite table: the SELECT list and the row decoder shared by the full
// load (sqlite_snapshot), the change stream (sqlite_stream) and the validator (sqlite_scanner),
// so all three read a row the same way.
#pragma once

#include <string>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/sqlite/sqlite_conn.h"

namespace cutover::sqlite {

// `"a", "b", ...` of every column of `table`, in schema order.
std::string ColumnListSql(const TableSchema& table);

// `SELECT <every column> FROM "table"` (no WHERE).
std::string SelectColumnsSql(const TableSchema& table);

// Decodes columns first_col ... first_col + n - 1 of `stmt`'s current row into `row` (one Value
// per column of `table`). An error names the table, the row's key and the column.
Status DecodeSqliteRow(const TableSchema& table, SqliteStmt& stmt, int first_col,
                       std::vector<Value>& row);

}  // namespace cutover::sqlite
