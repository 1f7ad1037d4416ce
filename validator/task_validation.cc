#include "validator/task_validation.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/core/log.h"
#include "engine/core/log_component.h"
#include "engine/core/progress.h"
#include "engine/pipeline/endpoints.h"
#include "engine/registry/registry.h"
#include "validator/filtered_scanner.h"
#include "validator/table_pairing.h"

namespace cutover::validator {

namespace {

// Where verdicts are recorded: the target's sink, when it holds the task's state.
class VerdictRecord {
 public:
  // Opens the record and (with `mark_pending`) marks every table of the task "Pending records".
  explicit VerdictRecord(const ValidateOptions& o, bool mark_pending = true) : task_(o.task) {
    if (task_.empty()) return;
    auto driver = EngineForUri(o.target_uri, "--target");
    if (!driver.ok()) return;  // Validate names the bad URI
    auto state = (*driver)->ReadTaskState(o.target_uri, task_);
    if (!state.ok() || !*state || (!(*state)->applied && (*state)->loaded.empty())) return;
    auto sink = MakeSink(o.target_uri);
    if (!sink.ok()) return;
    sink_ = std::move(*sink);
    keep_trying_ = !mark_pending;
    if (!mark_pending) return;
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

  // Whether the verdicts were written. A record opened without `mark_pending` (revalidation's,
  // alive as long as the task) keeps trying after a failure, saying so once per outage; the
  // others give up.
  bool Record(const std::map<TableName, TableValidationState>& tables) {
    if (!sink_ || tables.empty()) return sink_ != nullptr;
    if (Status s = sink_->RecordValidation(task_, tables); !s.ok()) {
      if (!failing_)
        Log(LogLevel::kWarn, "validation state of task {} not recorded: {}", task_, s.message());
      failing_ = true;
      if (!keep_trying_) sink_.reset();  // said once
      return false;
    }
    failing_ = false;
    return true;
  }

 private:
  bool keep_trying_ = false, failing_ = false;
  std::string task_;
  std::unique_ptr<Sink> sink_;
  std::map<TableName, TableValidationState> pending_;
};

// The recorded verdict of one table's comparison.
TableValidationState VerdictOf(const TableResult& t) {
  TableValidationState v;
  v.state = t.equal() ? "Validated" : "Mismatched records";
  v.failed_records = t.differing_rows;
  v.detail = fmt::format("{} source rows, {} target rows, {} differing", t.source_rows,
                         t.target_rows, t.differing_rows);
  for (const std::string& d : t.schema_differences) v.detail += "; " + d;
  if (t.multiset_differs) v.detail += "; the rows differ (compared as a multiset)";
  return v;
}

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
    verdicts[t.source_name] = VerdictOf(t);
  }
  record.Record(verdicts);
  return result;
}

std::string FormatRevalidationCounts(const RevalidationCounts& c) {
  return fmt::format("revalidation: {} revalidated, {} failed, {} pending, {} suspended",
                     c.revalidated, c.failed, c.pending, c.suspended);
}

std::optional<RevalidationCounts> ParseRevalidationCounts(const std::string& detail) {
  size_t at = detail.rfind("revalidation: ");
  if (at == std::string::npos) return std::nullopt;
  RevalidationCounts c;
  long long r = 0, f = 0, p = 0, x = 0;
  if (std::sscanf(detail.c_str() + at,
                  "revalidation: %lld revalidated, %lld failed, %lld pending, %lld suspended", &r,
                  &f, &p, &x) != 4)
    return std::nullopt;
  c.revalidated = r;
  c.failed = f;
  c.pending = p;
  c.suspended = x;
  return c;
}

InTaskValidation::InTaskValidation(ValidateOptions options, const ReplicationMetrics& metrics,
                                   RevalidationLimits limits)
    : options_(std::move(options)), metrics_(metrics), limits_(limits), keys_(limits.max_keys) {
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
  std::optional<ValidationResult> initial = Validate();
  if (initial && !stop_) Revalidate(*initial);
}

bool InTaskValidation::RunIfNotDone() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_) return true;
    done_ = true;
  }
  ScopedLogComponent component(LogComponent::kValidator);
  auto r = Validate();
  return r && r->equal();
}

std::optional<ValidationResult> InTaskValidation::Validate() {
  Log(LogLevel::kInfo, "validation of task {} (EnableValidation): started", options_.task);
  auto r = ValidateAndRecord(options_, stop_);
  if (!r.ok()) {
    Log(LogLevel::kWarn, "validation of task {} could not finish: {}", options_.task,
        r.status().message());
    return std::nullopt;
  }
  Log(r->equal() ? LogLevel::kInfo : LogLevel::kWarn,
      "validation of task {}: {} in {:.1f} s (`cutover task stats` shows each table's state)",
      options_.task, r->equal() ? "target equals source" : "differences found", r->seconds);
  return std::move(*r);
}

