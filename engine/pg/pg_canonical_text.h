// PostgreSQL text fields to canonical bytes (engine/core/canonical.h), for the validator's
// scanners: the text COPY path (pg_scanner.cc) and the output-function columns of the binary
// path (pg_binary.cc) share it, which is why it is its own file (the two used to include each
// other).
#pragma once

#include <string>
#include <string_view>

#include "engine/core/canonical.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover::validator {

// pg::DecodeText, except that a `real` (float4) is read as the stored single-precision value
// widened exactly (docs/types.md), not as the double nearest its shortest text: "3.4028235e+38"
// is 3.4028234663852886e+38, as MariaDB's CAST(FLOAT AS DOUBLE) gives it.
Status DecodePgField(const Column& column, std::string_view text, Value& out);

// Appends the canonical encoding of a non-NULL COPY text field of `column` under `rule`: the
// same bytes as AppendCanonical(DecodePgField(column, text), rule). `scratch` is reused.
Status AppendPgCanonical(const Column& column, const CanonicalRule& rule, std::string_view text,
                         Value& scratch, std::string& out);

}  // namespace cutover::validator
