// Replication metrics: the live counters of a running task, the one source of truth for both
// feeds built from them: the JSON-lines file of `cutover replicate --metrics-file PATH` (read by
// the scenario runner, kept for offline use) and the Prometheus endpoint of
// `--metrics-listen` (metrics_exposition.h, metrics_server.h). docs/metrics.md names each value.
//
// Design: the pipeline only bumps atomics at points it already passes (rows copied in the full
// load; Begin, each change, each target commit and each idle poll in CDC), so the hot paths pay
// a relaxed add or store and never do I/O for metrics. Per-table counters and the position are
// updated under a mutex once per target commit (per table loaded), not per change. Readers take
// a consistent-enough `Snapshot()` (each value is exact; values are not read atomically as a
// set). Counters are per process: a restarted engine starts again from 0 (the JSON line
// carries the pid, the Prometheus text `process_start_time_seconds`, so readers notice).
//
// JSON line format (keys are stable; readers ignore keys they do not know):
//   {"unix_ms":1763770000123,"pid":4242,"phase":"cdc","tables_loaded":3,"rows_loaded":120000,
//    "transactions_applied":5120,"changes_applied":20480,"transactions_skipped":0,
//    "target_commits":260,"position":"0/1A2B3C8","commit_time_us":1763770000050000,
//    "spool_state":"capturing","spool_bytes":1048576}
// phase: "starting" | "full-load" | "cdc" | "stopped". position / commit_time_us: the last
// source transaction applied on the target ("" and 0 before the first). spool_state /
// spool_bytes: only with the durable change spool (see MetricsSnapshot::spool_state).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/core/change.h"
#include "engine/core/status.h"

namespace cutover {

enum class ReplicationPhase { kStarting, kFullLoad, kCdc, kStopped };
const char* ReplicationPhaseName(ReplicationPhase phase);

// Operations of one table applied on the target (source operations, before net-effect folding).
struct TableChangeCounts {
  int64_t inserts = 0, updates = 0, deletes = 0;
};

// Approximate size of a change's values in bytes (16 per column plus the values' text/bytes):
// the measure of the bandwidth counters, the same for every engine.
int64_t ApproxChangeBytes(const Change& c);

// Every value at one moment (see ReplicationMetrics::Snapshot).
struct MetricsSnapshot {
  int64_t unix_us = 0;
  ReplicationPhase phase = ReplicationPhase::kStarting;
  // full load
  int64_t tables_loaded = 0;
  int64_t rows_loaded = 0;         // rows read from the source and sent to the target
  int64_t rows_loaded_target = 0;  // rows of tables whose load committed on the target
  // CDC
  int64_t transactions_applied = 0, changes_applied = 0, transactions_skipped = 0;
  int64_t target_commits = 0;
  int64_t changes_read = 0, bytes_read = 0, bytes_applied = 0;
  int64_t incoming_changes = 0;          // read from the source, not yet committed on the target
  int64_t memory_changes = 0;            // of those, held in memory (folded, not yet sent)
  int64_t disk_changes = 0;              // spooled to disk: in-progress source transactions
  bool source_idle = false;              // the last poll found nothing to read
  int64_t last_read_commit_us = 0;       // source commit time of the last transaction read
  int64_t oldest_pending_commit_us = 0;  // of the oldest one read but not committed; 0: none
  int64_t last_checkpoint_unix_us = 0;   // last target commit (checkpoint) in this process
  // Last progress: rows loaded, a change read, a target commit, an idle poll (moves of the
  // counters are noticed when a snapshot is taken, so at the feeds' pace: about every second).
  int64_t last_progress_unix_us = 0;
  std::string position;        // last applied (or, before any, where CDC started)
  int64_t commit_time_us = 0;  // source commit time of the last applied transaction
  // supervision
  int64_t retries = 0;
  std::string retrying_after;  // the error being retried; "" while running normally
  std::optional<int64_t> retained_log_bytes;
  // The durable change spool (change_spool.h): "" when the task runs without one, else
  // "capturing" (the source is confirmed as changes become durable in the spool) or "full"
  // (--spool-max-bytes reached: capture paused, the source not confirmed past the spool's end).
  std::string spool_state;
  int64_t spool_bytes = 0;  // bytes of the spool's segments on disk
  std::map<std::string, TableChangeCounts> table_changes;
  std::map<std::string, int64_t> table_rows_loaded;

  // Seconds the source side is behind (DMS CDCLatencySource): 0 when the source is idle,
  // else now minus the commit time of the last transaction read.
  double SourceLatencySeconds() const;
  // Seconds the target is behind (DMS CDCLatencyTarget): now minus the commit time of the
  // oldest transaction waiting to be committed on the target; the source latency when none is.
  double TargetLatencySeconds() const;
};

// Thread-safe live counters, written by the pipeline and read by the feeds.
class ReplicationMetrics {
 public:
  ReplicationMetrics();

