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
#include "engine/core/range_scanner.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"

namespace cutover::validator {

Result<std::unique_ptr<RangeScanner>> OpenPgScanner(const std::string& uri);

}  // namespace cutover::validator
