// ThrowawayServer implementation: runs scripts/servers.sh and the psql / mariadb clients as
// child processes.
//
// Design: one small process runner (posix_spawnp, stdin from a file or /dev/null, stdout and
// stderr captured through pipes drained with poll so neither can fill up and deadlock, an
// overall deadline after which the child's whole process group is killed). The child gets its
// own process group so a timeout can kill servers.sh together with pg_ctl / the client it
// runs; servers themselves outlive it (MariaDB is setsid'd by the script, PostgreSQL is
// daemonized by pg_ctl). Every failure is a Status whose message starts with one summary
// line, followed by the tail of what the child wrote on stderr, which for servers.sh
// includes the tail of the server log.
#include "harness/throwaway_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

extern char** environ;

namespace cutover::harness {
namespace {

constexpr int kStartTimeoutSeconds = 400;  // servers.sh: 60 s per try, 5 tries on port clashes
constexpr int kStopTimeoutSeconds = 180;
constexpr int kSqlTimeoutSeconds = 300;
constexpr size_t kMaxNameLength = 24;  // keeps socket paths under the 107-byte limit

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// The last `max_lines` lines of `text`, trimmed; "" if there is nothing.
std::string TailLines(std::string_view text, size_t max_lines) {
  std::string t = Trim(text);
  size_t pos = t.size();
  for (size_t n = 0; n < max_lines && pos > 0; ++n) {
    size_t nl = t.rfind('\n', pos - 1);
    if (nl == std::string::npos) return t;
    pos = nl;
  }
  return pos == 0 ? t : t.substr(pos + 1);
}

std::string ErrnoText(int err) {
  return std::strerror(err);
}

// Makes sure `fd` is not 0, 1 or 2 (possible when the parent runs with those closed), since
// dup2(fd, fd) in the child would leave FD_CLOEXEC set and close it on exec.
int AwayFromStdio(int fd) {
  if (fd > 2) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  close(fd);
  return moved;
}

// Runs argv[0] (looked up in PATH) with `env` entries added to / replacing the environment.
// stdin comes from `stdin_path` (or /dev/null). Never throws; errors spawning are a Status.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const std::vector<std::pair<std::string, std::string>>& env,
                                 const std::string& stdin_path, int timeout_seconds) {
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    bool overridden = false;
    for (const auto& [k, v] : env) {
      if (kv.size() > k.size() && kv.substr(0, k.size()) == k && kv[k.size()] == '=') {
        overridden = true;
      }
    }
    if (!overridden) env_strings.emplace_back(kv);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  std::vector<char*> argvp;
  for (auto& s : argv_copy) argvp.push_back(s.data());
  argvp.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Internal("pipe: " + ErrnoText(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Internal("pipe: " + ErrnoText(e));
  }
  for (int* fd : {&out_pipe[0], &out_pipe[1], &err_pipe[0], &err_pipe[1]}) {
    *fd = AwayFromStdio(*fd);
  }
  auto close_all = [&] {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      if (fd >= 0) close(fd);
    }
  };
  if (out_pipe[0] < 0 || out_pipe[1] < 0 || err_pipe[0] < 0 || err_pipe[1] < 0) {
    close_all();
    return Internal("fcntl(F_DUPFD_CLOEXEC): " + ErrnoText(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string in_path = stdin_path.empty() ? "/dev/null" : stdin_path;
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argvp[0], &actions, &attr, argvp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  out_pipe[1] = err_pipe[1] = -1;
  if (rc != 0) {
    close_all();
    return Unavailable("cannot run " + argv[0] + ": " + ErrnoText(rc));
  }

  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool timed_out = false;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  char buf[8192];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    int n = poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  if (timed_out) kill(-pid, SIGKILL);

  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return Internal("waitpid: " + ErrnoText(errno));
  }
  if (timed_out) {
    return Unavailable(argv[0] + " did not finish within " + std::to_string(timeout_seconds) +
                       "s (killed); stderr tail:\n" + TailLines(result.err, 30));
  }
  if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result.exit_code = 128 + WTERMSIG(wstatus);
  }
  return result;
}

std::string ServersScript() {
  return SourceDir() + "/scripts/servers.sh";
}

// Makes a user-supplied name safe for servers.sh ([A-Za-z0-9._-], starting alphanumeric).
std::string SanitizeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (out.size() >= kMaxNameLength) break;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (out.empty() &&
        !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      continue;
    out.push_back(ok ? c : '-');
  }
  return out.empty() ? "server" : out;
}

// "...@127.0.0.1:PORT/db" -> PORT, or 0 if it cannot be found.
int PortFromUri(const std::string& uri) {
  size_t at = uri.rfind('@');
  if (at == std::string::npos) return 0;
  size_t colon = uri.find(':', at);
  if (colon == std::string::npos) return 0;
  size_t slash = uri.find('/', colon);
  std::string digits =
      uri.substr(colon + 1, slash == std::string::npos ? slash : slash - colon - 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::stoi(digits);
}

std::string ClientConfigPath(const std::string& base_dir) {
  return base_dir + "/client.cnf";
}

// Writes `content` to a new private temp file under `dir`; returns its path.
Result<std::string> WriteTempFile(const std::string& dir, const std::string& content) {
  std::string path = dir + "/sql-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return Internal("mkstemp in " + dir + ": " + ErrnoText(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      unlink(path.c_str());
      return Internal("writing " + path + ": " + ErrnoText(e));
    }
    off += static_cast<size_t>(n);
  }
  close(fd);
  return path;
}

