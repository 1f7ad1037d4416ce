// Capture into the durable change spool, and the apply's stream out of it.
//
// SpoolCapture runs on a thread of its own: it reads the source's ChangeStream, appends every
// event to the ChangeSpool (change_spool.h), syncs in groups (at a commit once kSyncBytes are
// waiting or kSyncInterval has passed since the last sync, and whenever the source is idle) and
// after each sync confirms the last durable transaction to the source. So the source releases
// its log as soon as the replication host holds the changes, whatever the target does: while
// the target is down the spool grows and the source's log does not.
//
// Transactions at or before the spool's end when capture starts are skipped (a source resends
// what it was not told is done; the spool has them).
//
// Full spool (--spool-max-bytes): at a transaction boundary with the spool at or past the
// limit, capture stops confirming and pauses: it closes the source stream, so nothing is read
// or confirmed and the source keeps its log from the spool's end on (the PostgreSQL slot holds
// WAL again; MariaDB needs its binlogs from there). State "full" in the metrics. Once the apply
// has pruned the spool below 90% of the limit the stream is opened again from the spool's end.
// The limit is checked between transactions: one transaction may take the spool past it.
//
// SpoolStream is the ChangeStream the CDC loop reads instead of the source's: events come from
// the spool; Confirm (after each target commit) prunes the segments the target holds;
// CaughtUpTo is the capture's, once everything durable was read.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/pipeline/change_spool.h"
#include "engine/pipeline/metrics.h"

namespace cutover {

class SpoolCapture {
 public:
  static constexpr uint64_t kSyncBytes = uint64_t{4} << 20;
  static constexpr std::chrono::milliseconds kSyncInterval{20};

  // `stream` was opened from `from`; `source` and `tables` reopen it after a pause. Everything
  // must outlive the capture; `metrics` may be null.
  SpoolCapture(Source& source, std::string task, const std::vector<TableSchemaPtr>& tables,
               std::unique_ptr<ChangeStream> stream, ChangeSpool& spool,
               ReplicationMetrics* metrics);
  ~SpoolCapture();  // Stop()

  void Start();
  // Stops the thread after the event it is reading (syncing what is whole). Idempotent.
  void Stop();
  // Whether the capture thread ended with an error (it is in ChangeSpool::capture_error too).
  bool failed() const { return failed_.load(); }

 private:
  void Run();
  Status Loop();
  Status SyncAndConfirm();
  void Publish(const char* state);

  Source& source_;
  std::string task_;
  const std::vector<TableSchemaPtr>& tables_;
  std::unique_ptr<ChangeStream> stream_;
  ChangeSpool& spool_;
  ReplicationMetrics* metrics_;
  std::atomic<bool> stop_{false}, failed_{false};
  std::thread thread_;

  std::optional<Position> skip_through_;  // the spool's end at start: already captured
  std::optional<Position> confirmed_;
  uint64_t unsynced_ = 0;
  std::chrono::steady_clock::time_point last_sync_;
};

class SpoolStream : public ChangeStream {
 public:
  explicit SpoolStream(ChangeSpool& spool) : spool_(spool), reader_(spool.OpenReader()) {}
  Status Next(StreamEvent& out, std::chrono::milliseconds wait) override {
    return reader_->Next(out, wait);
  }
  Status Confirm(const Position& applied) override { return spool_.Prune(applied); }
  std::optional<Position> CaughtUpTo() const override { return reader_->CaughtUpTo(); }

 private:
  ChangeSpool& spool_;
  std::unique_ptr<ChangeSpool::Reader> reader_;
};

}  // namespace cutover
