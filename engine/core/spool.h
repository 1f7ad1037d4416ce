// On-disk spool for large in-progress transactions.
//
// Design: a transaction's changes are buffered in memory only up to a limit; past it they are
// appended to a spool file so that memory stays bounded whatever the transaction size, and are
// read back one record at a time when the transaction commits. The spool is opaque bytes: the
// caller serializes its changes; this layer only frames, checksums and stores them.
//
// File format: a sequence of records, each
//     [u32 payload length][u64 XXH3-64 of payload][payload]
// with both integers little-endian. There is no file header and no trailer: an empty file is a
// valid spool of zero records. The checksum covers the payload only; a corrupt length is caught
// because it either points past the end of the file (truncation) or frames the wrong bytes
// (checksum mismatch). Reading stops cleanly only at a record boundary that is also end of file.
//
// Durability: none by default, on purpose. The writer uses plain buffered write(2) and fsyncs
// only when asked (Sync, used by the durable change spool, engine/pipeline/change_spool.h). A
// spool is a cache of data that can be re-fetched from the source: after a crash the engine
// resumes from its last checkpoint, which precedes every uncommitted transaction, and
// re-receives them. That is also why SpoolDir::Open deletes whatever a previous run left
// behind: those files are stale by construction and may be incomplete.
//
// Memory: the writer holds one fixed buffer (kSpoolBufferSize); a record larger than that
// buffer is written straight from the caller's memory. The reader holds one buffer of the same
// size plus the caller's record string. Neither keeps records after handing them on.
//
// Files are created mode 0600 in a directory of mode 0700: a spool holds row data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/core/status.h"

namespace cutover {

// Size of the writer's and the reader's I/O buffer.
inline constexpr size_t kSpoolBufferSize = size_t{1} << 20;
// Bytes of framing before each payload: u32 length + u64 checksum.
inline constexpr size_t kSpoolRecordHeaderSize = 12;
// Largest payload one record can carry (the length field is a u32).
inline constexpr size_t kSpoolMaxRecordSize = UINT32_MAX;

// Appends records to a new spool file. Single-threaded: one writer per file, used by one thread
// at a time. Movable, not copyable.
class SpoolWriter {
 public:
  // Creates (or truncates) `path` with mode 0600 and opens it for writing. Errors carry the path
  // and the system's reason.
  static Result<SpoolWriter> Create(std::string path);

  SpoolWriter(SpoolWriter&& other) noexcept;
  SpoolWriter& operator=(SpoolWriter&& other) noexcept;
  SpoolWriter(const SpoolWriter&) = delete;
  SpoolWriter& operator=(const SpoolWriter&) = delete;
  // Closes the file without writing out the buffer. A writer destroyed before Finish() leaves
  // an incomplete file (possibly ending mid-record, which a reader reports as DataLoss); the
  // owner should remove it. The format cannot tell a complete file from one cut at a record
  // boundary, so only read files whose Finish() succeeded.
  ~SpoolWriter();

  // Appends one record; `record` may be empty and may contain any bytes, including zeros.
  // Records larger than kSpoolMaxRecordSize are InvalidArgument. The bytes are copied into the
  // buffer or written out before returning, so `record` need not outlive the call. After an
  // error the file is in an unknown state and the writer must not be used further except to be
  // destroyed; later calls return the same error. Calling after Finish() is
  // FailedPrecondition.
  Status Append(std::string_view record);

  // Writes out the buffer and closes the file. No fsync (see the design note). Calling it a
  // second time is FailedPrecondition.
  Status Finish();

  // Writes out the buffer and makes every record appended so far durable (fdatasync). After it
  // returns OK, bytes() bytes of the file survive a crash of the process or of the machine.
  // Errors are sticky, as for Append.
  Status Sync();

  // Leaves this writer's records out of SpooledRecordsOpen (the durable change spool's segments
  // hold committed transactions, not in-progress ones). Call before the first Append.
  void DoNotCount() { counted_ = records_ != 0; }

  const std::string& path() const { return path_; }
  // Records appended so far.
  uint64_t records() const { return records_; }
  // Bytes appended so far, framing included: the file size once finished.
  uint64_t bytes() const { return bytes_; }
  // Bytes held in memory, not yet written to the file. Never more than kSpoolBufferSize.
  size_t buffered_bytes() const { return used_; }

 private:
  SpoolWriter(std::string path, int fd);
  Status Flush();
  Status WriteAll(const char* data, size_t size);
  void Close();

