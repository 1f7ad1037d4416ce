// The durable change spool: committed source transactions on the replication host's disk,
// between capture and apply.
//
// Why: without it the source's log is the only buffer. While the target is down a PostgreSQL
// slot holds every WAL segment on the source (a full disk on the production database), and a
// MariaDB binlog purged during the outage is a gap that ends the task. With it, a capture
// thread reads the source stream into the spool and tells the source a transaction is done as
// soon as it is durable here (PostgreSQL: the slot's flush position), while the apply reads the
// spool and checkpoints on the target exactly as it did when it read the source: the target's
// checkpoint, written in the same transaction as the data, still decides what is applied.
//
// Layout: a directory (locked by one process, SpoolDir) of segment files NNNNNNNNNNNNNNNN.changes,
// each a sequence of checksummed spool records (engine/core/spool.h): a header (the segment's
// base position: every transaction the capture delivered after it is in this segment or a
// later one), then the records of whole transactions in commit order (change_record.h). A new
// segment starts at a transaction boundary once the current one passes `segment_bytes`.
//
// Durability: records are appended with buffered writes and made durable by Sync (fdatasync),
// which the capture calls in groups (every few milliseconds or megabytes, and whenever the
// source is idle). Only then is the source confirmed, and only then do readers see the new
// transactions: a reader never sees a transaction that a crash could take back, and the source
// never forgets one the spool could lose.
//
// Recovery (Open): a kill -9 can leave the last segment ending inside a record or inside a
// transaction (written, not yet synced, or synced mid-transaction): it is cut back to its last
// whole transaction, which is what was confirmed at most. Any other damage (a checksum
// mismatch in an earlier segment) is DataLoss naming the file and offset.
//
// Pruning: the apply confirms the target's checkpoint to its stream (SpoolStream::Confirm);
// every finished (sealed) segment whose last transaction is at or before it is deleted. Segments
// are at most max_bytes / 8, so a full spool can be pruned while capture is paused.
//
// Coverage (Covers): the spool holds every transaction after its first segment's base, up to
// its end. When a restart finds the target's checkpoint at or after that base, apply reads the
// spool from the checkpoint and capture resumes from the spool's end, not from the checkpoint.
//
// Threads: one writer (the capture thread: Append, Sync, and Reset before it starts) and one
// reader (the apply thread: OpenReader, Prune) at a time; every method is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/change.h"
#include "engine/core/spool.h"
#include "engine/core/status.h"
#include "engine/pipeline/change_record.h"

namespace cutover {

struct ChangeSpoolOptions {
  std::string dir;                          // created (mode 0700) when missing
  uint64_t max_bytes = uint64_t{10} << 30;  // --spool-max-bytes: see SpoolCapture
  uint64_t segment_bytes = uint64_t{64} << 20;
};

class ChangeSpool {
 public:
  // Locks `options.dir`, recovers its segments (see the design note). `known`: the task's
  // tables by name (change_record.h); must outlive the spool.
  static Result<std::unique_ptr<ChangeSpool>> Open(
      ChangeSpoolOptions options, const std::map<TableName, TableSchemaPtr>* known);
  ~ChangeSpool();

  const ChangeSpoolOptions& options() const { return options_; }

  // Whether the spool holds every transaction after `from` that the source would deliver
  // (there is a segment and the first one's base is at or before `from`).
  bool Covers(const Position& from) const;
  // The last whole transaction in the spool; nullopt when it holds none.
  std::optional<Position> end() const;
  // Deletes every segment and starts a new one at `base`.
  Status Reset(const Position& base);

  // Writer. Appends one event (kBegin, kChange, kCommit, in stream order). Starts a new segment
  // at a kBegin when the current one is past segment_bytes.
  Status Append(const StreamEvent& ev);
  // Makes every whole transaction appended so far durable and visible to readers; returns the
  // last one's position (nullopt: none yet).
  Result<std::optional<Position>> Sync();
  // Between transactions: makes the segment being written durable and closes it, so that it can
  // be pruned once applied (a full spool seals before pausing). The next Append starts a new one.
  Status Seal();
  // The last transaction appended (or, before any, the base the spool started at): where a
  // stream reopened after a pause resumes.
  Position tail() const;
  // Bytes of every segment on disk (what --spool-max-bytes bounds).
  uint64_t bytes() const { return bytes_.load(); }

  // The capture's state, for readers: its error (ends the apply once it has read everything
  // durable) and the position it read the source through when it last found it idle.
  void SetCaptureError(Status s);
  Status capture_error() const;
  void SetCaughtUp(std::optional<Position> p);

  // Reads the spool from its first segment, seeing what Sync published.
  class Reader {
   public:
    // Waits up to `wait` for the next event. kNone when none is durable yet; the capture's
    // error once everything durable was read and the capture has failed.
    Status Next(StreamEvent& out, std::chrono::milliseconds wait);
    // Between transactions, when everything durable was read: where the capture found the
    // source caught up (ChangeStream::CaughtUpTo).
    std::optional<Position> CaughtUpTo() const;

   private:
    friend class ChangeSpool;
    explicit Reader(ChangeSpool* spool);
    ChangeSpool* spool_;
    EventDecoder decoder_;
    uint64_t seq_ = 0;  // segment being read; 0: none opened yet
    std::optional<SpoolReader> reader_;
    std::string record_;
    bool in_txn_ = false;
    bool at_durable_end_ = false;
  };
  std::unique_ptr<Reader> OpenReader();

  // Deletes the finished (sealed) segments whose last transaction is at or before `applied`.
  Status Prune(const Position& applied);

 private:
  struct Segment {
    uint64_t seq = 0;
    std::string path;
    Position base;
    std::optional<Position> last;  // last whole, durable transaction
    uint64_t published = 0;        // bytes readers may read (whole durable transactions)
    uint64_t size = 0;             // bytes on disk
    bool sealed = false;           // no more appends
  };

  ChangeSpool(ChangeSpoolOptions options, SpoolDir dir,
              const std::map<TableName, TableSchemaPtr>* known);
  Status Recover();
  Status StartSegment(const Position& base);  // caller holds no lock
  std::string SegmentPath(uint64_t seq) const;
  void UpdateBytes();  // caller holds mu_

  ChangeSpoolOptions options_;
  SpoolDir dir_;
  const std::map<TableName, TableSchemaPtr>* known_;
  TableShapes shapes_;

  mutable std::mutex mu_;
  std::condition_variable published_cv_;
  std::vector<Segment> segments_;  // in order; the last is the one written (unless sealed)
  Status capture_error_;
  std::optional<Position> caught_up_;
  std::atomic<uint64_t> bytes_{0};
  Position tail_;

  // Writer state (writer thread only).
  std::optional<SpoolWriter> writer_;
  EventEncoder encoder_{&shapes_};
  std::vector<std::string> scratch_;
  uint64_t last_commit_offset_ = 0;  // in the written segment: end of its last Commit record
  std::optional<Position> last_commit_;
  bool in_txn_ = false;
  bool segment_commit_ = false;  // the written segment holds a Commit
  uint64_t next_seq_ = 1;
};

}  // namespace cutover