std::atomic<int> g_counter{0};

}  // namespace

std::string_view ServerKindName(ServerKind kind) {
  return kind == ServerKind::kPostgres ? "postgres" : "mariadb";
}

Result<ServerKind> ServerKindNamed(std::string_view name) {
  for (ServerKind k : {ServerKind::kPostgres, ServerKind::kMariaDb})
    if (ServerKindName(k) == name) return k;
  return InvalidArgument("no throwaway server of kind '" + std::string(name) + "'");
}

Result<std::unique_ptr<ThrowawayServer>> ThrowawayServer::Start(std::string_view kind,
                                                                std::string name) {
  ASSIGN_OR_RETURN(ServerKind k, ServerKindNamed(kind));
  return Start(k, std::move(name));
}

std::string SourceDir() {
  if (const char* env = std::getenv("CUTOVER_SOURCE_DIR"); env && *env) return env;
#ifdef CUTOVER_SOURCE_DIR
  return CUTOVER_SOURCE_DIR;
#else
  return ".";
#endif
}

Result<std::unique_ptr<ThrowawayServer>> ThrowawayServer::Start(ServerKind kind, std::string name) {
  std::unique_ptr<ThrowawayServer> server(new ThrowawayServer());
  server->kind_ = kind;
  server->name_ = SanitizeName(name) + "-" + std::to_string(getpid()) + "-" +
                  std::to_string(g_counter.fetch_add(1));
  const std::string what =
      "starting " + std::string(ServerKindName(kind)) + " server '" + server->name_ + "'";

  // A fixed short prefix under /tmp (not $TMPDIR): the server's unix socket lives in there.
  std::string base = "/tmp/cutover-harness-XXXXXX";
  if (mkdtemp(base.data()) == nullptr) {
    return Internal(what + ": mkdtemp: " + ErrnoText(errno));
  }
  // PostgreSQL runs as the `postgres` user when we are root: it must traverse this dir.
  chmod(base.c_str(), 0755);
  server->base_dir_ = base;
  server->dir_ = base + "/" + server->name_;

  auto result = RunProcess(
      {"bash", ServersScript(), "start", std::string(ServerKindName(kind)), server->name_},
      {{"CUTOVER_SERVERS_DIR", base}}, "", kStartTimeoutSeconds);
  if (!result.ok() || result->exit_code != 0) {
    std::string detail = result.ok() ? "servers.sh exited " + std::to_string(result->exit_code) +
                                           "; output tail:\n" + TailLines(result->err, 40)
                                     : result.status().message();
    server->stopped_ = true;  // nothing to stop but the directory
    std::error_code ec;
    // servers.sh removes a failed server's directory; this covers a killed script.
    RunProcess({"bash", ServersScript(), "stop-all"}, {{"CUTOVER_SERVERS_DIR", base}}, "",
               kStopTimeoutSeconds)
        .status()
        .ok();
    std::filesystem::remove_all(base, ec);
    return Unavailable(what + ": " + detail);
  }

  server->uri_ = TailLines(result->out, 1);
  server->port_ = PortFromUri(server->uri_);
  if (server->port_ == 0) {
    Status st = Internal(what + ": servers.sh printed no URI (got '" + server->uri_ + "')");
    server->Stop().ok();
    return st;
  }

  if (kind == ServerKind::kMariaDb) {
    // Client option file so the password never shows up in argv; must be the first option.
    std::string path = ClientConfigPath(base);
    std::ofstream cnf(path, std::ios::trunc);
    cnf << "[client]\nuser=cutover\npassword=cutover\nhost=127.0.0.1\nport=" << server->port_
        << "\nprotocol=TCP\n";
    cnf.close();
    chmod(path.c_str(), 0600);
    if (!cnf) {
      Status st = Internal(what + ": cannot write " + path);
      server->Stop().ok();
      return st;
    }
  }
  return server;
}

