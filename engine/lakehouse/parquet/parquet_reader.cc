// ParquetReader (see parquet_reader.h for the design and what is supported).
#include "engine/lakehouse/parquet/parquet_reader.h"

#include <cstring>

#include <fmt/format.h>

#include "engine/lakehouse/parquet/compression.h"
#include "engine/lakehouse/parquet/delta_encodings.h"
#include "engine/lakehouse/parquet/parquet_values.h"
#include "engine/lakehouse/parquet/rle_hybrid.h"

namespace cutover::parquet {

namespace {

constexpr std::string_view kMagic = "PAR1";

const char* EncodingName(int32_t e) {
  switch (e) {
    case 0:
      return "PLAIN";
    case 2:
      return "PLAIN_DICTIONARY";
    case 3:
      return "RLE";
    case 4:
      return "BIT_PACKED";
    case 5:
      return "DELTA_BINARY_PACKED";
    case 6:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case 7:
      return "DELTA_BYTE_ARRAY";
    case 8:
      return "RLE_DICTIONARY";
    case 9:
      return "BYTE_STREAM_SPLIT";
    default:
      return "unknown";
  }
}

Status Unsupported(std::string_view what, std::string_view feature) {
  return FailedPrecondition(
      fmt::format("{}: {} is not supported by cutover's Parquet reader", what, feature));
}

// The column a leaf schema element describes, or why cutover cannot read it.
Result<ParquetColumn> ColumnOf(const SchemaElement& e, std::string_view what) {
  ParquetColumn c;
  c.name = e.name;
  c.nullable = e.repetition.value_or(0) == 1;
  auto phys = static_cast<PhysicalType>(*e.type);
  const LogicalTypeInfo& l = e.logical;
  int ct = e.converted_type.value_or(-1);
  auto unit_of = [&](int16_t u) -> Result<TimeUnit> {
    if (u == 1) return TimeUnit::kMillis;
    if (u == 2) return TimeUnit::kMicros;
    return Unsupported(what, "a nanosecond TIME/TIMESTAMP");
  };
  if (l.tag == LogicalTypeInfo::kString || l.tag == LogicalTypeInfo::kEnum || ct == kCtUtf8 ||
      ct == kCtEnum) {
    c.kind = LogicalKind::kString;
  } else if (l.tag == LogicalTypeInfo::kJson || ct == kCtJson) {
    c.kind = LogicalKind::kJson;
  } else if (l.tag == LogicalTypeInfo::kDecimal || ct == kCtDecimal) {
    c.kind = LogicalKind::kDecimal;
    c.precision = l.tag == LogicalTypeInfo::kDecimal ? l.decimal_precision : e.precision;
    c.scale = l.tag == LogicalTypeInfo::kDecimal ? l.decimal_scale : e.scale;
    if (phys == PhysicalType::kByteArray)
      return Unsupported(what, "a DECIMAL stored as BYTE_ARRAY");
    if (c.precision > 38) return Unsupported(what, "a DECIMAL of more than 38 digits");
  } else if (l.tag == LogicalTypeInfo::kDate || ct == kCtDate) {
    c.kind = LogicalKind::kDate;
  } else if (l.tag == LogicalTypeInfo::kTime || ct == kCtTimeMillis || ct == kCtTimeMicros) {
    c.kind = LogicalKind::kTime;
    if (l.tag == LogicalTypeInfo::kTime) {
      ASSIGN_OR_RETURN(c.unit, unit_of(l.time_unit));
      c.adjusted_to_utc = l.adjusted_to_utc;
    } else {
      c.unit = ct == kCtTimeMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
      c.adjusted_to_utc = true;
    }
  } else if (l.tag == LogicalTypeInfo::kTimestamp || ct == kCtTimestampMillis ||
             ct == kCtTimestampMicros) {
    c.kind = LogicalKind::kTimestamp;
    if (l.tag == LogicalTypeInfo::kTimestamp) {
      ASSIGN_OR_RETURN(c.unit, unit_of(l.time_unit));
      c.adjusted_to_utc = l.adjusted_to_utc;
    } else {
      c.unit = ct == kCtTimestampMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
      c.adjusted_to_utc = true;
    }
  } else if (l.tag == LogicalTypeInfo::kInteger || (ct >= kCtUint8 && ct <= kCtInt64)) {
    c.kind = LogicalKind::kInt;
    if (l.tag == LogicalTypeInfo::kInteger) {
      c.int_bits = l.bit_width;
      c.int_signed = l.is_signed;
    } else {
      c.int_signed = ct >= kCtInt8;
      c.int_bits = 8 << ((ct - (c.int_signed ? kCtInt8 : kCtUint8)));
    }
  } else if (l.tag == LogicalTypeInfo::kUuid) {
    c.kind = LogicalKind::kUuid;
  } else if (l.tag != LogicalTypeInfo::kNone || ct >= 0) {
    return Unsupported(what, fmt::format("logical type {} / converted type {}", l.tag, ct));
  } else {
    switch (phys) {
      case PhysicalType::kBoolean:
        c.kind = LogicalKind::kBoolean;
        break;
      case PhysicalType::kInt32:
        c.kind = LogicalKind::kInt;
        c.int_bits = 32;
        break;
      case PhysicalType::kInt64:
        c.kind = LogicalKind::kInt;
        c.int_bits = 64;
        break;
      case PhysicalType::kFloat:
        c.kind = LogicalKind::kFloat;
        break;
      case PhysicalType::kDouble:
        c.kind = LogicalKind::kDouble;
        break;
      case PhysicalType::kByteArray:
      case PhysicalType::kFixedLenByteArray:
        c.kind = LogicalKind::kBinary;
        break;
      case PhysicalType::kInt96:
        return Unsupported(what, "an INT96 (legacy) timestamp");
      default:
        return Unsupported(what, fmt::format("physical type {}", *e.type));
    }
  }
  // The physical type must be one the logical kind allows.
  bool ok = true;
  switch (c.kind) {
    case LogicalKind::kInt:
      ok = phys == (c.int_bits <= 32 ? PhysicalType::kInt32 : PhysicalType::kInt64);
      break;
    case LogicalKind::kDate:
      ok = phys == PhysicalType::kInt32;
      break;
    case LogicalKind::kTime:
      ok = phys == (c.unit == TimeUnit::kMillis ? PhysicalType::kInt32 : PhysicalType::kInt64);
      break;
    case LogicalKind::kTimestamp:
      ok = phys == PhysicalType::kInt64;
      break;
    case LogicalKind::kString:
    case LogicalKind::kJson:
      ok = phys == PhysicalType::kByteArray;
      break;
    case LogicalKind::kUuid:
      ok = phys == PhysicalType::kFixedLenByteArray && e.type_length == 16;
      break;
    case LogicalKind::kDecimal:
      ok = phys == PhysicalType::kInt32 || phys == PhysicalType::kInt64 ||
           phys == PhysicalType::kFixedLenByteArray;
      break;
    default:
      break;
  }
  if (!ok) {
    return DataLoss(
        fmt::format("{}: {} stored as physical type {}", what, DescribeColumnType(c), *e.type));
  }
  return c;
}

}  // namespace

Result<ParquetReader> ParquetReader::Open(std::string_view file, std::string name) {
  ParquetReader r;
  r.file_ = file;
  r.name_ = std::move(name);
  if (file.size() < 12 || file.substr(0, 4) != kMagic || file.substr(file.size() - 4) != kMagic) {
    return DataLoss(fmt::format("{}: not a Parquet file (no PAR1 magic at both ends)", r.name_));
  }
  uint32_t len;
  std::memcpy(&len, file.data() + file.size() - 8, 4);
  if (len > file.size() - 12) {
    return DataLoss(fmt::format("{}: footer length {} exceeds the file", r.name_, len));
  }
  ASSIGN_OR_RETURN(r.meta_, ReadFileMetaData(file.substr(file.size() - 8 - len, len), r.name_));
  const auto& schema = r.meta_.schema;
  if (schema.empty()) return DataLoss(fmt::format("{}: empty schema", r.name_));
  for (size_t i = 1; i < schema.size(); ++i) {
    const SchemaElement& e = schema[i];
    std::string what = fmt::format("{}: column '{}'", r.name_, e.name);
    if (!e.type || e.num_children > 0) return Unsupported(what, "a nested (group) column");
    if (e.repetition.value_or(0) == 2) return Unsupported(what, "a repeated column");
    ASSIGN_OR_RETURN(ParquetColumn c, ColumnOf(e, what));
    r.columns_.push_back(std::move(c));
    r.leaves_.push_back({static_cast<PhysicalType>(*e.type), e.type_length});
  }
  if (schema[0].num_children != static_cast<int32_t>(r.columns_.size())) {
    return Unsupported(r.name_, "a nested schema");
  }
  int64_t rows = 0;
  for (size_t g = 0; g < r.meta_.row_groups.size(); ++g) {
    const RowGroup& rg = r.meta_.row_groups[g];
    if (rg.columns.size() != r.columns_.size()) {
      return DataLoss(fmt::format("{}: row group {} has {} column chunks, the schema {} columns",
                                  r.name_, g, rg.columns.size(), r.columns_.size()));
    }
    for (const ColumnChunk& cc : rg.columns) {
      if (cc.has_file_path) return Unsupported(r.name_, "a column chunk stored in another file");
    }
    rows += rg.num_rows;
  }
  if (rows != r.meta_.num_rows) {
    return DataLoss(fmt::format("{}: row groups hold {} rows, the footer says {}", r.name_, rows,
                                r.meta_.num_rows));
  }
  return r;
}

Status ParquetReader::DecodePlain(size_t column, std::string_view data, size_t count,
                                  std::vector<Value>& out, std::string_view what) const {
  const ParquetColumn& c = columns_[column];
  const Leaf& leaf = leaves_[column];
  auto short_page = [&]() {
    return DataLoss(fmt::format("{}: PLAIN values end before {} values", what, count));
  };
  if (leaf.physical == PhysicalType::kBoolean) {
    if (data.size() * 8 < count) return short_page();
    for (size_t i = 0; i < count; ++i) {
      char b = (data[i / 8] >> (i % 8)) & 1;
      ASSIGN_OR_RETURN(Value v, ValueFromPlain(c, leaf.physical, std::string_view(&b, 1)));
      out.push_back(std::move(v));
    }
    return Status::Ok();
  }
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    size_t n;
    switch (leaf.physical) {
      case PhysicalType::kInt32:
      case PhysicalType::kFloat:
        n = 4;
        break;
      case PhysicalType::kInt64:
      case PhysicalType::kDouble:
        n = 8;
        break;
      case PhysicalType::kFixedLenByteArray:
        n = static_cast<size_t>(leaf.type_length);
        break;
      case PhysicalType::kByteArray: {
        if (data.size() - pos < 4) return short_page();
        uint32_t len;
        std::memcpy(&len, data.data() + pos, 4);
        n = 4 + static_cast<size_t>(len);
        break;
      }
      default:
        return Unsupported(what, "this physical type");
    }
    if (data.size() - pos < n) return short_page();
    ASSIGN_OR_RETURN(Value v, ValueFromPlain(c, leaf.physical, data.substr(pos, n)));
    out.push_back(std::move(v));
    pos += n;
  }
  return Status::Ok();
}

