#include "engine/task/table_mapping.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "engine/core/table_pattern.h"
#include "engine/task/dms_data_type.h"
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

std::string ApplyNameAction(const NameRule& r, std::string name) {
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

TableName TableMapping::TargetName(const TableName& source, const TableName& landing) const {
  TableName out = landing;
  for (const auto& r : renames_) {
    if (!MatchDmsPattern(r.schema, source.schema)) continue;
    if (r.target == NameTarget::kTable && !MatchDmsPattern(r.table, source.name)) continue;
    if (r.target == NameTarget::kSchema)
      out.schema = ApplyNameAction(r, out.schema);
    else
      out.name = ApplyNameAction(r, out.name);
  }
  return out;
}

std::vector<SourceFilter> TableMapping::Filters(const TableName& source) const {
  std::vector<SourceFilter> out;
  for (const auto& r : selections_) {
    if (r.action == SelectionAction::kExclude || r.filters.empty()) continue;
    bool match =
        r.action == SelectionAction::kExplicit
            ? r.schema == source.schema && r.table == source.name
            : MatchDmsPattern(r.schema, source.schema) && MatchDmsPattern(r.table, source.name);
    if (match) out.insert(out.end(), r.filters.begin(), r.filters.end());
  }
  return out;
}

const DefinedKey* TableMapping::KeyFor(const TableName& source) const {
  const DefinedKey* out = nullptr;
  for (const auto& k : keys_)
    if (MatchDmsPattern(k.schema, source.schema) && MatchDmsPattern(k.table, source.name)) out = &k;
  return out;
}

const TypeChange* TableMapping::TypeChangeFor(const TableName& source, const std::string& column,
                                              const std::string& dms_type) const {
  const TypeChange* out = nullptr;
  for (const auto& c : type_changes_) {
    if (!MatchDmsPattern(c.schema, source.schema) || !MatchDmsPattern(c.table, source.name) ||
        !MatchDmsPattern(c.column, column))
      continue;
    if (!c.source_type.empty() && c.source_type != dms_type) continue;
    out = &c;
  }
  return out;
}

const LobSettings* TableMapping::LobSettingsFor(const TableName& source) const {
  const LobSettings* out = nullptr;
  for (const auto& l : lob_settings_)
    if (MatchDmsPattern(l.schema, source.schema) && MatchDmsPattern(l.table, source.name)) out = &l;
  return out;
}

const ParallelLoad* TableMapping::ParallelLoadFor(const TableName& source) const {
  const ParallelLoad* out = nullptr;
  for (const auto& p : parallel_loads_)
    if (MatchDmsPattern(p.schema, source.schema) && MatchDmsPattern(p.table, source.name)) out = &p;
  return out;
}

bool TableMapping::filters_anything() const {
  for (const auto& r : selections_)
    if (!r.filters.empty()) return true;
  return false;
}

Result<ColumnMapping> TableMapping::MapColumns(const TableName& source,
                                               const std::vector<std::string>& columns) const {
  ColumnMapping m;
  m.target_names = columns;
  m.removed_by.assign(columns.size(), "");
  auto on_table = [&](const ColumnRule& r) {
    return MatchDmsPattern(r.schema, source.schema) && MatchDmsPattern(r.table, source.name);
  };
  // include-column: once any matches this table, only the columns it names travel (DMS).
  std::vector<bool> included(columns.size(), false);
  std::string include_rule;
  for (const auto& r : column_rules_) {
    if (r.action != ColumnAction::kInclude || !on_table(r)) continue;
    if (include_rule.empty()) include_rule = r.id;
    for (size_t i = 0; i < columns.size(); ++i)
      if (MatchDmsPattern(r.column, columns[i])) included[i] = true;
  }
  for (size_t i = 0; i < columns.size() && !include_rule.empty(); ++i) {
    if (!included[i]) m.removed_by[i] = include_rule;
  }
  for (const auto& r : column_rules_) {
    if (!on_table(r)) continue;
    if (r.action == ColumnAction::kAdd) {
      AddedColumn a;
      a.rule_id = r.id;
      a.name = r.value;
      auto expr = ColumnExpression::Parse(r.expression);
      if (!expr.ok())
        return expr.status().WithContext("table mapping rule " + r.id + " (add-column " + r.value +
                                         ")");
      a.expression = std::move(expr).value();
      a.has_operation = a.expression.uses_operation_indicator();
      for (const auto& c : a.expression.columns()) {
        if (std::find(columns.begin(), columns.end(), c) == columns.end())
          return InvalidArgument("table mapping rule " + r.id + " (add-column " + r.value +
                                 "): table " + source.ToString() + " has no column " + c);
      }
      m.added.push_back(std::move(a));
      continue;
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      if (!MatchDmsPattern(r.column, columns[i])) continue;
      if (r.action == ColumnAction::kRemove)
        m.removed_by[i] = r.id;
      else if (r.action == ColumnAction::kName)
        m.target_names[i] = ApplyNameAction(r.naming, m.target_names[i]);
    }
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!m.removed_by[i].empty()) m.target_names[i].clear();
    if (m.target_names[i] != columns[i]) m.changes_anything = true;
  }
  if (!m.added.empty()) m.changes_anything = true;
  return m;
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
    std::stable_sort(
        out_.column_rules_.begin(), out_.column_rules_.end(),
        [](const ColumnRule& a, const ColumnRule& b) { return Num(a.id) < Num(b.id); });
    std::stable_sort(
        out_.keys_.begin(), out_.keys_.end(),
        [](const DefinedKey& a, const DefinedKey& b) { return Num(a.rule_id) < Num(b.rule_id); });
    std::stable_sort(
        out_.type_changes_.begin(), out_.type_changes_.end(),
        [](const TypeChange& a, const TypeChange& b) { return Num(a.rule_id) < Num(b.rule_id); });
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
    TableSettings(r, id);
  }

  void TableSettings(JsonObject& r, const std::string& id) {
    r.CheckKeys({"rule-type", "rule-id", "rule-name", "object-locator", "parallel-load",
                 "lob-settings", "bulk-max-size"});
    std::string schema, table;  // read once: a rule may carry both settings
    TableLocator(r, schema, table);
    if (r.Has("lob-settings")) LobSettingsRule(r, id, schema, table);
    if (r.Has("parallel-load")) ParallelLoadRule(r, id, schema, table);
    if (!r.Has("lob-settings") && !r.Has("parallel-load"))
      problems_.Error(r.path(), "rule " + id + ": expected \"parallel-load\" or \"lob-settings\"");
  }

  // A table-settings rule's object-locator (schema-name and table-name patterns).
  void TableLocator(JsonObject& r, std::string& schema, std::string& table) {
    const nlohmann::json* loc = r.Object("object-locator");
    if (!loc) {
      problems_.Error(r.path(), "missing object-locator");
      return;
    }
    JsonObject l(*loc, r.PathOf("object-locator"), problems_);
    l.CheckKeys({"schema-name", "table-name"});
    schema = l.String("schema-name").value_or("");
    table = l.String("table-name").value_or("");
    if (schema.empty()) problems_.Error(l.path(), "missing schema-name");
    if (table.empty()) problems_.Error(l.path(), "missing table-name");
  }

  // lob-settings: {"mode": "limited" | "unlimited" | "none", "bulk-max-size": "KB"}.
  void LobSettingsRule(JsonObject& r, const std::string& id, const std::string& schema,
                       const std::string& table) {
    LobSettings out;
    out.rule_id = id;
    out.schema = schema;
    out.table = table;
    const nlohmann::json* v = r.Object("lob-settings");
    if (!v) return;
    JsonObject o(*v, r.PathOf("lob-settings"), problems_);
    o.CheckKeys({"mode", "bulk-max-size"});
    out.mode = o.Enum("mode", {"limited", "unlimited", "none"}).value_or("");
    if (!o.Has("mode")) problems_.Error(o.path(), "missing mode (limited, unlimited or none)");
    out.bulk_max_size_kb = o.Int("bulk-max-size", 0, INT32_MAX).value_or(-1);
    if (auto n = r.Int("bulk-max-size", 0, INT32_MAX); n && out.bulk_max_size_kb < 0)
      out.bulk_max_size_kb = *n;
    if (out.mode == "limited" && out.bulk_max_size_kb < 0)
      problems_.Error(o.path(), "rule " + id + ": limited mode needs \"bulk-max-size\" (KB)");
    out_.lob_settings_.push_back(std::move(out));
  }

  // parallel-load: the table's same-table split of the full load (engine/core/load_split.h).
  void ParallelLoadRule(JsonObject& r, const std::string& id, const std::string& schema,
                        const std::string& table) {
    ParallelLoad p;
    p.rule_id = id;
    p.schema = schema;
    p.table = table;
    const nlohmann::json* pl = r.Object("parallel-load");
    if (!pl) return;
    JsonObject o(*pl, r.PathOf("parallel-load"), problems_);
    o.CheckKeys({"type", "columns", "boundaries", "partitions", "subpartitions",
                 "number-of-partitions", "collection-count-from-metadata",
                 "max-records-skip-per-page", "batch-size"});
    auto type = o.Enum("type", {"none", "ranges", "partitions-auto", "partitions-list",
                                "subpartitions-auto", "subpartitions-list"});
    if (!o.Has("type")) problems_.Error(o.path(), "missing type");
    if (!type) return;
    if (*type == "subpartitions-auto" || *type == "subpartitions-list") {
      problems_.Error(o.PathOf("type"), "rule " + id + ": " + *type +
                                            " is not supported by cutover (ranges, "
                                            "partitions-auto, partitions-list or none)");
      return;
    }
    p.type = *type == "ranges"            ? ParallelLoadType::kRanges
             : *type == "partitions-auto" ? ParallelLoadType::kPartitionsAuto
             : *type == "partitions-list" ? ParallelLoadType::kPartitionsList
                                          : ParallelLoadType::kNone;
    if (p.type == ParallelLoadType::kRanges) {
      const nlohmann::json* cols = o.Array("columns");
      const nlohmann::json* bounds = o.Array("boundaries");
      if (!cols || cols->empty()) problems_.Error(o.path(), "rule " + id + ": ranges need columns");
      if (!bounds || bounds->empty())
        problems_.Error(o.path(), "rule " + id + ": ranges need boundaries");
      if (!cols || !bounds) return;
      for (size_t i = 0; i < cols->size(); ++i) {
        if (!(*cols)[i].is_string()) {
          problems_.Error(o.PathOf("columns") + "[" + std::to_string(i) + "]",
                          "expected a column name (string)");
          continue;
        }
        p.columns.push_back((*cols)[i].get<std::string>());
      }
      for (size_t i = 0; i < bounds->size(); ++i) {
        std::string bpath = o.PathOf("boundaries") + "[" + std::to_string(i) + "]";
        const nlohmann::json& b = (*bounds)[i];
        if (!b.is_array() || b.size() != cols->size()) {
          problems_.Error(bpath, "expected an array of " + std::to_string(cols->size()) +
                                     " value(s), one per column");
          continue;
        }
        std::vector<std::string> values;
        for (const auto& v : b) {
          if (v.is_string())
            values.push_back(v.get<std::string>());
          else if (v.is_number_integer())
            values.push_back(v.dump());
          else
            problems_.Error(bpath, "expected values as strings or integers");
        }
        p.boundaries.push_back(std::move(values));
      }
    }
    out_.parallel_loads_.push_back(std::move(p));
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
    if (const nlohmann::json* f = r.Array("filters")) {
      if (rule.action == SelectionAction::kExclude && !f->empty())
        problems_.Error(r.PathOf("filters"), "rule " + id + ": an exclude rule has no filters");
      for (size_t i = 0; i < f->size(); ++i)
        Filter((*f)[i], r.PathOf("filters") + "[" + std::to_string(i) + "]", rule);
    }
    out_.selections_.push_back(std::move(rule));
  }

  void Filter(const nlohmann::json& v, const std::string& path, SelectionRule& rule) {
    JsonObject f(v, path, problems_);
    f.CheckKeys({"filter-type", "column-name", "filter-conditions"});
    auto type = f.Enum("filter-type", {"source"});
    if (!type && !f.Has("filter-type")) problems_.Error(path, "missing filter-type (\"source\")");
    SourceFilter out;
    out.rule_id = rule.id;
    out.column = f.String("column-name").value_or("");
    if (out.column.empty()) problems_.Error(path, "missing column-name");
    const nlohmann::json* conds = f.Array("filter-conditions");
    if (!conds || conds->empty()) {
      if (!f.Has("filter-conditions") || (conds && conds->empty()))
        problems_.Error(f.PathOf("filter-conditions"),
                        "expected a non-empty array of {\"filter-operator\": ..., \"value\": ...}");
      return;
    }
    static const std::vector<std::pair<std::string, FilterOp>> kOps = {
        {"eq", FilterOp::kEq},
        {"noteq", FilterOp::kNotEq},
        {"ste", FilterOp::kLte},
        {"lte", FilterOp::kLte},
        {"gte", FilterOp::kGte},
        {"between", FilterOp::kBetween},
        {"notbetween", FilterOp::kNotBetween},
        {"null", FilterOp::kNull},
        {"notnull", FilterOp::kNotNull}};
    std::vector<std::string> names;
    for (const auto& [n, op] : kOps) names.push_back(n);
    for (size_t i = 0; i < conds->size(); ++i) {
      JsonObject c((*conds)[i], f.PathOf("filter-conditions") + "[" + std::to_string(i) + "]",
                   problems_);
      c.CheckKeys({"filter-operator", "value", "start-value", "end-value"});
      auto op = c.Enum("filter-operator", names);
      if (!c.Has("filter-operator")) problems_.Error(c.path(), "missing filter-operator");
      if (!op) continue;
      FilterCondition cond;
      for (const auto& [n, o] : kOps)
        if (n == *op) cond.op = o;
      auto value = c.String("value");
      auto start = c.String("start-value");
      auto end = c.String("end-value");
      bool range = cond.op == FilterOp::kBetween || cond.op == FilterOp::kNotBetween;
      bool nullness = cond.op == FilterOp::kNull || cond.op == FilterOp::kNotNull;
      if (range) {
        if (!start || !end)
          problems_.Error(c.path(), *op + " needs \"start-value\" and \"end-value\"");
        cond.start = start.value_or("");
        cond.end = end.value_or("");
      } else if (!nullness) {
        if (!value) problems_.Error(c.path(), *op + " needs \"value\"");
        cond.value = value.value_or("");
      }
      out.conditions.push_back(std::move(cond));
    }
    rule.filters.push_back(std::move(out));
  }

  void Column(JsonObject& r, const std::string& id, const std::string& action,
              const NameRule& naming, const std::string& column) {
    ColumnRule c;
    c.id = id;
    c.name = naming.name;
    c.schema = naming.schema;
    c.table = naming.table;
    c.column = column;
    c.naming = naming;
    if (action == "remove-column") {
      c.action = ColumnAction::kRemove;
    } else if (action == "include-column") {
      c.action = ColumnAction::kInclude;
    } else if (action == "add-column") {
      c.action = ColumnAction::kAdd;
      c.value = naming.value;
      c.expression = r.String("expression").value_or("");
      if (c.value.empty())
        problems_.Error(r.path(), "rule " + id + ": add-column needs \"value\" (the new column)");
      if (c.expression.empty()) {
        problems_.Error(r.path(), "rule " + id + ": add-column needs \"expression\"");
      } else if (auto e = ColumnExpression::Parse(c.expression); !e.ok()) {
        problems_.Error(r.PathOf("expression"), "rule " + id + ": " + e.status().message());
      }
    } else {
      std::optional<NameAction> name_action = NameActionOf(r, id, action, naming);
      if (!name_action) {
        problems_.Error(r.PathOf("rule-action"),
                        "rule " + id + ": " + action +
                            " on columns is not supported by this version of cutover; remove "
                            "the rule");
        return;
      }
      c.action = ColumnAction::kName;
      c.naming.action = *name_action;
      if (*name_action == NameAction::kRename && column.find_first_of("%[") != std::string::npos)
        problems_.Error(r.PathOf("object-locator") + ".column-name",
                        "rule " + id + ": rename names one column: no wildcards");
    }
    if (c.action != ColumnAction::kAdd && column.empty())
      problems_.Error(r.PathOf("object-locator"),
                      "rule " + id + ": missing column-name (the column the rule applies to)");
    out_.column_rules_.push_back(std::move(c));
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
    std::string column, source_type;
    if (const nlohmann::json* loc = r.Object("object-locator")) {
      JsonObject l(*loc, r.PathOf("object-locator"), problems_);
      l.CheckKeys({"schema-name", "table-name", "column-name", "data-type", "table-tablespace-name",
                   "index-tablespace-name"});
      rule.schema = l.String("schema-name").value_or("%");
      rule.table = l.String("table-name").value_or("%");
      column = l.String("column-name").value_or("");
      source_type = l.String("data-type").value_or("");
    } else {
      problems_.Error(r.path(), "missing object-locator");
    }
    if (!target || !action) return;
    if (*action == "define-primary-key") return DefineKey(r, id, *target, rule);
    if (*action == "change-data-type") return ChangeType(r, id, *target, rule, column, source_type);
    if (*target == "column") return Column(r, id, *action, rule, column);
    if (*target != "schema" && *target != "table") {
      problems_.Error(r.PathOf("rule-target"),
                      "rule " + id + ": transformations of " + *target +
                          "s are not supported by this version of cutover (schema and table "
                          "names only); remove the rule");
      return;
    }
    std::optional<NameAction> name_action = NameActionOf(r, id, *action, rule);
    if (!name_action) {
      problems_.Error(r.PathOf("rule-action"),
                      "rule " + id + ": " + *action + " applies to columns, not to a " + *target);
      return;
    }
    rule.action = *name_action;
    rule.target = *target == "schema" ? NameTarget::kSchema : NameTarget::kTable;
    out_.renames_.push_back(std::move(rule));
  }

  // define-primary-key: "primary-key-def": {"name": ..., "origin": "primary-key" |
  // "unique-index", "columns": [...]} on a rule-target table.
  void DefineKey(JsonObject& r, const std::string& id, const std::string& target,
                 const NameRule& rule) {
    if (target != "table") {
      problems_.Error(r.PathOf("rule-target"),
                      "rule " + id + ": define-primary-key applies to a table, not a " + target);
      return;
    }
    DefinedKey k;
    k.rule_id = id;
    k.schema = rule.schema;
    k.table = rule.table;
    const nlohmann::json* def = r.Object("primary-key-def");
    if (!def) {
      if (!r.Has("primary-key-def"))
        problems_.Error(r.path(), "rule " + id +
                                      ": define-primary-key needs \"primary-key-def\": "
                                      "{\"name\", \"origin\", \"columns\"}");
      return;
    }
    JsonObject d(*def, r.PathOf("primary-key-def"), problems_);
    d.CheckKeys({"name", "origin", "columns"});
    k.name = d.String("name").value_or("");
    k.unique_index = d.Enum("origin", {"primary-key", "unique-index"}) == "unique-index";
    const nlohmann::json* cols = d.Array("columns");
    if (!cols || cols->empty()) {
      if (!d.Has("columns") || cols)  // a value of another type is named by Array
        problems_.Error(d.PathOf("columns"), "expected a non-empty array of column names");
      return;
    }
    for (size_t i = 0; i < cols->size(); ++i) {
      const nlohmann::json& c = (*cols)[i];
      if (!c.is_string() || c.get<std::string>().empty()) {
        problems_.Error(d.PathOf("columns") + "[" + std::to_string(i) + "]",
                        "expected a column name (a non-empty string)");
        continue;
      }
      if (std::find(k.columns.begin(), k.columns.end(), c.get<std::string>()) != k.columns.end())
        problems_.Error(d.PathOf("columns") + "[" + std::to_string(i) + "]",
                        "column " + c.get<std::string>() + " is named twice");
      k.columns.push_back(c.get<std::string>());
    }
    out_.keys_.push_back(std::move(k));
  }

  // change-data-type: "data-type": {"type": ..., "length", "precision", "scale"} on a
  // rule-target column.
  void ChangeType(JsonObject& r, const std::string& id, const std::string& target,
                  const NameRule& rule, const std::string& column, const std::string& source_type) {
    if (target != "column") {
      problems_.Error(r.PathOf("rule-target"),
                      "rule " + id + ": change-data-type applies to a column, not a " + target);
      return;
    }
    TypeChange c;
    c.rule_id = id;
    c.schema = rule.schema;
    c.table = rule.table;
    c.column = column.empty() ? "%" : column;
    c.source_type = source_type;
    if (column.empty() && source_type.empty())
      problems_.Error(
          r.PathOf("object-locator"),
          "rule " + id + ": missing column-name (or data-type) of the columns to change");
    const nlohmann::json* dt = r.Object("data-type");
    if (!dt) {
      if (!r.Has("data-type"))
        problems_.Error(r.path(),
                        "rule " + id + ": change-data-type needs \"data-type\": {\"type\": ...}");
      return;
    }
    JsonObject d(*dt, r.PathOf("data-type"), problems_);
    d.CheckKeys({"type", "length", "precision", "scale"});
    c.type = d.Enum("type", DmsDataTypes()).value_or("");
    if (!d.Has("type")) problems_.Error(d.path(), "missing type");
    c.length = d.Int("length", 1, INT32_MAX).value_or(-1);
    c.precision = static_cast<int>(d.Int("precision", 1, 1000).value_or(-1));
    c.scale = static_cast<int>(d.Int("scale", 0, 1000).value_or(-1));
    if (c.precision > 0 && c.scale > c.precision)
      problems_.Error(d.PathOf("scale"), "scale " + std::to_string(c.scale) +
                                             " is larger than precision " +
                                             std::to_string(c.precision));
    if (!c.type.empty()) out_.type_changes_.push_back(std::move(c));
  }

  // The name action (rename, case, prefix, suffix) `action` names, for schema, table and column
  // rules alike, with an error for each value it needs that `values` lacks; nullopt, and no
  // error, when `action` is not a name action.
  std::optional<NameAction> NameActionOf(JsonObject& r, const std::string& id,
                                         const std::string& action, const NameRule& values) {
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
                           [&](const auto& p) { return p.first == action; });
    if (it == kNameActions.end()) return std::nullopt;
    NameAction a = it->second;
    if (a != NameAction::kLowercase && a != NameAction::kUppercase && values.value.empty())
      problems_.Error(r.path(), "rule " + id + ": " + action + " needs a non-empty \"value\"");
    if ((a == NameAction::kReplacePrefix || a == NameAction::kReplaceSuffix) &&
        values.old_value.empty())
      problems_.Error(r.path(), "rule " + id + ": " + action + " needs \"old-value\"");
    return a;
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
