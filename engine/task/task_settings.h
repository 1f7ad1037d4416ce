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
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/error_policy.h"
#include "engine/core/log_component.h"
#include "engine/core/status.h"

namespace cutover::task {

struct TaskSettings {
  // TargetMetadata
  std::optional<std::string> target_schema;  // TargetSchema ("" means the default)
  std::optional<bool> batch_apply;           // BatchApplyEnabled: net effect (true) / row (false)
  // LOB keys, with DMS's defaults: what DMS would truncate is reported (pipeline/lob_report.h).
  bool support_lobs = true;      // SupportLobs
  bool full_lob_mode = false;    // FullLobMode
  bool limited_lob_mode = true;  // LimitedSizeLobMode
  int64_t lob_max_kb = 32;       // LobMaxSize (KB)
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
  // ValidationSettings: EnableValidation runs a validation inside the task once the full load is
  // done (ThreadCount, PartitionSize rows per range, FailureMaxCount rows listed per table,
  // ValidationQueryCdcDelaySeconds before a differing row is read again; 0: the default).
  bool enable_validation = false;
  int validation_threads = 0;
  int64_t validation_partition_rows = 0;
  int64_t validation_failure_max = 0;
  int validation_recheck_s = 0;
  // Logging.LogComponents: each component's own severity (LOGGER_SEVERITY_DEFAULT: none).
  std::map<LogComponent, LogLevel> log_levels;
  // Lines to log at task start: keys without effect, policies cutover applies differently.
  // ChangeProcessingDdlHandlingPolicy.HandleSourceTableAltered (docs/ddl.md).
  std::optional<bool> follow_schema_changes;
  // ChangeProcessingDdlHandlingPolicy.HandleSourceTableTruncated.
  std::optional<bool> apply_truncates;
  std::vector<std::string> notes;
};

// Parses a task-settings document. Every problem of the file is in the error, one per line
// ("FILE: $.FullLoadSettings.TargetSchema: DMS documents TargetSchema under TargetMetadata...").
Result<TaskSettings> ParseTaskSettings(std::string_view text, const std::string& file);
Result<TaskSettings> ReadTaskSettingsFile(const std::string& path);

}  // namespace cutover::task
