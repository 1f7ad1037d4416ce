// SQLite values <-> Value: the one place that knows how SQLite columns become Values, and the
// text forms SQLite stores them in (docs/types.md, "SQLite"). How a target column is chosen and a
// Value bound into it: sqlite_target_types.h.
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
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

// Decimal text of a 64-bit integer (an optional leading '+'), all of it; false otherwise.
bool ParseInt64Text(std::string_view text, int64_t& out);

}  // namespace cutover::sqlite
