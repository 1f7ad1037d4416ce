#include "engine/task/table_mapping.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "engine/core/table_pattern.h"
#include "engine/task/json_reader.h"

namespace cutover::task {

bool MatchDmsPattern(std::string_view p, std::string_view t) {
  return MatchWildcardPattern(p, t, /*single_char_wildcards=*/true);
}

bool TableMapping::Selects(const TableName& source) const {
  if (used_.size() != selections_.size()) used_.assign(selections_.size(), false);
  bool in = false, out = false;
  for (size_t i = 0; i < selections_.size(); ++i) {
    const auto& r = selections_[i];
    bool match =
        r.action == SelectionAction::kExplicit
            ? r.schema == source.schema && r.table == source.name
            : MatchDmsPattern(r.schema, source.schema) && MatchDmsPattern(r.table, source.name);
    if (!match) continue;
    used_[i] = true;
    if (r.action == SelectionAction::kExclude)
      out = true;
    else
      in = true;
  }
  return in && !out;
}

Status TableMapping::CheckSelectionsUsed() const {
  for (size_t i = 0; i < selections_.size(); ++i) {
    const auto& r = selections_[i];
    if (r.action == SelectionAction::kExclude) continue;
    if (i >= used_.size() || !used_[i]) {
      return NotFound("table mapping rule " + r.id + " (" + r.name + ") selects no table: " +
                      r.schema + "." + r.table + " matches nothing on the source");
    }
  }
  return Status::Ok();
}

int64_t TableMapping::LoadOrder(const TableName& source) const {
  int64_t order = 0;
  for (const auto& r : selections_) {
    if (r.action == SelectionAction::kExclude) continue;
    bool match = MatchDmsPattern(r.schema, source.schema) && MatchDmsPattern(r.table, source.name);
    if (match) order = std::max(order, r.load_order);
  }
  return order;
}

namespace {

std::string Apply(const NameRule& r, std::string name) {
  auto starts = [&](const std::string& p) { return name.compare(0, p.size(), p) == 0; };
  auto ends = [&](const std::string& s) {
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  switch (r.action) {
    case NameAction::kRename:
      return r.value;
    case NameAction::kLowercase:
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return name;
    case NameAction::kUppercase:
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return name;
    case NameAction::kAddPrefix:
      return r.value + name;
    case NameAction::kRemovePrefix:
      return starts(r.value) ? name.substr(r.value.size()) : name;
    case NameAction::kReplacePrefix:
      return starts(r.old_value) ? r.value + name.substr(r.old_value.size()) : name;
    case NameAction::kAddSuffix:
      return name + r.value;
    case NameAction::kRemoveSuffix:
      return ends(r.value) ? name.substr(0, name.size() - r.value.size()) : name;
    case NameAction::kReplaceSuffix:
      return ends(r.old_value) ? name.substr(0, name.size() - r.old_value.size()) + r.value : name;
  }
  return name;
}

}  // namespace

TableName TableMapping::TargetName(const TableName& source, const TableName& landing) const {
  TableName out = landing;
  for (const auto& r : renames_) {
    if (!MatchDmsPattern(r.schema, source.schema)) continue;
    if (r.target == NameTarget::kTable && !MatchDmsPattern(r.table, source.name)) continue;
    if (r.target == NameTarget::kSchema)
      out.schema = Apply(r, out.schema);
    else
      out.name = Apply(r, out.name);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

class TableMappingReader {
 public:
  TableMappingReader(JsonProblems& problems) : problems_(problems) {}

  TableMapping Read(const nlohmann::json& doc) {
    JsonObject root(doc, "$", problems_);
    root.CheckKeys({"rules"});
    const nlohmann::json* rules = root.Array("rules");
    if (!rules) {
      if (problems_.ok()) problems_.Error("$", "expected \"rules\": [...] (DMS table mapping)");
      return std::move(out_);
    }
    for (size_t i = 0; i < rules->size(); ++i)
      Rule((*rules)[i], "$.rules[" + std::to_string(i) + "]");
    if (out_.selections_.empty() && problems_.ok())
      problems_.Error("$.rules", "no selection rule: DMS needs at least one to select tables");
    // Transformations apply in rule-id order (numeric where the ids are numbers).
    std::stable_sort(out_.renames_.begin(), out_.renames_.end(),
                     [](const NameRule& a, const NameRule& b) { return Num(a.id) < Num(b.id); });
    return std::move(out_);
  }

 private:
  static int64_t Num(const std::string& s) {
    int64_t n = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    return r.ec == std::errc() ? n : INT64_MAX;
  }

  void Rule(const nlohmann::json& v, const std::string& path) {
    JsonObject r(v, path, problems_);
    auto type = r.Enum("rule-type", {"selection", "transformation", "table-settings"});
    if (!r.Has("rule-type")) {
      problems_.Error(path, "missing rule-type (selection, transformation or table-settings)");
      return;
    }
    std::string id = r.String("rule-id").value_or("");
    if (id.empty()) problems_.Error(path, "missing rule-id");
    if (!type) return;
    if (*type == "selection") return Selection(r, id);
    if (*type == "transformation") return Transformation(r, id);
    r.CheckKeys({"rule-type", "rule-id", "rule-name", "object-locator", "parallel-load",
                 "lob-settings", "bulk-max-size"});
    problems_.Error(path, "rule " + id +
                              ": table-settings rules (parallel-load, lob-settings) are not "
                              "supported by this version of cutover; remove the rule");
  }

  void Selection(JsonObject& r, const std::string& id) {
    r.CheckKeys({"rule-type", "rule-id", "rule-name", "rule-action", "object-locator", "filters",
                 "load-order"});
    SelectionRule rule;
    rule.id = id;
    rule.name = r.String("rule-name").value_or("");
    auto action = r.Enum("rule-action", {"include", "exclude", "explicit"});
    if (!r.Has("rule-action")) problems_.Error(r.path(), "missing rule-action");
    rule.action = action == "exclude"    ? SelectionAction::kExclude
                  : action == "explicit" ? SelectionAction::kExplicit
                                         : SelectionAction::kInclude;
    rule.load_order = r.Int("load-order", INT32_MIN, INT32_MAX).value_or(0);
    const nlohmann::json* loc = r.Object("object-locator");
    if (!loc) {
      problems_.Error(r.path(), "missing object-locator");
    } else {
      JsonObject l(*loc, r.PathOf("object-locator"), problems_);
      l.CheckKeys({"schema-name", "table-name", "table-type"});
      rule.schema = l.String("schema-name").value_or("");
      rule.table = l.String("table-name").value_or("");
      if (rule.schema.empty()) problems_.Error(l.path(), "missing schema-name");
      if (rule.table.empty()) problems_.Error(l.path(), "missing table-name");
      auto type = l.Enum("table-type", {"table", "view", "all"});
      if (type && *type == "view")
        problems_.Error(l.PathOf("table-type"),
                        "views are not replicated by cutover (tables only); use \"table\"");
      if (rule.action == SelectionAction::kExplicit &&
          (rule.schema.find_first_of("%_[") != std::string::npos ||
           rule.table.find_first_of("%[") != std::string::npos)) {
        // '_' is common in real names: only '%' and '[' make an explicit table name a pattern.
        if (rule.schema.find_first_of("%[") != std::string::npos ||
            rule.table.find_first_of("%[") != std::string::npos)
          problems_.Error(l.path(), "an explicit rule names one table exactly: no wildcards");
      }
    }
    if (const nlohmann::json* f = r.Array("filters"); f && !f->empty()) {
      problems_.Error(r.PathOf("filters"),
                      "rule " + id +
                          ": source filters are not supported by this version of cutover; "
                          "remove them or replicate the whole table");
    }
    out_.selections_.push_back(std::move(rule));
  }

  void Transformation(JsonObject& r, const std::string& id) {
    r.CheckKeys({"rule-type", "rule-id", "rule-name", "rule-action", "rule-target",
                 "object-locator", "value", "old-value", "data-type", "expression",
                 "primary-key-def", "before-image-def"});
    NameRule rule;
    rule.id = id;
    rule.name = r.String("rule-name").value_or("");
    auto target = r.Enum("rule-target", {"schema", "table", "column", "table-tablespace",
                                         "index-tablespace", "constraint"});
    if (!r.Has("rule-target")) problems_.Error(r.path(), "missing rule-target");
    static const std::vector<std::string> kActions = {"rename",
                                                      "convert-lowercase",
                                                      "convert-uppercase",
                                                      "add-prefix",
                                                      "remove-prefix",
                                                      "replace-prefix",
                                                      "add-suffix",
                                                      "remove-suffix",
                                                      "replace-suffix",
                                                      "remove-column",
                                                      "include-column",
                                                      "change-data-type",
                                                      "define-primary-key",
                                                      "add-column",
                                                      "add-before-image-columns",
                                                      "data-masking-digits-mask",
                                                      "data-masking-digits-randomize",
                                                      "data-masking-hash-mask"};
    auto action = r.Enum("rule-action", kActions);
    if (!r.Has("rule-action")) problems_.Error(r.path(), "missing rule-action");
    rule.value = r.String("value").value_or("");
    rule.old_value = r.String("old-value").value_or("");
    if (const nlohmann::json* loc = r.Object("object-locator")) {
      JsonObject l(*loc, r.PathOf("object-locator"), problems_);
      l.CheckKeys({"schema-name", "table-name", "column-name", "data-type", "table-tablespace-name",
                   "index-tablespace-name"});
      rule.schema = l.String("schema-name").value_or("%");
      rule.table = l.String("table-name").value_or("%");
    } else {
      problems_.Error(r.path(), "missing object-locator");
    }
    if (!target || !action) return;
    if (*target != "schema" && *target != "table") {
      problems_.Error(r.PathOf("rule-target"),
                      "rule " + id + ": transformations of " + *target +
                          "s are not supported by this version of cutover (schema and table "
                          "names only); remove the rule");
      return;
    }
    static const std::vector<std::pair<std::string, NameAction>> kNameActions = {
        {"rename", NameAction::kRename},
        {"convert-lowercase", NameAction::kLowercase},
        {"convert-uppercase", NameAction::kUppercase},
        {"add-prefix", NameAction::kAddPrefix},
        {"remove-prefix", NameAction::kRemovePrefix},
        {"replace-prefix", NameAction::kReplacePrefix},
        {"add-suffix", NameAction::kAddSuffix},
        {"remove-suffix", NameAction::kRemoveSuffix},
        {"replace-suffix", NameAction::kReplaceSuffix}};
    auto it = std::find_if(kNameActions.begin(), kNameActions.end(),
                           [&](const auto& p) { return p.first == *action; });
    if (it == kNameActions.end()) {
      problems_.Error(r.PathOf("rule-action"),
                      "rule " + id + ": " + *action + " applies to columns, not to a " + *target);
      return;
    }
    rule.action = it->second;
    rule.target = *target == "schema" ? NameTarget::kSchema : NameTarget::kTable;
    bool needs_value =
        rule.action != NameAction::kLowercase && rule.action != NameAction::kUppercase;
    if (needs_value && rule.value.empty())
      problems_.Error(r.path(), "rule " + id + ": " + *action + " needs a non-empty \"value\"");
    bool needs_old =
        rule.action == NameAction::kReplacePrefix || rule.action == NameAction::kReplaceSuffix;
    if (needs_old && rule.old_value.empty())
      problems_.Error(r.path(), "rule " + id + ": " + *action + " needs \"old-value\"");
    out_.renames_.push_back(std::move(rule));
  }

  JsonProblems& problems_;
  TableMapping out_;
};

namespace {

Result<TableMapping> Finish(std::optional<nlohmann::json> doc, JsonProblems& problems,
                            std::vector<std::string>* warnings) {
  TableMapping m;
  if (doc) m = TableMappingReader(problems).Read(*doc);
  if (warnings) {
    for (const auto& w : problems.warnings()) warnings->push_back(w);
  }
  RETURN_IF_ERROR(problems.ToStatus());
  return m;
}

}  // namespace

Result<TableMapping> ParseTableMapping(std::string_view text, const std::string& file,
                                       std::vector<std::string>* warnings) {
  JsonProblems problems(file);
  auto doc = ParseJson(text, problems);
  return Finish(std::move(doc), problems, warnings);
}

Result<TableMapping> ReadTableMappingFile(const std::string& path,
                                          std::vector<std::string>* warnings) {
  JsonProblems problems(path);
  auto doc = ReadJsonFile(path, problems);
  return Finish(std::move(doc), problems, warnings);
}

}  // namespace cutover::task
