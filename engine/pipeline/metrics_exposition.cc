#include "engine/pipeline/metrics_exposition.h"

#include <algorithm>

#include <fmt/format.h>

namespace cutover {

namespace {

// A label value with the escapes the text format requires: backslash, double quote, newline.
std::string EscapeLabel(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class TextWriter {
 public:
  explicit TextWriter(std::string task_label)
      : task_label_("task=\"" + EscapeLabel(task_label) + "\"") {}

  // One family: HELP and TYPE lines; then Sample() for each series.
  void Family(const char* name, const char* type, const char* help) {
    name_ = name;
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void Sample(double value, const std::string& extra_labels = {}) {
    out_ += fmt::format("{}{{{}{}{}}} {}\n", name_, task_label_, extra_labels.empty() ? "" : ",",
                        extra_labels, value);
  }
  void Sample(int64_t value, const std::string& extra_labels = {}) {
    out_ += fmt::format("{}{{{}{}{}}} {}\n", name_, task_label_, extra_labels.empty() ? "" : ",",
                        extra_labels, value);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string task_label_;
  std::string name_;
  std::string out_;
};

std::string Label(const char* name, const std::string& value) {
  return fmt::format("{}=\"{}\"", name, EscapeLabel(value));
}

}  // namespace

std::string PrometheusText(const MetricsSnapshot& m, const MetricsIdentity& id,
                           int64_t process_start_unix_us, std::chrono::seconds stall_after) {
  TextWriter w(id.task);
  w.Family("cutover_task_info", "gauge", "The task and its engines (always 1).");
  w.Sample(int64_t{1}, Label("source_engine", id.source_engine) + "," +
                           Label("target_engine", id.target_engine));
  w.Family("cutover_task_phase", "gauge", "1 for the task's current phase, 0 for the others.");
  for (ReplicationPhase p : {ReplicationPhase::kStarting, ReplicationPhase::kFullLoad,
                             ReplicationPhase::kCdc, ReplicationPhase::kStopped}) {
    w.Sample(int64_t{m.phase == p}, Label("phase", ReplicationPhaseName(p)));
  }
  w.Family("process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch; a change means a restart.");
  w.Sample(process_start_unix_us / 1e6);

  // DMS CloudWatch metrics
  w.Family("cutover_cdc_latency_source_seconds", "gauge",
           "DMS CDCLatencySource: now minus the source commit time of the last transaction read "
           "from the source; 0 while the source has nothing more to send.");
  w.Sample(m.SourceLatencySeconds());
  w.Family("cutover_cdc_latency_target_seconds", "gauge",
           "DMS CDCLatencyTarget: now minus the source commit time of the oldest transaction "
           "waiting to be committed on the target; the source latency when none waits.");
  w.Sample(m.TargetLatencySeconds());
  w.Family("cutover_cdc_incoming_changes", "gauge",
           "DMS CDCIncomingChanges: changes read from the source and not yet committed on the "
           "target.");
  w.Sample(m.incoming_changes);
  w.Family("cutover_cdc_source_rows_total", "counter",
           "Changes read from the source; rate() is DMS CDCThroughputRowsSource.");
  w.Sample(m.changes_read);
  w.Family("cutover_cdc_target_rows_total", "counter",
           "Changes committed on the target; rate() is DMS CDCThroughputRowsTarget.");
  w.Sample(m.changes_applied);
  w.Family("cutover_cdc_source_bytes_total", "counter",
           "Approximate bytes of the changes read from the source (values, not wire bytes); "
           "rate()/1024 is DMS CDCThroughputBandwidthSource.");
  w.Sample(m.bytes_read);
  w.Family("cutover_cdc_target_bytes_total", "counter",
           "Approximate bytes of the changes committed on the target; rate()/1024 is DMS "
           "CDCThroughputBandwidthTarget.");
  w.Sample(m.bytes_applied);
  w.Family("cutover_full_load_source_rows_total", "counter",
           "Rows read from the source by the full load; rate() is DMS "
           "FullLoadThroughputRowsSource.");
  w.Sample(m.rows_loaded);
  w.Family("cutover_full_load_target_rows_total", "counter",
           "Rows of tables whose full load committed on the target; rate() is DMS "
           "FullLoadThroughputRowsTarget.");
  w.Sample(m.rows_loaded_target);
  w.Family("cutover_cdc_changes_memory_source", "gauge",
           "DMS CDCChangesMemorySource: changes held in memory (folded per key) waiting to be "
           "sent to the target.");
  w.Sample(m.memory_changes);
  w.Family("cutover_cdc_changes_disk_source", "gauge",
           "DMS CDCChangesDiskSource: changes of in-progress source transactions spooled to "
           "disk.");
  w.Sample(m.disk_changes);

  // What DMS lacks
  if (m.retained_log_bytes) {
    w.Family("cutover_source_log_retained_bytes", "gauge",
             "Source log the server keeps for this task: PostgreSQL slot's retained WAL "
             "(current WAL LSN - restart_lsn), MariaDB binlog bytes after the task's position.");
    w.Sample(*m.retained_log_bytes);
  }
  if (!m.spool_state.empty()) {
    w.Family("cutover_spool_bytes", "gauge",
             "Bytes of the durable change spool's segments on the replication host: changes "
             "captured (and confirmed to the source) not yet pruned after the target's "
             "checkpoint passed them.");
    w.Sample(m.spool_bytes);
    w.Family("cutover_spool_full", "gauge",
             "1 while the change spool is at --spool-max-bytes: capture paused and the source "
             "not confirmed past the spool's end (its log grows again); 0 while capturing.");
    w.Sample(int64_t{m.spool_state == "full" ? 1 : 0});
  }
  if (m.last_checkpoint_unix_us > 0) {
    w.Family("cutover_checkpoint_age_seconds", "gauge",
             "Seconds since this process last committed a checkpoint on the target (grows "
             "while the source is idle: nothing to checkpoint).");
    w.Sample(std::max<int64_t>(0, m.unix_us - m.last_checkpoint_unix_us) / 1e6);
  }
  w.Family("cutover_progress_age_seconds", "gauge",
           "Seconds since the task last made progress: rows loaded, a change read, a target "
           "commit, or a poll that found the source caught up.");
  w.Sample(std::max<int64_t>(0, m.unix_us - m.last_progress_unix_us) / 1e6);
  w.Family("cutover_source_caught_up", "gauge",
           "1 when the last poll of the source found nothing more to read.");
  w.Sample(int64_t{m.source_idle});
  w.Family("cutover_cdc_transactions_applied_total", "counter",
           "Source transactions committed on the target.");
  w.Sample(m.transactions_applied);
  w.Family("cutover_cdc_transactions_skipped_total", "counter",
           "Source transactions skipped as already applied (resent after a restart).");
  w.Sample(m.transactions_skipped);
  w.Family("cutover_target_commits_total", "counter",
           "Target transactions committed in CDC, each with its checkpoint.");
  w.Sample(m.target_commits);
  w.Family("cutover_full_load_tables_loaded_total", "counter",
           "Tables whose full load committed on the target.");
  w.Sample(m.tables_loaded);
  w.Family("cutover_task_retries_total", "counter",
           "Times the task was restarted in this process after a server went away (--retry-for); "
           "process restarts show as changes of process_start_time_seconds.");
  w.Sample(m.retries);
  w.Family("cutover_task_healthy", "gauge", "1 when /healthz answers 200.");
  w.Sample(int64_t{TaskHealth(m, stall_after).healthy});

  w.Family("cutover_table_inserts_total", "counter",
           "Inserts applied on the target per source table (source operations).");
  for (const auto& [t, c] : m.table_changes) w.Sample(c.inserts, Label("table", t));
  w.Family("cutover_table_updates_total", "counter",
           "Updates applied on the target per source table (source operations).");
  for (const auto& [t, c] : m.table_changes) w.Sample(c.updates, Label("table", t));
  w.Family("cutover_table_deletes_total", "counter",
           "Deletes applied on the target per source table (source operations).");
  for (const auto& [t, c] : m.table_changes) w.Sample(c.deletes, Label("table", t));
  w.Family("cutover_table_full_load_rows_total", "counter",
           "Rows loaded per source table by full loads committed in this process.");
  for (const auto& [t, n] : m.table_rows_loaded) w.Sample(n, Label("table", t));
  return w.Take();
}

Health TaskHealth(const MetricsSnapshot& m, std::chrono::seconds stall_after) {
  if (m.phase == ReplicationPhase::kStopped) return {false, "stopped"};
  if (!m.retrying_after.empty()) return {false, "retrying after: " + m.retrying_after};
  double since_progress = std::max<int64_t>(0, m.unix_us - m.last_progress_unix_us) / 1e6;
  const char* phase = ReplicationPhaseName(m.phase);
  if (since_progress > static_cast<double>(stall_after.count())) {
    return {false,
            fmt::format("{}: no progress for {:.0f} s (source latency {:.1f} s, {} "
                        "change(s) waiting)",
                        phase, since_progress, m.SourceLatencySeconds(), m.incoming_changes)};
  }
  if (m.phase == ReplicationPhase::kCdc && m.source_idle)
    return {true, fmt::format("cdc: caught up, at {}", m.position)};
  return {true, fmt::format("{}: progressing (last progress {:.1f} s ago)", phase, since_progress)};
}

}  // namespace cutover
