// The durable change spool's segments. See change_spool.h for the design note.
#include "engine/pipeline/change_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "engine/core/log.h"

namespace cutover {

namespace {

constexpr std::string_view kSegmentSuffix = ".changes";

// fsync of the directory, so a new segment's name survives a crash of the machine.
Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unavailable("change spool " + dir + ": open: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Unavailable("change spool " + dir + ": fsync: " + std::strerror(err));
  return Status::Ok();
}

}  // namespace

ChangeSpool::ChangeSpool(ChangeSpoolOptions options, SpoolDir dir,
                         const std::map<TableName, TableSchemaPtr>* known)
    : options_(std::move(options)), dir_(std::move(dir)), known_(known) {}

ChangeSpool::~ChangeSpool() = default;

Result<std::unique_ptr<ChangeSpool>> ChangeSpool::Open(
    ChangeSpoolOptions options, const std::map<TableName, TableSchemaPtr>* known) {
  ASSIGN_OR_RETURN(SpoolDir dir, SpoolDir::Open(options.dir));
  // Several segments fit under the limit, so the apply can prune while capture is paused.
  options.segment_bytes =
      std::min(options.segment_bytes, std::max<uint64_t>(options.max_bytes / 8, 64 << 10));
  std::unique_ptr<ChangeSpool> spool(new ChangeSpool(std::move(options), std::move(dir), known));
  RETURN_IF_ERROR(spool->Recover());
  return spool;
}

std::string ChangeSpool::SegmentPath(uint64_t seq) const {
  return fmt::format("{}/{:016}{}", dir_.path(), seq, kSegmentSuffix);
}

void ChangeSpool::UpdateBytes() {
  uint64_t total = 0;
  for (const Segment& s : segments_) total += s.size;
  bytes_.store(total);
}

Status ChangeSpool::Recover() {
  std::vector<uint64_t> seqs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path(), ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 16 + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) continue;
    if (!std::all_of(name.begin(), name.begin() + 16, [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    seqs.push_back(std::stoull(name.substr(0, 16)));
  }
  if (ec) return Unavailable("change spool " + dir_.path() + ": listing: " + ec.message());
  std::sort(seqs.begin(), seqs.end());
  EventDecoder decoder(known_, nullptr);
  for (size_t i = 0; i < seqs.size(); ++i) {
    const bool last_file = i + 1 == seqs.size();
    Segment seg;
    seg.seq = seqs[i];
    seg.path = SegmentPath(seg.seq);
    seg.sealed = true;
    ASSIGN_OR_RETURN(SpoolReader reader, SpoolReader::Open(seg.path));
    std::string record;
    uint64_t whole = 0;  // end of the last whole transaction (or of the header)
    bool header = false;
    Status damage;
    for (;;) {
      Result<bool> more = reader.Next(record);
      if (!more.ok()) {
        damage = more.status();
        break;
      }
      if (!*more) break;
      if (!header) {
        Result<Position> base = DecodeSegmentHeader(record);
        if (!base.ok()) {
          damage = base.status();
          break;
        }
        seg.base = *base;
        header = true;
        whole = reader.offset();
        continue;
      }
      if (record.empty() || record[0] != 'E') continue;
      StreamEvent ev;
      Result<bool> decoded = decoder.Decode(record, ev);
      if (!decoded.ok()) {
        damage = decoded.status();
        break;
      }
      seg.last = ev.txn.position;
      whole = reader.offset();
    }
    uint64_t size = std::filesystem::file_size(seg.path, ec);
    if (!damage.ok() && !last_file) {
      return DataLoss("change spool " + dir_.path() + ": segment " + seg.path +
                      " is damaged before its end (" + damage.message() +
                      "); the spool cannot be trusted: stop the task, remove the directory and "
                      "run `cutover task drop` then start the task again");
    }
    if (!header) {
      // Killed before its header was durable: it holds nothing.
      std::filesystem::remove(seg.path, ec);
      continue;
    }
    if (whole < size) {
      // The tail after the last whole transaction: written, never confirmed to the source.
      if (::truncate(seg.path.c_str(), static_cast<off_t>(whole)) != 0)
        return Unavailable("change spool " + seg.path + ": truncate: " + std::strerror(errno));
      Log(LogLevel::kInfo, "change spool: {}: dropped {} byte(s) after its last whole transaction",
          seg.path, size - whole);
    }
    seg.published = seg.size = whole;
    tail_ = seg.last ? *seg.last : seg.base;
    next_seq_ = seg.seq + 1;
    segments_.push_back(std::move(seg));
  }
  UpdateBytes();
  return Status::Ok();
}

bool ChangeSpool::Covers(const Position& from) const {
  std::lock_guard<std::mutex> lock(mu_);
  return !segments_.empty() && segments_.front().base <= from;
}

std::optional<Position> ChangeSpool::end() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it)
    if (it->last) return it->last;
  return std::nullopt;
}

