// The subset of parquet.thrift that cutover writes and reads: the file footer (FileMetaData
// with its schema, row groups, column chunks, statistics) and page headers, as plain structs
// with compact-protocol serialisation.
//
// Design: one struct per Thrift struct, holding only the fields cutover uses; the writer fills
// them and `Write*` emits them with their parquet.thrift field ids; `Read*` parses them from any
// writer's file and skips every field it does not know, so newer or richer footers (DuckDB's,
// Spark's) still read. Unions (LogicalType, TimeUnit, ColumnOrder) are flattened into a tag plus
// the few values they carry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace cutover::parquet {

// parquet.thrift's LogicalType union, flattened: `tag` is the union field id (0: absent).
struct LogicalTypeInfo {
  enum Tag : int16_t {
    kNone = 0,
    kString = 1,
    kMap = 2,
    kList = 3,
    kEnum = 4,
    kDecimal = 5,
    kDate = 6,
    kTime = 7,
    kTimestamp = 8,
    kInteger = 10,
    kUnknown = 11,
    kJson = 12,
    kBson = 13,
    kUuid = 14,
  };
  int16_t tag = kNone;
  int32_t decimal_scale = 0;  // kDecimal
  int32_t decimal_precision = 0;
  bool adjusted_to_utc = false;  // kTime, kTimestamp
  int16_t time_unit = 0;         // TimeUnit union id: 1 millis, 2 micros, 3 nanos
  int8_t bit_width = 0;          // kInteger
  bool is_signed = true;
};

// ConvertedType values cutover writes or interprets.
enum ConvertedType : int32_t {
  kCtUtf8 = 0,
  kCtEnum = 4,
  kCtDecimal = 5,
  kCtDate = 6,
  kCtTimeMillis = 7,
  kCtTimeMicros = 8,
  kCtTimestampMillis = 9,
  kCtTimestampMicros = 10,
  kCtUint8 = 11,
  kCtUint16 = 12,
  kCtUint32 = 13,
  kCtUint64 = 14,
  kCtInt8 = 15,
  kCtInt16 = 16,
  kCtInt32 = 17,
  kCtInt64 = 18,
  kCtJson = 19,
};

struct SchemaElement {
  std::optional<int32_t> type;  // PhysicalType; absent for groups
  int32_t type_length = 0;
  std::optional<int32_t> repetition;  // 0 required, 1 optional, 2 repeated
  std::string name;
  int32_t num_children = 0;
  std::optional<int32_t> converted_type;
  int32_t scale = 0;
  int32_t precision = 0;
  LogicalTypeInfo logical;
};

struct Statistics {
  std::optional<std::string> max_value;  // PLAIN, byte arrays without the length prefix
  std::optional<std::string> min_value;
  std::optional<int64_t> null_count;
  // The deprecated signed-order fields 1/2, read only (other writers' older files).
  std::optional<std::string> legacy_max;
  std::optional<std::string> legacy_min;
};

struct ColumnMetaData {
  int32_t type = 0;
  std::vector<int32_t> encodings;
  std::vector<std::string> path_in_schema;
  int32_t codec = 0;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
};

struct ColumnChunk {
  int64_t file_offset = 0;
  bool has_file_path = false;  // data in another file: cutover refuses such files
  ColumnMetaData meta;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // [0] is the root
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::string created_by;
  bool type_defined_column_orders = false;  // written: one TYPE_ORDER per leaf column
};

enum class PageType : int32_t { kData = 0, kIndex = 1, kDictionary = 2, kDataV2 = 3 };

struct PageHeader {
  int32_t type = 0;  // PageType
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  // kData
  int32_t num_values = 0;
  int32_t encoding = 0;
  int32_t definition_level_encoding = 3;  // RLE
  int32_t repetition_level_encoding = 3;
  // kDictionary (num_values, encoding above)
  // kDataV2 (num_values, encoding above)
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
};

void WriteFileMetaData(const FileMetaData& meta, std::string& out);
Result<FileMetaData> ReadFileMetaData(std::string_view bytes, std::string_view what);

void WritePageHeader(const PageHeader& header, std::string& out);
// Parses a page header at the start of `bytes`; `*consumed` gets its length.
Result<PageHeader> ReadPageHeader(std::string_view bytes, std::string_view what, size_t* consumed);

}  // namespace cutover::parquet
