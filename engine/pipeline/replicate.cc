#include "engine/pipeline/replicate.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "engine/core/generated_columns.h"
#include "engine/core/load_refusals.h"
#include "engine/core/log.h"
#include "engine/core/log_component.h"
#include "engine/core/lossy.h"
#include "engine/core/pipelined_commit.h"
#include "engine/core/raw_rows.h"
#include "engine/core/read_filter.h"
#include "engine/pipeline/apply_errors.h"
#include "engine/pipeline/columns_added_while_stopped.h"
#include "engine/pipeline/lob_report.h"
#include "engine/pipeline/net_effect.h"
#include "engine/pipeline/referential_actions.h"
#include "engine/pipeline/rows_not_found.h"
#include "engine/pipeline/schema_build.h"
#include "engine/pipeline/split_plan.h"
#include "engine/pipeline/split_snapshots.h"
#include "engine/pipeline/spool_capture.h"
#include "engine/pipeline/start_checks.h"
#include "engine/pipeline/table_transform.h"
#include "engine/registry/registry.h"

namespace cutover {

namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Full load

// `f()` with the calling thread's log component set to `c` (engine/core/log_component.h).
template <typename F>
auto RunAs(LogComponent c, F&& f) {
  ScopedLogComponent scope(c);
  return f();
}

// Whether `transform` hands every row over as the source read it: no filter, no column rule,
// every target column of the source column's type (no change-data-type).
bool RowsTravelUnchanged(const TableTransform& transform) {
  if (!transform.filter().empty() || transform.shapes_rows()) return false;
  const TableSchema& s = *transform.source();
  const TableSchema& t = *transform.target();
  if (s.columns.size() != t.columns.size()) return false;
  for (size_t i = 0; i < s.columns.size(); ++i) {
    if (s.columns[i].type_name != t.columns[i].type_name ||
        s.columns[i].kind != t.columns[i].kind || s.columns[i].type_id != t.columns[i].type_id)
      return false;
  }
  return true;
}

// Rows per savepoint window of a load under error policies: the window's statement and
// savepoints cost a few round trips, a refused window is replayed row by row (a savepoint each).
constexpr size_t kLoadWindowRows = 1024;

// Whether the task's policies divert a row the target refuses in the full load rather than stop
// (DataErrorPolicy, DataTruncationErrorPolicy; engine/core/load_refusals.h).
bool LoadDiverts(const ErrorPolicies& p) {
  return p.data != ErrorPolicy::kStopTask || p.truncation != ErrorPolicy::kStopTask;
}

// TableErrorPolicy in the full load (docs/dms.md "In the full load"): a table the target refuses
// to prepare or to begin loading (a DROP, CREATE or TRUNCATE refused: the target "table" is a
// view, a pre-created table the user cannot empty) stops the task under STOP_TASK (cutover's
// default), as it always did. Under SUSPEND_TABLE the table is suspended instead: it is not
// loaded (nothing of it is marked loaded), the other tables load on, and CDC skips its changes.
// Its state is recorded on the target with CDC's first commit (ApplyErrors::
// SuspendRefusedTables), and a later run does not load a table whose state is suspended. An
// error that is not about the table (a lost connection: kUnavailable) stops the run as before.
bool SuspendsRefusedTable(const ErrorPolicies& p, const Status& error) {
  return p.table == ErrorPolicy::kSuspendTable && error.code() != StatusCode::kUnavailable;
}

void LogRefusedTable(const TableName& table, const Status& error) {
  Log(LogLevel::kWarn,
      "table {}: {}; the table is suspended (TableErrorPolicy SUSPEND_TABLE): it is not loaded "
      "and its changes are not applied",
      table.ToString(), error.message());
}

// The raw-rows path (engine/core/raw_rows.h) when reader, loader and transform allow it: the
// source's bulk bytes go to the target as they are. Returns false (nothing read or written)
// when the rows must go as Values.
Result<bool> CopyRawRows(TableReader& reader, TableLoader& loader, const ReplicateOptions& opt,
                         const TableTransform& transform, const std::atomic<bool>& stop,
                         const std::atomic<bool>& abort_all,
                         const std::function<void(int64_t)>& count, int64_t& rows,
                         const std::string& what) {
  auto* raw_reader = dynamic_cast<RawRowReader*>(&reader);
  auto* raw_loader = dynamic_cast<RawRowLoader*>(&loader);
  if (!raw_reader || !raw_loader || !RowsTravelUnchanged(transform)) return false;
  if (opt.lob_report) {  // it measures the values of LOB columns
    for (const Column& c : transform.target()->columns)
      if (LobReport::IsLob(c)) return false;
  }
  ASSIGN_OR_RETURN(std::optional<RawRowFormat> format,
                   RunAs(LogComponent::kSourceUnload, [&] { return raw_reader->RawFormat(); }));
  if (!format) return false;
  ASSIGN_OR_RETURN(bool accepted, raw_loader->AcceptsRaw(*format));
  if (!accepted) return false;
  Log(LogLevel::kDebug, "loading {} as {}", what, format->name);
  int64_t pending = 0;
  std::string_view bytes;
  for (;;) {
    int64_t n = 0;
    ASSIGN_OR_RETURN(bool more, RunAs(LogComponent::kSourceUnload,
                                      [&] { return raw_reader->NextRaw(bytes, n); }));
    if (!more) break;
    RETURN_IF_ERROR(raw_loader->WriteRaw(bytes));
    rows += n;
    pending += n;
    if (pending >= 4096) {
      count(pending);
      pending = 0;
      if (stop.load() || abort_all.load()) return Aborted("full load of " + what + " interrupted");
    }
  }
  count(pending);
  return true;
}

// Copies `reader`'s rows through `transform` (table_transform.h: the task's filter and column
// rules between the source table read and the target table written) into `loader` and commits
// it at `snapshot`; `rows`: the rows written.
//
// Under error policies that divert a refused row (LoadDiverts) and a loader that can isolate one
// (engine/core/load_refusals.h), the rows go through ApplyErrors (the CDC path's, apply_errors.h)
// into the loader's own transaction: a refused row is recorded in the exceptions table and the
// others loaded; SUSPEND_TABLE ends the table's load there (`suspended` is set, and the table's
// state says so in the same transaction). `others_suspended`: another range of the same split
// table was suspended, so this one stops too (checked every 4096 rows). `locating`: the load
// failed with that error under policies that stop; when it is a refusal of a row, the rows go
// through ApplyErrors all the same, which stops at the refused row naming table, key and error
// (a bulk COPY / LOAD DATA error names neither key nor, on MariaDB, the row).
Status CopyRows(TableReader& reader, TableLoader& loader, const Position& snapshot,
                const ReplicateOptions& opt, const TableTransform& transform,
                const std::atomic<bool>& stop, const std::atomic<bool>& abort_all,
                Progress& progress, int64_t& rows, int64_t& read, const std::string& what,
                bool& suspended, const std::function<bool()>& others_suspended,
                const Status* locating = nullptr) {
  suspended = false;
  LoadRefusals* refusals =
      LoadDiverts(opt.errors) || locating ? dynamic_cast<LoadRefusals*>(&loader) : nullptr;
  if (locating && !refusals) return *locating;
  const RowFilter& filter = transform.filter();
  std::vector<Value> row;
  rows = 0;
  read = 0;
  int64_t pending = 0;
  std::function<void(int64_t)> count = [&](int64_t n) {
    progress.Add(n);
    if (opt.metrics) opt.metrics->AddRowsLoaded(n);
  };
  ScopedLogComponent component(LogComponent::kTargetLoad);
  bool raw = false;
  if (!refusals) {
    ASSIGN_OR_RETURN(
        raw, CopyRawRows(reader, loader, opt, transform, stop, abort_all, count, rows, what));
  }
  if (raw) {
    read = rows;  // every row read was written
    return loader.Commit(snapshot, rows);
  }
  // Full-load rows' header variables ($AR_H_COMMIT_TIMESTAMP...): the time the load started.
  RowOrigin origin;
  origin.load_started_us = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  // Under error policies: the rows as changes of the load (ChangeOp::kRead) at the snapshot.
  std::unique_ptr<ApplyErrors> errors;
  Applier* rows_to = nullptr;
  Change change;
  TransactionInfo txn;
  if (refusals) {
    ASSIGN_OR_RETURN(rows_to, refusals->ApplyRows());
    if (locating)
      Log(LogLevel::kInfo, "{}: loading it again row by row to name the row refused", what);
    errors = std::make_unique<ApplyErrors>(*rows_to, opt.errors, std::set<TableName>{},
                                           std::set<TableName>{}, kLoadWindowRows);
    change.op = ChangeOp::kRead;
    change.table = transform.target();
    txn.position = snapshot;
  }
  for (;;) {
    ASSIGN_OR_RETURN(bool more,
                     RunAs(LogComponent::kSourceUnload, [&] { return reader.Next(row); }));
    if (!more) break;
    ++read;
    if (!filter.empty() && filter.Evaluate(row) == FilterVerdict::kFail) {
      ++pending;  // read, counted for progress, not written
    } else {
      transform.ShapeRow(row, ChangeOp::kRead, origin);
      if (transform.converts_values()) RETURN_IF_ERROR(transform.ConvertRow(row));
      if (opt.lob_report) opt.lob_report->Observe(*transform.target(), row, /*during_cdc=*/false);
      if (errors) {
        change.after.swap(row);
        RETURN_IF_ERROR(errors->Apply(change, txn));
        if (errors->Suspended(change.table->name)) {
          suspended = true;
          break;
        }
      } else {
        RETURN_IF_ERROR(loader.Write(row));
      }
      ++rows;
      ++pending;
    }
    if (pending >= 4096) {
      count(pending);
      pending = 0;
      if (stop.load() || abort_all.load()) return Aborted("full load of " + what + " interrupted");
      if (errors && others_suspended && others_suspended()) break;
    }
  }
  count(pending);
  if (errors) {
    RETURN_IF_ERROR(errors->CloseWindow());  // the last window may suspend the table too
    if (errors->Suspended(change.table->name)) suspended = true;
    std::map<TableName, TableChangeTotals> states;
    errors->AddStates(states);  // a suspended table's state commits with its rows
    if (!states.empty()) RETURN_IF_ERROR(rows_to->AddChangeCounts(states));
    if (errors->diverted() > 0) {
      Log(LogLevel::kWarn,
          "{}: {} row(s) refused by the target, recorded in the exceptions table{}", what,
          FormatCount(errors->diverted()),
          suspended ? "; the table is suspended (SUSPEND_TABLE): its load ends here" : "");
    }
    rows = refusals->RowsApplied();
  }
  return loader.Commit(snapshot, rows);
}

// A table whose load is split into key ranges (split_plan.h), shared by the workers loading
// its ranges; the one that commits the last range finishes the table.
struct SplitLoad {
  const TableTransform* transform = nullptr;
  SplitTable plan;
  int remaining = 0;  // ranges not done yet (under the FullLoad mutex)
  int64_t rows = 0;   // rows of the done ranges
  int64_t read = 0;   // rows read from the source for them (more than `rows` with a filter)
  Position earliest;  // the earliest snapshot of a done range
  bool any_done = false;
  Clock::time_point started;
};

// A reader of `table`'s rows (of `range` when given) for the full load: with the task's source
// filter pushed into the source's query when the snapshot can (engine/core/read_filter.h); the
// rows read are judged by the filter all the same (CopyRows).
Result<std::unique_ptr<TableReader>> OpenLoadReader(Snapshot& snapshot, const TableTransform& t,
                                                    const KeyRange* range) {
  const auto& pushed = t.filter().read_filter();
  if (auto* pushdown = dynamic_cast<FilterPushdown*>(&snapshot); pushdown && pushed)
    return pushdown->OpenFilteredReader(*t.source(), range, *pushed);
  return range ? snapshot.OpenRangeReader(*t.source(), *range) : snapshot.OpenReader(*t.source());
}

// One piece of work of the full load: a whole table, or one range of a split table.
struct LoadUnit {
  const TableTransform* transform = nullptr;
  SplitLoad* split = nullptr;  // null: the whole table
  int range = -1;
  int64_t size = 0;  // estimated rows, for the order
};

// `suspended`: the (source) names of tables a refused row suspended (SUSPEND_TABLE) in this load.
// `refused`: those whose load the target refused to begin, suspended by TableErrorPolicy.
Status FullLoad(Snapshot& snapshot, Sink& sink, const ReplicateOptions& opt,
                std::vector<const TableTransform*> tables, std::vector<SplitLoad>& splits,
                const std::atomic<bool>& stop, ReplicateStats& stats, SchemaBuild& schema,
                std::set<TableName>& suspended, std::set<TableName>& refused) {
  // A table mapping's load-order first (higher first, as DMS); then largest first, so the
  // longest table starts early and the workers finish together. A split table's ranges count
  // as pieces of their table's size.
  auto order = [&](const TableTransform* t) -> int64_t {
    return opt.mapping ? opt.mapping->LoadOrder(t->source()->name) : 0;
  };
  std::vector<LoadUnit> units;
  int64_t total = 0;
  for (const auto* t : tables) {
    int64_t est = std::max<int64_t>(t->source()->estimated_rows, 0);
    SplitLoad* split = nullptr;
    for (auto& s : splits)
      if (s.transform == t) split = &s;
    if (!split) {
      units.push_back(LoadUnit{t, nullptr, -1, est});
      total += est;
      continue;
    }
    int todo = 0;
    for (const auto& r : split->plan.ranges) todo += r.done ? 0 : 1;
    for (const auto& r : split->plan.ranges) {
      if (r.done) continue;
      units.push_back(LoadUnit{t, split, r.index, est / std::max(todo, 1)});
      total += est / std::max(todo, 1);
    }
  }
  std::stable_sort(units.begin(), units.end(), [&](const LoadUnit& a, const LoadUnit& b) {
    if (order(a.transform) != order(b.transform)) return order(a.transform) > order(b.transform);
    if ((a.split != nullptr) != (b.split != nullptr)) return a.split != nullptr;
    return a.size > b.size;
  });
  Progress progress("full load", total > 0 ? total : -1, opt.progress);
  Log(LogLevel::kInfo, "full load of {} table(s) ({} split) from snapshot at {}, {} worker(s)",
      tables.size(), splits.size(), snapshot.position().text, opt.parallel);

  std::mutex mu;
  size_t next = 0;
  Status first_error;
  std::atomic<bool> abort_all{false};  // set on the first failure
  size_t loaded_here = 0;
  auto table_done = [&](const TableTransform& t, int64_t rows, int64_t read, double secs) {
    LossyNotices::Run().ReportCounts(t.target()->name);  // values this load changed by a rule
    if (opt.lob_report) opt.lob_report->ReportTable(t.target()->name);  // values DMS would cut
    if (opt.metrics) opt.metrics->TableLoaded(t.target()->name.ToString(), rows);
    // With a source filter, how many rows the source sent (the push-down's effect).
    std::string filtered =
        t.filter().empty() ? "" : fmt::format(", {} rows read from the source", FormatCount(read));
    Log(LogLevel::kInfo, "loaded {}: {} rows in {:.1f} s ({} rows/s){}",
        t.source()->name.ToString(), FormatCount(rows), secs,
        FormatCount(static_cast<int64_t>(rows / std::max(secs, 1e-3))), filtered);
  };
  // A split table whose every range committed in an earlier run, but not its finish.
  for (auto& sl : splits) {
    if (sl.remaining > 0) continue;
    const TableSchema& target = *sl.transform->target();
    RETURN_IF_ERROR(sink.FinishSplitLoad(opt.task, target, opt.prep, sl.earliest, sl.rows));
    RETURN_IF_ERROR(schema.AfterTable(target));
    table_done(*sl.transform, sl.rows, sl.read, 0);
    stats.tables_loaded++;
    ++loaded_here;
    stats.rows_loaded += sl.rows;
  }
  auto worker = [&] {
    ScopedLogComponent component(LogComponent::kTargetLoad);
    for (;;) {
      LoadUnit u;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next >= units.size() || abort_all.load() || stop.load()) return;
        u = units[next++];
      }
      const TableTransform& t = *u.transform;
      const TableSchema& target = *t.target();
      auto started = Clock::now();
      int64_t rows = 0, read = 0;
      Status s;
      bool finished_table = false;
      bool now_suspended = false;
      const TableName& name = t.source()->name;
      std::function<bool()> others_suspended = [&] {
        std::lock_guard<std::mutex> lock(mu);
        return suspended.count(name) > 0;
      };
      const RangeLoadState* r =
          u.split ? &u.split->plan.ranges[static_cast<size_t>(u.range)] : nullptr;
      std::string what = !r ? target.name.ToString()
                            : target.name.ToString() + " range " + std::to_string(r->index) + " " +
                                  r->range.ToString();
      // Reads and writes the unit in a transaction of its own (its sessions end before the
      // table is finished: a SQLite target's one writer is held by its loader). `locating`:
      // the unit failed with that error; loaded again row by row to name the refused row.
      bool can_locate = false;     // the unit failed on a refused row (load_refusals.h)
      bool begin_refused = false;  // the target refused to begin the table's load
      auto copy_unit = [&](const Status* locating) -> Status {
        auto reader = OpenLoadReader(snapshot, t, r ? &r->range : nullptr);
        auto loader = !reader.ok() ? Result<std::unique_ptr<TableLoader>>(reader.status())
                      : r          ? sink.BeginRangeLoad(opt.task, target, r->index)
                                   : sink.BeginTableLoad(opt.task, target, opt.prep);
        if (!loader.ok()) {
          begin_refused = !locating && !r && reader.ok();
          return locating ? *locating : loader.status();
        }
        Status copied =
            CopyRows(**reader, **loader, snapshot.position(), opt, t, stop, abort_all, progress,
                     rows, read, what, now_suspended, r ? others_suspended : nullptr, locating);
        auto* refusals = dynamic_cast<LoadRefusals*>(loader->get());
        can_locate =
            !copied.ok() && refusals && refusals->ClassifyError(copied) != ApplyErrorKind::kOther;
        return copied;
      };
      s = copy_unit(nullptr);
      if (!s.ok() && begin_refused && SuspendsRefusedTable(opt.errors, s) && !stop.load() &&
          !abort_all.load()) {
        LogRefusedTable(name, s);  // TableErrorPolicy SUSPEND_TABLE: the others load on
        std::lock_guard<std::mutex> lock(mu);
        refused.insert(name);
        continue;
      }
      if (!s.ok() && can_locate && !LoadDiverts(opt.errors) && !stop.load() && !abort_all.load()) {
        Status first = s;
        s = copy_unit(&first);
      }
      if (!u.split) {
        finished_table = s.ok();
        if (s.ok() && now_suspended) {
          std::lock_guard<std::mutex> lock(mu);
          suspended.insert(name);
        }
      } else {
        if (s.ok()) {
          Log(LogLevel::kDebug, "loaded {}: {} rows", what, FormatCount(rows));
          SplitLoad& sl = *u.split;
          std::lock_guard<std::mutex> lock(mu);
          if (now_suspended) suspended.insert(name);
          sl.rows += rows;
          sl.read += read;
          sl.earliest =
              sl.any_done ? std::min(sl.earliest, snapshot.position()) : snapshot.position();
          sl.any_done = true;
          finished_table = --sl.remaining == 0;
        }
        if (s.ok() && finished_table) {
          s = sink.FinishSplitLoad(opt.task, target, opt.prep, u.split->earliest, u.split->rows);
          rows = u.split->rows;
          read = u.split->read;
          started = u.split->started;
        }
      }
      double load_secs = std::chrono::duration<double>(Clock::now() - started).count();
      // The table's indexes and checks, by this worker, while the others load theirs.
      if (s.ok() && finished_table) s = schema.AfterTable(target);
      std::lock_guard<std::mutex> lock(mu);
      if (!s.ok()) {
        if (first_error.ok()) first_error = s;
        abort_all = true;
        return;
      }
      if (!finished_table) continue;
      table_done(t, rows, read, load_secs);
      stats.tables_loaded++;
      ++loaded_here;
      stats.rows_loaded += rows;
    }
  };
  std::vector<std::thread> threads;
  int n = std::max(1, std::min<int>(opt.parallel, static_cast<int>(units.size())));
  for (int i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& th : threads) th.join();
  progress.Finish();
  if (!first_error.ok()) return first_error;
  if (stop.load() && loaded_here < tables.size())
    return Aborted("full load interrupted before every table was loaded");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// CDC

