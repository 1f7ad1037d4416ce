// ColumnChunkWriter: one column's buffered values of the open row group and their encoding
// into a column chunk (dictionary page, data pages, metadata with statistics). Internal to
// ParquetWriter (parquet_writer.h), which owns one per column and keeps the row-level work
// (checking and encoding a row's values, row groups, the footer).
//
// Design: values arrive in PLAIN form (parquet_values.h). The dictionary is built as they come
// (key: the PLAIN bytes, so the dictionary page is the keys concatenated) and dropped for the
// rest of the row group as soon as it passes the options' limit, which bounds its memory, or
// once more than three quarters of 1024+ values were distinct (it cannot pay then); at
// flush it is used only if dictionary page + bit-packed indices are smaller than the PLAIN
// values ("where it pays"). Pages are cut at about data_page_size bytes of values, on row
// boundaries (the columns are flat, so a row is a value).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/status.h"
#include "engine/lakehouse/parquet/parquet_metadata.h"
#include "engine/lakehouse/parquet/parquet_schema.h"
#include "engine/lakehouse/parquet/parquet_writer.h"

namespace cutover::parquet {

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const ParquetColumn& column, const WriterOptions& options);

  // Adds one value: `plain` is its PLAIN form (AppendPlain), ignored when `is_null`. The caller
  // has checked that NULL is allowed.
  void Add(bool is_null, std::string_view plain);

  size_t rows() const { return defs_.size(); }
  uint64_t buffered_bytes() const { return plain_.size() + defs_.size() / 8; }
  bool dictionary_active() const { return dict_active_; }
  size_t dictionary_size() const { return dict_offsets_.size(); }

  // Encodes the buffered values as a column chunk whose first byte will sit at file offset
  // `offset`; appends its pages to `out`, returns its metadata and empties the buffer.
  Result<ColumnChunk> Flush(int64_t offset, std::string& out);

 private:
  void UpdateStats(std::string_view stat);
  void DropDictionary();
  std::string EncodePlainValues(size_t begin, size_t end) const;
  std::string EncodeDictIndices(size_t begin, size_t end, int bit_width) const;

  ParquetColumn column_;
  WriterOptions options_;
  PhysicalType physical_;

  std::vector<uint8_t> defs_;      // per row: 1 value present, 0 NULL
  std::string plain_;              // non-null values, PLAIN, concatenated
  std::vector<uint32_t> offsets_;  // start of each non-null value in plain_

  bool dict_active_;
  struct KeyHash {
    using is_transparent = void;  // look up by string_view without building a string
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>> dict_map_;
  std::string dict_plain_;
  std::vector<uint32_t> dict_offsets_;
  std::vector<uint32_t> indices_;  // per non-null value

  int64_t null_count_ = 0;
  bool has_bounds_ = false;
  std::string min_, max_;  // statistics form
};

}  // namespace cutover::parquet
