#include "engine/pipeline/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "engine/core/spool.h"

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

int64_t NowUnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t ApproxChangeBytes(const Change& c) {
  int64_t n = 0;
  for (const auto* row : {&c.before, &c.after}) {
    n += 16 * static_cast<int64_t>(row->size());
    for (const Value& v : *row) n += static_cast<int64_t>(v.str().size());
  }
  return n;
}

double MetricsSnapshot::SourceLatencySeconds() const {
  if (source_idle || last_read_commit_us <= 0) return 0;
  return std::max<int64_t>(0, unix_us - last_read_commit_us) / 1e6;
}

double MetricsSnapshot::TargetLatencySeconds() const {
  if (oldest_pending_commit_us <= 0) return SourceLatencySeconds();
  return std::max(SourceLatencySeconds(),
                  std::max<int64_t>(0, unix_us - oldest_pending_commit_us) / 1e6);
}

ReplicationMetrics::ReplicationMetrics() : process_start_us_(NowUnixMicros()) {
  last_progress_us_.store(process_start_us_, std::memory_order_relaxed);
}

void ReplicationMetrics::Progressed() {
  last_progress_us_.store(NowUnixMicros(), std::memory_order_relaxed);
}

void ReplicationMetrics::TableLoaded(const std::string& table, int64_t rows) {
  tables_loaded_.fetch_add(1, std::memory_order_relaxed);
  rows_loaded_target_.fetch_add(rows, std::memory_order_relaxed);
  Progressed();
  std::lock_guard<std::mutex> lock(mu_);
  table_rows_loaded_[table] += rows;
}

void ReplicationMetrics::CdcStarted(const std::string& position) {
  Progressed();
  std::lock_guard<std::mutex> lock(mu_);
  if (position_.empty()) position_ = position;
}

void ReplicationMetrics::SourceIdle() {
  source_idle_.store(true, std::memory_order_relaxed);
  Progressed();  // caught up is a healthy state, not a stall
}

void ReplicationMetrics::TransactionRead(int64_t commit_time_us) {
  // A source that does not know commit times: latency counts from when the transaction is read.
  last_read_commit_us_.store(commit_time_us > 0 ? commit_time_us : NowUnixMicros(),
                             std::memory_order_relaxed);
  source_idle_.store(false, std::memory_order_relaxed);
}

void ReplicationMetrics::GroupOpened(int64_t commit_time_us) {
  oldest_pending_commit_us_.store(commit_time_us > 0 ? commit_time_us : NowUnixMicros(),
                                  std::memory_order_relaxed);
}

void ReplicationMetrics::Committed(int64_t transactions, int64_t changes, int64_t bytes,
                                   const std::map<std::string, TableChangeCounts>& per_table,
                                   const std::string& position, int64_t commit_time_us) {
  transactions_applied_.fetch_add(transactions, std::memory_order_relaxed);
  changes_applied_.fetch_add(changes, std::memory_order_relaxed);
  bytes_applied_.fetch_add(bytes, std::memory_order_relaxed);
  target_commits_.fetch_add(1, std::memory_order_relaxed);
  oldest_pending_commit_us_.store(0, std::memory_order_relaxed);
  incoming_.store(0, std::memory_order_relaxed);
  memory_.store(0, std::memory_order_relaxed);
  int64_t now = NowUnixMicros();
  last_checkpoint_us_.store(now, std::memory_order_relaxed);
  last_progress_us_.store(now, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [table, n] : per_table) {
    TableChangeCounts& t = table_changes_[table];
    t.inserts += n.inserts;
    t.updates += n.updates;
    t.deletes += n.deletes;
  }
  position_ = position;
  if (commit_time_us > 0) commit_time_us_ = commit_time_us;
}

void ReplicationMetrics::Retrying(const std::string& error) {
  retries_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  retrying_after_ = error;
}

void ReplicationMetrics::Running() {
  Progressed();
  std::lock_guard<std::mutex> lock(mu_);
  retrying_after_.clear();
}

void ReplicationMetrics::SetRetainedLogBytes(std::optional<int64_t> bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  retained_log_bytes_ = bytes;
}

MetricsSnapshot ReplicationMetrics::Snapshot() const {
  auto get = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  MetricsSnapshot m;
  m.unix_us = NowUnixMicros();
  m.phase = get(phase_);
  m.tables_loaded = get(tables_loaded_);
  m.rows_loaded = get(rows_loaded_);
  m.rows_loaded_target = get(rows_loaded_target_);
  m.transactions_applied = get(transactions_applied_);
  m.changes_applied = get(changes_applied_);
  m.transactions_skipped = get(transactions_skipped_);
  m.target_commits = get(target_commits_);
  m.changes_read = get(changes_read_);
  m.bytes_read = get(bytes_read_);
  m.bytes_applied = get(bytes_applied_);
  m.incoming_changes = get(incoming_);
  m.memory_changes = get(memory_);
  m.disk_changes = SpooledRecordsOpen();
  // Changes spooled for a transaction still open on the source do not count: nothing committed
  // is waiting, so a poll that finds nothing is caught up.
  m.source_idle = get(source_idle_);
  m.last_read_commit_us = get(last_read_commit_us_);
  m.oldest_pending_commit_us = get(oldest_pending_commit_us_);
  m.last_checkpoint_unix_us = get(last_checkpoint_us_);
  m.retries = get(retries_);
  if (const char* state = get(spool_state_)) m.spool_state = state;
  m.spool_bytes = get(spool_bytes_);
  std::lock_guard<std::mutex> lock(mu_);
  // Work that moved since the last look is progress too (a large source transaction streams
  // for minutes before its commit): noticed here, so the hot path pays nothing for it.
  int64_t work = m.rows_loaded + m.changes_read + m.target_commits + m.tables_loaded;
  if (work != work_seen_) {
    work_seen_ = work;
    last_progress_us_.store(m.unix_us, std::memory_order_relaxed);
  }
  m.last_progress_unix_us = get(last_progress_us_);
  m.position = position_;
  m.commit_time_us = commit_time_us_;
  m.retrying_after = retrying_after_;
  m.retained_log_bytes = retained_log_bytes_;
  m.table_changes = table_changes_;
  m.table_rows_loaded = table_rows_loaded_;
  return m;
}

std::string ReplicationMetrics::JsonLine() const {
  MetricsSnapshot m = Snapshot();
  return fmt::format(
      "{{\"unix_ms\":{},\"pid\":{},\"phase\":\"{}\",\"tables_loaded\":{},\"rows_loaded\":{},"
      "\"transactions_applied\":{},\"changes_applied\":{},\"transactions_skipped\":{},"
      "\"target_commits\":{},\"position\":{},\"commit_time_us\":{}{}}}",
      m.unix_us / 1000, static_cast<long>(getpid()), ReplicationPhaseName(m.phase), m.tables_loaded,
      m.rows_loaded, m.transactions_applied, m.changes_applied, m.transactions_skipped,
      m.target_commits, JsonString(m.position), m.commit_time_us,
      m.spool_state.empty() ? std::string()
                            : fmt::format(",\"spool_state\":{},\"spool_bytes\":{}",
                                          JsonString(m.spool_state), m.spool_bytes));
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