class CdcLoop {
 public:
  CdcLoop(Source& source, ChangeStream& stream, Applier& applier, const ReplicateOptions& opt,
          std::map<TableName, Position> table_snapshots, std::optional<Position> applied,
          const std::vector<TableSchemaPtr>& start_schemas, const std::atomic<bool>& stop,
          ReplicateStats& stats, TableTransforms& transforms, const ReferentialActions* referential,
          ApplyErrors* errors, SplitSnapshots split)
      : source_(source),
        stream_(stream),
        applier_(applier),
        opt_(opt),
        table_snapshots_(std::move(table_snapshots)),
        applied_(std::move(applied)),
        stop_(stop),
        stats_(stats),
        split_(std::move(split)),
        referential_(referential),
        transforms_(transforms),
        errors_(errors) {
    // Under ApplyErrorUpdatePolicy / DeletePolicy a row not found takes its policy
    // (apply_errors.h); the others still go to the log.
    if (errors_) errors_->set_rows_not_found_log(&rows_not_found_);
    applier_.set_rows_not_found_report(errors_ ? static_cast<RowsNotFoundReport*>(errors_)
                                               : &rows_not_found_);
    for (const TableSchemaPtr& t : start_schemas) schemas_[t->name] = t;
    // Commits pipelined with the next group (pipelined_commit.h), under the default policies.
    if (!errors_) pipelined_ = dynamic_cast<PipelinedCommit*>(&applier_);
  }
  ~CdcLoop() { applier_.set_rows_not_found_report(nullptr); }

