#include "validator/task_validation.h"

#include <map>
#include <memory>

#include <fmt/format.h>

#include "engine/core/log.h"
#include "engine/core/log_component.h"
#include "engine/core/progress.h"
#include "engine/pipeline/endpoints.h"
#include "engine/registry/registry.h"

namespace cutover::validator {

namespace {

// Where verdicts are recorded: the target's sink, when it holds the task's state.
class VerdictRecord {
 public:
  // Opens the record and marks every table of the task "Pending records".
  explicit VerdictRecord(const ValidateOptions& o) : task_(o.task) {
    if (task_.empty()) return;
    auto driver = EngineForUri(o.target_uri, "--target");
    if (!driver.ok()) return;  // Validate names the bad URI
    auto state = (*driver)->ReadTaskState(o.target_uri, task_);
    if (!state.ok() || !*state || (!(*state)->applied && (*state)->loaded.empty())) return;
    auto sink = MakeSink(o.target_uri);
    if (!sink.ok()) return;
    sink_ = std::move(*sink);
    for (const auto& [t, _] : (*state)->loaded) pending_[t].state = "Pending records";
    for (const auto& [t, _] : (*state)->changes) pending_[t].state = "Pending records";
    Record(pending_);
  }

  void Failed(const std::string& why) {
    for (auto& [_, v] : pending_) {
      v.state = "Error";
      v.detail = why;
    }
    Record(pending_);
  }

  void Record(const std::map<TableName, TableValidationState>& tables) {
    if (!sink_ || tables.empty()) return;
    if (Status s = sink_->RecordValidation(task_, tables); !s.ok()) {
      Log(LogLevel::kWarn, "validation state of task {} not recorded: {}", task_, s.message());
      sink_.reset();  // said once
    }
  }

 private:
  std::string task_;
  std::unique_ptr<Sink> sink_;
  std::map<TableName, TableValidationState> pending_;
};

}  // namespace

Result<ValidationResult> ValidateAndRecord(const ValidateOptions& options,
                                           const std::atomic<bool>& stop) {
  VerdictRecord record(options);
  auto result = Validate(options, stop);
  if (!result.ok()) {
    record.Failed(result.status().message());
    return result;
  }
  const ValidationResult& r = *result;
  std::map<TableName, TableValidationState> verdicts;
  for (const auto& t : r.tables) {
    Log(t.equal() ? LogLevel::kInfo : LogLevel::kWarn,
        "{} -> {}: {} ({} source rows, {} target rows, {} differing, {} in flight{})",
        t.source_name.ToString(), t.target_name.ToString(), t.equal() ? "equal" : "DIFFERS",
        FormatCount(t.source_rows), FormatCount(t.target_rows), FormatCount(t.differing_rows),
        FormatCount(t.in_flight), t.schema_differences.empty() ? "" : ", schema differs");
    for (const std::string& d : t.schema_differences)  // each by name, e.g. a missing column
      Log(LogLevel::kWarn, "{} -> {}: {}", t.source_name.ToString(), t.target_name.ToString(), d);
    TableValidationState& v = verdicts[t.source_name];
    v.state = t.equal() ? "Validated" : "Mismatched records";
    v.failed_records = t.differing_rows;
    v.detail = fmt::format("{} source rows, {} target rows, {} differing", t.source_rows,
                           t.target_rows, t.differing_rows);
    for (const std::string& d : t.schema_differences) v.detail += "; " + d;
    if (t.multiset_differs) v.detail += "; the rows differ (compared as a multiset)";
  }
  record.Record(verdicts);
  return result;
}

InTaskValidation::InTaskValidation(ValidateOptions options, const ReplicationMetrics& metrics)
    : options_(std::move(options)), metrics_(metrics) {
  options_.progress = Progress::Mode::kQuiet;
  thread_ = std::thread([this] { Run(); });
}

InTaskValidation::~InTaskValidation() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void InTaskValidation::Run() {
  ScopedLogComponent component(LogComponent::kValidator);
  std::unique_lock<std::mutex> lock(mu_);
  // The full load is done once the task applies changes (a CDC phase); poll its metrics.
  while (!stop_ && metrics_.Snapshot().phase != ReplicationPhase::kCdc)
    cv_.wait_for(lock, std::chrono::milliseconds(500));
  if (stop_ || done_) return;
  done_ = true;
  lock.unlock();
  Validate();
}

bool InTaskValidation::RunIfNotDone() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_) return true;
    done_ = true;
  }
  ScopedLogComponent component(LogComponent::kValidator);
  return Validate();
}

bool InTaskValidation::Validate() {
  Log(LogLevel::kInfo, "validation of task {} (EnableValidation): started", options_.task);
  auto r = ValidateAndRecord(options_, stop_);
  if (!r.ok()) {
    Log(LogLevel::kWarn, "validation of task {} could not finish: {}", options_.task,
        r.status().message());
    return false;
  }
  Log(r->equal() ? LogLevel::kInfo : LogLevel::kWarn,
      "validation of task {}: {} in {:.1f} s (`cutover task stats` shows each table's state)",
      options_.task, r->equal() ? "target equals source" : "differences found", r->seconds);
  return r->equal();
}

}  // namespace cutover::validator
