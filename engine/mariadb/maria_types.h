// MariaDB column types -> engine-neutral Columns and Values (docs/types.md is the contract).
//
// Two readers must produce identical Values for the same stored row: the full load (text
// protocol, reading each column through MariaSelectExpression) and the binlog row decoder
// (engine/mariadb/row_image.h). This file owns the catalog side and the text side; the decoder
// test proves both agree on a real server.
//
// Column fields for MariaDB: `type_name` is the full COLUMN_TYPE plus, for character columns,
// " CHARACTER SET cs COLLATE coll", so a MariaDB target recreates it exactly; `type_id` is the
// MYSQL_TYPE_* code the binlog uses for the column (for ENUM/SET/CHAR the real type, not 254).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover::mariadb {

// Column::type_id values of MariaDB columns: the protocol's MYSQL_TYPE_* codes (the binlog's
// TABLE_MAP types), restated here so other engines' target mappings need not include mysql.h.
namespace type_id {
constexpr uint32_t kTiny = 1, kShort = 2, kLong = 3, kFloat = 4, kDouble = 5, kLongLong = 8,
                   kInt24 = 9, kDate = 10, kYear = 13, kVarchar = 15, kBit = 16, kTimestamp2 = 17,
                   kDatetime2 = 18, kTime2 = 19, kNewDecimal = 246, kEnum = 247, kSet = 248,
                   kBlob = 252, kString = 254;
}  // namespace type_id

// What the catalog (information_schema.COLUMNS and CHECK_CONSTRAINTS) says about one column.
struct MariaColumnInfo {
  std::string name;
  std::string data_type;    // DATA_TYPE, lower case: "int", "decimal", "varchar", "enum", ...
  std::string column_type;  // COLUMN_TYPE: "int(10) unsigned", "enum('a','b')", "decimal(65,30)"
  std::string charset;      // CHARACTER_SET_NAME; "" for non-character columns
  std::string collation;    // COLLATION_NAME; "" for non-character columns
  bool nullable = true;
  bool is_json = false;  // a CHECK (json_valid(`name`)) constraint exists: MariaDB's JSON alias
};

// The Column for `info`, or kFailedPrecondition naming the column for types cutover does not
// carry (GEOMETRY, INET4/INET6, ...) or character sets it does not convert (anything but
// utf8mb4, utf8mb3, ascii, latin1 and binary).
Result<Column> MariaColumn(const MariaColumnInfo& info);

// Helpers over a Column built by MariaColumn.
bool IsUnsigned(const Column& column);
// Fractional-second digits of TIME/DATETIME/TIMESTAMP columns (0-6), else 0.
int FractionalDigits(const Column& column);
// DECIMAL(p,s) -> {p,s}; {0,0} for other columns.
std::pair<int, int> DecimalPrecisionScale(const Column& column);

// The SELECT-list expression that reads `column` (quoted) for the full load, so that
// DecodeMariaText gives exactly the decoder's Value: CAST(c AS DOUBLE) for FLOAT (never the
// 6-digit text), c+0 for BIT, the column itself otherwise.
std::string MariaSelectExpression(const Column& column);

// Parses the text-protocol form of a value read with MariaSelectExpression into `out`
// (non-NULL; the caller handles SQL NULL). Zero dates become kOther (docs/types.md).
Status DecodeMariaText(const Column& column, std::string_view text, Value& out);

// The MariaDB literal text for a Value of `column`'s kind (used by sinks writing MariaDB): the
// inverse of DecodeMariaText for every kind it produces.
std::string EncodeMariaText(const Value& value);

}  // namespace cutover::mariadb
