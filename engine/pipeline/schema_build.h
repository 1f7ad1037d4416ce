// The task's schema objects on the target (engine/core/schema_objects.h), as the pipeline runs
// them: the schema report at start, each table's objects right after its data, the foreign keys
// once every table is loaded, and their validation in the background while CDC applies.
//
// Only a task that creates its target tables (a full load with --table-prep drop-and-create)
// builds schema objects: a pre-created target brings its own schema, and cutover leaves it as
// it is (the report then says so in one line).
//
// Same engine (docs/types.md, "Views, functions and triggers"): the source's views, functions
// and procedures are created from their definitions once every table is loaded (in rounds, so an
// object that needs another is created after it; one the target refuses is named and the task
// goes on), and the tables' triggers as the sink plans them: created disabled now (PostgreSQL)
// or by `cutover switch` (MariaDB, SQLite), so that no trigger fires on a replicated row.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/core/endpoint.h"

namespace cutover {

class SchemaBuild {
 public:
  // `targets`: every target table of the task (as the sink sees them). `enabled`: the task
  // creates its target tables.
  SchemaBuild(Sink& sink, std::string task, std::vector<TableSchemaPtr> targets, bool enabled);
  ~SchemaBuild();  // waits for the background validation
  SchemaBuild(const SchemaBuild&) = delete;
  SchemaBuild& operator=(const SchemaBuild&) = delete;

  // Plans every table's objects, adds the source's other objects (views, functions...), logs
  // the report, names every object not carried in `problems` (a note, not a refusal) and writes
  // the JSON to `json_path` when not empty.
  Status Report(Source& source, const std::vector<TableSchemaPtr>& source_tables,
                const std::string& json_path, StartReport& problems);

  // Right after `target`'s data was committed (called from the load worker).
  Status AfterTable(const TableSchema& target);

  // Once every table is loaded: the objects of `loaded_before` (tables loaded by an earlier
  // run, in case it stopped before their objects), then the foreign keys, then the source's
  // views, functions and procedures the report carries, then the triggers the sink creates
  // disabled. The foreign keys' validation runs on a thread of its own when `background` (CDC
  // follows), else before returning.
  Status AfterLoad(const std::vector<TableSchemaPtr>& loaded_before, bool background);

 private:
  void Validate(std::vector<std::string> statements);
  void CreateSourceObjects();
  // Same engine, a task that creates its tables: which of `objects` are created after the load
  // (their entries say carried) and which not, and why (reading a table outside the task, or
  // one the mapping renames).
  void PlanSourceObjects(bool same_engine, const std::vector<TableSchemaPtr>& source_tables,
                         std::vector<SourceObject>& objects);

  Sink& sink_;
  std::string task_;
  std::vector<TableSchemaPtr> targets_;
  bool enabled_;
  std::vector<SourceObject> carried_;  // same engine: views, functions... to create after the load
  std::thread validator_;
};

}  // namespace cutover
