#include "engine/pipeline/schema_build.h"

#include <chrono>
#include <fstream>

#include "engine/core/log.h"
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
  ASSIGN_OR_RETURN(std::vector<SchemaObjectEntry> others, source.ListOtherObjects(source_tables));
  for (SchemaObjectEntry& e : others) report.Add(std::move(e));
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
  if (validate.empty()) return Status::Ok();
  if (!background) {
    Validate(std::move(validate));
    return Status::Ok();
  }
  validator_ = std::thread([this, v = std::move(validate)]() mutable { Validate(std::move(v)); });
  return Status::Ok();
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