Status ChangeSpool::Reset(const Position& base) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    writer_.reset();
    for (const Segment& s : segments_) {
      std::error_code ec;
      std::filesystem::remove(s.path, ec);
      if (ec) return Unavailable("change spool " + s.path + ": remove: " + ec.message());
    }
    segments_.clear();
    UpdateBytes();
    tail_ = base;
  }
  last_commit_.reset();
  in_txn_ = false;
  return StartSegment(base);
}

Status ChangeSpool::StartSegment(const Position& base) {
  const uint64_t seq = next_seq_++;  // never reused: a reader moves on by sequence
  std::string path = SegmentPath(seq);
  ASSIGN_OR_RETURN(SpoolWriter w, SpoolWriter::Create(path));
  w.DoNotCount();  // committed transactions: not the CDCChangesDiskSource gauge
  RETURN_IF_ERROR(w.Append(EncodeSegmentHeader(base)));
  RETURN_IF_ERROR(w.Sync());
  RETURN_IF_ERROR(SyncDir(dir_.path()));
  Segment seg;
  seg.seq = seq;
  seg.path = path;
  seg.base = base;
  seg.published = seg.size = w.bytes();
  last_commit_offset_ = w.bytes();
  segment_commit_ = false;
  writer_.emplace(std::move(w));
  encoder_.NewSegment();
  std::lock_guard<std::mutex> lock(mu_);
  segments_.push_back(std::move(seg));
  UpdateBytes();
  published_cv_.notify_all();
  return Status::Ok();
}

Status ChangeSpool::Append(const StreamEvent& ev) {
  if (ev.type == StreamEvent::Type::kNone) return Status::Ok();
  if (ev.type == StreamEvent::Type::kBegin) {
    if (writer_ && writer_->bytes() >= options_.segment_bytes) RETURN_IF_ERROR(Seal());
    if (!writer_) RETURN_IF_ERROR(StartSegment(tail()));  // after the spool's last transaction
    in_txn_ = true;
  }
  if (!writer_) return FailedPrecondition("change spool: a change outside a transaction");
  scratch_.clear();
  encoder_.Encode(ev, scratch_);
  for (const std::string& r : scratch_) RETURN_IF_ERROR(writer_->Append(r));
  if (ev.type == StreamEvent::Type::kCommit) {
    last_commit_offset_ = writer_->bytes();
    last_commit_ = ev.txn.position;
    segment_commit_ = true;
    in_txn_ = false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (ev.type == StreamEvent::Type::kCommit) tail_ = ev.txn.position;
  segments_.back().size = writer_->bytes();
  UpdateBytes();
  return Status::Ok();
}

Result<std::optional<Position>> ChangeSpool::Sync() {
  if (writer_) RETURN_IF_ERROR(writer_->Sync());
  std::lock_guard<std::mutex> lock(mu_);
  if (writer_ && !segments_.empty()) {
    Segment& s = segments_.back();
    s.published = last_commit_offset_;
    if (segment_commit_) s.last = last_commit_;
    published_cv_.notify_all();
  }
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it)
    if (it->last) return it->last;
  return std::optional<Position>();
}