  // Each table's schema as the last change seen had it (or as the loop started it).
  const std::map<TableName, TableSchemaPtr>& schemas() const { return schemas_; }

  Status Run() {
    ScopedLogComponent component(LogComponent::kTargetApply);
    StreamEvent ev;
    auto last_report = Clock::now();
    const auto run_started = last_report;
    for (;;) {
      bool stopping = stop_.load() || (opt_.stop_after_transactions > 0 &&
                                       stats_.transactions_applied >= opt_.stop_after_transactions);
      if (stopping && !in_txn_) {
        RETURN_IF_ERROR(CommitGroup());
        RETURN_IF_ERROR(SettleCommit());
        LossyNotices::Run().ReportCounts();
        timing_.Report(run_started);
        Log(LogLevel::kInfo, "stopped at {}", applied_ ? applied_->text : "(nothing applied)");
        return Status::Ok();
      }
      if (!in_txn_) {
        ASSIGN_OR_RETURN(bool reached, StopAtReached());
        if (reached) return Status::Ok();
      }
      auto wait = std::chrono::milliseconds(group_open_ ? 20 : 100);
      auto read_started = Clock::now();
      RETURN_IF_ERROR(stream_.Next(ev, wait));
      timing_.read += Clock::now() - read_started;
      switch (ev.type) {
        case StreamEvent::Type::kNone:
          if (!in_txn_) {
            if (group_open_ && !applier_.CommitDue(Clock::now() - group_started_).value_or(true))
              break;
            RETURN_IF_ERROR(CommitGroup());
            RETURN_IF_ERROR(SettleCommit());  // nothing to overlap with: confirm it now
            if (opt_.metrics) opt_.metrics->SourceIdle();
          }
          break;
        case StreamEvent::Type::kBegin:
          RETURN_IF_ERROR(OnBegin(ev.txn));
          break;
        case StreamEvent::Type::kChange:
          RETURN_IF_ERROR(OnChange(ev.change));
          break;
        case StreamEvent::Type::kCommit:
          RETURN_IF_ERROR(OnCommit(ev.txn));
          break;
      }
      if (Clock::now() - last_report > std::chrono::seconds(30)) {
        last_report = Clock::now();
        Log(LogLevel::kInfo, "cdc: {} transactions, {} changes applied, at {}",
            FormatCount(stats_.transactions_applied), FormatCount(stats_.changes_applied),
            applied_ ? applied_->text : "-");
        LossyNotices::Run().ReportCounts();
      }
    }
  }

 private:
  // ReplicateOptions::stop_at: polls for a request; once the stream has delivered everything up
  // to the requested position, commits, records the position read through as the checkpoint and
  // says so. Called between transactions only.
  Result<bool> StopAtReached() {
    if (!opt_.stop_at) return false;
    auto now = Clock::now();
    if (!stop_at_ && now >= next_stop_poll_) {
      next_stop_poll_ = now + std::chrono::milliseconds(250);
      if (std::optional<std::string> text = opt_.stop_at()) {
        auto p = source_.ParsePosition(*text);
        if (!p.ok()) return p.status().WithContext("stop request '" + *text + "'");
        stop_at_ = *p;
        Log(LogLevel::kInfo, "asked to stop at {} (cutover switch): draining", stop_at_->text);
      }
    }
    if (!stop_at_) return false;
    std::optional<Position> through = stream_.CaughtUpTo();
    bool applied_past = applied_ && *applied_ >= *stop_at_ && !group_open_;
    if (!applied_past && !(through && *through >= *stop_at_)) return false;
    RETURN_IF_ERROR(CommitGroup());
    RETURN_IF_ERROR(SettleCommit());
    if (through && (!applied_ || *through > *applied_)) {
      // Nothing in (applied, through] concerns the task: record that on the target.
      RETURN_IF_ERROR(applier_.Begin());
      RETURN_IF_ERROR(applier_.Commit(*through));
      applied_ = *through;
      RETURN_IF_ERROR(stream_.Confirm(*through));
    }
    stats_.stopped_at = applied_ ? applied_->text : "";
    LossyNotices::Run().ReportCounts();
    Log(LogLevel::kInfo, "drained through {} as asked: stopped at {}", stop_at_->text,
        stats_.stopped_at);
    return true;
  }

