// LoadRefusals: a full-load TableLoader that can isolate the rows its target refuses, so the
// task's error policies (engine/core/error_policy.h) act during the full load as they do in CDC.
//
// Design: the CDC path already isolates refused changes (engine/pipeline/apply_errors.h: windows
// of changes under savepoints, a refused window replayed change by change, each refused change
// recorded in the exceptions control table or its table suspended or the task stopped). The
// full load reuses that class as it is: a loader that implements this interface hands out an
// Applier working in the loader's own connection and open transaction, whose Apply takes the
// table's rows (ChangeOp::kRead changes), and whose savepoints, Flush, ClassifyError,
// RecordException and AddChangeCounts are the engine's own (shared with its CDC applier). The
// rows, the exception records and a suspended state then commit with the table's load state in
// the loader's one transaction (one per range of a split load), so a crash leaves all or none
// of them and a restart makes the same decisions once.
//
// Discovered by dynamic_cast (as engine/core/raw_rows.h), so that the Sink and TableLoader
// interfaces stay as they are; a loader without it (SQLite, files) loads as before, and a
// refused row stops the load. Only used when the task's policies divert a refused row: without
// them the loaders' fast paths (binary COPY pass-through, COPY FREEZE, LOAD DATA) are unchanged.
#pragma once

#include <map>
#include <string>

#include "engine/core/endpoint.h"

namespace cutover {

class LoadRefusals {
 public:
  virtual ~LoadRefusals() = default;
  // Switches the loader to rows applied through the returned Applier (owned by the loader, valid
  // until its Commit) instead of Write; called before the first row. The Applier's Begin and
  // Commit are not used: TableLoader::Commit commits, after the Applier's last Flush.
  virtual Result<Applier*> ApplyRows() = 0;
  // Rows the target holds from the Applier's Apply calls (flushed, not rolled back): the rows
  // TableLoader::Commit is then given.
  virtual int64_t RowsApplied() const = 0;
  // What kind of refusal `error` (from Write, WriteRaw or Commit) is: the full load, failing
  // under policies that stop, loads the table again through ApplyRows only to name the refused
  // row when it is one (not for a lost connection or a lock wait).
  virtual ApplyErrorKind ClassifyError(const Status& error) const = 0;
};

// Counts the rows a load's Applier has in the open transaction across savepoints: rows of a
// successful flush count, a rollback to a savepoint forgets those flushed since it was set.
class AppliedRows {
 public:
  void Flushed(int64_t n) { count_ += n; }
  void Savepoint(const std::string& name) { marks_[name] = count_; }
  void RolledBack(const std::string& name) {
    if (auto it = marks_.find(name); it != marks_.end()) count_ = it->second;
  }
  int64_t count() const { return count_; }

 private:
  int64_t count_ = 0;
  std::map<std::string, int64_t> marks_;
};

}  // namespace cutover
