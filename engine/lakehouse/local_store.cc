// The local-folder ObjectStore (`file:///abs/path`): objects are files under the root folder.
//
// An upload writes a hidden temporary file next to its key (".NAME.tmp-PID-N": globbing
// readers such as DuckDB's `*.csv` never see it), fsyncs it, renames it to the key and fsyncs
// the folder, so a file under its real name is always complete and survives a power cut. A
// crash leaves at most temporary files, which RemoveAbandoned deletes.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "engine/lakehouse/object_store.h"
#include "engine/lakehouse/s3/s3_store.h"

namespace cutover::lakehouse {
namespace {

namespace fs = std::filesystem;

std::string Errno(int e) {
  return std::strerror(e);
}

Status FsyncPath(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return Unavailable("open " + path + ": " + Errno(errno));
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return Unavailable("fsync " + path + ": " + Errno(e));
  return Status::Ok();
}

bool IsTemporary(const std::string& name) {
  return !name.empty() && name[0] == '.' && name.find(".tmp-") != std::string::npos;
}

std::atomic<uint64_t> g_upload_counter{0};

class LocalUpload final : public ObjectUpload {
 public:
  LocalUpload(std::string final_path, std::string temp_path, int fd)
      : final_(std::move(final_path)), temp_(std::move(temp_path)), fd_(fd) {}
  ~LocalUpload() override {
    if (fd_ >= 0) ::close(fd_);
    if (!completed_) ::unlink(temp_.c_str());
  }
  Status Append(std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Unavailable("write " + temp_ + ": " + Errno(errno));
      }
      bytes.remove_prefix(static_cast<size_t>(n));
      bytes_ += n;
    }
    return Status::Ok();
  }
  Status Complete() override {
    if (::fsync(fd_) != 0) return Unavailable("fsync " + temp_ + ": " + Errno(errno));
    ::close(fd_);
    fd_ = -1;
    if (::rename(temp_.c_str(), final_.c_str()) != 0)
      return Unavailable("rename " + temp_ + " to " + final_ + ": " + Errno(errno));
    completed_ = true;
    return FsyncPath(fs::path(final_).parent_path().string(), true);
  }
  int64_t bytes() const override { return bytes_; }

 private:
  std::string final_, temp_;
  int fd_;
  int64_t bytes_ = 0;
  bool completed_ = false;
};

class LocalStore final : public ObjectStore {
 public:
  explicit LocalStore(std::string root) : root_(std::move(root)) {}

  std::string Describe() const override { return "file://" + root_; }

  Status CheckWritable() override {
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (ec) return InvalidArgument("target folder " + root_ + ": " + ec.message());
    std::string probe = root_ + "/.cutover-write-probe.tmp-" + std::to_string(::getpid());
    int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
      return InvalidArgument("target folder " + root_ + " is not writable: " + Errno(errno));
    ::close(fd);
    ::unlink(probe.c_str());
    return Status::Ok();
  }

  Result<std::unique_ptr<ObjectUpload>> BeginUpload(const std::string& key) override {
    ASSIGN_OR_RETURN(std::string path, PathOf(key));
    fs::path p(path);
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return Unavailable("create folder " + p.parent_path().string() + ": " + ec.message());
    std::string temp =
        (p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                            "-" + std::to_string(++g_upload_counter)))
            .string();
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Unavailable("create " + temp + ": " + Errno(errno));
    return std::unique_ptr<ObjectUpload>(new LocalUpload(path, temp, fd));
  }

  Status PutAtomic(const std::string& key, std::string_view bytes) override {
    ASSIGN_OR_RETURN(auto upload, BeginUpload(key));
    RETURN_IF_ERROR(upload->Append(bytes));
    return upload->Complete();
  }

  Result<std::string> Read(const std::string& key) override {
    ASSIGN_OR_RETURN(std::string path, PathOf(key));
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return NotFound(path + ": no such file");
      return Unavailable("open " + path + ": " + Errno(errno));
    }
    std::string out;
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int e = errno;
        ::close(fd);
        return Unavailable("read " + path + ": " + Errno(e));
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::exists(root_, ec)) return out;
    // Walk from the deepest folder the prefix names.
    std::string dir =
        prefix.substr(0, prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/'));
    fs::path start = dir.empty() ? fs::path(root_) : fs::path(root_) / dir;
    if (!fs::exists(start, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') continue;
      std::string key = fs::relative(it->path(), root_).generic_string();
      if (key.compare(0, prefix.size(), prefix) == 0) out.push_back(key);
    }
    if (ec) return Unavailable("list " + start.string() + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
  }

  Status Delete(const std::string& key) override {
    ASSIGN_OR_RETURN(std::string path, PathOf(key));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return Unavailable("delete " + path + ": " + Errno(errno));
    return Status::Ok();
  }

  Status RemoveAbandoned() override {
    std::error_code ec;
    if (!fs::exists(root_, ec)) return Status::Ok();
    std::vector<fs::path> dead;
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::end(it);
         it.increment(ec))
      if (it->is_regular_file() && IsTemporary(it->path().filename().string()))
        dead.push_back(it->path());
    if (ec) return Unavailable("list " + root_ + ": " + ec.message());
    for (const auto& p : dead) fs::remove(p, ec);
    return Status::Ok();
  }

 private:
  Result<std::string> PathOf(const std::string& key) const {
    if (key.empty() || key[0] == '/' || key.find("..") != std::string::npos)
      return InvalidArgument("object key '" + key + "' is not a relative path");
    return root_ + "/" + key;
  }
  std::string root_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& uri,
                                                     const ObjectStoreOptions& options) {
  constexpr std::string_view kFile = "file://";
  if (uri.rfind(kFile, 0) == 0) {
    std::string path = uri.substr(kFile.size());
    if (path.empty() || path[0] != '/')
      return InvalidArgument("target " + uri +
                             ": a file target is file:///absolute/path (three slashes)");
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return std::unique_ptr<ObjectStore>(new LocalStore(path));
  }
  if (uri.rfind("s3://", 0) == 0) return s3::OpenS3Store(uri, options.part_size, s3::ProcessEnv());
  return InvalidArgument("not a lakehouse target URI (file:///path or s3://bucket/prefix)");
}

}  // namespace cutover::lakehouse