Status ChangeSpool::Seal() {
  if (!writer_) return Status::Ok();
  RETURN_IF_ERROR(Sync().status());
  RETURN_IF_ERROR(writer_->Finish());
  writer_.reset();
  std::lock_guard<std::mutex> lock(mu_);
  segments_.back().sealed = true;
  published_cv_.notify_all();
  return Status::Ok();
}

Position ChangeSpool::tail() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tail_;
}

void ChangeSpool::SetCaptureError(Status s) {
  std::lock_guard<std::mutex> lock(mu_);
  capture_error_ = std::move(s);
  published_cv_.notify_all();
}

Status ChangeSpool::capture_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return capture_error_;
}

void ChangeSpool::SetCaughtUp(std::optional<Position> p) {
  std::lock_guard<std::mutex> lock(mu_);
  caught_up_ = std::move(p);
}

Status ChangeSpool::Prune(const Position& applied) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  // Sealed segments only: never the one being written.
  while (n < segments_.size() && segments_[n].sealed &&
         (segments_[n].last ? *segments_[n].last <= applied : segments_[n].base <= applied))
    ++n;
  if (n == 0) return Status::Ok();
  for (size_t i = 0; i < n; ++i) {
    std::error_code ec;
    std::filesystem::remove(segments_[i].path, ec);
    if (ec) return Unavailable("change spool " + segments_[i].path + ": remove: " + ec.message());
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
  UpdateBytes();
  return Status::Ok();
}

std::unique_ptr<ChangeSpool::Reader> ChangeSpool::OpenReader() {
  return std::unique_ptr<Reader>(new Reader(this));
}

ChangeSpool::Reader::Reader(ChangeSpool* spool)
    : spool_(spool), decoder_(spool->known_, &spool->shapes_) {}

Status ChangeSpool::Reader::Next(StreamEvent& out, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    std::unique_lock<std::mutex> lock(spool_->mu_);
    auto& segs = spool_->segments_;
    // The segment to read: the current one, else the first after it.
    auto it =
        std::find_if(segs.begin(), segs.end(), [&](const Segment& s) { return s.seq >= seq_; });
    if (it != segs.end() && (it->seq != seq_ || !reader_)) {
      std::string path = it->path;
      uint64_t limit = it->published;
      seq_ = it->seq;
      lock.unlock();
      ASSIGN_OR_RETURN(SpoolReader r, SpoolReader::Open(path, limit));
      reader_.emplace(std::move(r));
      decoder_.NewSegment();
      continue;
    }
    if (it != segs.end() && reader_->offset() < it->published) {
      reader_->ExtendTo(it->published);
      lock.unlock();
      ASSIGN_OR_RETURN(bool more, reader_->Next(record_));
      if (!more)
        return Internal("change spool: " + reader_->path() + " ended before its published size");
      ASSIGN_OR_RETURN(bool event, decoder_.Decode(record_, out));
      if (!event) continue;
      if (out.type == StreamEvent::Type::kBegin) in_txn_ = true;
      if (out.type == StreamEvent::Type::kCommit) in_txn_ = false;
      at_durable_end_ = false;
      return Status::Ok();
    }
    if (it != segs.end() && it->sealed && std::next(it) != segs.end()) {
      seq_ = std::next(it)->seq;
      reader_.reset();
      continue;
    }
    at_durable_end_ = true;
    if (!spool_->capture_error_.ok() && !in_txn_) return spool_->capture_error_;
    if (std::chrono::steady_clock::now() >= deadline) {
      out.type = StreamEvent::Type::kNone;
      return Status::Ok();
    }
    spool_->published_cv_.wait_until(lock, deadline);
  }
}

std::optional<Position> ChangeSpool::Reader::CaughtUpTo() const {
  if (in_txn_ || !at_durable_end_) return std::nullopt;
  std::lock_guard<std::mutex> lock(spool_->mu_);
  return spool_->caught_up_;
}

}  // namespace cutover
