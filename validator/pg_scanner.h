// PostgreSQL range scanner, on one connection (DateStyle=ISO, TimeZone=UTC, extra_float_digits=3,
// see pg_conn.h). Summaries read `COPY (SELECT cols FROM t WHERE key range) TO STDOUT (FORMAT
// binary)` and turn each binary field into canonical bytes directly (pg_binary.h); rows wanted
// with their Values (reports, rechecks) read text COPY, each field turned into canonical bytes
// without building a Value where PostgreSQL's text already is the canonical text (integers,
// numerics, text, json, uuid and other printed types), through pg::DecodeText otherwise.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/core/canonical.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "validator/scanner.h"

namespace cutover::validator {

// pg::DecodeText, except that a `real` (float4) is read as the stored single-precision value
// widened exactly (docs/types.md), not as the double nearest its shortest text: "3.4028235e+38"
// is 3.4028234663852886e+38, as MariaDB's CAST(FLOAT AS DOUBLE) gives it.
Status DecodePgField(const Column& column, std::string_view text, Value& out);

// Appends the canonical encoding of a non-NULL COPY text field of `column` under `rule`: the
// same bytes as AppendCanonical(DecodePgField(column, text), rule). `scratch` is reused.
Status AppendPgCanonical(const Column& column, const CanonicalRule& rule, std::string_view text,
                         Value& scratch, std::string& out);

Result<std::unique_ptr<RangeScanner>> OpenPgScanner(const std::string& uri);

}  // namespace cutover::validator
