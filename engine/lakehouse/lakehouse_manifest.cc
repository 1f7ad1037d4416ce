#include "engine/lakehouse/lakehouse_manifest.h"

#include <nlohmann/json.hpp>
#include <set>

namespace cutover::lakehouse {
namespace {

using nlohmann::json;

json PositionJson(const Position& p) {
  return json{{"text", p.text}, {"major", p.major}, {"minor", p.minor}};
}
Position PositionOf(const json& j) {
  Position p;
  p.text = j.at("text").get<std::string>();
  p.major = j.at("major").get<uint64_t>();
  p.minor = j.at("minor").get<uint64_t>();
  return p;
}

const char* const kKinds[] = {"null",        "unchanged", "bool",  "int64", "uint64", "float64",
                              "decimal",     "text",      "bytes", "date",  "time",   "timestamp",
                              "timestamptz", "json",      "uuid",  "other"};

std::string KindName(ValueKind k) {
  return kKinds[static_cast<int>(k)];
}
ValueKind KindOf(const std::string& s) {
  for (int i = 0; i < static_cast<int>(std::size(kKinds)); ++i)
    if (s == kKinds[i]) return static_cast<ValueKind>(i);
  throw std::runtime_error("unknown column kind '" + s + "'");
}

json SettingsJson(const LakehouseSettings& s) {
  return json{{"DataFormat", s.format == DataFormat::kParquet ? "parquet" : "csv"},
              {"BucketFolder", s.bucket_folder},
              {"CompressionType", s.gzip ? std::string("GZIP") : s.compression},
              {"CsvDelimiter", s.csv_delimiter},
              {"CsvRowDelimiter", s.csv_row_delimiter},
              {"CsvNullValue", s.csv_null_value},
              {"AddColumnName", s.add_column_name},
              {"IncludeOpForFullLoad", s.include_op_for_full_load},
              {"TimestampColumnName", s.timestamp_column},
              {"PreserveTransactions", s.preserve_transactions},
              {"CdcPath", s.cdc_path}};
}
LakehouseSettings SettingsOf(const json& j) {
  LakehouseSettings s;
  s.format = j.at("DataFormat") == "parquet" ? DataFormat::kParquet : DataFormat::kCsv;
  s.bucket_folder = j.at("BucketFolder");
  s.compression = j.at("CompressionType");
  s.gzip = s.compression == "GZIP";
  s.csv_delimiter = j.at("CsvDelimiter");
  s.csv_row_delimiter = j.at("CsvRowDelimiter");
  s.csv_null_value = j.at("CsvNullValue");
  s.add_column_name = j.at("AddColumnName");
  s.include_op_for_full_load = j.at("IncludeOpForFullLoad");
  s.timestamp_column = j.at("TimestampColumnName");
  s.preserve_transactions = j.value("PreserveTransactions", false);
  s.cdc_path = j.value("CdcPath", std::string());
  return s;
}

}  // namespace

TaskState Manifest::ToTaskState() const {
  TaskState st;
  st.applied = applied;
  for (const auto& [name, t] : tables)
    if (t.loaded) st.loaded[t.source] = *t.loaded;
  return st;
}

std::vector<std::string> Manifest::Files() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& [name, t] : tables)
    for (const auto& f : t.files)
      if (seen.insert(f.key).second) out.push_back(f.key);
  return out;
}

void ManifestTable::FollowSchemaChange(const TableSchema& after,
                                       const std::vector<ColumnChange>& changes) {
  // Files written with the current columns keep them as a shape of their own.
  bool current = false;
  for (const CommittedFile& f : files) current |= f.shape < 0;
  if (current) {
    FileShape& shape = shapes.emplace_back();
    for (const Column& c : columns) shape.push_back({c.name, c.kind, c.type_name, c.name, {}});
    for (CommittedFile& f : files)
      if (f.shape < 0) f.shape = static_cast<int>(shapes.size()) - 1;
  }
  for (const ColumnChange& ch : changes) {
    for (FileShape& shape : shapes) {
      switch (ch.kind) {
        case ColumnChange::Kind::kRename:
          for (ShapeColumn& c : shape)
            if (c.as == ch.name) c.as = ch.new_name;
          break;
        case ColumnChange::Kind::kDrop:
          for (ShapeColumn& c : shape)
            if (c.as == ch.name) c.as.clear();
          break;
        case ColumnChange::Kind::kRetype:  // the file keeps the type it was written with
          break;
        case ColumnChange::Kind::kAdd: {
          // Rows written before the column existed take its constant default, as the source
          // filled its rows (a later file that has the column supersedes them).
          const Column& c = after.columns[ch.after_index];
          ShapeColumn added{"", c.kind, c.type_name, c.name, {}};
          if (c.default_value.kind == DefaultKind::kLiteral) added.fill = c.default_value.literal;
          shape.push_back(std::move(added));
          break;
        }
      }
    }
  }
  columns.clear();
  for (const Column& c : after.columns) {
    Column& kept = columns.emplace_back();
    kept.name = c.name;
    kept.kind = c.kind;
    kept.type_name = c.type_name;
  }
  key = after.key;
}

std::string ManifestKey(const std::string& task) {
  return std::string(kControlPrefix) + task + "/manifest.json";
}