Status ParquetReader::DecodeValues(size_t column, int32_t encoding, std::string_view data,
                                   size_t count, const std::vector<Value>* dictionary,
                                   std::vector<Value>& out, std::string_view what) const {
  switch (static_cast<Encoding>(encoding)) {
    case Encoding::kPlain:
      return DecodePlain(column, data, count, out, what);
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary: {
      if (!dictionary)
        return DataLoss(fmt::format("{}: dictionary-encoded page without a dictionary page", what));
      if (count == 0) return Status::Ok();
      if (data.empty()) return DataLoss(fmt::format("{}: empty dictionary-index data", what));
      int width = static_cast<uint8_t>(data[0]);
      std::vector<uint32_t> idx;
      RETURN_IF_ERROR(RleDecode(data.substr(1), width, count, idx, what));
      for (uint32_t i : idx) {
        if (i >= dictionary->size()) {
          return DataLoss(fmt::format("{}: dictionary index {} past the dictionary's {} entries",
                                      what, i, dictionary->size()));
        }
        out.push_back((*dictionary)[i]);
      }
      return Status::Ok();
    }
    case Encoding::kRle: {
      if (leaves_[column].physical != PhysicalType::kBoolean) break;
      if (data.size() < 4) return DataLoss(fmt::format("{}: truncated RLE booleans", what));
      uint32_t len;
      std::memcpy(&len, data.data(), 4);
      if (len > data.size() - 4)
        return DataLoss(fmt::format("{}: RLE booleans past the page", what));
      std::vector<uint32_t> bits;
      RETURN_IF_ERROR(RleDecode(data.substr(4, len), 1, count, bits, what));
      for (uint32_t b : bits) out.push_back(Value::Bool(b != 0));
      return Status::Ok();
    }
    default:
      if (DecodesToPlain(static_cast<Encoding>(encoding), leaves_[column].physical)) {
        std::string plain;
        RETURN_IF_ERROR(DecodeToPlain(static_cast<Encoding>(encoding), leaves_[column].physical,
                                      leaves_[column].type_length, data, count, plain, what));
        return DecodePlain(column, plain, count, out, what);
      }
      break;
  }
  return Unsupported(what, fmt::format("the {} encoding", EncodingName(encoding)));
}

