// Row images of MariaDB binlog rows events -> engine-neutral Values (docs/types.md).
//
// What: given the TableMap a rows event refers to and the event's framing (binlog_event.h),
// produce per row the `before` and `after` images as one Value per table column, in table
// order. WRITE_ROWS fills `after`, DELETE_ROWS `before`, UPDATE_ROWS both. A column absent from
// an image (binlog_row_image MINIMAL/NOBLOB) is Value::Unchanged().
//
// Why its own decoder: Connector/C's mariadb_rpl_extract_rows is wrong for common types
// (docs/protocols.md). And the full load reads the same rows through the text protocol
// (maria_types.h): both must give identical Values, so every rule here mirrors what SELECT
// prints. In particular:
//   - integers by signedness from the optional metadata (signed kInt64, unsigned kUInt64);
//     YEAR kInt64 (0 stays 0); BIT kUInt64 (big-endian);
//   - DECIMAL kDecimal text with exactly `scale` fraction digits and no "-0";
//   - FLOAT the stored float widened to double; DOUBLE as is;
//   - character columns kText in UTF-8 (latin1 is MariaDB's cp1252 and is converted; utf8mb3,
//     utf8mb4 and ascii pass through); CHAR loses trailing spaces like SELECT; binary strings
//     kBytes, BINARY(n) zero-padded back to n bytes (the binlog strips the padding);
//   - ENUM the label ('' for index 0), SET the labels joined by ',' in definition order;
//   - DATE kDate, DATETIME kTimestamp, TIMESTAMP kTimestampTz (UTC), TIME kTime (signed µs);
//     zero and partly-zero dates/datetimes/timestamps are kOther with SELECT's text
//     ("0000-00-00", "0000-00-00 00:00:00.000" with the column's fractional digits).
// Unknown types are kInternal naming table, column and type code. MariaDB 5.3-format temporal
// columns with fractional seconds (created with mysql56_temporal_format=OFF) carry no metadata
// in the binlog, so they cannot be decoded from it; they decode as their 0-fraction layout.
//
// Performance: images are decoded straight from the event buffer into the caller's vectors,
// which are resized, never rebuilt, so a steady stream only allocates for string payloads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/value.h"
#include "engine/mariadb/binlog_event.h"

namespace cutover::mariadb {

// How the decoder treats a collation's bytes.
enum class CharsetKind { kUtf8, kLatin1, kBinary, kUnsupported };
// For MariaDB 10.11 collation ids: utf8mb3/utf8mb4/ascii (incl. the uca1400 family) kUtf8,
// latin1 kLatin1, binary (63) kBinary, anything else kUnsupported.
CharsetKind CharsetOfCollation(uint32_t collation_id);

// Appends the UTF-8 form of MariaDB latin1 (Windows-1252; 0x81, 0x8D, 0x8F, 0x90 and 0x9D map
// to the C1 controls U+0081... as MariaDB maps them) `in` to `out`.
void AppendLatin1AsUtf8(std::string_view in, std::string& out);

// Checks that `map` has what decoding its rows needs (known types, signedness, supported
// charsets, ENUM/SET labels) and names the first column that does not.
Status CheckDecodable(const TableMap& map);

// Decodes every row of `body` into `rows` (resized to the number of rows). `map` must be the
// TABLE_MAP with `body.table_id` and pass CheckDecodable (DecodeRows checks it too).
Status DecodeRows(const TableMap& map, const RowsEventBody& body, std::vector<RowImagePair>& rows);

}  // namespace cutover::mariadb