  Status OnBegin(const TransactionInfo& txn) {
    in_txn_ = true;
    txn_ = txn;
    skip_ = applied_ && txn.position <= *applied_;
    txn_changes_ = 0;
    if (opt_.metrics) opt_.metrics->TransactionRead(txn.commit_time_us);
    if (!skip_ && !group_open_) {
      RETURN_IF_ERROR(applier_.Begin());
      group_open_ = true;
      group_started_ = Clock::now();
      if (opt_.metrics) opt_.metrics->GroupOpened(txn.commit_time_us);
    }
    if (!skip_) applier_.TransactionBegins(txn);
    return Status::Ok();
  }

  // A change belongs to the table's snapshot (and is skipped) when its transaction is ordered
  // before the snapshot the table was loaded from.
  bool BeforeSnapshot(const TableName& t) const {
    auto it = table_snapshots_.find(t);
    return it != table_snapshots_.end() && txn_.position < it->second;
  }

  Status OnChange(Change& c) {
    int64_t bytes = opt_.metrics ? ApproxChangeBytes(c) : 0;
    if (opt_.metrics) opt_.metrics->ChangeRead(bytes);
    if (skip_) return Status::Ok();
    // A table loaded in ranges from different snapshots: judged by its key's range, on the
    // source's row, before the task's transforms reshape it.
    bool range_applies = false;
    if (!split_.empty() && c.op != ChangeOp::kTruncate) {
      auto verdict = split_.Decide(c, txn_.position);
      if (!verdict.ok())
        return verdict.status().WithContext("source transaction " + txn_.xid + " at " +
                                            txn_.position.text);
      if (*verdict == SplitSnapshots::Verdict::kSkip) return Status::Ok();
      range_applies = *verdict == SplitSnapshots::Verdict::kApply;
    }
    if (!transforms_.empty()) {  // the task's table mapping: names, filters, columns
      auto travels =
          RunAs(LogComponent::kTransformation, [&] { return transforms_.Apply(c, &txn_); });
      if (!travels.ok()) {
        // A value a change-data-type rule cannot convert: a data error of this change (unless
        // the table's snapshot already holds it), under the task's error policies when set.
        if (auto refused = transforms_.TakeConversionRefusal()) {
          if (!range_applies && BeforeSnapshot(c.table->name)) return Status::Ok();
          if (errors_ && errors_->Suspended(c.table->name)) return Status::Ok();
          if (errors_)
            return errors_->Unconvertible(
                c, txn_, refused->truncation ? ApplyErrorKind::kTruncation : ApplyErrorKind::kData,
                FailedPrecondition(refused->error));
        }
        return travels.status().WithContext("source transaction " + txn_.xid + " at " +
                                            txn_.position.text);
      }
      if (!*travels) return Status::Ok();
    }
    if (errors_ && errors_->Suspended(c.table->name)) return Status::Ok();  // SUSPEND_TABLE
    if (opt_.lob_report && !c.after.empty()) opt_.lob_report->Observe(*c.table, c.after, true);
    if (c.op != ChangeOp::kTruncate && schemas_[c.table->name] != c.table)
      RETURN_IF_ERROR(FollowSchema(c.table));
    if (referential_ && referential_->Triggers(c)) RETURN_IF_ERROR(ApplyReferential(c));
    if (c.op == ChangeOp::kTruncate) {
      for (const TableSchemaPtr& t : c.truncated)
        RETURN_IF_ERROR(split_.CheckTruncate(t->name, txn_.position));
      std::erase_if(c.truncated, [&](const TableSchemaPtr& t) { return BeforeSnapshot(t->name); });
      if (!opt_.apply_truncates) {
        for (const TableSchemaPtr& t : c.truncated)
          Log(LogLevel::kWarn,
              "table {}: the source truncated it at {}; not applied on the target "
              "(HandleSourceTableTruncated is false): the target keeps its rows",
              t->name.ToString(), txn_.position.text);
        return Status::Ok();
      }
      if (c.truncated.empty()) return Status::Ok();
      c.table = c.truncated.front();
    } else if (!range_applies && BeforeSnapshot(c.table->name)) {
      return Status::Ok();
    }
    if (opt_.on_change_written) opt_.on_change_written(c);  // in-task revalidation's keys
    ++txn_changes_;
    CountForTotals(c);
    if (opt_.metrics) CountForMetrics(c, bytes);
    if (opt_.apply_mode == ApplyMode::kNet) {
      if (net_.Add(c)) {
        if (net_.keys() >= opt_.net_max_keys || net_.approx_bytes() >= opt_.net_max_bytes)
          return FlushNet();
        return Status::Ok();
      }
      RETURN_IF_ERROR(FlushNet());  // keep order: what came before goes first
    }
    Status s = errors_ ? errors_->Apply(c, txn_) : applier_.Apply(c);
    if (!s.ok())
      return s.WithContext("source transaction " + txn_.xid + " at " + txn_.position.text);
    return Status::Ok();
  }

  // A change arrived with another schema object for its table than the last one: when the
  // columns differ, the source's schema changed (docs/ddl.md) and the target follows before the
  // change is applied: in the open target transaction when the target's DDL is transactional,
  // else right after committing what came before (MariaDB commits DDL implicitly).
  Status FollowSchema(const TableSchemaPtr& now) {
    TableSchemaPtr& last = schemas_[now->name];
    TableSchemaPtr before = last ? last : now;
    last = now;
    std::vector<ColumnChange> changes = DiffColumns(*before, *now);
    if (changes.empty()) return Status::Ok();
    const std::string what = DescribeColumnChanges(changes, *now);
    const std::string where = "source transaction " + txn_.xid + " at " + txn_.position.text;
    if (BeforeSnapshot(now->name)) return Status::Ok();  // the load read the table after it
    if (!opt_.follow_schema_changes) {
      return FailedPrecondition("table " + now->name.ToString() + ": the source schema changed (" +
                                what + ") at " + where +
                                "; HandleSourceTableAltered is false: apply it on the target and "
                                "restart the task");
    }
    Log(LogLevel::kInfo, "table {}: source schema changed at {}: {}", now->name.ToString(),
        txn_.position.text, what);
    if (opt_.apply_mode == ApplyMode::kNet) RETURN_IF_ERROR(FlushNet());
    // Outside any savepoint window of the error policies: a window replayed change by change
    // after a refusal must not roll the schema change back with it.
    if (errors_) RETURN_IF_ERROR(errors_->CloseWindow());
    if (!applier_.DdlIsTransactional()) {
      if (txn_changes_ > 0) {
        return FailedPrecondition(
            "table " + now->name.ToString() + ": the source schema changed (" + what + ") at " +
            where +
            " after other changes of the same transaction; the target commits schema changes "
            "on its own, so it cannot follow there without applying them twice after a crash");
      }
      RETURN_IF_ERROR(CommitGroup());
      Status s = applier_.AlterTable(*before, *now, changes);
      if (!s.ok()) return s.WithContext(where);
      RETURN_IF_ERROR(applier_.Begin());
      group_open_ = true;
      group_started_ = Clock::now();
      if (opt_.metrics) opt_.metrics->GroupOpened(txn_.commit_time_us);
      applier_.TransactionBegins(txn_);
    } else {
      Status s = applier_.AlterTable(*before, *now, changes);
      if (!s.ok()) return s.WithContext(where);
    }
    ++group_totals_[now->name].ddls;
    return Status::Ok();
  }

  // Per-table totals of the open group, committed with it (TaskState::changes).
  void CountForTotals(const Change& c) {
    if (c.op == ChangeOp::kTruncate) {
      for (const TableSchemaPtr& t : c.truncated) ++group_totals_[t->name].ddls;
      return;
    }
    TableChangeTotals& t = group_totals_[c.table->name];
    ++(c.op == ChangeOp::kDelete ? t.deletes : c.op == ChangeOp::kUpdate ? t.updates : t.inserts);
  }