Result<std::vector<Value>> ParquetReader::ReadColumn(size_t row_group, size_t column) const {
  if (row_group >= meta_.row_groups.size() || column >= columns_.size()) {
    return InvalidArgument(
        fmt::format("{}: no row group {} / column {}", name_, row_group, column));
  }
  const ParquetColumn& c = columns_[column];
  const ColumnMetaData& m = meta_.row_groups[row_group].columns[column].meta;
  const int64_t rows = meta_.row_groups[row_group].num_rows;
  std::string what = fmt::format("{}: row group {}, column '{}'", name_, row_group, c.name);
  if (m.type != static_cast<int32_t>(leaves_[column].physical)) {
    return DataLoss(fmt::format("{}: chunk type {} differs from the schema's", what, m.type));
  }
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 &&
      *m.dictionary_page_offset < start) {
    start = *m.dictionary_page_offset;
  }
  if (start < 4 || m.total_compressed_size < 0 ||
      static_cast<uint64_t>(start) + static_cast<uint64_t>(m.total_compressed_size) >
          file_.size()) {
    return DataLoss(fmt::format("{}: column chunk lies outside the file", what));
  }
  std::string_view chunk = file_.substr(start, m.total_compressed_size);

  std::vector<Value> out;
  // Counts come from the file: reserve no more than a sane amount up front.
  out.reserve(static_cast<size_t>(std::min<int64_t>(rows, 1 << 16)));
  std::vector<Value> dictionary;
  bool has_dictionary = false;
  std::string page, values_buf;
  size_t pos = 0;
  int page_no = 0;
  while (static_cast<int64_t>(out.size()) < rows) {
    std::string pwhat = fmt::format("{}, page {}", what, page_no++);
    if (pos >= chunk.size()) {
      return DataLoss(fmt::format("{}: chunk ends after {} of {} values", pwhat, out.size(), rows));
    }
    size_t header_len = 0;
    ASSIGN_OR_RETURN(PageHeader h, ReadPageHeader(chunk.substr(pos), pwhat, &header_len));
    pos += header_len;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
        static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos) {
      return DataLoss(fmt::format("{}: page runs past its column chunk", pwhat));
    }
    std::string_view body = chunk.substr(pos, h.compressed_page_size);
    pos += h.compressed_page_size;
    switch (static_cast<PageType>(h.type)) {
      case PageType::kIndex:
        continue;
      case PageType::kDictionary: {
        RETURN_IF_ERROR(Decompress(m.codec, body, h.uncompressed_page_size, page, pwhat));
        if (h.encoding != static_cast<int32_t>(Encoding::kPlain) &&
            h.encoding != static_cast<int32_t>(Encoding::kPlainDictionary)) {
          return Unsupported(pwhat, fmt::format("a {} dictionary page", EncodingName(h.encoding)));
        }
        if (h.num_values < 0) return DataLoss(fmt::format("{}: negative dictionary size", pwhat));
        dictionary.clear();
        RETURN_IF_ERROR(DecodePlain(column, page, h.num_values, dictionary, pwhat));
        has_dictionary = true;
        continue;
      }
      case PageType::kData: {
        RETURN_IF_ERROR(Decompress(m.codec, body, h.uncompressed_page_size, page, pwhat));
        std::string_view data = page;
        size_t n = static_cast<size_t>(std::max(h.num_values, 0));
        if (static_cast<int64_t>(out.size() + n) > rows) {
          return DataLoss(fmt::format("{}: more values than the row group's {} rows", pwhat, rows));
        }
        std::vector<uint32_t> defs;
        if (c.nullable) {
          if (h.definition_level_encoding != static_cast<int32_t>(Encoding::kRle)) {
            return Unsupported(pwhat, fmt::format("{} definition levels",
                                                  EncodingName(h.definition_level_encoding)));
          }
          if (data.size() < 4)
            return DataLoss(fmt::format("{}: truncated definition levels", pwhat));
          uint32_t len;
          std::memcpy(&len, data.data(), 4);
          if (len > data.size() - 4)
            return DataLoss(fmt::format("{}: definition levels past the page", pwhat));
          RETURN_IF_ERROR(RleDecode(data.substr(4, len), 1, n, defs, pwhat));
          data = data.substr(4 + len);
        }
        size_t present = c.nullable ? 0 : n;
        for (uint32_t d : defs) present += d;
        std::vector<Value> vals;
        RETURN_IF_ERROR(DecodeValues(column, h.encoding, data, present,
                                     has_dictionary ? &dictionary : nullptr, vals, pwhat));
        size_t k = 0;
        for (size_t i = 0; i < n; ++i) {
          out.push_back(c.nullable && !defs[i] ? Value::Null() : std::move(vals[k++]));
        }
        continue;
      }
      case PageType::kDataV2: {
        size_t n = static_cast<size_t>(std::max(h.num_values, 0));
        if (static_cast<int64_t>(out.size() + n) > rows) {
          return DataLoss(fmt::format("{}: more values than the row group's {} rows", pwhat, rows));
        }
        if (h.repetition_levels_byte_length != 0) return Unsupported(pwhat, "repetition levels");
        if (h.definition_levels_byte_length < 0 ||
            static_cast<size_t>(h.definition_levels_byte_length) > body.size()) {
          return DataLoss(fmt::format("{}: definition levels past the page", pwhat));
        }
        std::string_view levels = body.substr(0, h.definition_levels_byte_length);
        std::string_view rest = body.substr(h.definition_levels_byte_length);
        size_t raw_size = static_cast<size_t>(h.uncompressed_page_size) - levels.size();
        if (h.is_compressed) {
          RETURN_IF_ERROR(Decompress(m.codec, rest, raw_size, values_buf, pwhat));
          rest = values_buf;
        }
        std::vector<uint32_t> defs;
        if (c.nullable) RETURN_IF_ERROR(RleDecode(levels, 1, n, defs, pwhat));
        size_t present = c.nullable ? 0 : n;
        for (uint32_t d : defs) present += d;
        std::vector<Value> vals;
        RETURN_IF_ERROR(DecodeValues(column, h.encoding, rest, present,
                                     has_dictionary ? &dictionary : nullptr, vals, pwhat));
        size_t k = 0;
        for (size_t i = 0; i < n; ++i) {
          out.push_back(c.nullable && !defs[i] ? Value::Null() : std::move(vals[k++]));
        }
        continue;
      }
      default:
        return Unsupported(pwhat, fmt::format("page type {}", h.type));
    }
  }
  return out;
}

Result<std::vector<std::vector<Value>>> ParquetReader::ReadRowGroup(size_t row_group) const {
  if (row_group >= meta_.row_groups.size()) {
    return InvalidArgument(fmt::format("{}: no row group {}", name_, row_group));
  }
  std::vector<std::vector<Value>> rows;
  for (size_t c = 0; c < columns_.size(); ++c) {
    ASSIGN_OR_RETURN(std::vector<Value> col, ReadColumn(row_group, c));
    if (c == 0) {
      rows.resize(col.size());
      for (auto& r : rows) r.reserve(columns_.size());
    }
    for (size_t i = 0; i < rows.size(); ++i) rows[i].push_back(std::move(col[i]));
  }
  return rows;
}

Result<std::vector<std::vector<Value>>> ParquetReader::ReadRows() const {
  std::vector<std::vector<Value>> all;
  for (size_t g = 0; g < meta_.row_groups.size(); ++g) {
    ASSIGN_OR_RETURN(auto rows, ReadRowGroup(g));
    for (auto& r : rows) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace cutover::parquet
