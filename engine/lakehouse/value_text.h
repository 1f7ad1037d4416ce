// ValueText: the text form of a Value in a lakehouse file, and back.
//
// Design: CSV files are read by other tools (DuckDB, Spark, Athena), so each kind is written in
// the spelling those tools parse without options, and exactly enough to give back the same
// Value (the validator compares the files with the source by canonical row hash):
//   bool         true | false                 int / uint   decimal digits
//   float        shortest round-trip (std::to_chars), -0 kept, NaN, Infinity, -Infinity
//   decimal      the source's digits          text, json, uuid, other: the text itself
//   bytes        lower-case hex, no prefix    date        YYYY-MM-DD (infinity, -infinity)
//   time         [-]HH:MM:SS[.ffffff] (hours may pass 24: MariaDB TIME durations)
//   timestamp    YYYY-MM-DD HH:MM:SS[.ffffff] timestamptz the same in UTC, then "+00"
// A value of a date/time column that is not a date/time (MariaDB's zero dates, which the
// source delivers as their text) is written as that text and read back as such (kOther).
// NULL is not a text: the CSV writer spells it (CsvNullValue).
#pragma once

#include <string>
#include <string_view>

#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover::lakehouse {

// Appends the text of a non-NULL, non-Unchanged value.
void AppendValueText(const Value& v, std::string& out);

// The Value a column of `column.kind` wrote as `text`. Errors name the column and the text.
Result<Value> ParseValueText(std::string_view text, const Column& column);

}  // namespace cutover::lakehouse
