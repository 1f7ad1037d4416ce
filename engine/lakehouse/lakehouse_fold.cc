#include "engine/lakehouse/lakehouse_fold.h"

#include <zlib.h>

#include <optional>
#include <unordered_map>

#include "engine/lakehouse/csv_format.h"
#include "engine/lakehouse/parquet/parquet_reader.h"
#include "engine/lakehouse/parquet_types.h"
#include "engine/lakehouse/value_text.h"

namespace cutover::lakehouse {
namespace {

Result<std::string> Gunzip(const std::string& in, const std::string& where) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return Internal("zlib: inflateInit2 failed");
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[1 << 16];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return FailedPrecondition(where + ": not a complete gzip file");
    }
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

struct Latest {
  std::string position;
  bool deleted = false;
  std::vector<Value> row;
};

}  // namespace

namespace {

// Folds records into `by_key` / `keyless`: the state shared by the CSV and Parquet readers.
class Folder {
 public:
  explicit Folder(const ManifestTable& t) : t_(t) {}

  void Add(bool del, std::vector<Value> row, std::string position) {
    if (t_.key.empty()) {
      if (!del) keyless_.push_back(std::move(row));
      return;
    }
    key_bytes_.clear();
    for (size_t k : t_.key) row[k].AppendKeyBytes(key_bytes_);
    Latest& l = by_key_[key_bytes_];
    if (!l.position.empty() && l.position > position) return;
    l.position = std::move(position);
    l.deleted = del;
    l.row = std::move(row);
  }

  FoldedTable Finish() {
    FoldedTable out;
    out.table = &t_;
    out.rows = std::move(keyless_);
    for (auto& [k, l] : by_key_)
      if (!l.deleted) out.rows.push_back(std::move(l.row));
    return out;
  }

 private:
  const ManifestTable& t_;
  std::unordered_map<std::string, Latest> by_key_;
  std::vector<std::vector<Value>> keyless_;
  std::string key_bytes_;
};

// How a file's columns give the table's current columns (lakehouse_manifest.h: a file written
// before a schema change has a shape of its own).
struct FileColumns {
  std::vector<std::string> physical;  // the file's columns, in the order written
  // Per current column: its index in `physical`, or kAbsent (then `fill`, else NULL).
  static constexpr size_t kAbsent = static_cast<size_t>(-1);
  std::vector<size_t> index;
  std::vector<const Column*> written;  // per current column: the column as written, if other
  std::vector<Column> written_columns;
  std::vector<std::optional<Value>> fill;
};

Result<FileColumns> ColumnsOf(const ManifestTable& t, const CommittedFile& file,
                              const std::string& where) {
  FileColumns out;
  out.index.assign(t.columns.size(), FileColumns::kAbsent);
  out.written.assign(t.columns.size(), nullptr);
  out.fill.resize(t.columns.size());
  if (file.shape < 0) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      out.physical.push_back(t.columns[i].name);
      out.index[i] = i;
    }
    return out;
  }
  const FileShape& shape = t.shapes[file.shape];
  out.written_columns.reserve(shape.size());
  for (const ShapeColumn& c : shape) {
    size_t at = FileColumns::kAbsent;
    if (!c.name.empty()) {
      at = out.physical.size();
      out.physical.push_back(c.name);
    }
    if (c.as.empty()) continue;  // dropped since
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name != c.as) continue;
      out.index[i] = at;
      if (at == FileColumns::kAbsent) {
        if (c.fill) {
          auto v = ParseValueText(*c.fill, t.columns[i]);
          if (!v.ok()) return v.status().WithContext(where + ": the value of added column " + c.as);
          out.fill[i] = std::move(*v);
        }
      } else if (c.kind != t.columns[i].kind || c.type != t.columns[i].type_name) {
        Column& w = out.written_columns.emplace_back(t.columns[i]);
        w.kind = c.kind;
        w.type_name = c.type;
        out.written[i] = &w;
      }
    }
  }
  return out;
}

// A value read as column `written` brought to the table's current column `now` (a retyped
// column): through its text form.
Result<Value> Retyped(Value v, const Column& written, const Column& now) {
  if (v.is_null() || written.kind == now.kind) return v;
  std::string text;
  AppendValueText(v, text);
  return ParseValueText(text, now);
}