  // Per-table operations and bytes of the open group, published at its commit; the changes
  // waiting for the target.
  void CountForMetrics(const Change& c, int64_t bytes) {
    group_bytes_ += bytes;
    if (c.op != ChangeOp::kTruncate) {
      auto& [table, counts] = group_tables_[c.table.get()];
      if (!table) table = c.table;
      ++(c.op == ChangeOp::kDelete   ? counts.deletes
         : c.op == ChangeOp::kUpdate ? counts.updates
                                     : counts.inserts);
    }
    opt_.metrics->SetIncomingChanges(group_changes_ + txn_changes_);
    opt_.metrics->SetMemoryChanges(static_cast<int64_t>(net_.keys()));
  }

  // The foreign-key actions `c` implies that the source did not log (referential_actions.h),
  // right before `c` itself, on the target rows as they are at this point of the transaction.
  Status ApplyReferential(const Change& c) {
    if (opt_.apply_mode == ApplyMode::kNet && net_.HoldsAny(referential_->Reach(c.table->name)))
      RETURN_IF_ERROR(FlushNet());
    if (errors_) RETURN_IF_ERROR(errors_->CloseWindow());
    Status s =
        referential_->Apply(c, applier_, [&](const TableName& t) { return BeforeSnapshot(t); });
    if (!s.ok())
      return s.WithContext("source transaction " + txn_.xid + " at " + txn_.position.text);
    return Status::Ok();
  }

  Status FlushNet() {
    if (net_.empty()) return Status::Ok();
    ApplyTiming::Scope timed{timing_.flush};
    ++timing_.flushes;
    for (const TableBatch& b : net_.Drain()) {
      timing_.rows += static_cast<int64_t>(b.size());
      Status s = errors_ ? errors_->ApplyBatch(b, txn_) : applier_.ApplyBatch(b);
      if (!s.ok()) {
        return s.WithContext("batch of " + std::to_string(b.size()) + " row(s) of " +
                             b.table->name.ToString() + " up to source transaction " + txn_.xid +
                             " at " + txn_.position.text);
      }
    }
    return Status::Ok();
  }

  Status OnCommit(const TransactionInfo& txn) {
    in_txn_ = false;
    // Under error policies a batch holds one source transaction's rows, so a refused row is
    // recorded with its transaction's position (apply_errors.h).
    if (errors_ && !skip_) RETURN_IF_ERROR(FlushNet());
    if (skip_) {
      ++stats_.transactions_skipped;
      if (opt_.metrics) opt_.metrics->Skipped();
      return stream_.Confirm(txn.position);  // already durable on the target
    }
    pending_position_ = txn.position;
    pending_commit_time_us_ = txn.commit_time_us;
    group_changes_ += txn_changes_;
    ++group_txns_;
    ++stats_.transactions_applied;
    stats_.changes_applied += txn_changes_;
    std::optional<bool> due = applier_.CommitDue(Clock::now() - group_started_);
    if (due ? *due
            : group_changes_ >= opt_.group_max_changes ||
                  Clock::now() - group_started_ >= std::chrono::milliseconds(opt_.group_max_ms))
      return CommitGroup();
    return Status::Ok();
  }

  Status CommitGroup() {
    if (!group_open_) return Status::Ok();
    // A group opens at the Begin of a transaction to apply and closes only after a Commit.
    RETURN_IF_ERROR(FlushNet());
    if (errors_) {
      RETURN_IF_ERROR(errors_->CloseWindow());
      errors_->AddStates(group_totals_);
    }
    ApplyTiming::Scope timed{timing_.commit};
    if (!group_totals_.empty()) RETURN_IF_ERROR(applier_.AddChangeCounts(group_totals_));
    if (pipelined_) {
      // The previous commit's outcome first: a failed one is never followed by this one.
      RETURN_IF_ERROR(SettleCommit());
      RETURN_IF_ERROR(pipelined_->SendCommit(pending_position_));
      in_flight_ = pending_position_;
    } else {
      RETURN_IF_ERROR(applier_.Commit(pending_position_));
    }
    group_totals_.clear();
    applied_ = pending_position_;
    if (!in_flight_) RETURN_IF_ERROR(stream_.Confirm(pending_position_));
    ++stats_.target_commits;
    if (opt_.metrics) {
      CommittedGroup g{group_txns_, group_changes_,         group_bytes_,
                       {},          pending_position_.text, pending_commit_time_us_};
      for (const auto& [ptr, entry] : group_tables_) {
        TableChangeCounts& t = g.per_table[entry.first->name.ToString()];
        t.inserts += entry.second.inserts;
        t.updates += entry.second.updates;
        t.deletes += entry.second.deletes;
      }
      // A pipelined commit is published once it is known to have succeeded (SettleCommit):
      // until then the target may still be waiting (a lock), and the position, latency and
      // retained-log metrics must not show it applied.
      if (in_flight_)
        in_flight_metrics_ = std::move(g);
      else
        PublishCommitted(g);
    }
    group_open_ = false;
    group_changes_ = 0;
    group_txns_ = 0;
    group_bytes_ = 0;
    group_tables_.clear();
    return Status::Ok();
  }

  // Where the apply loop's time goes (logged when it stops): waiting for or reading the next
  // event, applying net-effect batches, committing (checkpoint, COMMIT, the sync).
  struct ApplyTiming {
    Clock::duration read{}, flush{}, commit{};
    int64_t flushes = 0, rows = 0;
    struct Scope {
      Clock::duration& into;
      Clock::time_point started = Clock::now();
      ~Scope() { into += Clock::now() - started; }
    };
    void Report(Clock::time_point run_started) const {
      auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
      Log(LogLevel::kInfo,
          "cdc apply time: {:.2f} s in all, {:.2f} s reading events, {:.2f} s applying {} "
          "net-effect batch(es) of {} row(s), {:.2f} s committing",
          secs(Clock::now() - run_started), secs(read), secs(flush), flushes, FormatCount(rows),
          secs(commit));
    }
  };
  ApplyTiming timing_;

  // Waits for the commit in flight (pipelined_commit.h), then tells the stream it is applied.
  Status SettleCommit() {
    if (!in_flight_) return Status::Ok();
    Position done = std::move(*in_flight_);
    in_flight_.reset();
    std::optional<CommittedGroup> published = std::move(in_flight_metrics_);
    in_flight_metrics_.reset();
    RETURN_IF_ERROR(pipelined_->AwaitCommit());
    if (published) PublishCommitted(*published);
    return stream_.Confirm(done);
  }

  // A committed group as the metrics count it (ReplicationMetrics::Committed).
  struct CommittedGroup {
    int64_t txns = 0, changes = 0, bytes = 0;
    std::map<std::string, TableChangeCounts> per_table;
    std::string position;
    int64_t commit_time_us = 0;
  };
  void PublishCommitted(const CommittedGroup& g) {
    opt_.metrics->Committed(g.txns, g.changes, g.bytes, g.per_table, g.position, g.commit_time_us);
  }

  Source& source_;
  ChangeStream& stream_;
  Applier& applier_;
  PipelinedCommit* pipelined_ = nullptr;  // the applier, when its commits can be pipelined
  std::optional<Position> in_flight_;     // the commit sent and not yet awaited
  std::optional<CommittedGroup> in_flight_metrics_;  // its metrics, published once it succeeded
  const ReplicateOptions& opt_;
  std::map<TableName, Position> table_snapshots_;
  // The last schema object of each table seen in the stream (at first: the task's start schema).
  std::map<TableName, TableSchemaPtr> schemas_;
  std::optional<Position> applied_;
  const std::atomic<bool>& stop_;
  ReplicateStats& stats_;
  SplitSnapshots split_;
  const ReferentialActions* referential_;  // null when the stream carries FK actions
  RowsNotFoundLog rows_not_found_;         // what the applier's UPDATEs/DELETEs did not find

  TransactionInfo txn_;
  bool in_txn_ = false;
  bool skip_ = false;
  int64_t txn_changes_ = 0;
  bool group_open_ = false;
  Clock::time_point group_started_;
  int64_t group_changes_ = 0;
  int64_t group_txns_ = 0;
  std::map<TableName, TableChangeTotals> group_totals_;
  int64_t group_bytes_ = 0;  // metrics only
  std::unordered_map<const TableSchema*, std::pair<TableSchemaPtr, TableChangeCounts>>
      group_tables_;  // metrics only
  Position pending_position_;
  int64_t pending_commit_time_us_ = 0;
  NetEffect net_;
  TableTransforms& transforms_;
  ApplyErrors* errors_;              // null: the default policies, every refusal stops the task
  std::optional<Position> stop_at_;  // ReplicateOptions::stop_at, once asked
  Clock::time_point next_stop_poll_;
};

