// MariaDB range scanner: `SELECT cols FROM db.t WHERE key range` streamed with mysql_use_result
// on one connection (utf8mb4, time_zone +00:00: maria_conn.h); summaries in no order (ORDER BY
// costs InnoDB CPU even along the primary key), rows wanted with Values in key order. Each column
// is read through MariaSelectExpression and turned into canonical bytes: integers, DECIMAL,
// text, JSON and binary strings straight from the text protocol (their text is already the
// canonical text), real dates and datetimes by fixed-position parsing, everything else through
// DecodeMariaText, the full load's own decoder.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/core/canonical.h"
#include "engine/core/range_scanner.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"

namespace cutover::validator {

// Appends the canonical encoding of a non-NULL text-protocol field of `column` (read with
// MariaSelectExpression) under `rule`: the same bytes as
// AppendCanonical(DecodeMariaText(column, text), rule). `scratch` is reused.
Status AppendMariaCanonical(const Column& column, const CanonicalRule& rule, std::string_view text,
                            Value& scratch, std::string& out);

Result<std::unique_ptr<RangeScanner>> OpenMariaScanner(const std::string& uri);

}  // namespace cutover::validator
