// PostgreSQL binary COPY for the validator: `COPY (...) TO STDOUT (FORMAT binary)` turned into
// canonical bytes (engine/core/canonical.h) without going through text.
//
// Why: reading a range is the validator's whole cost, and with text COPY most of it is printing
// (server) and parsing (client) timestamps and numbers. In binary COPY the server sends an int8
// or a timestamp as 8 bytes, and the client turns them into canonical bytes with no parsing;
// measured on 2M rows (bench/RESULTS.md) it cuts both the server's and the client's CPU per row.
//
// Each column travels in one of two forms (PgWireFor):
//   - its type's binary send format, for the built-in types whose format is fixed and simple
//     (bool, int2/4/8, oid, float4/8, numeric, text/varchar/bpchar, json, jsonb, bytea, uuid,
//     date, time, timestamp, timestamptz);
//   - the text of its output function, for every other type (arrays, intervals, inet, enums,
//     domains, "char", name, ...): the SELECT list reads such a column as
//     `CASE WHEN c IS NULL THEN NULL ELSE concat(c) END` (concat() calls the type's output
//     function under the session's DateStyle/TimeZone/extra_float_digits, so the text is the
//     COPY text field, unescaped; a plain ::text cast is not, e.g. inet::text adds the netmask,
//     bool::text spells true/false), and AppendPgCanonical (pg_scanner.h) encodes that text.
// A binary field gives the same canonical bytes as the text path for the same datum; the unit
// tests (tests/unit/validator_pg_binary_test.cc) check that for each type's edge values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/canonical.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover::validator {

enum class PgWire {
  kText,  // output-function text, selected through concat()
  kBool,
  kInt2,
  kInt4,
  kInt8,
  kOid,
  kFloat4,
  kFloat8,
  kNumeric,
  kString,  // text, varchar, bpchar, json: the bytes as printed
  kJsonb,   // version byte 1, then the text as printed
  kBytea,
  kUuid,
  kDate,
  kTime,
  kTimestamp,  // timestamp and timestamptz: µs since 2000-01-01 (UTC for timestamptz)
};

// How `column` (a PostgreSQL column: type_id is its type OID) travels in a binary COPY.
PgWire PgWireFor(const Column& column);

// The SELECT-list expression for `column` given its quoted name.
std::string PgBinarySelectExpression(PgWire wire, const std::string& quoted_name);

// Buffers AppendPgBinaryCanonical reuses from field to field (one per scanning thread).
struct PgBinaryScratch {
  std::string text;
  Value value;
};

// Appends the canonical encoding of a non-NULL binary field of `column` (wire `wire`) under
// `rule`: the same bytes as AppendPgCanonical gives for the field's COPY text.
Status AppendPgBinaryCanonical(const Column& column, PgWire wire, const CanonicalRule& rule,
                               std::string_view field, PgBinaryScratch& scratch, std::string& out);

// Splits the CopyData messages of a binary COPY into rows: the first message carries the file
// header (signature, flags, extension), each row is one message (field count, then per field a
// length, -1 for NULL, and the bytes), and the last is the trailer (field count -1).
class PgBinaryCopyParser {
 public:
  // Parses one message. Sets `is_row` and fills `fields` (views into `message`) when it held a
  // row; header and trailer messages leave `is_row` false.
  Status Next(std::string_view message, std::vector<std::optional<std::string_view>>& fields,
              bool& is_row);

 private:
  bool header_seen_ = false;
};

}  // namespace cutover::validator
