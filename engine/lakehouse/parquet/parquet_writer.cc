// ParquetWriter (see parquet_writer.h for the design).
#include "engine/lakehouse/parquet/parquet_writer.h"

#include <set>

#include <fmt/format.h>

#include "engine/lakehouse/parquet/column_chunk_writer.h"
#include "engine/lakehouse/parquet/parquet_metadata.h"
#include "engine/lakehouse/parquet/parquet_values.h"

namespace cutover::parquet {

namespace {

constexpr std::string_view kMagic = "PAR1";

// The footer's schema element for one column: physical type, repetition, LogicalType and the
// legacy ConvertedType where one means the same.
SchemaElement LeafElement(const ParquetColumn& c, const WriterOptions& o) {
  SchemaElement e;
  e.name = c.name;
  e.type = static_cast<int32_t>(PhysicalTypeOf(c));
  e.type_length = FixedLengthOf(c);
  e.repetition = c.nullable ? 1 : 0;
  LogicalTypeInfo& l = e.logical;
  switch (c.kind) {
    case LogicalKind::kBoolean:
    case LogicalKind::kFloat:
    case LogicalKind::kDouble:
    case LogicalKind::kBinary:
      break;
    case LogicalKind::kInt: {
      l.tag = LogicalTypeInfo::kInteger;
      l.bit_width = static_cast<int8_t>(c.int_bits);
      l.is_signed = c.int_signed;
      int index = c.int_bits == 8 ? 0 : c.int_bits == 16 ? 1 : c.int_bits == 32 ? 2 : 3;
      e.converted_type = (c.int_signed ? kCtInt8 : kCtUint8) + index;
      break;
    }
    case LogicalKind::kDecimal:
      l.tag = LogicalTypeInfo::kDecimal;
      l.decimal_precision = c.precision;
      l.decimal_scale = c.scale;
      e.precision = c.precision;
      e.scale = c.scale;
      e.converted_type = kCtDecimal;
      break;
    case LogicalKind::kString:
      l.tag = LogicalTypeInfo::kString;
      e.converted_type = kCtUtf8;
      break;
    case LogicalKind::kJson:
      l.tag = LogicalTypeInfo::kJson;
      e.converted_type = kCtJson;
      break;
    case LogicalKind::kDate:
      l.tag = LogicalTypeInfo::kDate;
      e.converted_type = kCtDate;
      break;
    case LogicalKind::kTime:
      // The legacy TIME_MICROS means "adjusted to UTC": only then is it the same type.
      l.tag = LogicalTypeInfo::kTime;
      l.adjusted_to_utc = c.adjusted_to_utc;
      l.time_unit = 2;
      if (c.adjusted_to_utc) e.converted_type = kCtTimeMicros;
      break;
    case LogicalKind::kTimestamp:
      l.tag = LogicalTypeInfo::kTimestamp;
      l.adjusted_to_utc = c.adjusted_to_utc;
      l.time_unit = o.timestamp_unit == TimeUnit::kMillis ? 1 : 2;
      if (c.adjusted_to_utc) {
        e.converted_type =
            o.timestamp_unit == TimeUnit::kMillis ? kCtTimestampMillis : kCtTimestampMicros;
      }
      break;
    case LogicalKind::kUuid:
      break;  // refused by Create
  }
  return e;
}

Status CheckColumn(const ParquetColumn& c) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument(
        fmt::format("Parquet column '{}' ({}): {}", c.name, DescribeColumnType(c), why));
  };
  if (c.name.empty()) return bad("empty name");
  switch (c.kind) {
    case LogicalKind::kInt:
      if (c.int_bits != 8 && c.int_bits != 16 && c.int_bits != 32 && c.int_bits != 64) {
        return bad("integer width must be 8, 16, 32 or 64");
      }
      return Status::Ok();
    case LogicalKind::kDecimal:
      if (c.precision < 1 || c.precision > 38) return bad("precision must be 1..38");
      if (c.scale < 0 || c.scale > c.precision) return bad("scale must be 0..precision");
      return Status::Ok();
    case LogicalKind::kTime:
      if (c.unit != TimeUnit::kMicros) return bad("times are written in microseconds");
      return Status::Ok();
    case LogicalKind::kUuid:
      return bad("the writer stores UUIDs as STRING (DMS's mapping)");
    default:
      return Status::Ok();
  }
}

}  // namespace

struct ParquetWriter::Footer {
  FileMetaData meta;
};

ParquetWriter::ParquetWriter(std::vector<ParquetColumn> columns, WriterOptions options,
                             ByteSink& sink)
    : columns_(std::move(columns)), options_(options), sink_(sink), footer_(new Footer) {}

