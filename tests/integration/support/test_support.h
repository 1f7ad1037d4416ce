// Shared helpers of the integration tests: run the real `cutover` binary as a child process
// (so tests can kill -9 it), pairs of throwaway PostgreSQL servers, and an independent
// comparison of tables that does not use any engine code: each side computes
// count(*) and md5(string_agg(row::text ORDER BY key)) in SQL through psql.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/throwaway_server.h"

namespace cutover::testing {

struct RunResult {
  int exit_code = -1;  // -1: did not finish in time (then killed)
  std::string out;
  std::string err;
};

// Runs `cutover ARGS...` to completion (bounded by `timeout`).
RunResult RunCutover(const std::vector<std::string>& args,
                     std::chrono::seconds timeout = std::chrono::seconds(300));

// A `cutover` process running in the background; its stderr goes to a log file.
class EngineProcess {
 public:
  explicit EngineProcess(const std::vector<std::string>& args);
  ~EngineProcess();  // SIGKILL if still running
  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int sig);
  // Waits for exit; returns the exit code, 128+signal if killed, -1 on timeout.
  int Wait(std::chrono::seconds timeout);
  std::string Log() const;  // everything it wrote to stderr/stdout so far
  // Peak resident set size (VmHWM) in KiB while running; -1 if unknown.
  long PeakRssKb() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::string log_path_;
};

// Fails the current test with the server's message if `sql` fails; returns trimmed output.
std::string Sql(const harness::ThrowawayServer& server, const std::string& sql);

// Independent table fingerprint: "count:md5".
std::string TableFingerprint(const harness::ThrowawayServer& server, const std::string& table,
                             const std::string& order_by);

struct TableSpec {
  std::string name;      // schema-qualified
  std::string order_by;  // key columns
};

// Polls until every table has the same fingerprint on both servers, up to `timeout`.
// Returns "" when equal, else a description of the first difference seen last.
std::string WaitUntilEqual(const harness::ThrowawayServer& source,
                           const harness::ThrowawayServer& target,
                           const std::vector<TableSpec>& tables, std::chrono::seconds timeout);

std::string DescribeDifference(const harness::ThrowawayServer& source,
                               const harness::ThrowawayServer& target,
                               const std::vector<TableSpec>& tables);

// A waits-for-condition helper: polls `check` every 100 ms until true or `timeout`.
template <typename F>
bool Eventually(F check, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return check();
}

std::unique_ptr<harness::ThrowawayServer> StartPostgres(const std::string& name);

// Creates kc.accounts (2000 rows) and kc.events, the tables RunKcOltpWriter writes.
void CreateKcSchema(const harness::ThrowawayServer& server);

// Runs random OLTP transactions (transfers, delete-and-reinsert, bulk updates) on a PostgreSQL
// source's kc.accounts / kc.events until `stop` (at most 10 minutes); counts commits.
// Deterministic per seed. Used by the kill -9 tests of every PostgreSQL-source pair.
void RunKcOltpWriter(const std::string& uri, int seed, const std::atomic<bool>& stop,
                     std::atomic<long>& committed);

}  // namespace cutover::testing
