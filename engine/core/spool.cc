// Spool files: framing, checksums and buffered I/O. See spool.h for the design note.
#include "engine/core/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <xxhash.h>

namespace cutover {
namespace {

constexpr std::string_view kSpoolSuffix = ".spool";
// Escaped keys longer than this are shortened (file names are limited to 255 bytes).
constexpr size_t kMaxEscapedKey = 200;
constexpr size_t kShortenedKeyPrefix = 180;

// An I/O failure as a Status: "spool <path>: <op>: <reason>". The code follows the cause: a
// missing file is NotFound, refused access PermissionDenied, anything else (disk full, I/O
// error) Unavailable, since it comes from the environment rather than from a bug.
Status IoError(std::string_view op, std::string_view path, int err) {
  std::string message =
      fmt::format("spool {}: {}: {}", path, op, std::generic_category().message(err));
  switch (err) {
    case ENOENT:
      return NotFound(std::move(message));
    case EACCES:
    case EPERM:
    case EROFS:
      return PermissionDenied(std::move(message));
    default:
      return Unavailable(std::move(message));
  }
}

uint64_t Checksum(std::string_view payload) {
  return XXH3_64bits(payload.empty() ? "" : payload.data(), payload.size());
}

void EncodeHeader(char* out, uint32_t length, uint64_t checksum) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<char>((checksum >> (8 * i)) & 0xff);
}

void DecodeHeader(const char* in, uint32_t& length, uint64_t& checksum) {
  length = 0;
  checksum = 0;
  for (int i = 0; i < 4; ++i) length |= uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
  for (int i = 0; i < 8; ++i) {
    checksum |= uint64_t{static_cast<unsigned char>(in[4 + i])} << (8 * i);
  }
}

bool IsSafeKeyByte(char c, bool first) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  if (c == '_' || c == '-') return true;
  return c == '.' && !first;  // no hidden files, no "." or ".."
}

std::string EscapeKey(std::string_view key) {
  if (key.empty()) return "%";  // escapes are always "%XX", so a lone "%" is free
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (IsSafeKeyByte(c, i == 0)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    }
  }
  if (out.size() > kMaxEscapedKey) {
    // '~' never appears in an escaped key, so shortened names cannot collide with plain ones.
    out = fmt::format("{}~{:016x}", std::string_view(out).substr(0, kShortenedKeyPrefix),
                      XXH3_64bits(key.data(), key.size()));
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SpoolWriter

namespace {
// Records appended to writers that still exist, over the whole process (SpooledRecordsOpen).
std::atomic<int64_t> g_open_records{0};
}  // namespace

int64_t SpooledRecordsOpen() {
  return g_open_records.load(std::memory_order_relaxed);
}

Result<SpoolWriter> SpoolWriter::Create(std::string path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return IoError("create", path, errno);
  return SpoolWriter(std::move(path), fd);
}

SpoolWriter::SpoolWriter(std::string path, int fd)
    : path_(std::move(path)), fd_(fd), buffer_(new char[kSpoolBufferSize]) {}

SpoolWriter::SpoolWriter(SpoolWriter&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      used_(std::exchange(other.used_, 0)),
      records_(std::exchange(other.records_, 0)),
      bytes_(std::exchange(other.bytes_, 0)),
      error_(std::move(other.error_)),
      finished_(std::exchange(other.finished_, false)),
      counted_(other.counted_) {}

SpoolWriter& SpoolWriter::operator=(SpoolWriter&& other) noexcept {
  if (this != &other) {
    Close();
    if (counted_)
      g_open_records.fetch_sub(static_cast<int64_t>(records_), std::memory_order_relaxed);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    used_ = std::exchange(other.used_, 0);
    records_ = std::exchange(other.records_, 0);
    bytes_ = std::exchange(other.bytes_, 0);
    error_ = std::move(other.error_);
    finished_ = std::exchange(other.finished_, false);
    counted_ = other.counted_;
  }
  return *this;
}

SpoolWriter::~SpoolWriter() {
  Close();
  if (counted_) g_open_records.fetch_sub(static_cast<int64_t>(records_), std::memory_order_relaxed);
}

void SpoolWriter::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status SpoolWriter::WriteAll(const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path_, errno);
    }
    if (n == 0) return IoError("write", path_, EIO);
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SpoolWriter::Flush() {
  if (used_ == 0) return Status::Ok();
  RETURN_IF_ERROR(WriteAll(buffer_.get(), used_));
  used_ = 0;
  return Status::Ok();
}

Status SpoolWriter::Append(std::string_view record) {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPrecondition(fmt::format("spool {}: append after finish", path_));
  if (fd_ < 0) return FailedPrecondition("spool: append to a moved-from writer");
  if (record.size() > kSpoolMaxRecordSize) {
    return InvalidArgument(fmt::format("spool {}: record of {} bytes exceeds the {} byte limit",
                                       path_, record.size(), kSpoolMaxRecordSize));
  }
  const size_t framed = kSpoolRecordHeaderSize + record.size();
  if (used_ + framed > kSpoolBufferSize) {
    error_ = Flush();
    if (!error_.ok()) return error_;
  }
  EncodeHeader(buffer_.get() + used_, static_cast<uint32_t>(record.size()), Checksum(record));
  used_ += kSpoolRecordHeaderSize;
  if (framed <= kSpoolBufferSize) {
    if (!record.empty()) std::memcpy(buffer_.get() + used_, record.data(), record.size());
    used_ += record.size();
  } else {
    // Too big for the buffer (which is empty but for this header): write it from the caller's
    // memory rather than growing the buffer.
    error_ = Flush();
    if (error_.ok()) error_ = WriteAll(record.data(), record.size());
    if (!error_.ok()) return error_;
  }
  ++records_;
  if (counted_) g_open_records.fetch_add(1, std::memory_order_relaxed);
  bytes_ += framed;
  return Status::Ok();
}

Status SpoolWriter::Finish() {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPrecondition(fmt::format("spool {}: finished twice", path_));
  if (fd_ < 0) return FailedPrecondition("spool: finish of a moved-from writer");
  error_ = Flush();
  if (!error_.ok()) return error_;
  // close(2) can report a deferred write error (NFS, quota); the descriptor is released anyway.
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0 && errno != EINTR) {
    error_ = IoError("close", path_, errno);
    return error_;
  }
  finished_ = true;
  buffer_.reset();
  return Status::Ok();
}

