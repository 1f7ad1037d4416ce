// ParquetWriter: writes one Parquet file of flat columns to a byte sink, row by row.
//
// Design: rows are buffered per column for one row group (the `row_group_length` rows DMS's
// RowGroupLength names), each value kept in its PLAIN form and, while the column's dictionary
// stays under `dictionary_page_limit` bytes, as a dictionary index too. When the row group is
// full it is encoded column by column (dictionary page + RLE_DICTIONARY data pages where that
// is smaller than PLAIN, else PLAIN pages of about `data_page_size` bytes), compressed and
// handed to the sink at once; only the footer is held to the end. Memory is therefore one row
// group plus the footer, whatever the file's size. The sink is only ever appended to: the
// caller decides where the bytes go (a temporary file renamed when complete, a multipart
// upload) and so when the file becomes visible.
//
// The file: "PAR1", row groups, the FileMetaData footer (Thrift compact, thrift_compact.h),
// its length, "PAR1". Data pages are v1 for ParquetVersion 1.0 and v2 for 2.0 (the footer's
// version says which). Every leaf carries its LogicalType and, where one exists, the legacy
// ConvertedType, so old and new readers agree. Statistics (min/max in the column's sort order,
// null count) are per column chunk; NaN never becomes a bound and a zero bound is widened to
// -0 / +0 as parquet.thrift asks.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/value.h"
#include "engine/lakehouse/parquet/parquet_schema.h"

namespace cutover::parquet {

struct WriterOptions {
  Compression compression = Compression::kSnappy;
  int64_t row_group_length = 10000;         // rows per row group (DMS RowGroupLength)
  int64_t data_page_size = 1 << 20;         // bytes per data page before compression (DataPageSize)
  bool dictionary = true;                   // dictionary encoding where it pays (EnableDictionary)
  int64_t dictionary_page_limit = 1 << 20;  // a larger dictionary falls back to PLAIN
  bool statistics = true;                   // EnableStatistics
  TimeUnit timestamp_unit = TimeUnit::kMicros;  // ParquetTimestampInMillisecond
  int version = 1;  // 1: "parquet-1-0" (v1 data pages), 2: "parquet-2-0"
  // Min/max longer than this (bytes) are left out of the statistics rather than bloat the footer.
  size_t max_statistics_size = 4096;
};

// Where the file's bytes go. Write is called with consecutive pieces of the file.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
};

// A sink that appends to a string (tests, small files).
class StringSink : public ByteSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  Status Write(std::string_view bytes) override {
    out_.append(bytes);
    return Status::Ok();
  }

 private:
  std::string& out_;
};

struct FileStats {
  int64_t rows = 0;
  int64_t row_groups = 0;
  uint64_t bytes = 0;               // the whole file
  uint64_t uncompressed_bytes = 0;  // pages before compression, headers included
  int64_t dictionary_columns = 0;   // column chunks written with a dictionary
};

class ColumnChunkWriter;

class ParquetWriter {
 public:
  // Checks the schema (names non-empty and unique; INT widths 8/16/32/64; DECIMAL precision
  // 1..38, scale 0..precision; no reader-only kinds) and the options. The sink must outlive the
  // writer.
  static Result<std::unique_ptr<ParquetWriter>> Create(std::vector<ParquetColumn> columns,
                                                       WriterOptions options, ByteSink& sink);
  ~ParquetWriter();

  // One value per column, in schema order. NULL only in nullable columns. An error names the
  // column and the value; the row is then not written (no column holds a part of it).
  Status AppendRow(std::span<const Value> row);

  // Writes the open row group and the footer. The writer is spent afterwards, and so it is
  // after the sink returned an error (the file is then incomplete: discard it).
  Result<FileStats> Finish();

  const std::vector<ParquetColumn>& columns() const { return columns_; }
  int64_t rows() const { return rows_; }
  // Bytes handed to the sink so far, and an estimate of the buffered row group's encoded size:
  // their sum approximates the file's size now (for MaxFileSize / CdcMinFileSize decisions).
  uint64_t bytes_written() const { return offset_; }
  uint64_t buffered_bytes() const;

 private:
  ParquetWriter(std::vector<ParquetColumn> columns, WriterOptions options, ByteSink& sink);
  Status FlushRowGroup();
  Status Emit(std::string_view bytes);

  std::vector<ParquetColumn> columns_;
  WriterOptions options_;
  ByteSink& sink_;
  std::vector<std::unique_ptr<ColumnChunkWriter>> chunks_;
  std::vector<std::string> row_plains_;  // AppendRow's encoded values (reused between rows)
  struct Footer;
  std::unique_ptr<Footer> footer_;
  uint64_t offset_ = 0;
  int64_t rows_ = 0;
  int64_t rows_in_group_ = 0;
  FileStats stats_;
  bool finished_ = false;
};

}  // namespace cutover::parquet
