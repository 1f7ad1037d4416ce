#include "engine/core/schema_objects.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "engine/core/log.h"

namespace cutover {

const char* SchemaFateName(SchemaFate f) {
  switch (f) {
    case SchemaFate::kCarried:
      return "carried";
    case SchemaFate::kTranslated:
      return "translated";
    case SchemaFate::kNotCarried:
      return "not carried";
  }
  return "?";
}

void SchemaReport::Add(SchemaObjectEntry e) {
  for (const auto& x : entries_)
    if (x.kind == e.kind && x.name == e.name) return;
  entries_.push_back(std::move(e));
}

size_t SchemaReport::Count(SchemaFate f) const {
  size_t n = 0;
  for (const auto& e : entries_) n += e.fate == f;
  return n;
}

namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string SchemaReport::ToJson(const std::string& source_engine,
                                 const std::string& target_engine) const {
  std::string out = "{\"source_engine\": " + JsonString(source_engine) +
                    ", \"target_engine\": " + JsonString(target_engine) +
                    ", \"carried\": " + std::to_string(Count(SchemaFate::kCarried)) +
                    ", \"translated\": " + std::to_string(Count(SchemaFate::kTranslated)) +
                    ", \"not_carried\": " + std::to_string(Count(SchemaFate::kNotCarried)) +
                    ", \"objects\": [";
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    out += std::string(i ? ",\n  " : "\n  ") + "{\"kind\": " + JsonString(e.kind) +
           ", \"name\": " + JsonString(e.name) +
           ", \"fate\": " + JsonString(SchemaFateName(e.fate)) +
           ", \"note\": " + JsonString(e.note) + "}";
  }
  return out + "]}\n";
}

void SchemaReport::Log() const {
  cutover::Log(LogLevel::kInfo, "schema objects: {} carried, {} translated, {} not carried",
               Count(SchemaFate::kCarried), Count(SchemaFate::kTranslated),
               Count(SchemaFate::kNotCarried));
  for (const auto& e : entries_) {
    if (e.fate == SchemaFate::kNotCarried)
      cutover::Log(LogLevel::kWarn, "schema: not carried: {} {}: {}", e.kind, e.name, e.note);
  }
}

bool IndexCovers(const TableSchema& t, const ForeignKey& fk) {
  if (t.key.size() >= fk.columns.size() &&
      std::equal(fk.columns.begin(), fk.columns.end(), t.key.begin()))
    return true;
  for (const Index& ix : t.indexes) {
    if (ix.parts.size() < fk.columns.size() || !ix.where.empty()) continue;
    bool covers = true;
    for (size_t i = 0; i < fk.columns.size(); ++i)
      covers = covers && ix.parts[i].column == fk.columns[i] && ix.parts[i].prefix < 0;
    if (covers) return true;
  }
  return false;
}

