#include "engine/pipeline/metrics.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace cutover {

const char* ReplicationPhaseName(ReplicationPhase phase) {
  switch (phase) {
    case ReplicationPhase::kStarting:
      return "starting";
    case ReplicationPhase::kFullLoad:
      return "full-load";
    case ReplicationPhase::kCdc:
      return "cdc";
    case ReplicationPhase::kStopped:
      return "stopped";
  }
  return "starting";
}

namespace {

// Positions are engine-made text (LSNs, binlog coordinates, GTID lists): escape what JSON needs.
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

void ReplicationMetrics::Committed(int64_t transactions, int64_t changes,
                                   const std::string& position, int64_t commit_time_us) {
  transactions_applied_.fetch_add(transactions, std::memory_order_relaxed);
  changes_applied_.fetch_add(changes, std::memory_order_relaxed);
  target_commits_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  position_ = position;
  if (commit_time_us > 0) commit_time_us_ = commit_time_us;
}

std::string ReplicationMetrics::JsonLine() const {
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string position;
  int64_t commit_time_us;
  {
    std::lock_guard<std::mutex> lock(mu_);
    position = position_;
    commit_time_us = commit_time_us_;
  }
  auto get = [](const std::atomic<int64_t>& a) { return a.load(std::memory_order_relaxed); };
  return fmt::format(
      "{{\"unix_ms\":{},\"pid\":{},\"phase\":\"{}\",\"tables_loaded\":{},\"rows_loaded\":{},"
      "\"transactions_applied\":{},\"changes_applied\":{},\"transactions_skipped\":{},"
      "\"target_commits\":{},\"position\":{},\"commit_time_us\":{}}}",
      now_ms, static_cast<long>(getpid()),
      ReplicationPhaseName(phase_.load(std::memory_order_relaxed)), get(tables_loaded_),
      get(rows_loaded_), get(transactions_applied_), get(changes_applied_),
      get(transactions_skipped_), get(target_commits_), JsonString(position), commit_time_us);
}

Result<std::unique_ptr<MetricsFileWriter>> MetricsFileWriter::Start(
    const std::string& path, const ReplicationMetrics& metrics) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) {
    return InvalidArgument("--metrics-file " + path +
                           ": cannot open for appending: " + std::strerror(errno));
  }
  std::unique_ptr<MetricsFileWriter> w(new MetricsFileWriter(f, metrics));
  w->thread_ = std::thread([p = w.get()] { p->Run(); });
  return w;
}

MetricsFileWriter::~MetricsFileWriter() {
  Stop();
}

void MetricsFileWriter::WriteLine() {
  std::string line = metrics_.JsonLine() + "\n";
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

void MetricsFileWriter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; })) break;
    WriteLine();
  }
}

void MetricsFileWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  WriteLine();
  std::fclose(file_);
}

}  // namespace cutover
