#include "engine/pipeline/apply_errors.h"

#include "engine/core/log.h"
#include "engine/core/lossy.h"

namespace cutover {

namespace {

constexpr const char* kWindowSavepoint = "cutover_window";
constexpr const char* kChangeSavepoint = "cutover_change";
constexpr int64_t kLoggedOneByOne = 100;  // LOG_ERROR lines before only the count goes on

// "col=value, ..." of every column of `row` (the exceptions table's row_values).
std::string RowText(const TableSchema& t, const std::vector<Value>& row) {
  std::string out;
  for (size_t i = 0; i < t.columns.size() && i < row.size(); ++i) {
    if (row[i].is_unchanged()) continue;
    out += (out.empty() ? "" : ", ") + t.columns[i].name + "=" + ShowValue(row[i]);
  }
  return out;
}

const std::vector<Value>& KeySource(const Change& c) {
  return c.before.empty() ? c.after : c.before;
}

}  // namespace

ApplyErrors::ApplyErrors(Applier& applier, const ErrorPolicies& policies,
                         std::set<TableName> suspended, std::set<TableName> moves_in, size_t window)
    : applier_(applier),
      policies_(policies),
      suspended_(std::move(suspended)),
      moves_in_(std::move(moves_in)),
      window_changes_(window) {}

Status ApplyErrors::OpenWindow() {
  // What was sent before (BEGIN, a foreign-key step) must not be mistaken for a refusal inside
  // the window: it is flushed first, and its failure stops the run.
  RETURN_IF_ERROR(applier_.Flush());
  RETURN_IF_ERROR(applier_.Savepoint(kWindowSavepoint));
  window_open_ = true;
  return Status::Ok();
}

Status ApplyErrors::Apply(const Change& c, const TransactionInfo& txn) {
  if (!window_open_) {
    RETURN_IF_ERROR(OpenWindow());
    missing_.clear();
  }
  window_.push_back(Kept{c, txn.position.text, txn.xid});
  Status s = applier_.Apply(c);
  if (!s.ok()) return Replay(s);  // refused before sending (a value cutover cannot write)
  if (window_.size() >= window_changes_) return CloseWindow();
  return Status::Ok();
}

Status ApplyErrors::ApplyBatch(const TableBatch& b, const TransactionInfo& txn) {
  RETURN_IF_ERROR(CloseWindow());
  RETURN_IF_ERROR(OpenWindow());
  missing_.clear();
  Status s = applier_.ApplyBatch(b);
  if (s.ok()) s = applier_.Flush();
  if (s.ok() && missing_.empty()) {
    window_open_ = false;
    return applier_.ReleaseSavepoint(kWindowSavepoint);
  }
  // The batch as the changes it is made of (net_effect.h: keys are disjoint, so any order).
  auto keep = [&](ChangeOp op, const std::vector<Value>& row) {
    Kept k{Change{}, txn.position.text, txn.xid};
    k.change.op = op;
    k.change.table = b.table;
    if (op == ChangeOp::kDelete) {
      k.change.before = row;
      k.change.before_is_key_only = true;
    } else {
      k.change.after = row;
    }
    window_.push_back(std::move(k));
  };
  for (const auto& row : b.deletes) keep(ChangeOp::kDelete, row);
  for (const UpdateGroup& g : b.updates)
    for (const auto& row : g.rows) keep(ChangeOp::kUpdate, row);
  for (const auto& row : b.inserts) keep(ChangeOp::kInsert, row);
  return Replay(s, /*batch=*/true);
}

Status ApplyErrors::Unconvertible(const Change& c, const TransactionInfo& txn, ApplyErrorKind kind,
                                  const Status& error) {
  RETURN_IF_ERROR(CloseWindow());
  recorded_.clear();
  return Divert(Kept{c, txn.position.text, txn.xid}, kind, error);
}

Status ApplyErrors::CloseWindow() {
  if (!window_open_) return Status::Ok();
  Status s = applier_.Flush();
  if (!s.ok() || !missing_.empty()) return Replay(s);
  window_.clear();
  window_open_ = false;
  return applier_.ReleaseSavepoint(kWindowSavepoint);
}

Status ApplyErrors::Replay(const Status& refusal, bool batch) {
  if (!refusal.ok() && applier_.ClassifyError(refusal) == ApplyErrorKind::kOther) return refusal;
  RETURN_IF_ERROR(applier_.RollbackToSavepoint(kWindowSavepoint));
  recorded_.clear();
  Log(LogLevel::kDebug, "a window of {} change(s) {}: applying it change by change", window_.size(),
      refusal.ok() ? "found " + std::to_string(missing_.size()) + " target row(s) missing"
                   : "was refused (" + refusal.message() + ")");
  for (const Kept& k : window_) {
    const TableName& table = k.change.table->name;
    if (k.change.op != ChangeOp::kTruncate && Suspended(table)) continue;
    RETURN_IF_ERROR(applier_.Savepoint(kChangeSavepoint));
    missing_.clear();
    Status s = applier_.Apply(k.change);
    if (s.ok()) s = applier_.Flush();
    bool acted = false;
    if (!s.ok()) {
      ApplyErrorKind kind = applier_.ClassifyError(s);
      if (kind == ApplyErrorKind::kOther) return s;
      RETURN_IF_ERROR(applier_.RollbackToSavepoint(kChangeSavepoint));
      RETURN_IF_ERROR(Divert(k, kind, s));
      acted = true;
    } else if (!missing_.empty() &&
               (k.change.op == ChangeOp::kUpdate || k.change.op == ChangeOp::kDelete)) {
      RowsNotFound found = missing_.front();
      missing_.clear();
      RETURN_IF_ERROR(applier_.RollbackToSavepoint(kChangeSavepoint));
      RETURN_IF_ERROR(Missing(k, found));
      acted = true;
    }
    if (acted) {
      if (batch && Suspended(table)) {
        // Rows of the batch applied before this one may come later in the source transaction:
        // none of them stays; the records made so far are written again.
        RETURN_IF_ERROR(applier_.RollbackToSavepoint(kWindowSavepoint));
        for (const ApplyException& e : recorded_) RETURN_IF_ERROR(applier_.RecordException(e));
        break;
      }
    }
    RETURN_IF_ERROR(applier_.ReleaseSavepoint(kChangeSavepoint));
  }
  window_.clear();
  missing_.clear();
  window_open_ = false;
  return applier_.ReleaseSavepoint(kWindowSavepoint);
}

void ApplyErrors::Report(const RowsNotFound& r) {
  if (window_open_ && Handles(r)) {
    missing_.push_back(r);
    return;
  }
  if (log_) log_->Report(r);
}

ErrorPolicy ApplyErrors::PolicyFor(const Kept& k, ApplyErrorKind kind, std::string& setting) {
  const TableName& table = k.change.table->name;
  if (k.change.op == ChangeOp::kTruncate) {
    setting = "TableErrorPolicy";
    return policies_.table;
  }
  if (kind == ApplyErrorKind::kDuplicateKey && k.change.op == ChangeOp::kInsert) {
    setting = "ApplyErrorInsertPolicy";
    int64_t n = ++apply_errors_[table];
    if (policies_.apply_escalation_count > 0 && n > policies_.apply_escalation_count &&
        policies_.insert != ErrorPolicy::kStopTask) {
      setting = "ApplyErrorEscalationPolicy (after ApplyErrorEscalationCount " +
                std::to_string(policies_.apply_escalation_count) + ")";
      return policies_.apply_escalation;
    }
    return policies_.insert;
  }
  setting = kind == ApplyErrorKind::kTruncation ? "DataTruncationErrorPolicy" : "DataErrorPolicy";
  ErrorPolicy p = kind == ApplyErrorKind::kTruncation ? policies_.truncation : policies_.data;
  int64_t n = ++data_errors_[table];
  if (policies_.data_escalation_count > 0 && n > policies_.data_escalation_count &&
      p != ErrorPolicy::kStopTask) {
    setting = "DataErrorEscalationPolicy (after DataErrorEscalationCount " +
              std::to_string(policies_.data_escalation_count) + ")";
    return policies_.data_escalation;
  }
  return p;
}

std::string ApplyErrors::Where(const Kept& k) const {
  const TableSchema& t = *k.change.table;
  std::string key = k.change.op == ChangeOp::kTruncate ? "" : RowKeyText(t, KeySource(k.change));
  std::string head = "table " + t.name.ToString() + (key.empty() ? "" : ", key (" + key + ")");
  if (k.change.op == ChangeOp::kRead)  // a row of the full load (engine/core/load_refusals.h)
    return head + ", full load from the snapshot at " + k.position;
  return head + ", " + ChangeOpName(k.change.op) + " of source transaction " + k.xid + " at " +
         k.position;
}

ErrorPolicy ApplyErrors::MissingPolicyFor(const Kept& k, std::string& setting) {
  const bool update = k.change.op == ChangeOp::kUpdate;
  setting = update ? "ApplyErrorUpdatePolicy" : "ApplyErrorDeletePolicy";
  ErrorPolicy p = update ? policies_.update_missing : policies_.delete_missing;
  if (!policies_.missing_rows_set) {
    // A filtered table's row moving in (Handles): inserted, never escalated.
    setting = "the row filter";
    return ErrorPolicy::kUpdateRecord;
  }
  int64_t n = ++apply_errors_[k.change.table->name];
  if (policies_.apply_escalation_count > 0 && n > policies_.apply_escalation_count &&
      p != ErrorPolicy::kStopTask) {
    setting = "ApplyErrorEscalationPolicy (after ApplyErrorEscalationCount " +
              std::to_string(policies_.apply_escalation_count) + ")";
    return policies_.apply_escalation;
  }
  return p;
}

Status ApplyErrors::Divert(const Kept& k, ApplyErrorKind kind, const Status& error) {
  std::string setting;
  ErrorPolicy policy = PolicyFor(k, kind, setting);
  const std::string where = Where(k);
  if (policy == ErrorPolicy::kStopTask) {
    return Status(
        error.code() == StatusCode::kUnavailable ? StatusCode::kFailedPrecondition : error.code(),
        where + ": " + error.message() + " (" + setting + " is STOP_TASK)");
  }
  if (policy == ErrorPolicy::kInsertRecord) {
    // The key exists on the target: overwrite that row with the source's (delete + insert).
    Change del;
    del.op = ChangeOp::kDelete;
    del.table = k.change.table;
    del.before = k.change.after;
    del.before_is_key_only = true;
    RETURN_IF_ERROR(applier_.Apply(del));
    Status s = applier_.Apply(k.change);
    if (s.ok()) s = applier_.Flush();
    if (!s.ok()) return s.WithContext(where + ", INSERT_RECORD");
    Log(LogLevel::kInfo,
        "{}: the key existed on the target; its row is replaced ({} INSERT_RECORD)", where,
        setting);
    return Status::Ok();
  }
  return Record(k, policy, setting, where, error.message());
}

Status ApplyErrors::Missing(const Kept& k, const RowsNotFound& found) {
  const std::string not_found = "target row not found (the target differs from the source)";
  std::string setting;
  ErrorPolicy policy = MissingPolicyFor(k, setting);
  const std::string where = Where(k);
  if (policy == ErrorPolicy::kStopTask) {
    return FailedPrecondition(where + ": " + not_found + " (" + setting + " is STOP_TASK)");
  }
  std::string error = not_found;
  if (policy == ErrorPolicy::kUpdateRecord) {
    // Insert the missing row from the update's new image, when that image is the whole row.
    const TableSchema& t = *k.change.table;
    bool whole = k.change.after.size() == t.columns.size();
    std::string lacking;
    for (size_t i = 0; whole && i < k.change.after.size(); ++i) {
      if (k.change.after[i].is_unchanged())
        lacking += (lacking.empty() ? "" : ", ") + t.columns[i].name;
    }
    if (whole && lacking.empty()) {
      Change ins;
      ins.op = ChangeOp::kInsert;
      ins.table = k.change.table;
      ins.after = k.change.after;
      Status s = applier_.Apply(ins);
      if (s.ok()) s = applier_.Flush();
      if (s.ok()) {
        RowsNotFound inserted = found;
        inserted.inserted = true;
        if (log_) log_->Report(inserted);
        return Status::Ok();
      }
      ApplyErrorKind kind = applier_.ClassifyError(s);
      if (kind == ApplyErrorKind::kOther) return s.WithContext(where + ", UPDATE_RECORD");
      // The insert itself is refused (a value the target rejects, or the new key exists):
      // handled as a refusal of the update.
      RETURN_IF_ERROR(applier_.RollbackToSavepoint(kChangeSavepoint));
      return Divert(k, kind, s);
    }
    if (!policies_.missing_rows_set) {
      // A filtered table without the policies: logged and counted as cutover always did.
      if (log_) log_->Report(found);
      return Status::Ok();
    }
    error += "; not inserted (UPDATE_RECORD): the update does not carry every column (" +
             (lacking.empty() ? std::string("its new image is partial") : "unchanged: " + lacking) +
             ")";
    policy = ErrorPolicy::kLogError;
  }
  return Record(k, policy, setting, where, error);
}

Status ApplyErrors::Record(const Kept& k, ErrorPolicy policy, const std::string& setting,
                           const std::string& where, const std::string& error) {
  const TableSchema& t = *k.change.table;
  ApplyException e;
  e.table = k.change.table;
  e.op = k.change.op;
  e.key = k.change.op == ChangeOp::kTruncate ? "" : RowKeyText(t, KeySource(k.change));
  e.position = k.position;
  e.xid = k.xid;
  e.policy = ErrorPolicyName(policy);
  e.error = error;
  e.row = RowText(t, k.change.op == ChangeOp::kDelete ? k.change.before : k.change.after);
  RETURN_IF_ERROR(applier_.RecordException(e));
  recorded_.push_back(e);
  ++diverted_;
  switch (policy) {
    case ErrorPolicy::kSuspendTable:
      suspended_.insert(t.name);
      newly_suspended_.insert(t.name);
      Log(LogLevel::kWarn,
          "{}: {}; table {} is suspended ({} SUSPEND_TABLE): its later changes are not applied, "
          "the refused change is in the exceptions table",
          where, error, t.name.ToString(), setting);
      break;
    case ErrorPolicy::kLogError:
      if (++logged_ <= kLoggedOneByOne) {
        Log(LogLevel::kWarn, "{}: {}; recorded in the exceptions table ({} LOG_ERROR){}", where,
            error, setting,
            logged_ == kLoggedOneByOne ? "; further refusals are only recorded and counted" : "");
      }
      break;
    default:  // IGNORE_RECORD: recorded, counted, one line for the first
      if (diverted_ == 1)
        Log(LogLevel::kWarn, "{}: {}; recorded in the exceptions table ({} {})", where, error,
            setting, ErrorPolicyName(policy));
      break;
  }
  return Status::Ok();
}

void ApplyErrors::AddStates(std::map<TableName, TableChangeTotals>& totals) {
  for (const TableName& t : newly_suspended_) totals[t].state = "suspended";
  newly_suspended_.clear();
}

}  // namespace cutover
