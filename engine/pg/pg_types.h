// PostgreSQL types <-> Value: the one place that knows how PostgreSQL prints and reads values.
//
// Values travel between PostgreSQL and the engine in PostgreSQL's text format (COPY text fields
// and pgoutput 't' columns use the same type output functions). Connections use DateStyle=ISO,
// TimeZone=UTC and extra_float_digits=3, so the text is unambiguous and floats are shortest-exact.
// Decoding then re-encoding a value gives text PostgreSQL reads back to the identical datum;
// types without a faithful logical kind (arrays, intervals, ranges, network types, enums, ...)
// are carried as ValueKind::kOther holding the text verbatim.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/civil_time.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover::pg {

// Built-in type OIDs used here (pg_type.h).
enum : uint32_t {
  kBoolOid = 16,
  kByteaOid = 17,
  kCharOid = 18,
  kNameOid = 19,
  kInt8Oid = 20,
  kInt2Oid = 21,
  kInt4Oid = 23,
  kTextOid = 25,
  kOidOid = 26,
  kJsonOid = 114,
  kFloat4Oid = 700,
  kFloat8Oid = 701,
  kBpcharOid = 1042,
  kVarcharOid = 1043,
  kDateOid = 1082,
  kTimeOid = 1083,
  kTimestampOid = 1114,
  kTimestampTzOid = 1184,
  kNumericOid = 1700,
  kUuidOid = 2950,
  kJsonbOid = 3802,
};

// The logical kind values of a column of type `oid` take.
ValueKind KindForTypeOid(uint32_t oid);

// The engine-neutral description (engine/core/column_type.h) of a column of type `oid` whose
// format_type text is `type_name` ("numeric(12,2)", "character varying(40)", "time(3) without
// time zone"). Types without a neutral family are kOther when their values travel as text
// (`kind` kOther), else kUnknown (the target maps by kind).
ColumnType DescribePgColumnType(uint32_t oid, const std::string& type_name, ValueKind kind);

// Parses PostgreSQL's text output of a value of logical `kind` (from KindForTypeOid).
// Errors say what was expected; the caller adds table/column context.
Status DecodeText(ValueKind kind, std::string_view text, Value& out);

// DecodeText for a column: also knows the column's type, so a `real` becomes the stored
// single-precision value widened exactly (its shortest text read as a double would not be).
// Every reader of PostgreSQL text (COPY, pgoutput, the validator) goes through this.
Status DecodeColumnText(const Column& column, std::string_view text, Value& out);

// Appends the PostgreSQL text input form of `v` (not NULL, not Unchanged) to `out`.
void EncodeText(const Value& v, std::string& out);

using cutover::CivilFromDays;  // engine/core/civil_time.h
using cutover::DaysFromCivil;

}  // namespace cutover::pg
