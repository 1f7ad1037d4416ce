// TaskSettings: a DMS task-settings document (`--replication-task-settings`), read as DMS
// documents it, keeping only what cutover acts on.
//
// Every section and key DMS documents is recognised. A key cutover does not know (a typo, or a
// key in the wrong section, as in many how-to articles) is an error naming file, JSON path and
// the accepted keys or the section DMS documents it in; one run names every problem. A key that
// cutover knows but that has no effect here (cloud-only, or a DMS tuning knob cutover does not
// need) is collected into one warning line. docs/dms.md lists every key and what cutover does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/error_policy.h"
#include "engine/core/status.h"

namespace cutover::task {

struct TaskSettings {
  // TargetMetadata
  std::optional<std::string> target_schema;  // TargetSchema ("" means the default)
  std::optional<bool> batch_apply;           // BatchApplyEnabled: net effect (true) / row (false)
  // FullLoadSettings
  std::optional<TablePrep> prep;    // TargetTablePrepMode
  std::optional<int> max_subtasks;  // MaxFullLoadSubTasks: tables loaded at once
  // ChangeProcessingTuning
  std::optional<int64_t> group_max_changes;  // MinTransactionSize / BatchSplitSize
  std::optional<int64_t> group_max_ms;       // CommitTimeout / BatchApplyTimeoutMax (s -> ms)
  std::optional<int64_t> memory_limit_mb;    // MemoryLimitTotal / BatchApplyMemoryLimit
  // ErrorBehavior (engine/core/error_policy.h); absent: the defaults (every refusal stops).
  std::optional<ErrorPolicies> errors;
  // RecoverableErrorCount (-1: no limit, 0: never restart) / RecoverableErrorInterval (s).
  std::optional<int64_t> recoverable_count, recoverable_interval_s;
  // Logging: some component at LOGGER_SEVERITY_DEBUG or DETAILED_DEBUG
  bool debug_logging = false;
  // Lines to log at task start: keys without effect, policies cutover applies differently.
  // ChangeProcessingDdlHandlingPolicy.HandleSourceTableAltered (docs/ddl.md).
  std::optional<bool> follow_schema_changes;
  std::vector<std::string> notes;
};

// Parses a task-settings document. Every problem of the file is in the error, one per line
// ("FILE: $.FullLoadSettings.TargetSchema: DMS documents TargetSchema under TargetMetadata...").
Result<TaskSettings> ParseTaskSettings(std::string_view text, const std::string& file);
Result<TaskSettings> ReadTaskSettingsFile(const std::string& path);

}  // namespace cutover::task
