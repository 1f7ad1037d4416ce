// The CSV RowFile: fields spelled by value_text.h and quoted by csv_format.h, optionally gzip
// (zlib's deflate with a gzip wrapper, streamed: memory stays one buffer whatever the file size).
// A transaction file is the same writer with the row's table and schema after Op.
#include <zlib.h>

#include "engine/lakehouse/csv_format.h"
#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/row_file.h"
#include "engine/lakehouse/value_text.h"

namespace cutover::lakehouse {
namespace {

constexpr size_t kFlushAt = 1 << 16;

class CsvRowFile final : public RowFile {
 public:
  CsvRowFile(std::unique_ptr<ObjectUpload> upload, std::string key, const LakehouseSettings& s,
             bool with_op)
      : upload_(std::move(upload)), key_(std::move(key)), s_(s), with_op_(with_op) {
    f_.delimiter = s.csv_delimiter;
    f_.row_delimiter = s.csv_row_delimiter;
    f_.null_value = s.csv_null_value;
  }
  ~CsvRowFile() override {
    if (zinit_) deflateEnd(&z_);
  }

  Status Start(const std::vector<Column>& columns) {
    if (s_.gzip) {
      if (deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return Internal("zlib: deflateInit2 failed for " + key_);
      zinit_ = true;
    }
    if (!s_.add_column_name || transaction_) return Status::Ok();
    bool first = true;
    auto name = [&](const std::string& n) {
      AppendCsvField(f_, std::string_view(n), first, buf_);
      first = false;
    };
    if (with_op_) name(kOpColumn);
    if (!s_.timestamp_column.empty()) name(s_.timestamp_column);
    for (const auto& c : columns) name(c.name);
    name(kPositionColumn);
    buf_ += f_.row_delimiter;
    return Status::Ok();
  }

  Status Write(char op, const std::string& timestamp, const std::vector<Value>& row,
               const std::string& position) override {
    bool first = true;
    if (with_op_) {
      char o[2] = {op, 0};
      AppendCsvField(f_, std::string_view(o, 1), first, buf_);
      first = false;
    }
    if (transaction_) {
      AppendCsvField(f_, std::string_view(table_.name), first, buf_);
      AppendCsvField(f_, std::string_view(table_.schema), false, buf_);
      first = false;
    }
    if (!s_.timestamp_column.empty()) {
      AppendCsvField(f_, std::string_view(timestamp), first, buf_);
      first = false;
    }
    for (const Value& v : row) {
      if (v.is_null()) {
        AppendCsvField(f_, std::nullopt, first, buf_);
      } else {
        text_.clear();
        AppendValueText(v, text_);
        AppendCsvField(f_, std::string_view(text_), first, buf_);
      }
      first = false;
    }
    AppendCsvField(f_, std::string_view(position), first, buf_);
    buf_ += f_.row_delimiter;
    ++rows_;
    if (buf_.size() >= kFlushAt) return Flush(false);
    return Status::Ok();
  }

  // A transaction file's next row lands in `table`.
  void SetTransactionTable(const TableName& table) {
    transaction_ = true;
    table_ = table;
  }

  int64_t bytes() const override { return upload_->bytes() + static_cast<int64_t>(buf_.size()); }
  int64_t rows() const override { return rows_; }
  const std::string& key() const override { return key_; }
  bool has_op() const override { return with_op_; }

  Status Complete() override {
    RETURN_IF_ERROR(Flush(true));
    return upload_->Complete();
  }

 private:
  Status Flush(bool finish) {
    if (!s_.gzip) {
      RETURN_IF_ERROR(upload_->Append(buf_));
      buf_.clear();
      return Status::Ok();
    }
    z_.next_in = reinterpret_cast<Bytef*>(buf_.data());
    z_.avail_in = static_cast<uInt>(buf_.size());
    char out[1 << 16];
    int rc;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out);
      z_.avail_out = sizeof out;
      rc = deflate(&z_, finish ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return Internal("zlib: deflate failed for " + key_);
      RETURN_IF_ERROR(upload_->Append(std::string_view(out, sizeof out - z_.avail_out)));
    } while (z_.avail_out == 0 || (finish && rc != Z_STREAM_END));
    buf_.clear();
    return Status::Ok();
  }

  std::unique_ptr<ObjectUpload> upload_;
  std::string key_;
  const LakehouseSettings& s_;
  CsvFormat f_;
  bool with_op_;
  bool transaction_ = false;
  TableName table_;
  std::string buf_, text_;
  int64_t rows_ = 0;
  z_stream z_{};
  bool zinit_ = false;
};

class CsvTransactionFile final : public TransactionFile {
 public:
  explicit CsvTransactionFile(std::unique_ptr<CsvRowFile> f) : f_(std::move(f)) {}
  Status Write(char op, const TableName& table, const std::string& timestamp,
               const std::vector<Value>& row, const std::string& position) override {
    f_->SetTransactionTable(table);
    return f_->Write(op, timestamp, row, position);
  }
  int64_t bytes() const override { return f_->bytes(); }
  int64_t rows() const override { return f_->rows(); }
  Status Complete() override { return f_->Complete(); }
  const std::string& key() const override { return f_->key(); }

 private:
  std::unique_ptr<CsvRowFile> f_;
};

}  // namespace

Result<std::unique_ptr<TransactionFile>> OpenTransactionFile(ObjectStore& store,
                                                             const std::string& key,
                                                             const LakehouseSettings& s) {
  ASSIGN_OR_RETURN(auto upload, store.BeginUpload(key));
  auto f = std::make_unique<CsvRowFile>(std::move(upload), key, s, true);
  f->SetTransactionTable(TableName{});
  RETURN_IF_ERROR(f->Start({}));
  return std::unique_ptr<TransactionFile>(new CsvTransactionFile(std::move(f)));
}

Result<std::unique_ptr<RowFile>> OpenCsvRowFile(ObjectStore& store, const std::string& key,
                                                const LakehouseSettings& s,
                                                const std::vector<Column>& columns, bool with_op) {
  ASSIGN_OR_RETURN(auto upload, store.BeginUpload(key));
  auto f = std::make_unique<CsvRowFile>(std::move(upload), key, s, with_op);
  RETURN_IF_ERROR(f->Start(columns));
  return std::unique_ptr<RowFile>(std::move(f));
}

}  // namespace cutover::lakehouse
