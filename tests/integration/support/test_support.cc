#include "tests/integration/support/test_support.h"

#include <libpq-fe.h>

#include <random>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace cutover::testing {

namespace {

std::string TempFile(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "XXXXXX";
  int fd = mkstemp(tmpl.data());
  if (fd >= 0) close(fd);
  return tmpl;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// The binary under test: $CUTOVER_TEST_BINARY when set (scripts/sanitize.sh points it at the
// ASan/UBSan build of `cutover`), else the one built with these tests.
std::string CutoverBinary() {
  const char* env = std::getenv("CUTOVER_TEST_BINARY");
  return env != nullptr && *env != '\0' ? env : CUTOVER_BINARY;
}

namespace {

pid_t Spawn(const std::vector<std::string>& args, const std::string& out_path,
            const std::string& err_path) {
  std::string bin = CutoverBinary();
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_TRUNC | O_CREAT, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    dup2(out, 1);
    dup2(err, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    std::vector<char*> argv;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    setenv("CI", "true", 1);  // no progress redraws in test logs
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

RunResult RunCutover(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::string out = TempFile("cutover-out-"), err = TempFile("cutover-err-");
  pid_t pid = Spawn(args, out, err);
  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      r.exit_code = DecodeStatus(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  unlink(out.c_str());
  unlink(err.c_str());
  return r;
}

EngineProcess::EngineProcess(const std::vector<std::string>& args) {
  log_path_ = TempFile("cutover-engine-");
  pid_ = Spawn(args, log_path_ + ".out", log_path_);
}

EngineProcess::~EngineProcess() {
  if (Running()) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
  unlink(log_path_.c_str());
  unlink((log_path_ + ".out").c_str());
}

bool EngineProcess::Running() {
  if (exited_) return false;
  pid_t w = waitpid(pid_, &status_, WNOHANG);
  if (w == pid_) exited_ = true;
  return !exited_;
}

void EngineProcess::Signal(int sig) {
  if (Running()) kill(pid_, sig);
}

int EngineProcess::Wait(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return DecodeStatus(status_);
}

std::string EngineProcess::Log() const {
  return ReadFile(log_path_);
}

long EngineProcess::PeakRssKb() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::string Sql(const harness::ThrowawayServer& server, const std::string& sql) {
  auto r = server.Sql(sql);
  EXPECT_TRUE(r.ok()) << r.status().message() << "\nSQL: " << sql.substr(0, 500);
  return r.ok() ? *r : std::string();
}

std::string TableFingerprint(const harness::ThrowawayServer& server, const std::string& table,
                             const std::string& order_by) {
  auto r =
      server.Sql("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY " +
                 order_by + ")), '-') FROM " + table + " t");
  return r.ok() ? *r : "error: " + r.status().message();
}

namespace {

// key text -> row text of every row of `table` (PostgreSQL), for naming differing rows.
std::map<std::string, std::string> RowsByKey(const harness::ThrowawayServer& server,
                                             const TableSpec& t) {
  auto r = server.Sql("SELECT (" + t.order_by + ")::text || E'\\t' || t_::text FROM " + t.name +
                      " AS t_");
  std::map<std::string, std::string> rows;
  if (!r.ok()) return rows;
  size_t pos = 0;
  while (pos < r->size()) {
    size_t nl = r->find('\n', pos);
    if (nl == std::string::npos) nl = r->size();
    std::string line = r->substr(pos, nl - pos);
    size_t tab = line.find('\t');
    if (tab != std::string::npos) rows[line.substr(0, tab)] = line.substr(tab + 1);
    pos = nl + 1;
  }
  return rows;
}

// Up to `limit` differing rows, one per line: missing on the target, extra, or different.
std::string NameDifferingRows(const harness::ThrowawayServer& source,
                              const harness::ThrowawayServer& target, const TableSpec& t,
                              int limit = 20) {
  auto a = RowsByKey(source, t), b = RowsByKey(target, t);
  std::string out;
  int n = 0;
  for (const auto& [key, row] : a) {
    auto it = b.find(key);
    if (it == b.end()) {
      if (n++ < limit) out += "\n  missing on target: " + row;
    } else if (it->second != row) {
      if (n++ < limit) out += "\n  different: source " + row + " target " + it->second;
    }
  }
  for (const auto& [key, row] : b)
    if (!a.count(key) && n++ < limit) out += "\n  extra on target: " + row;
  if (n > limit) out += "\n  ... " + std::to_string(n - limit) + " more";
  return out;
}

}  // namespace

std::string DescribeDifference(const harness::ThrowawayServer& source,
                               const harness::ThrowawayServer& target,
                               const std::vector<TableSpec>& tables) {
  for (const auto& t : tables) {
    std::string a = TableFingerprint(source, t.name, t.order_by);
    std::string b = TableFingerprint(target, t.name, t.order_by);
    if (a != b) return t.name + ": source " + a + " target " + b;
  }
  return "";
}

std::string WaitUntilEqual(const harness::ThrowawayServer& source,
                           const harness::ThrowawayServer& target,
                           const std::vector<TableSpec>& tables, std::chrono::seconds timeout) {
  std::string diff;
  Eventually([&] { return (diff = DescribeDifference(source, target, tables)).empty(); }, timeout);
  if (diff.empty()) return diff;
  for (const auto& t : tables) {
    if (diff.rfind(t.name + ":", 0) == 0) return diff + NameDifferingRows(source, target, t);
  }
  return diff;
}

std::unique_ptr<harness::ThrowawayServer> StartPostgres(const std::string& name) {
  auto s = harness::ThrowawayServer::Start(harness::ServerKind::kPostgres, name);
  if (!s.ok()) {
    ADD_FAILURE() << "cannot start PostgreSQL: " << s.status().message();
    return nullptr;
  }
  return std::move(s).value();
}

void CreateKcSchema(const harness::ThrowawayServer& server) {
  Sql(server,
      "CREATE SCHEMA kc;"
      "CREATE TABLE kc.accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text);"
      "INSERT INTO kc.accounts SELECT g, 1000, 'start' FROM generate_series(1, 2000) g;"
      "CREATE TABLE kc.events (id bigint PRIMARY KEY, account int, amount bigint, at "
      "timestamptz);");
}

void RunKcOltpWriter(const std::string& uri, int seed, const std::atomic<bool>& stop,
                     std::atomic<long>& committed) {
  PGconn* c = PQconnectdb(uri.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    ADD_FAILURE() << "writer cannot connect: " << PQerrorMessage(c);
    PQfinish(c);
    return;
  }
  std::mt19937 rng(seed);
  int next_event = 0;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::minutes(10);  // bounded even if `stop` is missed
  while (!stop && std::chrono::steady_clock::now() < deadline) {
    int a = static_cast<int>(rng() % 2000) + 1, b = static_cast<int>(rng() % 2000) + 1;
    int amount = static_cast<int>(rng() % 100);
    std::string sql;
    switch (rng() % 10) {
      case 0:  // bulk update
        sql = "UPDATE kc.accounts SET note = md5(random()::text) WHERE id % 20 = " +
              std::to_string(rng() % 20);
        break;
      case 1:  // delete and reinsert
        sql = "BEGIN; DELETE FROM kc.accounts WHERE id = " + std::to_string(a) +
              "; INSERT INTO kc.accounts VALUES (" + std::to_string(a) +
              ", 0, 'reborn') ON CONFLICT (id) DO NOTHING; COMMIT;";
        break;
      default:  // transfer
        sql = "BEGIN; UPDATE kc.accounts SET balance = balance - " + std::to_string(amount) +
              " WHERE id = " + std::to_string(a) + "; UPDATE kc.accounts SET balance = balance + " +
              std::to_string(amount) + " WHERE id = " + std::to_string(b) +
              "; INSERT INTO kc.events VALUES (" + std::to_string(seed * 10000000 + next_event++) +
              ", " + std::to_string(a) + ", " + std::to_string(amount) + ", now()); COMMIT;";
    }
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_COMMAND_OK) committed++;
    PQclear(r);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
  }
  PQfinish(c);
}

}  // namespace cutover::testing