  void SetPhase(ReplicationPhase p) { phase_.store(p, std::memory_order_relaxed); }
  // Full load.
  void AddRowsLoaded(int64_t n) {
    rows_loaded_.fetch_add(n, std::memory_order_relaxed);
    Progressed();
  }
  void TableLoaded(const std::string& table, int64_t rows);

  // CDC. CdcStarted: streaming begins after `position`.
  void CdcStarted(const std::string& position);
  // A poll found nothing to read (no transaction open): the source is caught up.
  void SourceIdle();
  // A source transaction begins; `commit_time_us` 0 when the source does not know it.
  void TransactionRead(int64_t commit_time_us);
  // A change was read (counted whether applied or skipped as already applied).
  void ChangeRead(int64_t bytes) {
    changes_read_.fetch_add(1, std::memory_order_relaxed);
    bytes_read_.fetch_add(bytes, std::memory_order_relaxed);
  }
  // A target transaction opened for a source transaction committed at `commit_time_us`.
  void GroupOpened(int64_t commit_time_us);
  void SetIncomingChanges(int64_t n) { incoming_.store(n, std::memory_order_relaxed); }
  void SetMemoryChanges(int64_t n) { memory_.store(n, std::memory_order_relaxed); }
  void Skipped() { transactions_skipped_.fetch_add(1, std::memory_order_relaxed); }
  // One target commit holding `transactions` source transactions with `changes` changes
  // (`bytes` by ApproxChangeBytes, `per_table` by source table name); the last of them is at
  // `position`, committed on the source at `commit_time_us`.
  void Committed(int64_t transactions, int64_t changes, int64_t bytes,
                 const std::map<std::string, TableChangeCounts>& per_table,
                 const std::string& position, int64_t commit_time_us);

  // Supervision: a run failed with `error` and is retried; Running() when a new attempt starts.
  void Retrying(const std::string& error);
  void Running();
  // The source's log kept for this task (log_retention.h); nullopt: unknown.
  void SetRetainedLogBytes(std::optional<int64_t> bytes);
  // The change spool's size and state (MetricsSnapshot::spool_state); called by its capture
  // thread after each event, so it is two relaxed stores.
  void SetSpool(int64_t bytes, const char* state) {
    spool_bytes_.store(bytes, std::memory_order_relaxed);
    spool_state_.store(state, std::memory_order_relaxed);
  }

  MetricsSnapshot Snapshot() const;
  int64_t process_start_unix_us() const { return process_start_us_; }
  // The current values as one JSON line (no trailing newline).
  std::string JsonLine() const;

 private:
  void Progressed();

  const int64_t process_start_us_;
  std::atomic<ReplicationPhase> phase_{ReplicationPhase::kStarting};
  std::atomic<int64_t> rows_loaded_{0}, tables_loaded_{0}, rows_loaded_target_{0};
  std::atomic<int64_t> transactions_skipped_{0};
  std::atomic<int64_t> transactions_applied_{0}, changes_applied_{0}, target_commits_{0};
  std::atomic<int64_t> changes_read_{0}, bytes_read_{0}, bytes_applied_{0};
  std::atomic<int64_t> incoming_{0}, memory_{0};
  std::atomic<bool> source_idle_{false};
  std::atomic<int64_t> last_read_commit_us_{0}, oldest_pending_commit_us_{0};
  std::atomic<int64_t> last_checkpoint_us_{0};
  mutable std::atomic<int64_t> last_progress_us_{0};  // also moved by Snapshot()
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> spool_bytes_{0};
  std::atomic<const char*> spool_state_{nullptr};  // a string literal; null: no spool
  mutable std::mutex mu_;                          // guards the members below
  mutable int64_t work_seen_ = 0;  // rows + changes read + commits at the last Snapshot()
  std::string position_;
  int64_t commit_time_us_ = 0;
  std::string retrying_after_;
  std::optional<int64_t> retained_log_bytes_;
  std::map<std::string, TableChangeCounts> table_changes_;
  std::map<std::string, int64_t> table_rows_loaded_;
};

// Appends `metrics.JsonLine()` to a file every second from its own thread.
class MetricsFileWriter {
 public:
  // Opens `path` for appending (created if missing) and starts the thread.
  static Result<std::unique_ptr<MetricsFileWriter>> Start(const std::string& path,
                                                          const ReplicationMetrics& metrics);
  ~MetricsFileWriter();  // Stop()
  // Writes a final line and stops the thread. Idempotent.
  void Stop();

 private:
  MetricsFileWriter(std::FILE* file, const ReplicationMetrics& metrics)
      : file_(file), metrics_(metrics) {}
  void Run();
  void WriteLine();

  std::FILE* file_;
  const ReplicationMetrics& metrics_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cutover