// A walk of foreign-key actions reads a table's rows to act on the next table
// (referential_actions.h), so tables linked by such keys must come from one snapshot: a table
// loaded from an earlier snapshot than a related one being loaded now (a full load resumed
// after a crash, a table added to the task) is loaded again with it.
void ReloadRelated(const ReferentialActions& referential, const std::vector<TableSchemaPtr>& tables,
                   const ReplicateOptions& opt, std::vector<TableSchemaPtr>& to_load,
                   std::map<TableName, Position>& table_snapshots) {
  for (size_t i = 0; i < to_load.size(); ++i) {
    for (const TableName& r : referential.Related(to_load[i]->name)) {
      if (!table_snapshots.count(r)) continue;
      if (opt.prep == TablePrep::kDoNothing) {
        Log(LogLevel::kWarn,
            "table {} was loaded from an earlier snapshot than {}, which is loaded now; with "
            "--table-prep do-nothing it is not reloaded, so foreign-key actions of the source "
            "between the two snapshots may be missing from it: check with `cutover validate`",
            r.ToString(), to_load[i]->name.ToString());
        continue;
      }
      for (const auto& t : tables) {
        if (!(t->name == r)) continue;
        Log(LogLevel::kInfo, "table {} is loaded again with {}: foreign-key actions link them",
            r.ToString(), to_load[i]->name.ToString());
        table_snapshots.erase(r);
        to_load.push_back(t);
      }
    }
  }
}

// CDC through the durable change spool (change_spool.h): a capture thread reads the source into
// the spool and confirms the source as transactions become durable there; the CDC loop applies
// from the spool. A target that goes away (kUnavailable from the apply) is waited for here,
// with capture going on, instead of ending the run: the apply then starts again from the
// target's checkpoint, exactly as a restart does.
struct SpooledCdc {
  Source& source;
  Sink& sink;
  const ReplicateOptions& opt;
  const std::vector<TableSchemaPtr>& tables;
  const std::atomic<bool>& stop;
  ReplicateStats& stats;
  TableTransforms& transforms;
  const ReferentialActions* referential;
  std::function<Result<std::unique_ptr<ApplyErrors>>(Applier&)> make_errors;
  // The task's target-shaped tables; the loop starts from them as the target has them
  // (columns_added_while_stopped.h).
  const std::vector<TableSchemaPtr>& start_schemas;
  const SplitSnapshots& split;  // tables loaded in ranges from different snapshots

  Status Run(std::unique_ptr<Applier> applier, const Position& from,
             std::optional<Position> applied, const std::map<TableName, Position>& table_snapshots,
             bool fresh) {
    std::map<TableName, TableSchemaPtr> known;
    for (const auto& t : tables) known[t->name] = t;
    ASSIGN_OR_RETURN(auto spool, ChangeSpool::Open(opt.change_spool, &known));
    // Apply reads from the target's checkpoint; capture resumes from the spool's end when the
    // spool holds everything after that checkpoint.
    Position capture_from = from;
    std::optional<Position> end = spool->end();
    if (fresh) {
      RETURN_IF_ERROR(spool->Reset(from));
    } else if (spool->Covers(from) && end && *end > from) {
      capture_from = *end;
      Log(LogLevel::kInfo,
          "change spool {} holds the transactions after {}: apply reads them from it, capture "
          "resumes after {}",
          opt.change_spool.dir, from.text.empty() ? "the start" : from.text, end->text);
    } else if (!spool->Covers(from) && end) {
      return DataLoss("change spool " + opt.change_spool.dir +
                      " begins after the target's checkpoint " + from.text +
                      " (target restored from an older state?): the transactions in between "
                      "are gone from the source, which was confirmed past them. Run `cutover "
                      "task drop` for this task and start it again");
    } else {
      RETURN_IF_ERROR(spool->Reset(from));
    }
    ASSIGN_OR_RETURN(auto stream, source.OpenStream(opt.task, tables, capture_from));
    Log(LogLevel::kInfo, "cdc started{} through the change spool {}",
        applied ? " after " + applied->text : "", opt.change_spool.dir);
    if (opt.metrics) {
      opt.metrics->CdcStarted(from.text);
      opt.metrics->SetPhase(ReplicationPhase::kCdc);
    }
    SpoolCapture capture(source, opt.task, tables, std::move(stream), *spool, opt.metrics);
    capture.Start();
    std::vector<TableSchemaPtr> base = start_schemas;
    for (;;) {
      SpoolStream reader(*spool);
      auto errors = make_errors(*applier);
      if (!errors.ok()) {
        capture.Stop();
        return errors.status();
      }
      // After an outage the next loop starts from the tables as the last one left them (a
      // schema change it followed), checked again against the target's columns: a column it
      // added in a transaction the outage rolled back is added again at the next change.
      Status s;
      auto shapes = StartShapes(sink, base);
      if (shapes.ok()) {
        CdcLoop loop(source, reader, *applier, opt, table_snapshots, applied, *shapes, stop, stats,
                     transforms, referential, errors->get(), split);
        s = loop.Run();
        for (TableSchemaPtr& t : base) {
          auto it = loop.schemas().find(t->name);
          if (it != loop.schemas().end() && it->second) t = it->second;
        }
      } else {
        s = shapes.status();
      }
      if (!s.ok() && !*errors && applier->ClassifyError(s) != ApplyErrorKind::kOther)
        stats.refused = true;
      if (s.ok() || s.code() != StatusCode::kUnavailable || capture.failed() || stop.load() ||
          opt.target_wait.count() == 0) {
        capture.Stop();
        return s;
      }
      applier.reset();
      ASSIGN_OR_RETURN(applied, WaitForTarget(s, capture));
      if (!reopened_) {  // stopped while waiting
        capture.Stop();
        return Status::Ok();
      }
      applier = std::move(reopened_);
    }
  }

  // Waits for the target after `error`, while capture goes on; returns the target's checkpoint
  // and leaves the new applier in `reopened_` (none when stopped meanwhile).
  Result<std::optional<Position>> WaitForTarget(const Status& error, const SpoolCapture& capture) {
    Log(LogLevel::kWarn,
        "target unavailable ({}): capture goes on into the change spool; reconnecting to the "
        "target",
        error.message());
    if (opt.metrics) opt.metrics->Retrying(error.message());
    auto started = Clock::now();
    auto backoff = std::chrono::milliseconds(500);
    Status last = error;
    for (;;) {
      for (auto slept = std::chrono::milliseconds(0); slept < backoff && !stop.load();
           slept += std::chrono::milliseconds(100))
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (stop.load()) return std::optional<Position>();
      if (capture.failed()) return last;  // the source went away too: the supervisor's turn
      if (Clock::now() - started > opt.target_wait)
        return last.WithContext("target unavailable for longer than " +
                                std::to_string(opt.target_wait.count()) + " s");
      backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
      Result<TaskState> state = sink.ReadTaskState(opt.task);
      if (!state.ok()) {
        if (state.status().code() != StatusCode::kUnavailable) return state.status();
        last = state.status();
        continue;
      }
      Result<std::unique_ptr<Applier>> applier = sink.OpenApplier(opt.task);
      if (!applier.ok()) {
        if (applier.status().code() != StatusCode::kUnavailable) return applier.status();
        last = applier.status();
        continue;
      }
      std::optional<Position> applied;
      if (state->applied) {
        ASSIGN_OR_RETURN(Position p, source.ParsePosition(state->applied->text));
        applied = p;
      }
      reopened_ = std::move(*applier);
      ++stats.reconnects;
      if (opt.metrics) opt.metrics->Running();
      Log(LogLevel::kInfo, "target back: applying from the change spool after {}",
          applied ? applied->text : "the start");
      return applied;
    }
  }

  std::unique_ptr<Applier> reopened_;
};

}  // namespace

