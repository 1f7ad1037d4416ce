#include "engine/pipeline/schema_build.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

#include "engine/core/log.h"
#include "engine/core/naming.h"
#include "engine/core/schema_objects.h"

namespace cutover {

using Clock = std::chrono::steady_clock;

SchemaBuild::SchemaBuild(Sink& sink, std::string task, std::vector<TableSchemaPtr> targets,
                         bool enabled)
    : sink_(sink), task_(std::move(task)), targets_(std::move(targets)), enabled_(enabled) {}

SchemaBuild::~SchemaBuild() {
  if (validator_.joinable()) validator_.join();
}

Status SchemaBuild::Report(Source& source, const std::vector<TableSchemaPtr>& source_tables,
                           const std::string& json_path, StartReport& problems) {
  SchemaReport report;
  if (enabled_) {
    for (const TableSchemaPtr& t : targets_) {
      for (PlannedObject& p : sink_.PlanSchemaObjects(*t, targets_))
        if (!p.entry.kind.empty()) report.Add(std::move(p.entry));
    }
  } else {
    Log(LogLevel::kInfo,
        "schema objects: the target's tables are not created by this task (--table-prep "
        "truncate|do-nothing, or CDC only): its own indexes, keys and constraints stay as they "
        "are");
  }
  ASSIGN_OR_RETURN(std::vector<SourceObject> others, source.ListOtherObjects(source_tables));
  PlanSourceObjects(source.engine() == sink_.engine(), source_tables, others);
  for (SourceObject& o : others) report.Add(std::move(o.entry));
  report.Log();
  for (const SchemaObjectEntry& e : report.entries()) {
    if (e.fate == SchemaFate::kNotCarried)
      problems.Note(e.kind + " " + e.name, "not carried: " + e.note);
  }
  if (!json_path.empty()) {
    std::ofstream out(json_path, std::ios::trunc);
    out << report.ToJson(source.engine(), sink_.engine());
    if (!out) return InvalidArgument("cannot write the schema report to " + json_path);
  }
  return Status::Ok();
}

void SchemaBuild::PlanSourceObjects(bool same_engine,
                                    const std::vector<TableSchemaPtr>& source_tables,
                                    std::vector<SourceObject>& objects) {
  if (!same_engine || !enabled_) return;
  std::set<TableName> in_task;
  for (const TableSchemaPtr& t : source_tables) in_task.insert(t->name);
  TableRenames renames;
  for (const TableSchemaPtr& t : targets_) {
    if (!RenamedByMapping(*t)) continue;
    renames.emplace_back(t->name,
                         TableName{t->target_schema.empty() ? t->name.schema : t->target_schema,
                                   LandingTableName(*t)});
  }
  for (SourceObject& o : objects) {
    if (o.definition.empty()) continue;  // the source's note says why
    SchemaObjectEntry& e = o.entry;
    e.fate = SchemaFate::kNotCarried;
    auto outside = std::find_if(o.uses.begin(), o.uses.end(),
                                [&](const TableName& n) { return !in_task.count(n); });
    if (outside != o.uses.end()) {
      e.note = "it reads table " + outside->ToString() +
               ", which is not in the task; recreate it on the target once that table is there";
    } else if (const auto* r = RenamedTableIn(o, renames)) {
      e.note = "it refers to table " + r->first.ToString() +
               ", which the task's mapping lands as " + r->second.ToString() +
               "; recreate it on the target by hand";
    } else {
      e.fate = SchemaFate::kCarried;
      e.note = "created from the source's definition once the tables are loaded";
      carried_.push_back(o);
    }
  }
}

Status SchemaBuild::AfterTable(const TableSchema& target) {
  if (!enabled_) return Status::Ok();
  auto started = Clock::now();
  RETURN_IF_ERROR(sink_.CreateTableObjects(task_, target, targets_));
  double secs = std::chrono::duration<double>(Clock::now() - started).count();
  if (secs >= 0.05)
    Log(LogLevel::kInfo, "schema objects of {} built in {:.1f} s", target.name.ToString(), secs);
  return Status::Ok();
}

Status SchemaBuild::AfterLoad(const std::vector<TableSchemaPtr>& loaded_before, bool background) {
  if (!enabled_) return Status::Ok();
  for (const TableSchemaPtr& t : loaded_before) RETURN_IF_ERROR(AfterTable(*t));
  auto started = Clock::now();
  ASSIGN_OR_RETURN(std::vector<std::string> validate, sink_.CreateForeignKeys(task_, targets_));
  Log(LogLevel::kInfo, "foreign keys added in {:.1f} s{}",
      std::chrono::duration<double>(Clock::now() - started).count(),
      validate.empty() ? ""
                       : "; validating " + std::to_string(validate.size()) +
                             (background ? " of them while CDC runs" : " of them"));
  CreateSourceObjects();
  RETURN_IF_ERROR(sink_.CreateDisabledTriggers(targets_));
  if (validate.empty()) return Status::Ok();
  if (!background) {
    Validate(std::move(validate));
    return Status::Ok();
  }
  validator_ = std::thread([this, v = std::move(validate)]() mutable { Validate(std::move(v)); });
  return Status::Ok();
}

void SchemaBuild::CreateSourceObjects() {
  if (carried_.empty()) return;
  auto started = Clock::now();
  // In rounds: a view over another view, or a function a view calls, may come later in the
  // source's list; each round creates what it can, until a round creates nothing.
  std::vector<const SourceObject*> todo;
  for (const SourceObject& o : carried_) todo.push_back(&o);
  std::vector<std::pair<const SourceObject*, Status>> failed;
  for (bool progress = true; progress && !todo.empty();) {
    progress = false;
    failed.clear();
    for (const SourceObject* o : todo) {
      Status s = sink_.CreateSourceObject(*o);
      if (s.ok()) {
        progress = true;
      } else {
        failed.emplace_back(o, std::move(s));
      }
    }
    todo.clear();
    for (const auto& f : failed) todo.push_back(f.first);
  }
  for (const auto& [o, s] : failed)
    Log(LogLevel::kWarn, "schema: could not create {} {}: {}", o->entry.kind, o->entry.name,
        s.message());
  Log(LogLevel::kInfo, "views, functions and procedures of the source: {} created in {:.1f} s{}",
      carried_.size() - failed.size(),
      std::chrono::duration<double>(Clock::now() - started).count(),
      failed.empty() ? "" : ", " + std::to_string(failed.size()) + " refused by the target");
}

void SchemaBuild::Validate(std::vector<std::string> statements) {
  auto started = Clock::now();
  size_t failed = 0;
  for (const std::string& sql : statements) {
    Status s = sink_.ValidateSchemaObject(sql);
    if (!s.ok()) {
      ++failed;
      Log(LogLevel::kWarn, "schema: a foreign key stays NOT VALID on the target: {}", s.message());
    }
  }
  Log(LogLevel::kInfo, "foreign keys validated in {:.1f} s ({} failed)",
      std::chrono::duration<double>(Clock::now() - started).count(), failed);
}

}  // namespace cutover