Status FoldCsv(const LakehouseSettings& s, const ManifestTable& t, const CommittedFile& file,
               const std::string& data, const std::string& where, Folder& folder) {
  CsvFormat f{s.csv_delimiter, s.csv_row_delimiter, s.csv_null_value};
  ASSIGN_OR_RETURN(FileColumns fc, ColumnsOf(t, file, where));
  std::vector<std::optional<std::string>> fields;
  // A transaction file's rows name their table and schema after Op; the rows of other tables
  // are skipped.
  size_t lead = (file.op ? 1 : 0) + (file.txn ? 2 : 0) + (s.timestamp_column.empty() ? 0 : 1);
  size_t want = lead + fc.physical.size() + 1;
  CsvReader reader(f, data);
  bool header = s.add_column_name;
  int64_t line = 0;
  for (;;) {
    auto more = reader.Next(fields);
    if (!more.ok()) return more.status().WithContext(where);
    if (!*more) break;
    ++line;
    if (header && !file.txn) {
      header = false;
      continue;
    }
    if (file.txn) {
      if (fields.size() < 3 || !fields[1] || !fields[2])
        return FailedPrecondition(where + " record " + std::to_string(line) +
                                  ": expected Op, table, schema first");
      if (*fields[1] != t.name.name || *fields[2] != t.name.schema) continue;
    }
    if (fields.size() != want)
      return FailedPrecondition(where + " record " + std::to_string(line) + ": " +
                                std::to_string(fields.size()) + " fields, expected " +
                                std::to_string(want));
    bool del = file.op && fields[0] && *fields[0] == "D";
    std::vector<Value> row;
    row.reserve(t.columns.size());
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (fc.index[i] == FileColumns::kAbsent) {
        row.push_back(fc.fill[i] ? *fc.fill[i] : Value::Null());
        continue;
      }
      const auto& field = fields[lead + fc.index[i]];
      if (!field) {
        row.push_back(Value::Null());
        continue;
      }
      const Column& as = fc.written[i] ? *fc.written[i] : t.columns[i];
      auto v = ParseValueText(*field, as);
      if (v.ok() && fc.written[i]) v = Retyped(std::move(*v), as, t.columns[i]);
      if (!v.ok()) return v.status().WithContext(where + " record " + std::to_string(line));
      row.push_back(std::move(*v));
    }
    folder.Add(del, std::move(row), fields.back().value_or(""));
  }
  return Status::Ok();
}

// A Parquet file's columns are found by name (Op, the table's columns, cutover_position), so
// the fold does not depend on the order the writer chose; each row group is read at once.
Status FoldParquet(const ManifestTable& t, const CommittedFile& file, const std::string& data,
                   const std::string& where, Folder& folder) {
  ASSIGN_OR_RETURN(parquet::ParquetReader reader, parquet::ParquetReader::Open(data, where));
  const auto& cols = reader.columns();
  auto find = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i = 0; i < cols.size(); ++i)
      if (cols[i].name == name) return i;
    return std::nullopt;
  };
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t op = kNone, position = find(kPositionColumn).value_or(kNone);
  if (file.op) {
    op = find(kOpColumn).value_or(kNone);
    if (op == kNone) return FailedPrecondition(where + ": no column " + kOpColumn);
  }
  if (position == kNone) return FailedPrecondition(where + ": no column " + kPositionColumn);
  ASSIGN_OR_RETURN(FileColumns fc, ColumnsOf(t, file, where));
  std::vector<size_t> index;  // per current column: the Parquet column, or kNone
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (fc.index[c] == FileColumns::kAbsent) {
      index.push_back(kNone);
      continue;
    }
    const std::string& name = fc.physical[fc.index[c]];
    auto i = find(name);
    if (!i) return FailedPrecondition(where + ": no column " + name);
    index.push_back(*i);
  }
  for (size_t g = 0; g < reader.num_row_groups(); ++g) {
    ASSIGN_OR_RETURN(auto rows, reader.ReadRowGroup(g));
    for (size_t r = 0; r < rows.size(); ++r) {
      auto& in = rows[r];
      bool del = op != kNone && !in[op].is_null() && in[op].str() == "D";
      std::vector<Value> row;
      row.reserve(index.size());
      for (size_t i = 0; i < index.size(); ++i) {
        if (index[i] == kNone) {
          row.push_back(fc.fill[i] ? *fc.fill[i] : Value::Null());
          continue;
        }
        const Column& as = fc.written[i] ? *fc.written[i] : t.columns[i];
        auto v = ColumnValueFromParquet(std::move(in[index[i]]), as);
        if (v.ok() && fc.written[i]) v = Retyped(std::move(*v), as, t.columns[i]);
        if (!v.ok())
          return v.status().WithContext(where + " row group " + std::to_string(g) + " row " +
                                        std::to_string(r));
        row.push_back(std::move(*v));
      }
      folder.Add(del, std::move(row), in[position].is_null() ? "" : in[position].str());
    }
  }
  return Status::Ok();
}

}  // namespace

Result<FoldedTable> FoldTable(ObjectStore& store, const LakehouseSettings& s,
                              const ManifestTable& t) {
  Folder folder(t);
  for (const CommittedFile& file : t.files) {
    std::string where = store.Describe() + "/" + file.key;
    ASSIGN_OR_RETURN(std::string data, store.Read(file.key));
    if (s.format == DataFormat::kParquet && !file.txn) {  // transaction files are CSV
      RETURN_IF_ERROR(FoldParquet(t, file, data, where, folder));
      continue;
    }
    if (s.gzip) {
      ASSIGN_OR_RETURN(data, Gunzip(data, where));
    }
    RETURN_IF_ERROR(FoldCsv(s, t, file, data, where, folder));
  }
  return folder.Finish();
}

}  // namespace cutover::lakehouse