  std::string path_;
  int fd_ = -1;
  std::unique_ptr<char[]> buffer_;
  size_t used_ = 0;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
  Status error_;  // sticky: the first failure, returned by every later call
  bool finished_ = false;
  bool counted_ = true;  // records count in SpooledRecordsOpen
};

// Records appended to spool writers that still exist, summed over the process: changes of
// in-progress source transactions waiting on disk (the CDCChangesDiskSource metric).
int64_t SpooledRecordsOpen();

// Reads the records of a finished spool file in order. Single-threaded; movable, not copyable.
class SpoolReader {
 public:
  // Opens `path` for reading, its first `limit` bytes at most (see ExtendTo). A missing file is
  // NotFound; other errors carry the path and the system's reason.
  static Result<SpoolReader> Open(std::string path, uint64_t limit = UINT64_MAX);

  SpoolReader(SpoolReader&& other) noexcept;
  SpoolReader& operator=(SpoolReader&& other) noexcept;
  SpoolReader(const SpoolReader&) = delete;
  SpoolReader& operator=(const SpoolReader&) = delete;
  ~SpoolReader();

  // Reads the next record into `record` (replacing its contents) and returns true, or returns
  // false at the clean end of the file. A checksum mismatch, or a file that ends inside a
  // record, is DataLoss naming the file and the byte offset of the bad record. After an error or
  // the end, further calls return the same outcome. On error `record` holds unspecified bytes.
  Result<bool> Next(std::string& record);

  // Raises the readable size of the file to `size` bytes (never lowers it): for a file another
  // writer appends to, whose first `size` bytes are written out (SpoolWriter::Sync). Next then
  // reads past the end it reported before. The reader keeps its descriptor open until destroyed.
  void ExtendTo(uint64_t size);

  const std::string& path() const { return path_; }
  // Byte offset of the next record to be read.
  uint64_t offset() const { return offset_; }

 private:
  SpoolReader(std::string path, int fd, uint64_t file_size);
  // Copies exactly `size` bytes at the read position into `out`; returns false if the file ends
  // first (nothing is consumed beyond end of file).
  Result<bool> ReadExact(char* out, size_t size);
  void Close();

  std::string path_;
  int fd_ = -1;
  uint64_t file_size_ = 0;
  uint64_t offset_ = 0;  // of the next record, in the file
  std::unique_ptr<char[]> buffer_;
  size_t begin_ = 0;  // unread bytes are buffer_[begin_, end_)
  size_t end_ = 0;
  Status error_;  // sticky
  bool at_end_ = false;
};

// A directory of spool files, one per key (e.g. a transaction id). Cheap to copy: it holds the
// path and a shared lock. Its methods may be called from several threads at once, as long as two
// threads do not use the same key at the same time.
class SpoolDir {
 public:
  // Creates `path` and any missing parents (parents as `mkdir -p` would; the directory itself
  // with mode 0700; an existing directory keeps its mode). Then deletes spool files left by a
  // previous run, which are stale (see the design note). Only files named like spool files
  // ("*.spool") are deleted; anything else in the directory is left alone, so pointing it at
  // the wrong place cannot destroy unrelated data. Two engines must not share a directory, and
  // cannot: Open takes an exclusive lock (flock on "<path>/.lock") held until the last copy of
  // the SpoolDir is gone; a second Open of a locked directory, from any process, fails with
  // FailedPrecondition naming the path. An empty path is InvalidArgument; a path that exists but
  // is not a directory is FailedPrecondition.
  static Result<SpoolDir> Open(std::string path);

  const std::string& path() const { return path_; }

  // Path of the spool file for `key`. Any key maps to a single safe file name inside the
  // directory: bytes other than [A-Za-z0-9_.-] (and a leading '.') are written as %XX, so
  // distinct keys give distinct names and no key can escape the directory. Keys whose escaped
  // form is too long for a file name are shortened and suffixed with a hash of the full key.
  std::string PathFor(std::string_view key) const;

  // Deletes the spool file for `key`. A file that does not exist is not an error.
  Status Remove(std::string_view key) const;

  // Deletes every spool file in the directory (see Open for which files count).
  Status RemoveAll() const;

 private:
  explicit SpoolDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::shared_ptr<const int> lock_fd_;  // the flock'ed ".lock" file, closed with the last copy
};

}  // namespace cutover
