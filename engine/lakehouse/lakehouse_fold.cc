#include "engine/lakehouse/lakehouse_fold.h"

#include <zlib.h>

#include <unordered_map>

#include "engine/lakehouse/csv_format.h"
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

Result<FoldedTable> FoldTable(ObjectStore& store, const LakehouseSettings& s,
                              const ManifestTable& t) {
  if (s.format != DataFormat::kCsv)
    return InvalidArgument("table " + t.name.ToString() +
                           ": Parquet files cannot be read by this build yet");
  CsvFormat f{s.csv_delimiter, s.csv_row_delimiter, s.csv_null_value};
  std::unordered_map<std::string, Latest> by_key;
  std::vector<std::vector<Value>> keyless;
  std::vector<std::optional<std::string>> fields;
  std::string key_bytes;
  for (const CommittedFile& file : t.files) {
    std::string where = store.Describe() + "/" + file.key;
    ASSIGN_OR_RETURN(std::string data, store.Read(file.key));
    if (s.gzip) {
      ASSIGN_OR_RETURN(data, Gunzip(data, where));
    }
    size_t lead = (file.op ? 1 : 0) + (s.timestamp_column.empty() ? 0 : 1);
    size_t want = lead + t.columns.size() + 1;
    CsvReader reader(f, data);
    bool header = s.add_column_name;
    int64_t line = 0;
    for (;;) {
      auto more = reader.Next(fields);
      if (!more.ok()) return more.status().WithContext(where);
      if (!*more) break;
      ++line;
      if (header) {
        header = false;
        continue;
      }
      if (fields.size() != want)
        return FailedPrecondition(where + " record " + std::to_string(line) + ": " +
                                  std::to_string(fields.size()) + " fields, expected " +
                                  std::to_string(want));
      bool del = file.op && fields[0] && *fields[0] == "D";
      std::vector<Value> row;
      row.reserve(t.columns.size());
      for (size_t i = 0; i < t.columns.size(); ++i) {
        const auto& field = fields[lead + i];
        if (!field) {
          row.push_back(Value::Null());
          continue;
        }
        auto v = ParseValueText(*field, t.columns[i]);
        if (!v.ok()) return v.status().WithContext(where + " record " + std::to_string(line));
        row.push_back(std::move(*v));
      }
      std::string position = fields.back().value_or("");
      if (t.key.empty()) {
        if (!del) keyless.push_back(std::move(row));
        continue;
      }
      key_bytes.clear();
      for (size_t k : t.key) row[k].AppendKeyBytes(key_bytes);
      Latest& l = by_key[key_bytes];
      if (!l.position.empty() && l.position > position) continue;
      l.position = std::move(position);
      l.deleted = del;
      l.row = std::move(row);
    }
  }
  FoldedTable out;
  out.table = &t;
  out.rows = std::move(keyless);
  for (auto& [k, l] : by_key)
    if (!l.deleted) out.rows.push_back(std::move(l.row));
  return out;
}

}  // namespace cutover::lakehouse
