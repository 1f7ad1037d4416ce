// The replication pipeline: full load, then CDC, for any Source and Sink.
//
// Order of work for a task:
//   1. discover the tables; read the task's state from the target;
//   2. with CDC: make sure the source's capture exists (created now: with a snapshot at its
//      start); tables not yet loaded are loaded from that snapshot, or after a restart from a
//      fresh one whose position is recorded per table;
//   3. full load: `parallel` workers take tables from a queue, largest first; each table is
//      loaded and marked loaded in one target transaction;
//   4. CDC: source transactions stream in; each is skipped if at or before the checkpoint; a
//      change is skipped if its table was loaded from a later snapshot; small transactions are
//      grouped into one target transaction (bounded by change count and time), a large one is
//      applied whole; the checkpoint is written in the same target transaction. Through the
//      change spool (the default; ReplicateOptions::change_spool) a capture thread puts the
//      source's transactions in durable segments and confirms the source once they are there,
//      and the CDC loop reads them from the spool; without it the source is told only after the
//      target commit.
// Stopping (the `stop` flag, set from a signal handler): the current source transaction is
// finished, the group committed and checkpointed, then Run returns OK.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/progress.h"
#include "engine/core/target_session.h"
#include "engine/pipeline/change_spool.h"
#include "engine/pipeline/metrics.h"
#include "engine/task/table_mapping.h"

namespace cutover {

class LobReport;

enum class ReplicationType { kFullLoad, kCdc, kFullLoadAndCdc };

// How CDC changes reach the target inside each target transaction (commit boundaries and
// checkpoints are the same in both modes):
//   kNet: the net effect per key is applied in bulk (see net_effect.h); the default.
//   kRow: one statement per change, in source order (for targets with extra unique constraints
//         or triggers that depend on row order).
enum class ApplyMode { kNet, kRow };

struct ReplicateOptions {
  std::string task;
  ReplicationType type = ReplicationType::kFullLoadAndCdc;
  std::vector<std::string> table_patterns;    // empty: all tables
  std::vector<std::string> exclude_patterns;  // tables left out of table_patterns' selection
  // A DMS table mapping (engine/task/table_mapping.h): selection rules (on top of the patterns),
  // load order and renames; null: none.
  std::shared_ptr<const task::TableMapping> mapping;
  // DMS's LOB settings (lob_report.h): values DMS would truncate are reported; null: not asked.
  std::shared_ptr<LobReport> lob_report;
  // DMS TargetMetadata.TargetSchema: the schema every table lands in on a PostgreSQL target
  // (renames of the mapping still apply); empty: the default.
  std::string target_schema;
  int parallel = 4;
  // Same-table split of the full load (engine/core/load_split.h): a table whose size by the
  // source's statistics is above this many bytes is loaded as `parallel` key ranges at once,
  // each committed with its own state row; 0: only tables a DMS parallel-load rule names.
  int64_t split_larger_than = int64_t{512} << 20;
  TablePrep prep = TablePrep::kDropAndCreate;
  int64_t group_max_changes = 10000;  // close a target transaction after this many changes...
  int64_t group_max_ms = 200;         // ...or after this long (at a source transaction boundary)
  ApplyMode apply_mode = ApplyMode::kNet;
  // kNet: flush the folded changes into the open target transaction beyond these bounds.
  size_t net_max_keys = 50000;
  size_t net_max_bytes = 64u << 20;
  Progress::Mode progress = Progress::Mode::kAuto;
  // Live counters for a metrics feed (metrics.h); null: none.
  ReplicationMetrics* metrics = nullptr;
  // How the target's sessions are set up (lock wait bound); used where the sink is made.
  SinkOptions sink_options;
  // A request to stop at a source position (text form), polled a few times a second during
  // CDC; `cutover switch` makes it through the task's control directory (task_control.h). Once
  // the stream has delivered every transaction up to the position and they are committed, the
  // position the stream read through (ChangeStream::CaughtUpTo) is recorded as the checkpoint,
  // so the target alone says it holds everything up to there, and Run returns OK with
  // ReplicateStats::stopped_at set. Empty function, or nullopt: no request.
  std::function<std::optional<std::string>()> stop_at;
  // Where to write the task's schema report as JSON (engine/core/schema_objects.h); empty: it
  // is only logged.
  std::string schema_report_path;
  // The durable change spool between capture and apply (change_spool.h, spool_capture.h):
  // with a `dir`, a capture thread reads the source into it and confirms the source once a
  // transaction is durable there, and the CDC loop applies from it; a target that goes away is
  // waited for (up to `target_wait`) while capture goes on. Empty dir: the CDC loop reads the
  // source's stream and confirms the source after each target commit (the direct path).
  ChangeSpoolOptions change_spool;
  std::chrono::seconds target_wait{3600};
  // Test hook: stop after this many CDC transactions were committed (0: never).
  int64_t stop_after_transactions = 0;
  // What a change the target refuses does (DMS ErrorBehavior, engine/core/error_policy.h).
  // Default: the task stops.
  ErrorPolicies errors;
  // Source schema changes during CDC (add / drop / rename column, type changes) are applied to
  // the target (docs/ddl.md); false (DMS HandleSourceTableAltered: false) stops the task instead.
  bool follow_schema_changes = true;
  // A source TRUNCATE empties the target table; false (DMS HandleSourceTableTruncated: false)
  // leaves the target's rows as they are (logged once per table).
  bool apply_truncates = true;
  // In-task revalidation (validator/changed_keys.h): called on the CDC loop's thread with each
  // change the task writes, as the table mapping shaped it (source table name, target columns,
  // the mapping's key), right before it goes to the target; it must be quick. Empty: none.
  std::function<void(const Change&)> on_change_written;
};

struct ReplicateStats {
  int64_t tables_loaded = 0;
  int64_t rows_loaded = 0;
  int64_t transactions_applied = 0;
  int64_t transactions_skipped = 0;
  int64_t changes_applied = 0;
  int64_t target_commits = 0;
  // Set once both servers answered (the task's state was read from the target) in this run /
  // in any run; reconnects counts supervised retries (supervise.h).
  bool connected = false;
  // The run stopped because the target refused a change (Applier::ClassifyError) while no
  // error policy was watching: the supervisor replays it under savepoints to name the change.
  bool refused = false;
  bool ever_connected = false;
  int64_t reconnects = 0;
  // The run stopped at a requested position (ReplicateOptions::stop_at): its checkpoint text.
  std::string stopped_at;
};

Status RunReplication(Source& source, Sink& sink, const ReplicateOptions& options,
                      const std::atomic<bool>& stop, ReplicateStats* stats = nullptr);

}  // namespace cutover