Status SpoolWriter::Sync() {
  if (!error_.ok()) return error_;
  if (finished_ || fd_ < 0)
    return FailedPrecondition(fmt::format("spool {}: sync after finish", path_));
  error_ = Flush();
  if (!error_.ok()) return error_;
  if (::fdatasync(fd_) != 0) {
    error_ = IoError("fdatasync", path_, errno);
    return error_;
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// SpoolReader

void SpoolReader::ExtendTo(uint64_t size) {
  if (size <= file_size_ || !error_.ok()) return;
  file_size_ = size;
  at_end_ = false;
}

Result<SpoolReader> SpoolReader::Open(std::string path, uint64_t limit) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return IoError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return IoError("stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return FailedPrecondition(fmt::format("spool {}: not a regular file", path));
  }
  return SpoolReader(std::move(path), fd, std::min(static_cast<uint64_t>(st.st_size), limit));
}

SpoolReader::SpoolReader(std::string path, int fd, uint64_t file_size)
    : path_(std::move(path)), fd_(fd), file_size_(file_size), buffer_(new char[kSpoolBufferSize]) {}

SpoolReader::SpoolReader(SpoolReader&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      file_size_(std::exchange(other.file_size_, 0)),
      offset_(std::exchange(other.offset_, 0)),
      buffer_(std::move(other.buffer_)),
      begin_(std::exchange(other.begin_, 0)),
      end_(std::exchange(other.end_, 0)),
      error_(std::move(other.error_)),
      at_end_(std::exchange(other.at_end_, false)) {}

SpoolReader& SpoolReader::operator=(SpoolReader&& other) noexcept {
  if (this != &other) {
    Close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    file_size_ = std::exchange(other.file_size_, 0);
    offset_ = std::exchange(other.offset_, 0);
    buffer_ = std::move(other.buffer_);
    begin_ = std::exchange(other.begin_, 0);
    end_ = std::exchange(other.end_, 0);
    error_ = std::move(other.error_);
    at_end_ = std::exchange(other.at_end_, false);
  }
  return *this;
}

SpoolReader::~SpoolReader() {
  Close();
}

void SpoolReader::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<bool> SpoolReader::ReadExact(char* out, size_t size) {
  while (size > 0) {
    if (begin_ < end_) {
      const size_t n = std::min(size, end_ - begin_);
      std::memcpy(out, buffer_.get() + begin_, n);
      begin_ += n;
      out += n;
      size -= n;
      continue;
    }
    // Buffer empty: large remainders go straight to the destination, small ones refill it.
    const bool direct = size >= kSpoolBufferSize;
    char* dst = direct ? out : buffer_.get();
    const ssize_t n = ::read(fd_, dst, direct ? size : kSpoolBufferSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path_, errno);
    }
    if (n == 0) return false;
    if (direct) {
      out += n;
      size -= static_cast<size_t>(n);
    } else {
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
  }
  return true;
}

Result<bool> SpoolReader::Next(std::string& record) {
  if (!error_.ok()) return error_;
  if (at_end_) return false;
  if (fd_ < 0) return FailedPrecondition("spool: read from a moved-from reader");

  // The size taken at open bounds every length field, so a corrupt length can neither make us
  // allocate gigabytes nor read past the data that was there.
  const uint64_t remaining = file_size_ > offset_ ? file_size_ - offset_ : 0;
  if (remaining == 0) {
    at_end_ = true;  // the descriptor stays open: ExtendTo may make more of the file readable
    return false;
  }
  auto truncated = [&](std::string_view detail) {
    return DataLoss(
        fmt::format("spool {}: truncated record at byte offset {}: {}", path_, offset_, detail));
  };
  if (remaining < kSpoolRecordHeaderSize) {
    error_ = truncated(
        fmt::format("{} bytes left, a record header needs {}", remaining, kSpoolRecordHeaderSize));
    return error_;
  }
  char header[kSpoolRecordHeaderSize];
  Result<bool> got = ReadExact(header, sizeof(header));
  if (!got.ok()) return error_ = got.status();
  if (!*got) return error_ = truncated("file shrank while being read");
  uint32_t length;
  uint64_t expected;
  DecodeHeader(header, length, expected);
  if (length > remaining - kSpoolRecordHeaderSize) {
    error_ = truncated(fmt::format("header says {} payload bytes, only {} left", length,
                                   remaining - kSpoolRecordHeaderSize));
    return error_;
  }
  record.resize(length);
  got = ReadExact(record.data(), length);
  if (!got.ok()) return error_ = got.status();
  if (!*got) return error_ = truncated("file shrank while being read");
  const uint64_t actual = Checksum(record);
  if (actual != expected) {
    error_ = DataLoss(
        fmt::format("spool {}: checksum mismatch in record at byte offset {} ({} payload bytes): "
                    "stored {:016x}, computed {:016x}",
                    path_, offset_, length, expected, actual));
    return error_;
  }
  offset_ += kSpoolRecordHeaderSize + length;
  return true;
}

// ---------------------------------------------------------------------------------------------
// SpoolDir

Result<SpoolDir> SpoolDir::Open(std::string path) {
  if (path.empty()) return InvalidArgument("spool directory: empty path");
  std::filesystem::path dir(path);
  if (!dir.has_filename() && dir.has_parent_path() && dir != dir.root_path()) {
    dir = dir.parent_path();  // "a/b/" -> "a/b", so that "b" is the one made 0700
  }
  const std::string dir_str = dir.string();
  if (dir.has_parent_path() && dir != dir.root_path()) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) return IoError("create parent directories", dir_str, ec.value());
  }
  if (::mkdir(dir_str.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("create directory", dir_str, errno);
  }
  struct stat st;
  if (::stat(dir_str.c_str(), &st) != 0) return IoError("stat", dir_str, errno);
  if (!S_ISDIR(st.st_mode)) {
    return FailedPrecondition(fmt::format("spool {}: exists and is not a directory", dir_str));
  }
  SpoolDir result(dir_str);
  const std::string lock_path = dir_str + "/.lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("open", lock_path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return FailedPrecondition(fmt::format(
          "spool directory {} is in use by another cutover process (is the same task running "
          "twice? otherwise give each run its own --spool-dir)",
          dir_str));
    }
    return IoError("lock", lock_path, err);
  }
  result.lock_fd_ = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
  RETURN_IF_ERROR(result.RemoveAll());
  return result;
}

std::string SpoolDir::PathFor(std::string_view key) const {
  std::string out = path_;
  if (out.empty() || out.back() != '/') out.push_back('/');
  out += EscapeKey(key);
  out += kSpoolSuffix;
  return out;
}

Status SpoolDir::Remove(std::string_view key) const {
  const std::string file = PathFor(key);
  if (::unlink(file.c_str()) != 0 && errno != ENOENT) return IoError("remove", file, errno);
  return Status::Ok();
}

Status SpoolDir::RemoveAll() const {
  std::error_code ec;
  std::filesystem::directory_iterator it(path_, ec);
  if (ec) return IoError("list directory", path_, ec.value());
  for (const std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= kSpoolSuffix.size() || !name.ends_with(kSpoolSuffix)) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;  // not ours, whatever its name
    const std::string file = it->path().string();
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) return IoError("remove", file, errno);
  }
  if (ec) return IoError("list directory", path_, ec.value());
  return Status::Ok();
}

}  // namespace cutover
