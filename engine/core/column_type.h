// ColumnType: a column's type in engine-neutral terms, as its source describes it.
//
// Design: every source describes each of its columns once (PostgreSQL from the type OID and
// format_type, MariaDB from information_schema's DATA_TYPE / COLUMN_TYPE, SQLite from the
// declared type), and every target chooses its own column type from this description alone:
// one mapping per engine instead of one per pair of engines, and no target ever parses another
// engine's type names. `Column::type_name` stays for what is engine-specific on purpose: a target
// of the source's own engine recreates the type exactly from it, and messages show it.
//
// A description says what values the column can hold, not how an engine spells it. Fields that
// do not apply to a family keep their defaults.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cutover {

enum class TypeFamily : uint8_t {
  kUnknown,  // not described: a target maps by the column's ValueKind
  kBool,
  kInteger,    // `bits` (8, 16, 24, 32, 64) and `is_unsigned`
  kFloat,      // `bits` 32 (single) or 64 (double)
  kDecimal,    // `precision`, `scale` (-1: unconstrained)
  kFixedText,  // blank-padded fixed length (PostgreSQL character(n), MariaDB CHAR(n)): `length`
  kVarText,    // bounded text: `length` characters (-1: no bound)
  kText,       // unbounded text
  kBytes,      // binary: `length` bytes (-1: no bound)
  kDate,
  kTime,         // time of day, `fsp`; `extended_range`: a duration (MariaDB TIME, ±838 h)
  kTimestamp,    // wall time without zone, `fsp`
  kTimestampTz,  // an instant, `fsp`
  kYear,         // MariaDB YEAR
  kBit,          // `bits` wide bit string held as an unsigned integer (MariaDB BIT(n))
  kEnum,         // one of `labels`
  kSet,          // a set of `labels`
  kJson,
  kUuid,
  kOther,  // engine-specific (arrays, ranges, network types, intervals...): travels as the
           // source's text form
};

struct ColumnType {
  TypeFamily family = TypeFamily::kUnknown;
  int bits = 0;              // kInteger, kFloat, kBit
  bool is_unsigned = false;  // kInteger
  int precision = -1;        // kDecimal: total digits; -1 unconstrained
  int scale = -1;            // kDecimal: fraction digits; -1 unconstrained
  int64_t length = -1;       // kFixedText, kVarText: characters; kBytes: bytes; -1 no bound
  int fsp = -1;              // kTime, kTimestamp, kTimestampTz: fraction digits; -1 unknown
  // The source enforces `length` / `precision` / the time range on every value. SQLite declares
  // them without enforcing (a DECIMAL(12,2) column may hold 1.23456), so a target must not
  // rely on them for checks it would otherwise skip.
  bool enforced = true;
  bool extended_range = false;  // kTime: may be negative or pass 24 h
  bool zero_dates = false;      // kDate, kTimestamp, kTimestampTz: may hold zero dates (MariaDB)
  std::vector<std::string> labels;  // kEnum, kSet

  static ColumnType Of(TypeFamily f) {
    ColumnType t;
    t.family = f;
    return t;
  }
};

// The numbers in the first "(...)" of an engine's type text, the parameters every engine writes
// the same way: "numeric(12,2)" -> {12, 2}, "character varying(40)" -> {40}; {} when there is
// no parenthesis or it holds anything but numbers ("enum('a')", "varchar(max)"). Each source
// uses it to describe its own type text.
std::vector<int> TypeTextNumbers(std::string_view type_text);

}  // namespace cutover
