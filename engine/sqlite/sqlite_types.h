// SQLite types <-> Value: the one place that knows how SQLite columns become Values and how
// Values are stored in SQLite (docs/types.md, "SQLite").
//
// SQLite is dynamically typed: a column has a declared type (any text, or none) that only sets
// an affinity, and every stored value has its own storage class (NULL, INTEGER, REAL, TEXT,
// BLOB). cutover gives each column one logical kind from its declared type
// (SqliteKindForDeclaredType: a few well-known names first, BOOLEAN, DATE, DATETIME, JSON, UUID,
// DECIMAL..., then SQLite's own affinity rules), and converts each stored value to that kind only
// when the conversion is exact (an INTEGER 42 in a TEXT column is "42"; a REAL 2.0 in an INTEGER
// column is 2). A value that cannot be converted exactly (text 'abc' in an INTEGER column,
// '2024-13-01' in a DATE column) is an error naming the column and the value; the reader adds the
// table and the row key. Dates and times are ISO-8601 text, the form SQLite's own date functions
// read and write.
//
// The same decoder serves the full load, the change stream and the validator, so the three read
// a row identically.
//
// As a target (SqliteTargetColumn), the declared type is chosen so that SQLite's affinity keeps
// the value exactly: decimals, unsigned 64-bit integers and JSON get a declared type containing
// TEXT ("DECIMAL TEXT(38,10)", "JSON TEXT"), because NUMERIC affinity would turn '1.50' into the
// REAL 1.5 and a 20-digit integer into an inexact REAL. A SQLite source's own declared types are
// kept as they are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/lossy.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"
#include "engine/sqlite/sqlite_conn.h"

namespace cutover::sqlite {

// SQLite's column affinity (https://sqlite.org/datatype3.html, 3.1).
enum class Affinity : uint8_t { kInteger, kText, kBlob, kReal, kNumeric };

Affinity AffinityOfDeclaredType(std::string_view declared);

// The logical kind of a column declared `declared` (see the file comment and docs/types.md).
ValueKind SqliteKindForDeclaredType(std::string_view declared);

// Decodes column `col` of the current row of `stmt` as a value of `column` into `out`. Errors name
// the column and the value; the caller adds table and row key.
Status DecodeSqliteColumn(const Column& column, SqliteStmt& stmt, int col, Value& out);

// How a value of a source column is stored on a SQLite target.
struct SqliteTargetColumn {
  std::string declared;  // declared type for CREATE TABLE ("" allowed: a SQLite untyped column)
  Affinity affinity = Affinity::kBlob;
  std::string warning;         // a type-level lossy rule (L8), "" when none
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

// ISO-8601 text forms used for dates and times on SQLite (exposed for tests and the validator):
//   date       YYYY-MM-DD (years outside 0..9999 as +YYYYY / -YYYY), 'infinity', '-infinity'
//   time       [-]HH:MM:SS[.ffffff] (hours may pass 24: MariaDB TIME is a duration; the
//              fraction without trailing zeros, none when zero)
//   timestamp  YYYY-MM-DD HH:MM:SS[.ffffff]; timestamptz adds +00:00 (UTC)
std::string FormatSqliteTemporal(const Value& v);
// Parses the text of a temporal `kind`; kTimestamp accepts 'T' for the space, an optional time
// and no zone; kTimestampTz also accepts 'Z' or ±HH[:MM] (converted to UTC; none means UTC).
// False when the text is not of that shape.
bool ParseSqliteTemporal(ValueKind kind, std::string_view text, Value& out);

// Shortest text that reads back as `d` (std::to_chars), plain decimal notation, "Infinity" /
// "-Infinity" for infinities: how a REAL becomes decimal or text.
std::string ShortestDecimalText(double d);

}  // namespace cutover::sqlite