Status RunReplication(Source& source, Sink& sink, const ReplicateOptions& opt,
                      const std::atomic<bool>& stop, ReplicateStats* stats_out) {
  ReplicateStats local;
  ReplicateStats& stats = stats_out ? *stats_out : local;
  bool want_load = opt.type != ReplicationType::kCdc;
  bool want_cdc = opt.type != ReplicationType::kFullLoad;

  // Every reason to refuse the task is collected first and named in one report (start_report.h).
  StartReport problems;
  ASSIGN_OR_RETURN(TaskStart start, CheckTaskStart(source, sink, opt, problems));
  const std::vector<TableSchemaPtr>& tables = start.tables;
  const std::vector<TableSchemaPtr>& targets = start.targets;
  TableTransforms& transforms = *start.transforms;
  const std::map<TableName, const TableTransform*>& transform_of = start.transform_of;
  const std::unique_ptr<ReferentialActions>& referential = start.referential;
  const bool target_creates = start.target_creates;
  RETURN_IF_ERROR(problems.ToStatus("task " + opt.task));
  if (tables.empty()) return NotFound("the selection leaves no table to replicate");
  // Values DMS would truncate seen during CDC: their counts are logged however the run ends.
  struct LobCountsAtEnd {
    LobReport* report;
    ~LobCountsAtEnd() {
      if (report) report->ReportAll();
    }
  } lob_counts_at_end{opt.lob_report.get()};
  // Schema objects: the report now, the objects after the data (schema_build.h).
  SchemaBuild schema(sink, opt.task, targets, target_creates);
  RETURN_IF_ERROR(schema.Report(source, tables, opt.schema_report_path, problems));
  problems.LogNotes("task " + opt.task);
  // Type-level lossy rules now; value-level ones when a value hits them (engine/core/lossy.h).
  LossyNotices::Run().Reset();
  if (const EngineDriver* target_engine = FindEngine(sink.engine())) {
    for (const auto& t : targets) {
      std::vector<ColumnRules> rules = target_engine->TargetRules(*t);
      for (size_t i = 0; i < rules.size() && i < t->columns.size(); ++i) {
        std::string note = rules[i].note;
        bool type_level = false;
        for (LossyRule r : rules[i].rules) {
          if (SpecOf(r).scope != LossyScope::kTypeLevel) continue;
          type_level = true;
          if (note.empty()) note = std::string(SpecOf(r).id) + ", " + LossyRuleEffect(r);
        }
        if (!type_level) continue;
        Log(LogLevel::kWarn, "table {}: column {}: {}", t->name.ToString(), t->columns[i].name,
            note);
      }
    }
  }
  AnnounceGeneratedColumns(targets, sink.engine(), target_creates);
  ASSIGN_OR_RETURN(TaskState state, sink.ReadTaskState(opt.task));
  stats.connected = stats.ever_connected = true;
  if (opt.metrics) opt.metrics->Running();
  // Everything below may write to the target: its control tables first (reading created none).
  RETURN_IF_ERROR(sink.CreateControlTables());

  std::vector<TableSchemaPtr> to_load;
  std::map<TableName, Position> table_snapshots;
  for (const auto& t : tables) {
    auto it = state.loaded.find(t->name);
    auto totals = state.changes.find(t->name);
    if (it != state.loaded.end()) {
      ASSIGN_OR_RETURN(Position p, source.ParsePosition(it->second.snapshot.text));
      table_snapshots[t->name] = p;
    } else if (totals != state.changes.end() && totals->second.state == "suspended" &&
               !state.ranges.count(t->name)) {
      // Suspended by TableErrorPolicy in an earlier run's full load (its load never began, so
      // it has no ranges either): not loaded until reloaded.
    } else if (want_load) {
      to_load.push_back(t);
    }
  }
  if (referential && !to_load.empty())
    ReloadRelated(*referential, tables, opt, to_load, table_snapshots);
  if (!to_load.empty() || want_load) {
    Log(LogLevel::kInfo, "task {}: {} table(s), {} already loaded, {} to load", opt.task,
        tables.size(), tables.size() - to_load.size(), to_load.size());
  }

  std::unique_ptr<Snapshot> snapshot;
  Position capture_start;
  bool capture_created = false;
  if (want_cdc) {
    bool need_snapshot = !to_load.empty();
    ASSIGN_OR_RETURN(CdcSetup setup, source.PrepareCdc(opt.task, tables, need_snapshot));
    if (setup.created && (!state.loaded.empty() || state.applied)) {
      // Remove the capture just created, or a retry would find it and silently stream from it,
      // skipping the changes of the gap.
      Status dropped = source.DropTask(opt.task);
      if (!dropped.ok()) Log(LogLevel::kWarn, "cleaning up: {}", dropped.message());
      return FailedPrecondition(
          "task " + opt.task +
          ": the source's change capture was missing (dropped?) while the "
          "target holds this task's progress; changes in between are lost. Run `cutover task "
          "drop` for this task and start it again");
    }
    capture_start = setup.start;
    capture_created = setup.created;
    if (need_snapshot) {
      if (setup.snapshot) {
        snapshot = std::move(setup.snapshot);
      } else {
        Log(LogLevel::kInfo, "resuming an interrupted full load from a fresh snapshot");
        ASSIGN_OR_RETURN(snapshot, source.OpenSnapshot(opt.task));
      }
    }
  } else if (!to_load.empty()) {
    ASSIGN_OR_RETURN(snapshot, source.OpenSnapshot(opt.task));
  }

  // Ranges' snapshot positions as the source orders them (the target keeps their text).
  auto parse_ranges = [&](std::vector<RangeLoadState>& ranges) -> Status {
    for (auto& r : ranges) {
      if (!r.done) continue;
      ASSIGN_OR_RETURN(r.snapshot, source.ParsePosition(r.snapshot.text));
    }
    return Status::Ok();
  };
  SplitSnapshots split_snapshots;
  std::set<TableName> load_suspended;  // by a row refused in this run's full load
  std::set<TableName> load_refused;    // tables whose load the target refused (TableErrorPolicy)
  if (snapshot) {
    if (opt.metrics) opt.metrics->SetPhase(ReplicationPhase::kFullLoad);
    // Same-table split (split_plan.h): which tables load as key ranges.
    std::vector<SplitLoad> splits;
    splits.reserve(to_load.size());
    std::map<TableName, TableSize> sizes;
    if (opt.split_larger_than > 0) {
      auto est = source.EstimateTableSizes(to_load);
      if (est.ok())
        sizes = std::move(*est);
      else
        Log(LogLevel::kWarn, "table sizes unknown, no table is split by size: {}",
            est.status().message());
    }
    SplitSettings split_settings{opt.split_larger_than, opt.parallel, opt.mapping.get()};
    for (const auto& t : to_load) {
      int64_t size = -1;
      if (auto it = sizes.find(t->name); it != sizes.end())
        size = it->second.bytes >= 0 ? it->second.bytes
                                     : (it->second.rows >= 0 ? it->second.rows * 100 : -1);
      std::vector<RangeLoadState> earlier;
      if (auto it = state.ranges.find(t->name); it != state.ranges.end()) earlier = it->second;
      if (!sink.LoadsRanges()) {
        if ((opt.split_larger_than > 0 && size > opt.split_larger_than) ||
            (opt.mapping && opt.mapping->ParallelLoadFor(t->name)))
          Log(LogLevel::kInfo, "table {} is loaded whole: the {} target does not load ranges",
              t->name.ToString(), sink.engine());
        continue;
      }
      bool resumable = !referential || referential->Related(t->name).empty();
      ASSIGN_OR_RETURN(auto plan,
                       PlanSplit(*t, split_settings, size, earlier, resumable, *snapshot));
      if (!plan) continue;
      SplitLoad sl;
      sl.transform = transform_of.at(t->name);
      sl.plan = std::move(*plan);
      sl.started = Clock::now();
      RETURN_IF_ERROR(parse_ranges(sl.plan.ranges));
      for (const auto& r : sl.plan.ranges) {
        if (!r.done) {
          ++sl.remaining;
          continue;
        }
        sl.rows += r.rows;
        sl.earliest = sl.any_done ? std::min(sl.earliest, r.snapshot) : r.snapshot;
        sl.any_done = true;
      }
      Log(LogLevel::kInfo, "table {}: {} in {} key ranges of {}{}", t->name.ToString(),
          sl.plan.resumed ? "resuming its split load" : "loading", sl.plan.ranges.size(),
          sl.plan.ranges.front().column,
          sl.plan.resumed ? ", " + std::to_string(sl.plan.ranges.size() - sl.remaining) +
                                " already done (" + FormatCount(sl.rows) + " rows)"
                          : "");
      splits.push_back(std::move(sl));
    }
    auto split_of = [&](const TableName& n) -> SplitLoad* {
      for (auto& sl : splits)
        if (sl.transform->source()->name == n) return &sl;
      return nullptr;
    };
    std::vector<TableSchemaPtr> to_prepare;
    std::vector<const TableTransform*> to_copy, prepared;
    for (const auto& t : to_load) {
      to_copy.push_back(transform_of.at(t->name));
      SplitLoad* sl = split_of(t->name);
      if (sl && sl->plan.resumed) continue;  // its done ranges stay
      to_prepare.push_back(to_copy.back()->target());
      prepared.push_back(to_copy.back());
    }
    // TableErrorPolicy (SuspendsRefusedTable): the table the target refuses, found by preparing
    // the tables one by one after the step failed for them together, is suspended.
    auto refuse = [&](const TableTransform* t, const Status& error) {
      LogRefusedTable(t->source()->name, error);
      load_refused.insert(t->source()->name);
      std::erase(to_copy, t);
      std::erase_if(splits, [&](const SplitLoad& sl) { return sl.transform == t; });
    };
    Status prepared_all = sink.PrepareTables(opt.task, to_prepare, opt.prep);
    if (!prepared_all.ok()) {
      if (!SuspendsRefusedTable(opt.errors, prepared_all)) return prepared_all;
      for (const TableTransform* t : prepared) {
        Status one = sink.PrepareTables(opt.task, {t->target()}, opt.prep);
        if (!one.ok() && !SuspendsRefusedTable(opt.errors, one)) return one;
        if (!one.ok()) refuse(t, one);
      }
      if (load_refused.empty()) return prepared_all;  // refused together only: not one table's
    }
    for (size_t i = 0; i < splits.size();) {
      SplitLoad& sl = splits[i];
      Status begun = sl.plan.resumed ? Status::Ok()
                                     : sink.BeginSplitLoad(opt.task, *sl.transform->target(),
                                                           opt.prep, sl.plan.ranges);
      if (begun.ok()) {
        ++i;
        continue;
      }
      if (!SuspendsRefusedTable(opt.errors, begun)) return begun;
      refuse(sl.transform, begun);  // removes splits[i]
    }
    RETURN_IF_ERROR(FullLoad(*snapshot, sink, opt, to_copy, splits, stop, stats, schema,
                             load_suspended, load_refused));
    for (const auto& t : to_load) {
      if (load_refused.count(t->name)) continue;  // not loaded
      SplitLoad* sl = split_of(t->name);
      table_snapshots[t->name] = sl ? sl->earliest : snapshot->position();
      if (!sl) continue;
      std::vector<std::pair<KeyRange, Position>> ranges;
      for (const auto& r : sl->plan.ranges)
        ranges.emplace_back(r.range, r.done ? r.snapshot : snapshot->position());
      split_snapshots.Add(t->name, std::move(ranges));
    }
    snapshot.reset();  // releases the exported snapshot (and a temporary slot)
  }
  // Tables loaded in ranges by an earlier run: CDC judges their changes by range.
  for (const auto& t : tables) {
    auto r = state.ranges.find(t->name);
    if (r == state.ranges.end() || !state.loaded.count(t->name) ||
        std::find(to_load.begin(), to_load.end(), t) != to_load.end())
      continue;
    std::optional<size_t> column = SplitColumn(*t);
    std::vector<RangeLoadState> ranges = r->second;
    RETURN_IF_ERROR(parse_ranges(ranges));
    std::vector<std::pair<KeyRange, Position>> judged;
    for (auto& lr : ranges) {
      if (!lr.done || !column || t->columns[*column].name != lr.column) {
        judged.clear();
        break;
      }
      lr.range.column = *column;
      judged.emplace_back(lr.range, lr.snapshot);
    }
    split_snapshots.Add(t->name, std::move(judged));
  }
  if (want_load && !stop.load()) {
    // Foreign keys once every table is there; tables of an earlier run get what they miss.
    std::vector<TableSchemaPtr> loaded_before;
    for (const auto& t : tables) {
      bool now = std::any_of(to_load.begin(), to_load.end(),
                             [&](const TableSchemaPtr& l) { return l->name == t->name; });
      if (!now && state.loaded.count(t->name))  // not a table suspended before its load
        loaded_before.push_back(transform_of.at(t->name)->target());
    }
    RETURN_IF_ERROR(schema.AfterLoad(loaded_before, /*background=*/want_cdc));
  }
  if (!want_cdc) return Status::Ok();
  if (stop.load()) return Status::Ok();

  std::optional<Position> applied;
  if (state.applied) {
    ASSIGN_OR_RETURN(Position p, source.ParsePosition(state.applied->text));
    applied = p;
  }
  ASSIGN_OR_RETURN(auto applier, sink.OpenApplier(opt.task));
  Position from;
  if (applied) {
    from = *applied;
  } else if (!table_snapshots.empty()) {
    from = table_snapshots.begin()->second;
    for (const auto& [name, pos] : table_snapshots) from = std::min(from, pos);
  } else if (!capture_start.empty()) {
    // A CDC-only task on a source without a capture object: make its start durable first.
    RETURN_IF_ERROR(applier->Begin());
    RETURN_IF_ERROR(applier->Commit(capture_start));
    applied = capture_start;
    from = capture_start;
  }
  // An append-only target (files) records every change as it happened, with its source
  // position, so no net effect is computed for it.
  ReplicateOptions loop_opt = opt;
  if (const EngineDriver* d = FindEngine(sink.engine()); d && d->capabilities().append_only)
    loop_opt.apply_mode = ApplyMode::kRow;
  // Error policies that divert a refused change, or tables an earlier run suspended: the
  // ApplyErrors of each applier (the spooled path opens a new one after a target outage).
  std::set<TableName> suspended;
  for (const auto& [name, totals] : state.changes)
    if (totals.state == "suspended") suspended.insert(name);
  for (const TableName& t : load_suspended) {
    Log(LogLevel::kWarn,
        "table {} is suspended (SUSPEND_TABLE in its full load): its changes are not applied; "
        "reload it to resume it",
        t.ToString());
  }
  for (const TableName& t : suspended)
    Log(LogLevel::kWarn,
        "table {} is suspended (SUSPEND_TABLE in an earlier run): its changes "
        "are not applied; reload it to resume it",
        t.ToString());
  suspended.insert(load_suspended.begin(), load_suspended.end());
  // Tables with a row filter: an update that finds no target row there is a row moving into
  // the filter unseen (apply_errors.h), inserted where the target has savepoints; a SQLite
  // target inserts it itself, a file target writes the row whole anyway.
  std::set<TableName> moves_in;
  for (const auto& [name, t] : transform_of)
    if (t && !t->filter().empty()) moves_in.insert(t->target()->name);
  auto make_errors = [&opt, &sink, suspended, moves_in,
                      load_refused](Applier& a) -> Result<std::unique_ptr<ApplyErrors>> {
    const bool diverts = opt.errors.Diverts() || ApplyErrors::ActsOnMissingRows(opt.errors);
    if (!diverts && !opt.errors.locate && suspended.empty() &&
        (moves_in.empty() || !a.SupportsSavepoints()))
      return std::unique_ptr<ApplyErrors>();
    if ((diverts || opt.errors.locate) && !a.SupportsSavepoints()) {
      if (!diverts) return FailedPrecondition("no savepoints to locate a refusal");
      return FailedPrecondition("task " + opt.task + ": the " + sink.engine() +
                                " target cannot divert a refused change (ErrorBehavior "
                                "policies other than STOP_TASK, and ApplyErrorUpdatePolicy / "
                                "ApplyErrorDeletePolicy, need a PostgreSQL or MariaDB target)");
    }
    auto errors = std::make_unique<ApplyErrors>(
        a, opt.errors, suspended, a.SupportsSavepoints() ? moves_in : std::set<TableName>{});
    errors->SuspendRefusedTables(load_refused);  // their state commits with the first group
    return errors;
  };
  if (!opt.change_spool.dir.empty()) {
    // A spool left by an earlier task of the same name (dropped without `task drop`, or on
    // other servers) holds nothing of this one: the capture was created just now, or the
    // target holds no state of a source without a capture object.
    bool fresh =
        capture_created || (!state.applied && state.loaded.empty() && !capture_start.empty());
    SpooledCdc cdc{source,      sink,    loop_opt,       tables,
                   stop,        stats,   transforms,     referential.get(),
                   make_errors, targets, split_snapshots};
    return cdc.Run(std::move(applier), from, applied, table_snapshots, fresh);
  }
  ASSIGN_OR_RETURN(auto stream, source.OpenStream(opt.task, tables, from));
  Log(LogLevel::kInfo, "cdc started{}", applied ? " after " + applied->text : "");
  if (opt.metrics) {
    opt.metrics->CdcStarted(from.text);
    opt.metrics->SetPhase(ReplicationPhase::kCdc);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ApplyErrors> errors, make_errors(*applier));
  ASSIGN_OR_RETURN(std::vector<TableSchemaPtr> shapes, StartShapes(sink, targets));
  CdcLoop loop(source, *stream, *applier, loop_opt, std::move(table_snapshots), applied, shapes,
               stop, stats, transforms, referential.get(), errors.get(),
               std::move(split_snapshots));
  Status s = loop.Run();
  if (!s.ok() && !errors && applier->ClassifyError(s) != ApplyErrorKind::kOther)
    stats.refused = true;
  return s;
}

}  // namespace cutover
