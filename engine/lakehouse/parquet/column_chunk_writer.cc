// Column chunk encoding (see column_chunk_writer.h for the design).
#include "engine/lakehouse/parquet/column_chunk_writer.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "engine/lakehouse/parquet/compression.h"
#include "engine/lakehouse/parquet/parquet_values.h"
#include "engine/lakehouse/parquet/rle_hybrid.h"

namespace cutover::parquet {

// Values seen before the "mostly distinct" check may drop the dictionary.
constexpr size_t kDistinctCheckAfter = 1024;

ColumnChunkWriter::ColumnChunkWriter(const ParquetColumn& column, const WriterOptions& options)
    : column_(column),
      options_(options),
      physical_(PhysicalTypeOf(column)),
      dict_active_(options.dictionary && physical_ != PhysicalType::kBoolean) {}

void ColumnChunkWriter::Add(bool is_null, std::string_view plain) {
  defs_.push_back(is_null ? 0 : 1);
  if (is_null) {
    ++null_count_;
    return;
  }
  offsets_.push_back(static_cast<uint32_t>(plain_.size()));
  plain_.append(plain);
  if (options_.statistics) UpdateStats(StatBytes(column_, plain));
  if (dict_active_) {
    auto it = dict_map_.find(plain);
    if (it == dict_map_.end()) {
      it = dict_map_.emplace(std::string(plain), static_cast<uint32_t>(dict_offsets_.size())).first;
      dict_offsets_.push_back(static_cast<uint32_t>(dict_plain_.size()));
      dict_plain_.append(plain);
    }
    indices_.push_back(it->second);
    // Past the size bound, or mostly distinct values (the dictionary would be about as large as
    // the values themselves and the indices come on top): PLAIN for the rest of the row group.
    size_t n = indices_.size();
    if (static_cast<int64_t>(dict_plain_.size()) > options_.dictionary_page_limit ||
        (n >= kDistinctCheckAfter && dict_offsets_.size() * 4 > n * 3)) {
      DropDictionary();
    }
  }
}

void ColumnChunkWriter::DropDictionary() {
  dict_active_ = false;
  dict_map_ = {};
  dict_plain_ = {};
  dict_offsets_ = {};
  indices_ = {};
}

void ColumnChunkWriter::UpdateStats(std::string_view stat) {
  if (physical_ == PhysicalType::kFloat || physical_ == PhysicalType::kDouble) {
    double d;
    if (physical_ == PhysicalType::kFloat) {
      float f;
      std::memcpy(&f, stat.data(), 4);
      d = f;
    } else {
      std::memcpy(&d, stat.data(), 8);
    }
    if (std::isnan(d)) return;  // NaN is never a bound
  }
  if (!has_bounds_) {
    min_.assign(stat);
    max_.assign(stat);
    has_bounds_ = true;
    return;
  }
  if (CompareStat(column_, stat, min_) < 0) min_.assign(stat);
  if (CompareStat(column_, stat, max_) > 0) max_.assign(stat);
}

std::string ColumnChunkWriter::EncodePlainValues(size_t begin, size_t end) const {
  if (begin == end) return {};
  if (physical_ == PhysicalType::kBoolean) {
    std::string out((end - begin + 7) / 8, '\0');
    for (size_t i = begin; i < end; ++i) {
      if (plain_[offsets_[i]]) out[(i - begin) / 8] |= static_cast<char>(1 << ((i - begin) % 8));
    }
    return out;
  }
  size_t from = offsets_[begin];
  size_t to = end < offsets_.size() ? offsets_[end] : plain_.size();
  return plain_.substr(from, to - from);
}

std::string ColumnChunkWriter::EncodeDictIndices(size_t begin, size_t end, int bit_width) const {
  std::string out(1, static_cast<char>(bit_width));
  RleEncoder enc(bit_width);
  for (size_t i = begin; i < end; ++i) enc.Put(indices_[i]);
  out += enc.Finish();
  return out;
}

namespace {

void PutLE32(std::string& out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

struct PageSizes {
  int64_t uncompressed = 0;
  int64_t compressed = 0;
};

// Writes header + body to `out`, adding to the chunk totals.
void AppendPage(const PageHeader& h, std::string_view body, std::string& out, PageSizes& sizes) {
  std::string header;
  WritePageHeader(h, header);
  out += header;
  out.append(body);
  sizes.uncompressed += static_cast<int64_t>(header.size()) + h.uncompressed_page_size;
  sizes.compressed += static_cast<int64_t>(header.size()) + h.compressed_page_size;
}

}  // namespace

Result<ColumnChunk> ColumnChunkWriter::Flush(int64_t offset, std::string& out) {
  const size_t n_rows = defs_.size();
  const size_t n_values = offsets_.size();
  const bool v2 = options_.version >= 2;
  const size_t start = out.size();
  PageSizes sizes;

  int bit_width = dict_offsets_.size() > 1 ? BitWidth(dict_offsets_.size() - 1) : 1;
  uint64_t plain_bytes = physical_ == PhysicalType::kBoolean ? (n_values + 7) / 8 : plain_.size();
  bool use_dict = dict_active_ && n_values > 0 &&
                  dict_plain_.size() + (n_values * bit_width + 7) / 8 + 16 < plain_bytes;

  ColumnChunk chunk;
  ColumnMetaData& meta = chunk.meta;
  meta.type = static_cast<int32_t>(physical_);
  meta.path_in_schema = {column_.name};
  meta.codec = static_cast<int32_t>(options_.compression);
  meta.num_values = static_cast<int64_t>(n_rows);

  const int32_t data_encoding =
      use_dict ? static_cast<int32_t>(v2 ? Encoding::kRleDictionary : Encoding::kPlainDictionary)
               : static_cast<int32_t>(Encoding::kPlain);

  if (use_dict) {
    meta.dictionary_page_offset = offset;
    std::string body;
    RETURN_IF_ERROR(Compress(options_.compression, dict_plain_, body));
    PageHeader h;
    h.type = static_cast<int32_t>(PageType::kDictionary);
    h.uncompressed_page_size = static_cast<int32_t>(dict_plain_.size());
    h.compressed_page_size = static_cast<int32_t>(body.size());
    h.num_values = static_cast<int32_t>(dict_offsets_.size());
    h.encoding = static_cast<int32_t>(v2 ? Encoding::kPlain : Encoding::kPlainDictionary);
    AppendPage(h, body, out, sizes);
  }
  meta.data_page_offset = offset + static_cast<int64_t>(out.size() - start);

  // Pages on row boundaries, each about data_page_size bytes of (uncompressed) values.
  size_t row = 0, value = 0;
  while (row < n_rows || (n_rows == 0 && row == 0)) {
    size_t row_end = row, value_end = value;
    uint64_t bytes = 0;
    while (row_end < n_rows &&
           (bytes < static_cast<uint64_t>(options_.data_page_size) || row_end == row)) {
      if (defs_[row_end]) {
        if (use_dict) {
          bytes += (bit_width + 7) / 8;
        } else {
          size_t next = value_end + 1 < n_values ? offsets_[value_end + 1] : plain_.size();
          bytes += next - offsets_[value_end];
        }
        ++value_end;
      }
      ++row_end;
    }
    std::string levels;
    if (column_.nullable) {
      RleEncoder enc(1);
      for (size_t r = row; r < row_end; ++r) enc.Put(defs_[r]);
      levels = enc.Finish();
    }
    std::string values = use_dict ? EncodeDictIndices(value, value_end, bit_width)
                                  : EncodePlainValues(value, value_end);
    PageHeader h;
    h.num_values = static_cast<int32_t>(row_end - row);
    h.encoding = data_encoding;
    std::string body;
    if (!v2) {
      std::string raw;
      if (column_.nullable) {
        PutLE32(raw, static_cast<uint32_t>(levels.size()));
        raw += levels;
      }
      raw += values;
      RETURN_IF_ERROR(Compress(options_.compression, raw, body));
      h.type = static_cast<int32_t>(PageType::kData);
      h.uncompressed_page_size = static_cast<int32_t>(raw.size());
    } else {
      body = levels;
      h.is_compressed = options_.compression != Compression::kNone;
      RETURN_IF_ERROR(Compress(options_.compression, values, body));
      h.type = static_cast<int32_t>(PageType::kDataV2);
      h.uncompressed_page_size = static_cast<int32_t>(levels.size() + values.size());
      h.num_nulls = static_cast<int32_t>((row_end - row) - (value_end - value));
      h.num_rows = static_cast<int32_t>(row_end - row);
      h.definition_levels_byte_length = static_cast<int32_t>(levels.size());
    }
    h.compressed_page_size = static_cast<int32_t>(body.size());
    AppendPage(h, body, out, sizes);
    if (n_rows == 0) break;
    row = row_end;
    value = value_end;
  }

  if (use_dict) {
    meta.encodings.push_back(
        static_cast<int32_t>(v2 ? Encoding::kPlain : Encoding::kPlainDictionary));
    if (v2) meta.encodings.push_back(static_cast<int32_t>(Encoding::kRleDictionary));
  } else {
    meta.encodings.push_back(static_cast<int32_t>(Encoding::kPlain));
  }
  meta.encodings.push_back(static_cast<int32_t>(Encoding::kRle));
  meta.total_uncompressed_size = sizes.uncompressed;
  meta.total_compressed_size = sizes.compressed;
  chunk.file_offset = meta.dictionary_page_offset.value_or(meta.data_page_offset);

  if (options_.statistics) {
    Statistics s;
    s.null_count = null_count_;
    if (has_bounds_ && min_.size() <= options_.max_statistics_size &&
        max_.size() <= options_.max_statistics_size) {
      // A zero bound may hide the other zero: widen to -0 / +0 (parquet.thrift, ColumnOrder).
      if (physical_ == PhysicalType::kFloat || physical_ == PhysicalType::kDouble) {
        auto widen = [&](std::string& b, bool negative) {
          if (physical_ == PhysicalType::kFloat) {
            float f;
            std::memcpy(&f, b.data(), 4);
            if (f == 0) f = negative ? -0.0f : 0.0f;
            std::memcpy(b.data(), &f, 4);
          } else {
            double d;
            std::memcpy(&d, b.data(), 8);
            if (d == 0) d = negative ? -0.0 : 0.0;
            std::memcpy(b.data(), &d, 8);
          }
        };
        widen(min_, true);
        widen(max_, false);
      }
      s.min_value = min_;
      s.max_value = max_;
    }
    meta.statistics = std::move(s);
  }

  // Reset for the next row group.
  defs_.clear();
  plain_.clear();
  offsets_.clear();
  DropDictionary();
  dict_active_ = options_.dictionary && physical_ != PhysicalType::kBoolean;
  null_count_ = 0;
  has_bounds_ = false;
  min_.clear();
  max_.clear();
  return chunk;
}

}  // namespace cutover::parquet
