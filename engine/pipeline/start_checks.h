// The checks every task start runs before anything is created, shared by `replicate`,
// `task prepare` and `assess` so all three refuse the same tasks.
//
// Design: a table whose updates and deletes cannot be identified (no primary key or replica
// identity) is refused for CDC; on PostgreSQL it must also stay out of the publication, since
// a published table without a replica identity makes the application's UPDATE/DELETE on it
// fail on the source. The source's own readiness (settings, privileges) joins the same report,
// so one run names every problem (engine/core/start_report.h). Each problem carries the id of
// the readiness check it fails (StartProblem::check), under which `cutover assess` lists it;
// kTaskStartChecks names them all, so assess can also say which passed.
#pragma once

#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/start_report.h"
#include "engine/pipeline/referential_actions.h"
#include "engine/pipeline/replicate.h"
#include "engine/pipeline/table_transform.h"

namespace cutover {

// Adds to `problems` every table of `tables` (and of the tables the source refused whole,
// StartReport::refused_tables) without a key or whose rows change capture cannot follow
// (Source::CheckCapturedTables), and every reason the source is not ready for change capture.
// Errors only when the source cannot be asked.
// (check ids "tables.primary_key", then the source's own, e.g. "pg.wal_level"). A keyless
// table that `mapping` gives a key (define-primary-key) passes.
Status CheckCdcStart(Source& source, const std::vector<TableSchemaPtr>& tables,
                     StartReport& problems, const task::TableMapping* mapping = nullptr);

// The task-level checks of a task start, by id, in the order they run, with a title (what
// passing means). The source's and the target's own settings come from their drivers
// (EngineDriver::CheckEndpoint) under the engines' ids.
struct TaskStartCheck {
  std::string_view id;
  std::string_view title;
};
extern const std::vector<TaskStartCheck> kTaskStartChecks;

// What a task start found: the task's tables as the source has them and as the target gets
// them (after the task's mapping, table_transform.h).
struct TaskStart {
  std::vector<TableSchemaPtr> tables;   // source tables
  std::vector<TableSchemaPtr> targets;  // the same tables as the sink sees them
  // The tables the source refused whole (StartReport::KeepRefusedTable), as far as described,
  // and as the sink would see them: checked with the rest, never replicated.
  std::vector<TableSchemaPtr> refused;
  std::vector<TableSchemaPtr> refused_targets;
  std::unique_ptr<TableTransforms> transforms;
  std::map<TableName, const TableTransform*> transform_of;  // by source table name
  // The foreign-key actions the pipeline reproduces (sources whose log lacks them); null when
  // there is none to reproduce.
  std::unique_ptr<ReferentialActions> referential;
  bool target_creates = false;  // the full load creates the target tables (drop-and-create)
};

// Every check `replicate` runs before it creates anything, for the task `options` describes:
// discovery, the mapping, keys and capture readiness (with CDC), generated columns, foreign keys
// whose actions must be reproduced, the target's tables. Problems go to `problems`; errors only
// when a server cannot be asked.
Result<TaskStart> CheckTaskStart(Source& source, Sink& sink, const ReplicateOptions& options,
                                 StartReport& problems);

}  // namespace cutover
