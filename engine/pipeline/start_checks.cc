#include "engine/pipeline/start_checks.h"

#include <string>

#include "engine/core/generated_columns.h"

namespace cutover {

namespace {

// One pattern leaving out every keyless table at once (sakila's payment_p2007_01..06:
// 'public.payment_p2007_0%'), or "" when they share no schema and name prefix or the pattern
// would also leave out a table with a key.
std::string CommonExclusion(const std::vector<TableSchemaPtr>& tables,
                            const std::vector<const TableSchema*>& keyless) {
  if (keyless.size() < 2) return "";
  const std::string& schema = keyless[0]->name.schema;
  std::string prefix = keyless[0]->name.name;
  for (const TableSchema* t : keyless) {
    if (t->name.schema != schema) return "";
    size_t n = 0;
    while (n < prefix.size() && n < t->name.name.size() && prefix[n] == t->name.name[n]) ++n;
    prefix.resize(n);
  }
  if (prefix.empty() || prefix.find('%') != std::string::npos) return "";
  for (const auto& t : tables) {
    if (!t->key.empty() && t->name.schema == schema && t->name.name.rfind(prefix, 0) == 0)
      return "";
  }
  return schema + "." + prefix + "%";
}

}  // namespace

const std::vector<TaskStartCheck> kTaskStartChecks = {
    {"tables.supported", "every selected table can be replicated (types, storage engine)"},
    {"task.table_mappings", "the table mappings apply to the source's tables"},
    {"tables.primary_key",
     "change capture can identify every table's rows (a primary key or replica identity; "
     "PostgreSQL: every published partition too; SQLite: key columns that compare bytewise)"},
    {"source.change_capture", "the source is ready for change capture"},
    {"columns.generated", "the target can compute every generated column"},
    {"foreign_keys.in_task", "foreign keys with actions reference tables of the task"},
    {"target.tables",
     "the target's existing tables take replicated rows unchanged (triggers, "
     "foreign keys, generated columns)"},
};

Status CheckCdcStart(Source& source, const std::vector<TableSchemaPtr>& tables,
                     StartReport& problems, const task::TableMapping* mapping) {
  problems.set_check("tables.primary_key");
  // The tables the source refused whole too: their keys are a problem of their own.
  std::vector<TableSchemaPtr> all = tables;
  all.insert(all.end(), problems.refused_tables().begin(), problems.refused_tables().end());
  std::vector<const TableSchema*> keyless;
  for (const auto& t : all)  // a key defined by the mapping (define-primary-key) will do
    if (t->key.empty() && !(mapping && mapping->KeyFor(t->name))) keyless.push_back(t.get());
  std::string pattern = CommonExclusion(all, keyless);
  for (const TableSchema* t : keyless) {
    problems.Refuse(
        "table " + t->name.ToString(),
        "has no primary key (nor replica identity index): its updates and deletes "
        "cannot be replicated",
        "add a primary key, or leave the table out with --exclude-tables '" + t->name.ToString() +
            "'" +
            (pattern.empty() ? ""
                             : " (all " + std::to_string(keyless.size()) +
                                   " such tables: --exclude-tables '" + pattern + "')"));
  }
  RETURN_IF_ERROR(source.CheckCapturedTables(all, problems));
  problems.set_check("source.change_capture");  // engines name their own checks
  return source.CheckChangeCapture(problems);
}

Result<TaskStart> CheckTaskStart(Source& source, Sink& sink, const ReplicateOptions& opt,
                                 StartReport& problems) {
  const bool want_load = opt.type != ReplicationType::kCdc;
  const bool want_cdc = opt.type != ReplicationType::kFullLoad;
  TaskStart start;
  TableSelection selection{opt.table_patterns, opt.exclude_patterns, {}};
  if (opt.mapping) {
    selection.rules = [&](const TableName& n) { return opt.mapping->Selects(n); };
  }
  problems.set_check("tables.supported");
  ASSIGN_OR_RETURN(start.tables, source.DiscoverTables(selection, problems));
  problems.set_check("task.table_mappings");
  if (opt.mapping) {
    if (Status used = opt.mapping->CheckSelectionsUsed(); !used.ok())
      problems.Refuse("--table-mappings", used.message(), "fix the rule or remove it");
  }
  if (want_cdc) RETURN_IF_ERROR(CheckCdcStart(source, start.tables, problems, opt.mapping.get()));
  // What the sink sees: each table as the task's mapping lands it (table_transform.h). The
  // source keeps reading and streaming `tables` as they are.
  problems.set_check("task.table_mappings");
  start.transforms = std::make_unique<TableTransforms>(opt.mapping, opt.target_schema);
  for (const auto& t : start.tables) {
    auto tt = start.transforms->For(t);
    if (!tt.ok()) {
      problems.Refuse("--table-mappings", tt.status().message(), "fix the rule");
      continue;
    }
    start.targets.push_back((*tt)->target());
    start.transform_of[t->name] = *tt;
  }
  // The tables the source refused whole go through the remaining checks too (as far as the
  // source described them), so one run names all their problems; a mapping that cannot apply
  // to such a partial description is not held against the task.
  for (const auto& t : problems.refused_tables()) {
    auto tt = start.transforms->For(t);
    if (!tt.ok()) continue;
    start.refused.push_back(t);
    start.refused_targets.push_back((*tt)->target());
  }
  std::vector<TableSchemaPtr> checked = start.targets;
  checked.insert(checked.end(), start.refused_targets.begin(), start.refused_targets.end());
  // Whether cutover creates the target tables (and so their generated columns) itself.
  start.target_creates = want_load && opt.prep == TablePrep::kDropAndCreate;
  problems.set_check("columns.generated");
  CheckGeneratedColumns(checked, sink.engine(), start.target_creates, problems);
  // A source whose log lacks foreign-key actions: the pipeline reproduces them.
  if (want_cdc && !source.StreamCarriesForeignKeyActions()) {
    problems.set_check("foreign_keys.in_task");
    ReferentialActions::CheckTask(checked, problems);
    start.referential = std::make_unique<ReferentialActions>(start.targets);
    if (start.referential->empty()) start.referential.reset();
  }
  problems.set_check("target.tables");
  RETURN_IF_ERROR(
      sink.CheckTarget(opt.task, checked, want_load ? opt.prep : TablePrep::kDoNothing, problems));
  problems.set_check("");
  return start;
}

}  // namespace cutover
