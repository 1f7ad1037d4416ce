#include "harness/throwaway_s3_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "harness/throwaway_server.h"

namespace cutover::harness {
namespace {

namespace fs = std::filesystem;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool Listening(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// scripts/install-s3-server.sh once per process: Ok or why not.
Status Install() {
  static std::mutex mu;
  static bool done = false;
  std::lock_guard lock(mu);
  if (done) return Status::Ok();
  std::string cmd = SourceDir() + "/scripts/install-s3-server.sh 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return Unavailable("could not run " + cmd);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int rc = ::pclose(p);
  if (rc != 0) {
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return FailedPrecondition(
        "scripts/install-s3-server.sh failed (the S3 server needs node and "
        "npm): " +
        out);
  }
  done = true;
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ThrowawayS3Server>> ThrowawayS3Server::Start(S3ServerOptions options) {
  RETURN_IF_ERROR(Install());
  std::unique_ptr<ThrowawayS3Server> s(new ThrowawayS3Server(std::move(options)));
  std::error_code ec;
  fs::create_directories(s->data_dir(), ec);
  if (ec) return InvalidArgument("S3 server folder " + s->data_dir() + ": " + ec.message());
  s->port_ = FreePort();
  if (s->port_ == 0) return Unavailable("no free loopback port for the S3 server");
  RETURN_IF_ERROR(s->ClearFault());  // a fault a run before this one left in the folder
  RETURN_IF_ERROR(s->Resume());
  return s;
}

ThrowawayS3Server::~ThrowawayS3Server() {
  (void)Halt();
}

std::string ThrowawayS3Server::endpoint() const {
  return (options_.tls_cert.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") +
         std::to_string(port_);
}

std::vector<std::pair<std::string, std::string>> ThrowawayS3Server::ClientEnvironment() const {
  return {{"AWS_ENDPOINT_URL", endpoint()},
          {"AWS_REGION", "us-east-1"},
          {"AWS_ACCESS_KEY_ID", options_.access_key},
          {"AWS_SECRET_ACCESS_KEY", options_.secret}};
}

Status ThrowawayS3Server::Resume() {
  if (pid_ > 0) return Status::Ok();
  std::string script = SourceDir() + "/tests/s3_server/s3_server.cjs";
  std::string port = std::to_string(port_), dir = data_dir(), log = log_file(),
              out = options_.dir + "/server.out";
  std::vector<std::string> argv = {
      "node",  script,     "--port",        port,           "--directory",
      dir,     "--bucket", options_.bucket, "--access-key", options_.access_key,
      "--log", log,        "--faults",      faults_file()};
  if (!options_.tls_cert.empty())
    argv.insert(argv.end(), {"--cert", options_.tls_cert, "--key", options_.tls_key});
  pid_ = ::fork();
  if (pid_ < 0) return Unavailable("fork for the S3 server failed");
  if (pid_ == 0) {
    if (!std::freopen(out.c_str(), "a", stdout) || !std::freopen(out.c_str(), "a", stderr))
      ::_exit(127);
    ::setenv("S3_SERVER_SECRET", options_.secret.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp("node", args.data());
    ::_exit(127);
  }
  for (int i = 0; i < 300; ++i) {
    if (Listening(port_)) return Status::Ok();
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Unavailable("the S3 server (" + script + ") exited: " + ReadText(out));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (void)Halt();
  return Unavailable("the S3 server did not listen on 127.0.0.1:" + port + " within 30 s");
}

Status ThrowawayS3Server::SetFault(const std::string& match, Fault fault) {
  std::string escaped;
  for (char c : match) {
    if (c == '\\' || c == '"') escaped += '\\';
    escaped += c;
  }
  // Written whole, then renamed: the server reads the old file or the new one.
  std::string tmp = faults_file() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"match\": \"" << escaped << "\", \"mode\": \""
        << (fault == Fault::kRefuse ? "refuse" : "lose-reply") << "\"}\n";
    if (!out.flush()) return Unavailable("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, faults_file(), ec);
  return ec ? Unavailable("cannot rename " + tmp + ": " + ec.message()) : Status::Ok();
}

Status ThrowawayS3Server::ClearFault() {
  std::error_code ec;
  std::filesystem::remove(faults_file(), ec);
  return ec ? Unavailable("cannot remove " + faults_file() + ": " + ec.message()) : Status::Ok();
}

Status ThrowawayS3Server::Halt() {
  if (pid_ <= 0) return Status::Ok();
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return Status::Ok();
}

}  // namespace cutover::harness
