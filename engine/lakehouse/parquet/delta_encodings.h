// Decoders for the Parquet encodings other writers use in "v2" files and cutover's writer does
// not: DELTA_BINARY_PACKED (integers), DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (strings),
// BYTE_STREAM_SPLIT (fixed-width values). DuckDB writes them with PARQUET_VERSION v2.
//
// Design: each decoder turns a page's values into their PLAIN form (the same bytes a PLAIN
// page would hold), so the reader has one path from PLAIN bytes to Values whatever the page's
// encoding. Every count and length comes from the file and is checked against the input before
// it is used; integer arithmetic wraps as the format defines (deltas modulo 2^32 / 2^64).
#pragma once

#include <string>
#include <string_view>

#include "engine/core/status.h"
#include "engine/lakehouse/parquet/parquet_schema.h"

namespace cutover::parquet {

// Appends the PLAIN form of `count` values of `physical` (FIXED_LEN_BYTE_ARRAY: `type_length`
// bytes each) encoded with `encoding` in `data` to `plain`. `what` names the page for errors.
// An encoding this file does not decode is an error naming it.
Status DecodeToPlain(Encoding encoding, PhysicalType physical, int type_length,
                     std::string_view data, size_t count, std::string& plain,
                     std::string_view what);

// Whether DecodeToPlain handles `encoding` for `physical`.
bool DecodesToPlain(Encoding encoding, PhysicalType physical);

}  // namespace cutover::parquet
