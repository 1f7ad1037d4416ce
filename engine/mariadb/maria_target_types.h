// Source Column -> MariaDB target column, and Value -> the text MariaDB reads for it.
//
// docs/types.md ("PostgreSQL -> MariaDB" and "MariaDB target details") is the contract. Each
// source column is planned once per table (MariaTargetColumn): its DDL type, the lossy rule to
// announce (ColumnRules, read through EngineDriver::TargetRules), and the checks its values need.
// The encoder then turns a Value into unquoted, unescaped text plus a hint of how to write it (bare
// number, string, bytes), so the bulk loader (LOAD DATA fields) and the applier (SQL literals)
// share one conversion and differ only in escaping. The text itself is EncodeMariaText's
// (engine/mariadb/maria_types.h): this file adds only the target's rules (checks, rounding).
//
// Why the sink converts instead of letting MariaDB coerce: LOAD DATA LOCAL turns conversion
// errors into warnings (it behaves as IGNORE), and MariaDB would round, clip or zero values
// silently in places where docs/types.md wants an error naming table, column and value.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/core/lossy.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"

namespace cutover::mariadb {

// How one source column is stored on a MariaDB target.
struct MariaTargetColumn {
  std::string name;
  std::string ddl_type;  // e.g. "DECIMAL(65,30)", "VARCHAR(40) CHARACTER SET utf8mb4 COLLATE ..."
  // The lossy rules this column's values go through (engine/core/lossy.h): type-level ones
  // (L6, L8, L10: every value is affected) with the note announced at task start; value-level
  // ones (L1, L2, L4, L5) reported by EncodeForMaria when a value hits them.
  ColumnRules rules;
  ValueKind kind = ValueKind::kText;
  int round_scale = -1;     // kDecimal: round to this many fraction digits (-1: keep as is)
  int fixed_scale = -1;     // kDecimal into DECIMAL(p,s): more fraction digits is an error (R8)
  int max_int_digits = -1;  // kDecimal: more integer digits than this is an error (-1: no check)
  size_t max_chars = 0;  // text into VARCHAR(n)/CHAR(n) (and key columns): longest value (0: any)
  bool strips_trailing_spaces = false;  // CHAR(n) from PostgreSQL char(n): L1
  bool refuses_empty_enum = false;      // MariaDB ENUM without a '' label: '' is index 0 (R5)
  size_t max_bytes = 0;                 // kBytes key columns: longest value in bytes (0: any)
  bool special_floats_to_null = false;  // NaN/±Infinity -> NULL (FLOAT/DOUBLE targets)
  bool is_bit = false;                  // MariaDB BIT(n): written as a bare unsigned integer
  bool is_float32 = false;              // FLOAT: values are rounded to single precision first
  bool is_year = false;                 // MariaDB YEAR: 0 is written as "0000"
};

// Plans the target column for `column` of a table read from `source_engine` ("postgresql",
// "mariadb", "sqlite", ...). `is_key`: the column is part of the primary key (text and bytes
// keys need bounded types). A MariaDB source's own type text is recreated exactly.
MariaTargetColumn PlanMariaColumn(const Column& column, const std::string& source_engine,
                                  bool is_key);

// Plans every column of `table`. Beyond PlanMariaColumn: when the primary key's columns together
// would pass InnoDB's 3072-byte key limit, its text and binary key columns share what the other
// key columns leave (VARCHAR(n)/VARBINARY(n) with smaller n, announced; longer values stop the
// apply).
std::vector<MariaTargetColumn> PlanMariaTable(const TableSchema& table);

// How an encoded value is to be written.
enum class MariaText : uint8_t {
  kNull,    // SQL NULL
  kBare,    // a number safe unquoted in SQL (integers, booleans, BIT, decimals: exact literals)
  kString,  // character data (floats, dates, text, JSON, UUID): quote it
  kBinary,  // raw bytes (kBytes): quote as binary
};

// Encodes `v` (not kUnchanged) for target column `tc` into `out` (cleared first): the one
// conversion of the full load and both apply modes. Values the target cannot hold exactly and no
// documented rule covers stop with kInvalidArgument naming the column and the value (the caller
// adds table and key: RowContext); MariaDB would otherwise round, clip or zero them (with only a
// Note on INSERT/UPDATE, even in strict mode). `applied` is set to the value-level lossy rule the
// value hit (engine/core/lossy.h), kNone when it is stored exactly.
Result<MariaText> EncodeForMaria(const MariaTargetColumn& tc, const Value& v, std::string& out,
                                 LossyRule& applied);

// Rounds plain decimal text ("-12.3456") to `scale` fraction digits, half away from zero.
// Exposed for unit tests.
std::string RoundDecimalText(const std::string& text, int scale);

}  // namespace cutover::mariadb