namespace {

// Whether `name` appears in `text` as a word (both lower case).
bool NamesWord(const std::string& text, const std::string& name) {
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = text.find(name); !name.empty() && at != std::string::npos;
       at = text.find(name, at + 1)) {
    bool starts = at == 0 || !word_char(text[at - 1]);
    bool ends = at + name.size() >= text.size() || !word_char(text[at + name.size()]);
    if (starts && ends) return true;
  }
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<TableName> TablesNamedIn(const std::string& sql,
                                     const std::vector<TableName>& candidates) {
  const std::string text = Lower(sql);
  std::vector<TableName> out;
  for (const TableName& t : candidates)
    if (NamesWord(text, Lower(t.name))) out.push_back(t);
  return out;
}

const std::pair<TableName, TableName>* RenamedTableIn(const SourceObject& o,
                                                      const TableRenames& renames) {
  const std::string text = Lower(o.definition);
  for (const auto& r : renames) {
    bool refers = o.uses.empty() ? NamesWord(text, Lower(r.first.name))
                                 : std::find(o.uses.begin(), o.uses.end(), r.first) != o.uses.end();
    if (refers) return &r;
  }
  return nullptr;
}

bool RenamedByMapping(const TableSchema& t) {
  return (!t.target_table.empty() && t.target_table != t.name.name) ||
         (!t.target_schema.empty() && t.target_schema != t.name.schema);
}

std::vector<PlannedObject> PlanTriggers(const TableSchema& t, bool same_engine,
                                        const std::string& when) {
  std::vector<PlannedObject> out;
  for (const Trigger& tr : t.triggers) {
    PlannedObject p;
    p.entry = {"trigger", TableObjectName(t, tr.name), SchemaFate::kCarried, when};
    p.target_name = tr.name;
    if (!same_engine) {
      p.entry.fate = SchemaFate::kNotCarried;
      p.entry.note = "a trigger's body is the source engine's SQL and is not translated";
    } else if (RenamedByMapping(t)) {
      p.entry.fate = SchemaFate::kNotCarried;
      p.entry.note =
          "the task's mapping renames its table, which the trigger names as the "
          "source does; recreate it on the target by hand";
    } else if (tr.definition.empty()) {
      p.entry.fate = SchemaFate::kNotCarried;
      p.entry.note = "the source did not show its definition (privileges?)";
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string TableObjectName(const TableSchema& table, const std::string& object) {
  return table.name.ToString() + "." + object;
}

const TableSchema* FindTable(const std::vector<TableSchemaPtr>& tables, const TableName& name) {
  for (const auto& t : tables)
    if (t->name == name) return t.get();
  return nullptr;
}

std::vector<PlannedObject> NotCarriedObjects(const TableSchema& t, const std::string& why) {
  std::vector<PlannedObject> out;
  auto add = [&](std::string kind, std::string name) {
    PlannedObject p;
    p.entry = {std::move(kind), std::move(name), SchemaFate::kNotCarried, why};
    out.push_back(std::move(p));
  };
  for (const Column& c : t.columns) {
    if (c.default_value.kind != DefaultKind::kNone) add("default", TableObjectName(t, c.name));
    if (c.identity != Identity::kNone) add("identity", TableObjectName(t, c.name));
    if (c.on_update_current_timestamp) add("on update", TableObjectName(t, c.name));
  }
  for (const Index& i : t.indexes)
    add(i.constraint ? "unique constraint" : "index", TableObjectName(t, i.name));
  for (const CheckConstraint& c : t.checks) add("check", TableObjectName(t, c.name));
  for (const ForeignKey& fk : t.foreign_keys) add("foreign key", TableObjectName(t, fk.name));
  for (const Trigger& tr : t.triggers) add("trigger", TableObjectName(t, tr.name));
  return out;
}

std::string DefaultLiteralSql(const ColumnDefault& d, bool backslashes) {
  if (!d.quoted) return d.literal;
  std::string out = "'";
  for (char c : d.literal) {
    if (c == '\'') out += '\'';
    if (c == '\\' && backslashes) out += '\\';
    out += c;
  }
  return out + "'";
}

const char* ReferentialActionSql(ReferentialAction a) {
  switch (a) {
    case ReferentialAction::kNoAction:
      return "NO ACTION";
    case ReferentialAction::kRestrict:
      return "RESTRICT";
    case ReferentialAction::kCascade:
      return "CASCADE";
    case ReferentialAction::kSetNull:
      return "SET NULL";
    case ReferentialAction::kSetDefault:
      return "SET DEFAULT";
  }
  return "NO ACTION";
}

std::string ReferentialActionsSql(const ForeignKey& fk) {
  std::string out;
  if (fk.on_delete != ReferentialAction::kNoAction)
    out += std::string(" ON DELETE ") + ReferentialActionSql(fk.on_delete);
  if (fk.on_update != ReferentialAction::kNoAction)
    out += std::string(" ON UPDATE ") + ReferentialActionSql(fk.on_update);
  return out;
}

}  // namespace cutover