std::string EncodeManifest(const Manifest& m) {
  json tables = json::array();
  for (const auto& [name, t] : m.tables) {
    json cols = json::array();
    for (const auto& c : t.columns)
      cols.push_back({{"name", c.name}, {"kind", KindName(c.kind)}, {"type", c.type_name}});
    json files = json::array();
    for (const auto& f : t.files) {
      json fj{{"key", f.key}, {"load", f.load}, {"op", f.op}, {"rows", f.rows}, {"bytes", f.bytes}};
      if (f.shape >= 0) fj["shape"] = f.shape;
      if (f.txn) fj["txn"] = true;
      files.push_back(std::move(fj));
    }
    json shapes = json::array();
    for (const FileShape& shape : t.shapes) {
      json sj = json::array();
      for (const ShapeColumn& c : shape) {
        json cj{{"name", c.name}, {"kind", KindName(c.kind)}, {"type", c.type}, {"as", c.as}};
        if (c.fill) cj["fill"] = *c.fill;
        sj.push_back(std::move(cj));
      }
      shapes.push_back(std::move(sj));
    }
    json tj{{"source_schema", t.source.schema},
            {"source_name", t.source.name},
            {"schema", name.schema},
            {"name", name.name},
            {"source_engine", t.source_engine},
            {"columns", cols},
            {"key", t.key},
            {"files", files},
            {"next_load", t.next_load}};
    if (!t.shapes.empty()) tj["shapes"] = shapes;
    if (t.loaded)
      tj["loaded"] = {{"snapshot", PositionJson(t.loaded->snapshot)}, {"rows", t.loaded->rows}};
    tables.push_back(std::move(tj));
  }
  json j{{"manifest_version", 1},
         {"task", m.task},
         {"settings", SettingsJson(m.settings)},
         {"applied", m.applied ? PositionJson(*m.applied) : json()},
         {"position_column", kPositionColumn},
         {"tables", tables}};
  return j.dump(1) + "\n";
}

Result<Manifest> DecodeManifest(std::string_view text, const std::string& where) {
  try {
    json j = json::parse(text);
    Manifest m;
    m.task = j.at("task");
    m.settings = SettingsOf(j.at("settings"));
    if (!j.at("applied").is_null()) m.applied = PositionOf(j.at("applied"));
    for (const auto& tj : j.at("tables")) {
      ManifestTable t;
      t.name = {tj.at("schema"), tj.at("name")};
      t.source = {tj.at("source_schema"), tj.at("source_name")};
      t.source_engine = tj.at("source_engine");
      for (const auto& cj : tj.at("columns")) {
        Column c;
        c.name = cj.at("name");
        c.kind = KindOf(cj.at("kind"));
        c.type_name = cj.at("type");
        t.columns.push_back(std::move(c));
      }
      t.key = tj.at("key").get<std::vector<size_t>>();
      for (const auto& fj : tj.at("files"))
        t.files.push_back({fj.at("key"), fj.at("load"), fj.at("op"), fj.at("rows"), fj.at("bytes"),
                           fj.value("shape", -1), fj.value("txn", false)});
      if (tj.contains("shapes")) {
        for (const auto& sj : tj.at("shapes")) {
          FileShape& shape = t.shapes.emplace_back();
          for (const auto& cj : sj) {
            ShapeColumn c{cj.at("name"), KindOf(cj.at("kind")), cj.at("type"), cj.at("as"), {}};
            if (cj.contains("fill")) c.fill = cj.at("fill").get<std::string>();
            shape.push_back(std::move(c));
          }
        }
      }
      for (const CommittedFile& f : t.files)
        if (f.shape >= static_cast<int>(t.shapes.size()))
          throw std::runtime_error("file " + f.key + " names shape " + std::to_string(f.shape) +
                                   " of " + std::to_string(t.shapes.size()));
      t.next_load = tj.at("next_load");
      if (tj.contains("loaded"))
        t.loaded = TableLoadState{PositionOf(tj["loaded"].at("snapshot")),
                                  tj["loaded"].at("rows").get<int64_t>()};
      m.tables[t.name] = std::move(t);
    }
    return m;
  } catch (const std::exception& e) {
    return FailedPrecondition(where + ": not a cutover manifest: " + e.what());
  }
}

Result<std::optional<Manifest>> ReadManifest(ObjectStore& store, const std::string& task) {
  std::string key = ManifestKey(task);
  auto text = store.Read(key);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<Manifest>();
    return text.status();
  }
  ASSIGN_OR_RETURN(Manifest m, DecodeManifest(*text, store.Describe() + "/" + key));
  return std::optional<Manifest>(std::move(m));
}

Result<std::vector<Manifest>> ReadAllManifests(ObjectStore& store) {
  ASSIGN_OR_RETURN(auto keys, store.List(kControlPrefix));
  std::vector<Manifest> out;
  for (const auto& k : keys) {
    if (k.size() < 14 || k.substr(k.size() - 14) != "/manifest.json") continue;
    ASSIGN_OR_RETURN(std::string text, store.Read(k));
    ASSIGN_OR_RETURN(Manifest m, DecodeManifest(text, store.Describe() + "/" + k));
    out.push_back(std::move(m));
  }
  return out;
}

Status CheckSameFileSettings(const LakehouseSettings& written, const LakehouseSettings& now) {
  json a = SettingsJson(written), b = SettingsJson(now);
  for (auto it = a.begin(); it != a.end(); ++it)
    if (b[it.key()] != it.value())
      return InvalidArgument("--target-settings: " + it.key() + " is " + b[it.key()].dump() +
                             " but the task's files were written with " + it.value().dump() +
                             ": keep the task's settings, or start a new task in a new folder");
  return Status::Ok();
}

}  // namespace cutover::lakehouse
