// ParquetReader: reads back the rows of a Parquet file of flat columns, column chunk by column
// chunk, as cutover Values (for `cutover validate` of a lakehouse target and the tests).
//
// Design: the whole file is one byte span the caller owns (read or mapped); the footer is
// parsed once at Open, and each column chunk is decoded on request, so a validator can fold a
// file row group by row group. It reads what cutover's writer produces and the common subset
// other writers use for flat tables (DuckDB's included, v1 and v2): PLAIN, PLAIN_DICTIONARY /
// RLE_DICTIONARY, RLE-encoded booleans, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT (delta_encodings.h), v1 and v2 data pages, NONE /
// SNAPPY / GZIP / ZSTD. Anything else is refused with an error that names the file, the column
// and the feature (nested or repeated columns, INT96 and nanosecond timestamps, DECIMAL as
// BYTE_ARRAY, LZ4 / Brotli / LZO, chunks stored in other files) instead of being guessed at.
//
// Values come back in the writer's vocabulary: INT(64, unsigned) as kUInt64, other integers as
// kInt64, DECIMAL as kDecimal text with exactly `scale` fractional digits, STRING as kText,
// JSON as kJson, BINARY as kBytes, UUID (FIXED[16]) as kUuid text, DATE as kDate, TIME as kTime
// (µs), TIMESTAMP as kTimestampTz when adjusted to UTC else kTimestamp (µs), FLOAT widened to
// kFloat64.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/value.h"
#include "engine/lakehouse/parquet/parquet_metadata.h"
#include "engine/lakehouse/parquet/parquet_schema.h"

namespace cutover::parquet {

class ParquetReader {
 public:
  // Parses the footer of `file` (which must outlive the reader). `name` (a path or object
  // key) prefixes every error.
  static Result<ParquetReader> Open(std::string_view file, std::string name);

  const std::vector<ParquetColumn>& columns() const { return columns_; }
  const FileMetaData& metadata() const { return meta_; }
  int64_t num_rows() const { return meta_.num_rows; }
  size_t num_row_groups() const { return meta_.row_groups.size(); }

  // The values of one column chunk, one per row of the row group.
  Result<std::vector<Value>> ReadColumn(size_t row_group, size_t column) const;
  // Every row of the file, row-major (tests and small files; a validator reads row groups).
  Result<std::vector<std::vector<Value>>> ReadRows() const;
  // The rows of one row group, row-major.
  Result<std::vector<std::vector<Value>>> ReadRowGroup(size_t row_group) const;

 private:
  struct Leaf {
    PhysicalType physical;
    int type_length;
  };
  Status DecodeValues(size_t column, int32_t encoding, std::string_view data, size_t count,
                      const std::vector<Value>* dictionary, std::vector<Value>& out,
                      std::string_view what) const;
  Status DecodePlain(size_t column, std::string_view data, size_t count, std::vector<Value>& out,
                     std::string_view what) const;

  std::string_view file_;
  std::string name_;
  FileMetaData meta_;
  std::vector<ParquetColumn> columns_;
  std::vector<Leaf> leaves_;
};

}  // namespace cutover::parquet
