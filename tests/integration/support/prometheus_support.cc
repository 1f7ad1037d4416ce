#include "tests/integration/support/prometheus_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace cutover::testing {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// fork + execvp with stdin from `in_path` ("" = /dev/null) and stdout+stderr to `out_path`.
pid_t SpawnTool(const std::vector<std::string>& args, const std::string& in_path,
                const std::string& out_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(in_path.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_TRUNC | O_CREAT, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "XXXXXX";
  return mkdtemp(tmpl.data()) ? tmpl : "";
}

}  // namespace

HttpReply HttpGet(int port, const std::string& path, std::chrono::milliseconds timeout) {
  HttpReply reply;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return reply;
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return reply;
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n\r\n";
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return reply;
  }
  std::string resp;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  size_t head_end = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return reply;
  reply.status = std::atoi(resp.c_str() + resp.find(' ') + 1);
  reply.body = resp.substr(head_end + 4);
  // Prometheus answers with chunked encoding; the endpoint under test never does.
  std::string head = resp.substr(0, head_end);
  for (auto& c : head) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (head.find("transfer-encoding: chunked") != std::string::npos) {
    std::string body, in = reply.body;
    size_t p = 0;
    for (;;) {
      size_t eol = in.find("\r\n", p);
      if (eol == std::string::npos) break;
      size_t len = std::strtoul(in.substr(p, eol - p).c_str(), nullptr, 16);
      if (len == 0) break;
      body += in.substr(eol + 2, len);
      p = eol + 2 + len + 2;
    }
    reply.body = body;
  }
  return reply;
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

std::optional<PrometheusServer> PrometheusServer::Start(int target_port, std::string* error) {
  PrometheusServer p;
  p.dir_ = MakeTempDir("cutover-prometheus-");
  p.port_ = FreeLoopbackPort();
  {
    std::ofstream cfg(p.dir_ + "/prometheus.yml");
    cfg << "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
        << "scrape_configs:\n  - job_name: cutover\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << target_port << "']\n";
  }
  p.pid_ =
      SpawnTool({"prometheus", "--config.file=" + p.dir_ + "/prometheus.yml",
                 "--storage.tsdb.path=" + p.dir_ + "/data",
                 "--web.listen-address=127.0.0.1:" + std::to_string(p.port_), "--log.level=warn"},
                "", p.dir_ + "/prometheus.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (HttpGet(p.port_, "/-/ready", std::chrono::milliseconds(500)).status == 200)
      return std::optional<PrometheusServer>(std::move(p));
    int status;
    if (waitpid(p.pid_, &status, WNOHANG) == p.pid_) {
      p.pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (error) *error = "prometheus did not become ready: " + p.Log();
  return std::nullopt;
}

PrometheusServer::PrometheusServer(PrometheusServer&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), port_(o.port_), dir_(std::exchange(o.dir_, "")) {}

PrometheusServer::~PrometheusServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) != pid_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (kill(pid_, 0) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PrometheusServer::Log() const {
  return ReadFile(dir_ + "/prometheus.log");
}

std::vector<PromSample> PrometheusServer::Query(const std::string& promql) const {
  std::vector<PromSample> out;
  HttpReply r = HttpGet(port_, "/api/v1/query?query=" + UrlEncode(promql));
  if (r.status != 200) return out;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success") return out;
  for (const auto& s : j["data"]["result"]) {
    PromSample ps;
    ps.labels_json = s["metric"].dump();
    ps.time = s["value"][0].get<double>();
    ps.value = std::stod(s["value"][1].get<std::string>());
    out.push_back(ps);
  }
  return out;
}

std::vector<PromSample> PrometheusServer::RawSamples(const std::string& selector,
                                                     int seconds) const {
  std::vector<PromSample> out;
  const std::string promql = selector + "[" + std::to_string(seconds) + "s]";
  HttpReply r = HttpGet(port_, "/api/v1/query?query=" + UrlEncode(promql));
  if (r.status != 200) return out;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success") return out;
  for (const auto& s : j["data"]["result"]) {
    for (const auto& v : s["values"]) {
      PromSample ps;
      ps.labels_json = s["metric"].dump();
      ps.time = v[0].get<double>();
      ps.value = std::stod(v[1].get<std::string>());
      out.push_back(ps);
    }
  }
  return out;
}

ToolResult RunPromtool(const std::vector<std::string>& args, const std::string& input) {
  ToolResult r;
  std::string dir = MakeTempDir("cutover-promtool-");
  std::string in = dir + "/in", out = dir + "/out";
  std::ofstream(in, std::ios::binary) << input;
  std::vector<std::string> argv = {"timeout", "30", "promtool"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = SpawnTool(argv, in, out);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.output = ReadFile(out);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return r;
}

}  // namespace cutover::testing
