// The Parquet RowFile: cutover's Parquet writer (parquet/parquet_writer.h) streaming into an
// ObjectUpload, with DMS's S3Settings mapped onto the writer's options:
//
//   ParquetVersion parquet-1-0 | parquet-2-0   v1 | v2 data pages
//   EnableStatistics                           per column chunk min / max / null count
//   RowGroupLength                             rows per row group
//   DataPageSize                               bytes per data page before compression
//   ParquetTimestampInMillisecond              TIMESTAMP(MILLIS) instead of MICROS (a value with
//                                              sub-millisecond digits is refused, not truncated)
//   CompressionType NONE | GZIP | SNAPPY | ZSTD  page compression (SNAPPY, ZSTD: cutover's own)
//
// Memory is one row group (the writer buffers it), so MaxFileSize and CdcMinFileSize see the
// file's size as the bytes uploaded plus the writer's estimate of the open row group.
#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/parquet/parquet_writer.h"
#include "engine/lakehouse/parquet_types.h"
#include "engine/lakehouse/row_file.h"

namespace cutover::lakehouse {
namespace {

using parquet::LogicalKind;
using parquet::ParquetColumn;

// The writer's bytes, appended to the upload as they come.
class UploadSink final : public parquet::ByteSink {
 public:
  explicit UploadSink(ObjectUpload& upload) : upload_(upload) {}
  Status Write(std::string_view bytes) override { return upload_.Append(bytes); }

 private:
  ObjectUpload& upload_;
};

parquet::WriterOptions OptionsOf(const LakehouseSettings& s) {
  parquet::WriterOptions o;
  o.compression = s.compression == "GZIP"     ? parquet::Compression::kGzip
                  : s.compression == "SNAPPY" ? parquet::Compression::kSnappy
                  : s.compression == "ZSTD"   ? parquet::Compression::kZstd
                                              : parquet::Compression::kNone;
  o.version = s.parquet_version == "parquet-2-0" ? 2 : 1;
  o.statistics = s.enable_statistics;
  o.row_group_length = s.row_group_length;
  o.data_page_size = s.data_page_size;
  o.timestamp_unit =
      s.parquet_timestamp_in_millisecond ? parquet::TimeUnit::kMillis : parquet::TimeUnit::kMicros;
  return o;
}

ParquetColumn TextColumn(const std::string& name) {
  ParquetColumn c;
  c.name = name;
  c.kind = LogicalKind::kString;
  c.nullable = false;
  return c;
}

class ParquetRowFile final : public RowFile {
 public:
  ParquetRowFile(std::unique_ptr<ObjectUpload> upload, std::string key, bool with_op,
                 bool with_timestamp)
      : upload_(std::move(upload)),
        sink_(*upload_),
        key_(std::move(key)),
        with_op_(with_op),
        with_timestamp_(with_timestamp) {}

  Status Start(const LakehouseSettings& s, const std::vector<Column>& columns) {
    std::vector<ParquetColumn> schema;
    if (with_op_) schema.push_back(TextColumn(kOpColumn));
    if (with_timestamp_) schema.push_back(TextColumn(s.timestamp_column));
    for (const Column& c : columns) schema.push_back(ParquetColumnFor(c));
    schema.push_back(TextColumn(kPositionColumn));
    auto w = parquet::ParquetWriter::Create(std::move(schema), OptionsOf(s), sink_);
    if (!w.ok()) return w.status().WithContext(key_);
    writer_ = std::move(*w);
    row_.resize(writer_->columns().size());
    scratch_.resize(columns.size());
    return Status::Ok();
  }

  Status Write(char op, const std::string& timestamp, const std::vector<Value>& row,
               const std::string& position) override {
    size_t i = 0;
    if (with_op_) row_[i++] = Value::String(ValueKind::kText, std::string(1, op));
    if (with_timestamp_) row_[i++] = Value::String(ValueKind::kText, timestamp);
    const auto& schema = writer_->columns();
    for (size_t c = 0; c < row.size(); ++c, ++i)
      row_[i] = ParquetValueFor(schema[i], row[c], scratch_[c]);
    row_[i] = Value::String(ValueKind::kText, position);
    RETURN_IF_ERROR(writer_->AppendRow(row_));
    ++rows_;
    return Status::Ok();
  }

  int64_t bytes() const override {
    return static_cast<int64_t>(writer_->bytes_written() + writer_->buffered_bytes());
  }
  int64_t rows() const override { return rows_; }
  const std::string& key() const override { return key_; }
  bool has_op() const override { return with_op_; }

  Status Complete() override {
    auto finished = writer_->Finish();
    if (!finished.ok()) return finished.status().WithContext(key_);
    return upload_->Complete();
  }

 private:
  std::unique_ptr<ObjectUpload> upload_;
  UploadSink sink_;
  std::string key_;
  bool with_op_, with_timestamp_;
  std::unique_ptr<parquet::ParquetWriter> writer_;
  std::vector<Value> row_, scratch_;
  int64_t rows_ = 0;
};

}  // namespace

Result<std::unique_ptr<RowFile>> OpenParquetRowFile(ObjectStore& store, const std::string& key,
                                                    const LakehouseSettings& s,
                                                    const std::vector<Column>& columns,
                                                    bool with_op) {
  ASSIGN_OR_RETURN(auto upload, store.BeginUpload(key));
  auto f = std::make_unique<ParquetRowFile>(std::move(upload), key, with_op,
                                            !s.timestamp_column.empty());
  RETURN_IF_ERROR(f->Start(s, columns));
  return std::unique_ptr<RowFile>(std::move(f));
}

}  // namespace cutover::lakehouse
