#include "validator/table_pairing.h"

#include "engine/pipeline/table_routing.h"

#include <strings.h>
#include <algorithm>
#include <map>

#include "engine/core/naming.h"
#include "engine/core/table_pattern.h"
#include "engine/core/uri.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_types.h"
#include "engine/pipeline/endpoints.h"
#include "engine/sqlite/sqlite_sink.h"

namespace cutover::validator {
namespace {

// The task's source tables as the target's control table lists them.
Result<std::vector<TableName>> TaskTables(const std::string& target_uri, EngineKind target,
                                          const std::string& task) {
  std::vector<TableName> out;
  std::string what = "reading task " + task + "'s tables on the target";
  if (target == EngineKind::kPostgres) {
    ASSIGN_OR_RETURN(auto conn,
                     pg::PgConn::Connect(target_uri, pg::ConnMode::kNormal, "cutover-validate"));
    ASSIGN_OR_RETURN(auto exists,
                     conn->Exec("SELECT to_regclass('cutover.table_state') IS NOT NULL", what));
    if (exists.get(0, 0) == "t") {
      ASSIGN_OR_RETURN(auto r, conn->ExecParams("SELECT table_schema, table_name FROM "
                                                "cutover.table_state WHERE task = $1 ORDER BY 1, 2",
                                                {task.c_str()}, what));
      for (int i = 0; i < r.rows(); ++i) out.push_back({r.str(i, 0), r.str(i, 1)});
    }
  } else if (target == EngineKind::kMariaDb) {
    ASSIGN_OR_RETURN(auto conn, mariadb::MariaConn::Connect(target_uri, "cutover-validate"));
    ASSIGN_OR_RETURN(
        auto exists,
        conn->Query("SELECT count(*) FROM information_schema.TABLES WHERE "
                    "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_cutover_table_state'",
                    what));
    if (exists.Get(0, "count(*)").value_or("0") != "0") {
      ASSIGN_OR_RETURN(auto r, conn->Query("SELECT table_schema, table_name FROM "
                                           "_cutover_table_state WHERE task = " +
                                               conn->QuoteLiteral(task) + " ORDER BY 1, 2",
                                           what));
      for (size_t i = 0; i < r.rows.size(); ++i)
        out.push_back({r.Get(i, "table_schema").value_or(""), r.Get(i, "table_name").value_or("")});
    }
  } else if (target == EngineKind::kSqlite) {
    ASSIGN_OR_RETURN(out, sqlite::ReadSqliteTaskTables(target_uri, task));
  } else {
    return InvalidArgument("--task: reading a task's tables from a " +
                           std::string(EngineName(target)) + " target is not supported yet");
  }
  if (out.empty())
    return NotFound("--task " + task + ": the target has no loaded tables for this task");
  return out;
}

std::string TargetDatabase(const std::string& target_uri, EngineKind target) {
  if (target != EngineKind::kMariaDb) return "";
  auto u = mariadb::ParseMariaUri(target_uri);
  return u.ok() ? u->database : "";
}

const Column* FindColumn(const TableSchema& t, const std::string& name) {
  for (const auto& c : t.columns)
    if (c.name == name) return &c;
  for (const auto& c : t.columns)  // MariaDB column names are case-insensitive
    if (strcasecmp(c.name.c_str(), name.c_str()) == 0) return &c;
  return nullptr;
}

// DECIMAL(p,s) / numeric(p,s) -> s; -1 when the type text has no scale.
int ScaleOf(const std::string& type_name) {
  size_t comma = type_name.find(',');
  if (comma == std::string::npos) return -1;
  return std::atoi(type_name.c_str() + comma + 1);
}

}  // namespace

RulePair RulesForColumns(const Column& s, const std::string& se, const Column& t,
                         const std::string& te) {
  RulePair r;
  if (se == te) return r;  // same engine: the target recreates the source's type exactly
  // Each rule is one of docs/types.md's lossy rules, for exactly the directions it names.
  if (se == "postgresql" && te == "mariadb" && s.type_id == pg::kBpcharOid)
    r.source.strip_trailing_spaces = r.target.strip_trailing_spaces = true;  // L1
  if (s.kind == ValueKind::kFloat64) {
    if (te == "mariadb") r.source.non_finite_float_as_null = true;  // L2: PostgreSQL, SQLite
    if (se == "postgresql" && te == "sqlite") r.source.nan_float_as_null = true;   // L3
    if (te == "mariadb" || te == "sqlite") r.source.negative_zero_as_zero = true;  // L4
  }
  if (te == "mariadb" && s.kind == ValueKind::kDecimal && t.kind == ValueKind::kDecimal) {
    // L5: PostgreSQL numeric, SQLite DECIMAL without (p,s) or with more fraction digits than
    // the target keeps -> DECIMAL(65,30), rounded half away from zero.
    int source_scale = ScaleOf(s.type_name), target_scale = ScaleOf(t.type_name);
    if (target_scale >= 0 && (source_scale < 0 || source_scale > target_scale))
      r.source.round_decimal_scale = target_scale;
  }
  if (se == "mariadb" && (te == "postgresql" || te == "sqlite") &&
      (s.kind == ValueKind::kDate || s.kind == ValueKind::kTimestamp ||
       s.kind == ValueKind::kTimestampTz))
    r.source.zero_date_as_null = true;  // L7
  // MariaDB TIME lands in a PostgreSQL interval (a time cannot hold negative or >= 24 h values).
  if (se == "mariadb" && te == "postgresql" && s.kind == ValueKind::kTime &&
      t.kind == ValueKind::kOther)
    r.target.interval_as_time = true;
  return r;
}

Result<std::vector<TablePair>> PairTables(const PairingRequest& req) {
  RETURN_IF_ERROR(EngineOfUri(req.source_uri, "--source").status());
  ASSIGN_OR_RETURN(EngineKind target_kind, EngineOfUri(req.target_uri, "--target"));
  std::vector<std::string> patterns = req.patterns;
  if (!req.task.empty()) {
    ASSIGN_OR_RETURN(auto names, TaskTables(req.target_uri, target_kind, req.task));
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
  if (!target.ok())
    return Status(target.status().code(), "--target: " + std::string(EngineName(target_kind)) +
                                              " targets cannot be validated yet");
  auto all_target = (*target)->DiscoverTablesOrFail({});
  std::map<TableName, TableSchemaPtr> on_target;
  if (all_target.ok()) {
    for (auto& t : *all_target) on_target[t->name] = t;
  } else if (all_target.status().code() != StatusCode::kNotFound) {
    return all_target.status().WithContext("target");
  }
  std::string target_engine = EngineName(target_kind);
  std::string target_db = TargetDatabase(req.target_uri, target_kind);

  std::vector<TablePair> out;
  for (const auto& s : *source_tables) {
    TableName tn = TargetTableName(*s, target_engine, target_db);
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
    std::vector<size_t> source_index;  // compared column i = source column source_index[i]
    for (size_t i = 0; i < s->columns.size(); ++i) {
      const Column& sc = s->columns[i];
      const Column* tc = FindColumn(t, sc.name);
      if (!tc) {
        p.schema_differences.push_back("column " + sc.name + " exists only on the source");
        continue;
      }
      if (!cross && sc.type_name != tc->type_name)
        p.schema_differences.push_back("column " + sc.name + ": type " + sc.type_name +
                                       " on the source, " + tc->type_name + " on the target");
      RulePair rules = RulesForColumns(sc, s->engine, *tc, t.engine);
      p.source.columns.push_back(sc);
      p.source.rules.push_back(rules.source);
      p.target.columns.push_back(*tc);
      p.target.rules.push_back(rules.target);
      source_index.push_back(i);
    }
    for (const auto& tc : t.columns)
      if (!FindColumn(*s, tc.name))
        p.schema_differences.push_back("column " + tc.name + " exists only on the target");
    if (p.source.columns.empty())
      return FailedPrecondition("table " + s->name.ToString() +
                                ": no column has the same name on the source and the target");
    if (s->key.empty()) {
      p.keyless_reason = "the source table has no primary key (or replica identity)";
    } else {
      for (size_t k : s->key) {
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
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace cutover::validator
