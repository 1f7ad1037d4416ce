#include "tests/integration/support/s3_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/support/lakehouse_support.h"

namespace cutover::testing {
namespace {

namespace fs = std::filesystem;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool Listening(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

constexpr const char* kObjectSuffix = "._S3rver_object";

}  // namespace

const std::string& S3ServerReady() {
  static const std::string status = [] {
    int rc = 0;
    std::string out =
        Shell(std::string(CUTOVER_SOURCE_DIR) + "/scripts/install-s3-server.sh 2>&1", &rc);
    return rc == 0 ? std::string() : "install-s3-server.sh failed: " + out;
  }();
  return status;
}

S3Server::S3Server(std::string dir, std::string bucket)
    : dir_(std::move(dir)), bucket_(std::move(bucket)), port_(FreePort()) {
  fs::create_directories(data());
}

S3Server::~S3Server() {
  Stop();
}

std::string S3Server::Start() {
  if (pid_ > 0) return "";
  std::string script = std::string(CUTOVER_SOURCE_DIR) + "/tests/s3_server/s3_server.cjs";
  std::string port = std::to_string(port_), dir = data(), log = dir_ + "/requests.log",
              out = dir_ + "/server.out";
  pid_ = ::fork();
  if (pid_ == 0) {
    std::freopen(out.c_str(), "a", stdout);
    std::freopen(out.c_str(), "a", stderr);
    ::execlp("node", "node", script.c_str(), "--port", port.c_str(), "--directory", dir.c_str(),
             "--bucket", bucket_.c_str(), "--access-key", kAccessKey, "--secret", kSecret, "--log",
             log.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 300; ++i) {
    if (Listening(port_)) return "";
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream in(out);
      std::stringstream ss;
      ss << in.rdbuf();
      return "the S3 server exited: " + ss.str();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "the S3 server did not listen within 30 s";
}

void S3Server::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void S3Server::ExportEnvironment(const std::string& secret) const {
  ::setenv("AWS_ENDPOINT_URL", endpoint().c_str(), 1);
  ::setenv("AWS_REGION", "us-east-1", 1);
  ::setenv("AWS_ACCESS_KEY_ID", kAccessKey, 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
}

std::string S3Server::Log() const {
  std::ifstream in(dir_ + "/requests.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string S3Server::Mirror(const std::string& prefix, const std::string& to) const {
  fs::remove_all(to);
  fs::path root = fs::path(data()) / bucket_;
  fs::path start = root / prefix;
  std::error_code ec;
  if (!fs::exists(start, ec)) return to;
  for (const auto& e : fs::recursive_directory_iterator(start, ec)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.size() <= std::string(kObjectSuffix).size() ||
        name.compare(name.size() - std::string(kObjectSuffix).size(), std::string::npos,
                     kObjectSuffix) != 0)
      continue;
    fs::path rel = fs::relative(e.path(), start);
    std::string file = rel.filename().string();
    fs::path dest = fs::path(to) / rel.parent_path() /
                    file.substr(0, file.size() - std::string(kObjectSuffix).size());
    fs::create_directories(dest.parent_path());
    fs::copy_file(e.path(), dest, fs::copy_options::overwrite_existing, ec);
  }
  return to;
}

int S3Server::IncompleteUploads() const {
  fs::path uploads = fs::path(data()) / bucket_ / "._S3rver_uploads";
  std::error_code ec;
  if (!fs::exists(uploads, ec)) return 0;
  int n = 0;
  for (const auto& e : fs::directory_iterator(uploads, ec))
    if (e.is_directory()) ++n;
  return n;
}

}  // namespace cutover::testing