ThrowawayServer::~ThrowawayServer() {
  if (stopped_) return;
  Status st = Stop();
  if (!st.ok()) {
    std::fprintf(stderr, "ThrowawayServer %s: %s\n", name_.c_str(), st.ToString().c_str());
  }
}

Status ThrowawayServer::Stop() {
  if (stopped_) return Status::Ok();
  stopped_ = true;
  auto result = RunProcess({"bash", ServersScript(), "stop", name_},
                           {{"CUTOVER_SERVERS_DIR", base_dir_}}, "", kStopTimeoutSeconds);
  std::error_code ec;
  std::filesystem::remove_all(base_dir_, ec);
  const std::string what = "stopping server '" + name_ + "'";
  if (!result.ok()) return result.status().WithContext(what);
  if (result->exit_code != 0) {
    return Internal(what + ": servers.sh exited " + std::to_string(result->exit_code) +
                    "; output tail:\n" + TailLines(result->err, 40));
  }
  if (ec) return Internal(what + ": removing " + base_dir_ + ": " + ec.message());
  return Status::Ok();
}

Status ThrowawayServer::Restart() {
  return InPlace("restart", "restarting");
}

Status ThrowawayServer::Halt() {
  return InPlace("halt", "halting");
}

Status ThrowawayServer::Resume() {
  return InPlace("resume", "resuming");
}

Status ThrowawayServer::InPlace(const char* verb, const char* doing) {
  if (stopped_) return FailedPrecondition("server '" + name_ + "' is stopped");
  auto result = RunProcess({"bash", ServersScript(), verb, name_},
                           {{"CUTOVER_SERVERS_DIR", base_dir_}}, "", kStartTimeoutSeconds);
  const std::string what = std::string(doing) + " server '" + name_ + "'";
  if (!result.ok()) return result.status().WithContext(what);
  if (result->exit_code != 0) {
    return Unavailable(what + ": servers.sh exited " + std::to_string(result->exit_code) +
                       "; output tail:\n" + TailLines(result->err, 40));
  }
  return Status::Ok();
}

Result<std::string> ThrowawayServer::Sql(const std::string& sql, const std::string& db) const {
  if (stopped_) return FailedPrecondition("server '" + name_ + "' is stopped");
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  std::string client;
  if (kind_ == ServerKind::kPostgres) {
    client = "psql";
    argv = {"psql",
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            std::to_string(port_),
            "-U",
            "cutover",
            "-d",
            db};
    env = {{"PGPASSWORD", "cutover"}, {"PGCONNECT_TIMEOUT", "10"}, {"PGSSLMODE", "disable"}};
  } else {
    client = "mariadb";
    argv = {"mariadb",
            "--defaults-file=" + ClientConfigPath(base_dir_),
            "--batch",
            "--skip-column-names",
            "--connect-timeout=10",
            "--database=" + db};
  }
  ASSIGN_OR_RETURN(std::string sql_file, WriteTempFile(base_dir_, sql + "\n"));
  auto result = RunProcess(argv, env, sql_file, kSqlTimeoutSeconds);
  unlink(sql_file.c_str());
  if (!result.ok()) return result.status().WithContext(client + " on '" + name_ + "'");
  if (result->exit_code != 0) {
    return Internal(client + " on '" + name_ + "' exited " + std::to_string(result->exit_code) +
                    ": " + TailLines(result->err, 20));
  }
  return Trim(result->out);
}

}  // namespace cutover::harness
