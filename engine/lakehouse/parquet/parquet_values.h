// Conversion between cutover's neutral Values and Parquet's PLAIN value bytes, and the sort
// order Parquet's statistics use.
//
// Design: the writer keeps every buffered value in its PLAIN form (the dictionary page and
// PLAIN data pages are then plain concatenations, and a dictionary key is the same bytes), so
// this file is the one place that knows how a Value of each logical kind becomes bytes and back:
// integer ranges of INT(8/16/32, signed/unsigned), DECIMAL text to an unscaled two's complement
// integer (INT32, INT64 or big-endian FIXED_LEN_BYTE_ARRAY) and back to text, timestamps to
// millis (refusing sub-millisecond loss) or micros. Byte arrays carry their 4-byte length
// prefix in the PLAIN form; `StatBytes` drops it for statistics.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/status.h"
#include "engine/core/value.h"
#include "engine/lakehouse/parquet/parquet_schema.h"

namespace cutover::parquet {

// Appends the PLAIN form of a non-null `value` for `column` (booleans: one byte 0/1; the page
// writer packs them). `timestamp_unit` is the file's unit for kTimestamp columns. Errors name
// the value and the column type (the caller adds table, column and key).
Status AppendPlain(const ParquetColumn& column, TimeUnit timestamp_unit, const Value& value,
                   std::string& out);

// The Value of one PLAIN-encoded value of `column` stored as `physical` (booleans: one byte;
// byte arrays with their length prefix). `column.unit` is the file's unit. The caller has
// checked the size for the physical type.
Result<Value> ValueFromPlain(const ParquetColumn& column, PhysicalType physical,
                             std::string_view plain);

// The PLAIN bytes of a value in statistics form (byte arrays without the length prefix).
std::string_view StatBytes(const ParquetColumn& column, std::string_view plain);

// Compares two values in statistics form by the column's sort order (signed or unsigned
// integers, IEEE order for floats, unsigned bytes for strings, signed for decimals).
int CompareStat(const ParquetColumn& column, std::string_view a, std::string_view b);

// Decimal text ("-12.340") to the unscaled integer for `precision`/`scale` (fewer fractional
// digits are padded; more, or more integer digits than precision - scale, are an error).
Result<__int128> ParseDecimal(std::string_view text, int precision, int scale);
std::string FormatDecimal(__int128 unscaled, int scale);

}  // namespace cutover::parquet