namespace {

// The state of one table under revalidation.
struct Revalidated {
  const TablePair* pair = nullptr;
  TableValidationState base;  // the last whole-table verdict
  RevalidationCounts counts;
  std::map<std::string, std::string> failed;  // printed key -> "id=5 (different)"
  std::vector<size_t> key_order;              // pair key column j <- noted key column
  std::vector<std::string> key_columns;       // the noted columns key_order was made for
  bool key_unusable = false;
};

bool SameName(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Which noted key column feeds each key column of the pair (by target name, then source name).
bool MapKey(const TablePair& p, const std::vector<std::string>& noted, std::vector<size_t>& out) {
  out.clear();
  if (noted.size() != p.target.key.size()) return false;
  for (size_t j = 0; j < p.target.key.size(); ++j) {
    const std::string& tn = p.target.columns[p.target.key[j]].name;
    const std::string& sn = p.source.columns[p.source.key[j]].name;
    size_t found = noted.size();
    for (size_t i = 0; i < noted.size() && found == noted.size(); ++i)
      if (noted[i] == tn) found = i;
    for (size_t i = 0; i < noted.size() && found == noted.size(); ++i)
      if (SameName(noted[i], tn) || SameName(noted[i], sn)) found = i;
    if (found == noted.size()) return false;
    out.push_back(found);
  }
  return true;
}

}  // namespace

void InTaskValidation::Revalidate(const ValidationResult& initial) {
  auto pairs = PairTables(PairingRequest{options_.source_uri, options_.target_uri, options_.tables,
                                         options_.task, options_.mapping});
  if (!pairs.ok()) {
    Log(LogLevel::kWarn, "revalidation of task {} not started: {}", options_.task,
        pairs.status().message());
    return;
  }
  std::map<TableName, Revalidated> tables;
  for (const TablePair& p : *pairs) tables[p.source.name].pair = &p;
  for (const TableResult& t : initial.tables)
    if (auto it = tables.find(t.source_name); it != tables.end()) it->second.base = VerdictOf(t);
  std::erase_if(tables, [](const auto& e) { return e.second.base.state.empty(); });
  const auto delay = std::chrono::seconds(std::max(options_.recheck_seconds, 1));
  Log(LogLevel::kInfo,
      "revalidation of task {}: rows changed by CDC are compared again {} s after their last "
      "change",
      options_.task, delay.count());

  std::unique_ptr<RangeScanner> source, target;
  bool unreachable_said = false;
  VerdictRecord record(options_, /*mark_pending=*/false);
  std::map<TableName, TableValidationState> recorded;
  auto last_record = std::chrono::steady_clock::now();
  auto record_changes = [&](bool now) {
    if (!now && std::chrono::steady_clock::now() - last_record < limits_.record_every) return;
    std::map<TableName, TableValidationState> changed;
    for (auto& [name, t] : tables) {
      t.counts.pending = static_cast<int64_t>(keys_.Pending(name));
      t.counts.failed = static_cast<int64_t>(t.failed.size());
      TableValidationState v = t.base;
      v.failed_records += t.counts.failed;
      if (v.state == "Validated")
        v.state = t.counts.failed > 0    ? "Mismatched records"
                  : t.counts.pending > 0 ? "Pending records"
                                         : "Validated";
      if (t.counts.revalidated + t.counts.failed + t.counts.pending + t.counts.suspended > 0) {
        v.detail += "; " + FormatRevalidationCounts(t.counts);
        size_t listed = 0;
        for (const auto& [_, what] : t.failed) {
          if (listed++ == 5) break;
          v.detail += (listed == 1 ? "; failed: " : ", ") + what;
        }
      }
      auto r = recorded.find(name);
      if (r == recorded.end() || r->second.state != v.state || r->second.detail != v.detail ||
          r->second.failed_records != v.failed_records)
        changed[name] = v;
    }
    if (changed.empty()) return;
    last_record = std::chrono::steady_clock::now();
    if (!record.Record(changed)) return;  // written again at the next chance
    for (auto& [name, v] : changed) recorded[name] = std::move(v);
  };

  std::map<TableName, std::chrono::steady_clock::time_point> whole_table_next;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::seconds(1));
    if (stop_) break;
    lock.unlock();
    // Tables that overflowed the bound or were truncated: validated whole again.
    for (const TableName& name : keys_.TakeOverflowed()) {
      auto it = tables.find(name);
      if (it == tables.end() || stop_) continue;
      auto& next = whole_table_next[name];
      if (std::chrono::steady_clock::now() < next) {  // at most once per whole_table_every
        keys_.Overflow(name);
        continue;
      }
      next = std::chrono::steady_clock::now() + limits_.whole_table_every;
      ValidateOptions one = options_;
      one.tables = {name.ToString()};
      Log(LogLevel::kInfo,
          "revalidation: {} changed more rows than it keeps keys for (or was "
          "truncated): validating the whole table again",
          name.ToString());
      auto r = validator::Validate(one, stop_);
      if (!r.ok() || r->tables.size() != 1) {
        if (!stop_)
          Log(LogLevel::kWarn, "revalidation: {} could not be validated again: {}", name.ToString(),
              r.ok() ? "not found" : r.status().message());
        continue;
      }
      it->second.base = VerdictOf(r->tables.front());
      it->second.failed.clear();
    }
    // Changed rows whose last change is old enough, a bounded number per second.
    std::vector<ChangedKeys::Key> due = keys_.Take(delay, limits_.keys_per_second);
    if (!due.empty() && (!source || !target)) {
      auto s = OpenRangeScanner(options_.source_uri, "source");
      auto t = OpenRangeScanner(options_.target_uri, "target");
      if (!s.ok() || !t.ok()) {
        if (!unreachable_said)  // once per outage
          Log(LogLevel::kWarn, "revalidation: cannot read the servers now ({}); retried",
              (!s.ok() ? s.status() : t.status()).message());
        unreachable_said = true;
        for (auto& k : due) keys_.Retry(std::move(k));
        record_changes(false);
        lock.lock();
        continue;
      }
      source = std::make_unique<FilteredScanner>(std::move(*s));  // the task's filters
      target = std::move(*t);
      unreachable_said = false;
    }
    for (size_t i = 0; i < due.size(); ++i) {
      if (stop_ || !source) {  // not looked up: still pending
        keys_.Retry(std::move(due[i]));
        continue;
      }
      if (i > 0 && i % limits_.batch == 0) record_changes(false);
      ChangedKeys::Key& k = due[i];
      auto it = tables.find(k.table);
      if (it == tables.end()) continue;  // not a validated table
      Revalidated& t = it->second;
      const TablePair& p = *t.pair;
      if (t.key_columns != k.columns) {
        t.key_columns = k.columns;
        t.key_unusable = p.source.key.empty() || !MapKey(p, k.columns, t.key_order);
        if (t.key_unusable)
          Log(LogLevel::kWarn,
              "revalidation: {}: the key of the changed rows ({}) does not match the compared "
              "key; its changed rows are counted suspended",
              k.table.ToString(), fmt::join(k.columns, ", "));
      }
      if (t.key_unusable) {
        ++t.counts.suspended;
        continue;
      }
      std::vector<Value> bound;
      for (size_t j : t.key_order) bound.push_back(k.values[j]);
      KeyRange exact = KeyRange::Exactly(bound);
      RowHashSum a, b;
      Status st = source->Scan(p.source, exact, false, [&](const ScannedRow& r) {
        a.Add(r.hash);
        return Status::Ok();
      });
      if (st.ok())
        st = target->Scan(p.target, exact, false, [&](const ScannedRow& r) {
          b.Add(r.hash);
          return Status::Ok();
        });
      if (!st.ok()) {  // a server went away: these keys wait, the scanners are opened again
        if (!unreachable_said)
          Log(LogLevel::kWarn, "revalidation: reading {} failed ({}); retried", k.table.ToString(),
              st.message());
        unreachable_said = true;
        source.reset();
        target.reset();
        keys_.Retry(std::move(k));
        continue;
      }
      const std::string printed = PrintedKey(bound);
      if (a == b) {
        ++t.counts.revalidated;
        t.failed.erase(printed);
        continue;
      }
      if (k.retries < std::max(options_.recheck_rounds, 1)) {  // in flight: again later
        ++k.retries;
        keys_.Retry(std::move(k));
        continue;
      }
      std::string what;
      for (size_t j = 0; j < bound.size(); ++j)
        what += fmt::format("{}{}={}", j ? "," : "", p.source.columns[p.source.key[j]].name,
                            source->Display(bound[j]));
      what += a.count == 0   ? " (extra-in-target)"
              : b.count == 0 ? " (missing-in-target)"
                             : " (different)";
      if (t.failed.emplace(printed, what).second)
        Log(LogLevel::kWarn, "revalidation: {}: row {} still differs after {} rechecks",
            k.table.ToString(), what, k.retries);
    }
    record_changes(false);
    lock.lock();
  }
  record_changes(true);
  RevalidationCounts all;
  for (const auto& [_, t] : tables) {
    all.revalidated += t.counts.revalidated;
    all.failed += t.counts.failed;
    all.pending += t.counts.pending;
    all.suspended += t.counts.suspended;
  }
  Log(LogLevel::kInfo, "revalidation of task {} stopped ({})", options_.task,
      FormatRevalidationCounts(all));
}

}  // namespace cutover::validator