ParquetWriter::~ParquetWriter() = default;

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Create(std::vector<ParquetColumn> columns,
                                                             WriterOptions options,
                                                             ByteSink& sink) {
  if (columns.empty()) return InvalidArgument("a Parquet file needs at least one column");
  std::set<std::string> names;
  for (ParquetColumn& c : columns) {
    RETURN_IF_ERROR(CheckColumn(c));
    if (!names.insert(c.name).second) {
      return InvalidArgument(fmt::format("Parquet column '{}' appears twice", c.name));
    }
    if (c.kind == LogicalKind::kTimestamp) c.unit = options.timestamp_unit;
  }
  if (options.row_group_length < 1) return InvalidArgument("RowGroupLength must be at least 1");
  if (options.data_page_size < 1) return InvalidArgument("DataPageSize must be at least 1");
  if (options.version != 1 && options.version != 2) {
    return InvalidArgument("Parquet version must be 1 (parquet-1-0) or 2 (parquet-2-0)");
  }
  std::unique_ptr<ParquetWriter> w(new ParquetWriter(std::move(columns), options, sink));
  FileMetaData& m = w->footer_->meta;
  m.version = options.version;
  m.created_by = "cutover version " CUTOVER_VERSION;
  m.type_defined_column_orders = options.statistics;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(w->columns_.size());
  m.schema.push_back(root);
  for (const ParquetColumn& c : w->columns_) {
    m.schema.push_back(LeafElement(c, options));
    w->chunks_.push_back(std::make_unique<ColumnChunkWriter>(c, options));
  }
  return w;
}

Status ParquetWriter::Emit(std::string_view bytes) {
  RETURN_IF_ERROR(sink_.Write(bytes));
  offset_ += bytes.size();
  return Status::Ok();
}

uint64_t ParquetWriter::buffered_bytes() const {
  uint64_t n = 0;
  for (const auto& c : chunks_) n += c->buffered_bytes();
  return n;
}

Status ParquetWriter::AppendRow(std::span<const Value> row) {
  if (finished_) return Internal("Parquet writer used after Finish");
  if (row.size() != columns_.size()) {
    return InvalidArgument(fmt::format("row has {} values, the Parquet schema {} columns",
                                       row.size(), columns_.size()));
  }
  // Encode every value first so a bad one leaves no column holding part of the row.
  std::vector<std::string>& plains = row_plains_;
  plains.resize(row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    plains[i].clear();
    const ParquetColumn& c = columns_[i];
    if (row[i].is_null()) {
      if (!c.nullable) {
        return InvalidArgument(fmt::format("column '{}': NULL in a required column", c.name));
      }
      continue;
    }
    if (row[i].is_unchanged()) {
      return InvalidArgument(
          fmt::format("column '{}': an unchanged (TOAST) marker is not a value", c.name));
    }
    Status s = AppendPlain(c, options_.timestamp_unit, row[i], plains[i]);
    if (!s.ok()) return s.WithContext(fmt::format("column '{}'", c.name));
  }
  for (size_t i = 0; i < row.size(); ++i) chunks_[i]->Add(row[i].is_null(), plains[i]);
  ++rows_;
  if (++rows_in_group_ >= options_.row_group_length) return FlushRowGroup();
  return Status::Ok();
}

Status ParquetWriter::FlushRowGroup() {
  if (rows_in_group_ == 0) return Status::Ok();
  if (offset_ == 0) RETURN_IF_ERROR(Emit(kMagic));
  RowGroup rg;
  rg.num_rows = rows_in_group_;
  std::string bytes;
  for (auto& chunk : chunks_) {
    int64_t at = static_cast<int64_t>(offset_ + bytes.size());
    ASSIGN_OR_RETURN(ColumnChunk cc, chunk->Flush(at, bytes));
    rg.total_byte_size += cc.meta.total_uncompressed_size;
    if (cc.meta.dictionary_page_offset) ++stats_.dictionary_columns;
    rg.columns.push_back(std::move(cc));
  }
  RETURN_IF_ERROR(Emit(bytes));
  stats_.uncompressed_bytes += static_cast<uint64_t>(rg.total_byte_size);
  footer_->meta.row_groups.push_back(std::move(rg));
  rows_in_group_ = 0;
  return Status::Ok();
}

Result<FileStats> ParquetWriter::Finish() {
  if (finished_) return Internal("Parquet writer finished twice");
  RETURN_IF_ERROR(FlushRowGroup());
  if (offset_ == 0) RETURN_IF_ERROR(Emit(kMagic));
  finished_ = true;
  FileMetaData& m = footer_->meta;
  m.num_rows = rows_;
  std::string footer;
  WriteFileMetaData(m, footer);
  uint32_t len = static_cast<uint32_t>(footer.size());
  for (int i = 0; i < 4; ++i) footer.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  footer += kMagic;
  RETURN_IF_ERROR(Emit(footer));
  stats_.rows = rows_;
  stats_.row_groups = static_cast<int64_t>(m.row_groups.size());
  stats_.bytes = offset_;
  return stats_;
}

}  // namespace cutover::parquet
