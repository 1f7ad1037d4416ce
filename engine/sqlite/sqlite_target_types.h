// SqliteTargetColumn: how a value of a source column is stored on a SQLite target (docs/types.md,
// "SQLite"), and the one binding of a Value into a target statement.
//
// The declared type is chosen so that SQLite's affinity keeps the value exactly: decimals,
// unsigned 64-bit integers and JSON get a declared type containing TEXT ("DECIMAL TEXT(38,10)",
// "JSON TEXT"), because NUMERIC affinity would turn '1.50' into the REAL 1.5 and a 20-digit
// integer into an inexact REAL. A SQLite source's own declared types are kept as they are.
#pragma once

#include <string>

#include "engine/core/lossy.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"
#include "engine/sqlite/sqlite_codec.h"
#include "engine/sqlite/sqlite_conn.h"

namespace cutover::sqlite {

// How a value of a source column is stored on a SQLite target.
struct SqliteTargetColumn {
  std::string declared;  // declared type for CREATE TABLE ("" allowed: a SQLite untyped column)
  Affinity affinity = Affinity::kBlob;
  // The lossy rules its values go through (engine/core/lossy.h): L8 (type-level, with the note
  // announced at task start), L3, L4, L7 (value-level: BindForSqlite reports each hit).
  ColumnRules rules;
  bool other_as_null = false;  // a MariaDB zero date (kOther in a date column) is written NULL
  bool nullable = true;        // other_as_null into a NOT NULL column is an error instead
};

// Plans the target column for `column` of a table read from `source_engine`.
SqliteTargetColumn PlanSqliteColumn(const Column& column, const std::string& source_engine);

// Binds `v` (not kUnchanged) as parameter `index` of `stmt` for target column `tc`: the one
// conversion of the full load and both apply modes. Errors name the column (`column_name`) and
// the value; `applied` is set to the value-level lossy rule the value hit (L3 NaN, L4 -0, L7 zero
// date; engine/core/lossy.h), kNone when it is stored exactly.
Status BindForSqlite(const SqliteTargetColumn& tc, const std::string& column_name, const Value& v,
                     SqliteStmt& stmt, int index, LossyRule& applied);

}  // namespace cutover::sqlite
