#include "validator/table_pairing.h"

#include "engine/pipeline/table_routing.h"

#include <strings.h>
#include <algorithm>
#include <map>

#include "engine/core/table_pattern.h"
#include "engine/core/uri.h"
#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/row_filter.h"
#include "engine/registry/registry.h"
#include "engine/task/dms_data_type.h"

namespace cutover::validator {
namespace {

// Every column a table has: the replicated ones, then those the engine computes (generated
// columns a PostgreSQL catalog lists in TableSchema::computed). All of them are compared.
std::vector<const Column*> AllColumns(const TableSchema& t) {
  std::vector<const Column*> out;
  for (const auto& c : t.columns) out.push_back(&c);
  for (const auto& c : t.computed) out.push_back(&c);
  return out;
}

const Column* FindColumn(const TableSchema& t, const std::string& name) {
  for (const Column* c : AllColumns(t))
    if (c->name == name) return c;
  for (const Column* c : AllColumns(t))  // MariaDB column names are case-insensitive
    if (strcasecmp(c->name.c_str(), name.c_str()) == 0) return c;
  return nullptr;
}

}  // namespace

CanonicalRulePair RulesForColumn(const Column& source, const std::string& source_engine,
                                 const std::string& target_engine) {
  const EngineDriver* target = FindEngine(target_engine);
  if (!target) return {};
  TableSchema one;
  one.engine = source_engine;
  one.columns.push_back(source);
  std::vector<ColumnRules> rules = target->TargetRules(one);
  return rules.empty() ? CanonicalRulePair{} : CanonicalRuleFor(rules[0]);
}

Result<std::vector<TablePair>> PairTables(const PairingRequest& req) {
  RETURN_IF_ERROR(EngineForUri(req.source_uri, "--source").status());
  ASSIGN_OR_RETURN(const EngineDriver* target_engine, EngineForUri(req.target_uri, "--target"));
  std::vector<std::string> patterns = req.patterns;
  if (!req.task.empty()) {
    ASSIGN_OR_RETURN(auto state, target_engine->ReadTaskState(req.target_uri, req.task));
    std::vector<TableName> names;
    if (state)
      for (const auto& [name, load] : state->loaded) names.push_back(name);
    if (names.empty())
      return NotFound("--task " + req.task + ": the target has no loaded tables for this task");
    TablePatterns filter(req.patterns);
    patterns.clear();
    for (const auto& n : names)
      if (filter.Select(n)) patterns.push_back(n.schema + "." + n.name);
    RETURN_IF_ERROR(filter.CheckAllUsed().WithContext("--task " + req.task));
  }
  ASSIGN_OR_RETURN(auto source, MakeSource(req.source_uri, SourceOptions{}));
  TableSelection selection{patterns, {}, {}};
  if (req.mapping) {
    selection.rules = [&](const TableName& n) { return req.mapping->Selects(n); };
  }
  auto source_tables = source->DiscoverTablesOrFail(selection);
  if (!source_tables.ok()) return source_tables.status().WithContext("source");
  if (req.mapping) RETURN_IF_ERROR(req.mapping->CheckSelectionsUsed());
  TableRouting routing(req.mapping, "");
  for (auto& t : *source_tables) t = routing.Route(t);
  Result<std::unique_ptr<Source>> target = MakeSource(req.target_uri, SourceOptions{});
  // A readable target that cannot be opened (an s3:// target without credentials) says why.
  if (!target.ok() && target_engine->capabilities().readable)
    return target.status().WithContext("--target");
  if (!target.ok())
    return Status(target.status().code(),
                  "--target: " + std::string(target_engine->display_name()) +
                      " targets cannot be validated yet");
  auto all_target = (*target)->DiscoverTablesOrFail({});
  std::map<TableName, TableSchemaPtr> on_target;
  if (all_target.ok()) {
    for (auto& t : *all_target) on_target[t->name] = t;
  } else if (all_target.status().code() != StatusCode::kNotFound) {
    return all_target.status().WithContext("target");
  }

  std::vector<TablePair> out;
  for (const auto& s : *source_tables) {
    ASSIGN_OR_RETURN(TableName tn, target_engine->TargetTable(*s, req.target_uri));
    auto it = on_target.find(tn);
    if (it == on_target.end())
      return NotFound("table " + s->name.ToString() + ": not found on the target (expected " +
                      tn.ToString() + ")");
    const TableSchema& t = *it->second;
    TablePair p;
    p.source_schema = s;
    p.target_schema = it->second;
    p.source.name = s->name;
    p.target.name = t.name;
    bool cross = s->engine != t.engine;
    p.source.bytewise_text_keys = p.target.bytewise_text_keys = cross;
    // The target engine's own rules for the source's columns (docs/types.md, "Lossy rules").
    std::vector<ColumnRules> target_rules = target_engine->TargetRules(*s);
    std::vector<size_t> source_index;  // compared column i = source column source_index[i]
    std::vector<std::pair<size_t, task::ValueConversion>> conversions;  // by compared column
    std::vector<const Column*> source_columns = AllColumns(*s);
    // The mapping's column rules: renamed columns are compared under their target names,
    // removed ones are not compared, added ones exist only on the target by design.
    task::ColumnMapping columns_map;
    if (req.mapping && req.mapping->maps_columns()) {
      std::vector<std::string> names;
      for (const Column* c : source_columns) names.push_back(c->name);
      ASSIGN_OR_RETURN(columns_map, req.mapping->MapColumns(s->name, names));
    }
    auto target_name = [&](size_t i) {
      return columns_map.target_names.empty() ? source_columns[i]->name
                                              : columns_map.target_names[i];
    };
    auto added = [&](const std::string& name) {
      for (const auto& a : columns_map.added)
        if (a.name == name) return true;
      return false;
    };
    auto mapped_from_source = [&](const std::string& name) {
      for (size_t i = 0; i < source_columns.size(); ++i)
        if (target_name(i) == name) return true;
      return false;
    };
    for (size_t i = 0; i < source_columns.size(); ++i) {
      const Column& sc = *source_columns[i];
      if (target_name(i).empty()) continue;  // removed by the mapping
      const Column* tc = FindColumn(t, target_name(i));
      if (!tc) {
        p.schema_differences.push_back("column " + sc.name + " exists only on the source");
        continue;
      }
      // A change-data-type rule gives the target column another type on purpose.
      bool retyped = req.mapping && req.mapping->changes_types() &&
                     req.mapping->TypeChangeFor(s->name, sc.name, task::DmsTypeName(sc));
      if (!cross && !retyped && sc.type_name != tc->type_name)
        p.schema_differences.push_back("column " + sc.name + ": type " + sc.type_name +
                                       " on the source, " + tc->type_name + " on the target");
      CanonicalRulePair rules = i < target_rules.size()
                                    ? CanonicalRuleFor(target_rules[i])
                                    : RulesForColumn(sc, s->engine, t.engine);  // computed
      if (retyped) {
        // A rule that changes the kind of value: the source's values are compared converted
        // as the task converted them (task/value_conversion.h), exactly, without the source
        // type's rules.
        ASSIGN_OR_RETURN(task::TypeChangePlan plan,
                         task::PlanTypeChange(sc, *req.mapping->TypeChangeFor(
                                                      s->name, sc.name, task::DmsTypeName(sc))));
        if (plan.conversion) {
          conversions.push_back({p.source.columns.size(), std::move(*plan.conversion)});
          rules = CanonicalRulePair{};
        }
      }
      p.source.columns.push_back(sc);
      p.source.rules.push_back(rules.source);
      p.target.columns.push_back(*tc);
      p.target.rules.push_back(rules.target);
      source_index.push_back(i);
    }
    for (const Column* tc : AllColumns(t))
      if (!mapped_from_source(tc->name) && !added(tc->name))
        p.schema_differences.push_back("column " + tc->name + " exists only on the target");
    if (p.source.columns.empty())
      return FailedPrecondition("table " + s->name.ToString() +
                                ": no column has the same name on the source and the target");
    // The task's key: the source's, or the one its mapping defines (define-primary-key).
    std::vector<size_t> key = s->key;
    if (const task::DefinedKey* def = req.mapping ? req.mapping->KeyFor(s->name) : nullptr) {
      key.clear();
      for (const std::string& name : def->columns) {
        for (size_t i = 0; i < s->columns.size(); ++i)
          if (s->columns[i].name == name) key.push_back(i);
      }
      if (key.size() != def->columns.size())
        return InvalidArgument("--table-mappings rule " + def->rule_id +
                               " (define-primary-key): table " + s->name.ToString() +
                               " lacks a column it names");
    }
    if (key.empty()) {
      p.keyless_reason = "the source table has no primary key (or replica identity)";
    } else {
      for (size_t k : key) {
        auto pos = std::find(source_index.begin(), source_index.end(), k);
        if (pos == source_index.end()) {
          p.keyless_reason = "key column " + s->columns[k].name + " is missing on the target";
          break;
        }
        p.source.key.push_back(static_cast<size_t>(pos - source_index.begin()));
      }
      if (!p.keyless_reason.empty()) p.source.key.clear();
    }
    p.target.key = p.source.key;
    if (!conversions.empty()) {
      for (const auto& [i, conversion] : conversions)
        if (std::find(p.source.key.begin(), p.source.key.end(), i) != p.source.key.end())
          p.one_range = true;
      auto shared = std::make_shared<const std::vector<std::pair<size_t, task::ValueConversion>>>(
          std::move(conversions));
      p.source.convert_row = [shared](std::vector<Value>& row) {
        for (const auto& [i, conversion] : *shared)
          if (i < row.size()) (void)conversion.Convert(row[i]);  // a refused value stays as is
      };
    }
    // The task's source filters: only the rows it replicates are compared (FilteredScanner).
    if (req.mapping) {
      std::vector<task::SourceFilter> filters = req.mapping->Filters(s->name);
      if (!filters.empty()) {
        TableSchema compared;  // the filter sees the compared columns, in comparison order
        compared.name = s->name;
        compared.engine = s->engine;
        compared.columns = p.source.columns;
        compared.key = p.source.key;
        auto filter = RowFilter::Compile(compared, filters);
        if (!filter.ok())
          return filter.status().WithContext(
              "--table-mappings (a filtered column must be compared: it must not be removed "
              "by the mapping nor missing on the target)");
        auto shared = std::make_shared<const RowFilter>(std::move(*filter));
        p.source.keep_row = [shared](const std::vector<Value>& row) {
          return shared->Evaluate(row) == FilterVerdict::kPass;
        };
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace cutover::validator
