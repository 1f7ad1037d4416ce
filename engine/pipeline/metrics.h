// Replication metrics: live counters of a running replication and the machine-readable feed
// `cutover replicate --metrics-file PATH` writes from them (read by the scenario runner).
//
// Design: the pipeline only bumps a few atomics at points it already passes (rows copied in
// the full load, each target commit in CDC), so the hot paths pay one relaxed add and the
// pipeline never does I/O for metrics. A separate writer thread appends one JSON object per
// line every second (and a last one when stopped), so a reader tailing the file sees
// cumulative counters it can difference into rates. Counters are per process: a restarted
// engine starts again from 0 (the line carries the pid so readers notice).
//
// Line format (keys are stable; readers ignore keys they do not know):
//   {"unix_ms":1763770000123,"pid":4242,"phase":"cdc","tables_loaded":3,"rows_loaded":120000,
//    "transactions_applied":5120,"changes_applied":20480,"transactions_skipped":0,
//    "target_commits":260,"position":"0/1A2B3C8","commit_time_us":1763770000050000}
// phase: "starting" | "full-load" | "cdc" | "stopped". position / commit_time_us: the last
// source transaction applied on the target ("" and 0 before the first).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/core/status.h"

namespace cutover {

enum class ReplicationPhase { kStarting, kFullLoad, kCdc, kStopped };
const char* ReplicationPhaseName(ReplicationPhase phase);

// Thread-safe live counters, written by the pipeline and read by the writer.
class ReplicationMetrics {
 public:
  void SetPhase(ReplicationPhase p) { phase_.store(p, std::memory_order_relaxed); }
  void AddRowsLoaded(int64_t n) { rows_loaded_.fetch_add(n, std::memory_order_relaxed); }
  void TableLoaded() { tables_loaded_.fetch_add(1, std::memory_order_relaxed); }
  void Skipped() { transactions_skipped_.fetch_add(1, std::memory_order_relaxed); }
  // One target commit holding `transactions` source transactions with `changes` changes; the
  // last of them is at `position`, committed on the source at `commit_time_us`.
  void Committed(int64_t transactions, int64_t changes, const std::string& position,
                 int64_t commit_time_us);

  // The current values as one JSON line (no trailing newline).
  std::string JsonLine() const;

 private:
  std::atomic<ReplicationPhase> phase_{ReplicationPhase::kStarting};
  std::atomic<int64_t> rows_loaded_{0}, tables_loaded_{0}, transactions_skipped_{0};
  std::atomic<int64_t> transactions_applied_{0}, changes_applied_{0}, target_commits_{0};
  mutable std::mutex mu_;  // guards the two below
  std::string position_;
  int64_t commit_time_us_ = 0;
};

// Appends `metrics.JsonLine()` to a file every second from its own thread.
class MetricsFileWriter {
 public:
  // Opens `path` for appending (created if missing) and starts the thread.
  static Result<std::unique_ptr<MetricsFileWriter>> Start(const std::string& path,
                                                          const ReplicationMetrics& metrics);
  ~MetricsFileWriter();  // Stop()
  // Writes a final line and stops the thread. Idempotent.
  void Stop();

 private:
  MetricsFileWriter(std::FILE* file, const ReplicationMetrics& metrics)
      : file_(file), metrics_(metrics) {}
  void Run();
  void WriteLine();

  std::FILE* file_;
  const ReplicationMetrics& metrics_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cutover
