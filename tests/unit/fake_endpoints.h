// In-memory Source and Sink for pure unit tests of the pipeline (tests/unit only).
//
// Design: the fakes follow the contracts of engine/core/endpoint.h closely enough to exercise the
// pipeline's own decisions (what to load, what to skip, when to commit and when to confirm). They
// prove nothing about real engines; the integration tests do that against real servers.
//
//   - Positions: Pos(n) is {major = n, text = "pos:n"}; FakeSource::ParsePosition reverses it, so
//     a position that went through a TaskState comes back equal.
//   - FakeSource serves tables of rows from snapshots and a scripted list of StreamEvents. The
//     first PrepareCdc creates the capture (created = true, with a snapshot at `cdc_start` when
//     asked for); later calls find it (created = false). OpenSnapshot gives a snapshot at
//     `fresh_snapshot`. When the script is exhausted the stream sets the shared stop flag and
//     returns kNone, so RunReplication finishes and returns; or, with `end_status` set, fails
//     with it (Unavailable: the connection was lost).
//   - FakeSink is the "target": committed rows per table (key -> row) and a TaskState. A
//     TableLoader and an Applier buffer their work; their Commit makes rows and state visible
//     together, as a real target transaction would. Contract violations (Apply outside Begin,
//     Begin inside an open transaction, ...) fail with kInternal.
//   - Every call whose order matters is appended to one shared EventLog:
//       "load <table> @<pos> rows=<n>"   TableLoader::Commit
//       "begin"                          Applier::Begin
//       "apply <op> <table> <key>"       Applier::Apply (truncate: "apply truncate <t1>,<t2>")
//       "commit <pos>"                   Applier::Commit
//       "confirm <pos>"                  ChangeStream::Confirm
//
// Public fields configure the fakes before a run and are read back after it; during a run only
// the full-load workers touch them from several threads, and the sink guards those paths.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/pipelined_commit.h"

namespace cutover::fake {

using Row = std::vector<Value>;

inline Position Pos(uint64_t n) {
  return Position{n, 0, "pos:" + std::to_string(n)};
}

// A table (id bigint primary key, v text); `with_key` = false leaves out the primary key.
inline TableSchemaPtr MakeTable(const std::string& name, bool with_key = true,
                                int64_t estimated_rows = -1) {
  auto t = std::make_shared<TableSchema>();
  t->name = TableName{"public", name};
  t->columns = {Column{"id", ValueKind::kInt64, false, "bigint"},
                Column{"v", ValueKind::kText, true, "text"}};
  if (with_key) t->key = {0};
  t->engine = "fake";
  t->estimated_rows = estimated_rows;
  return t;
}

inline Row MakeRow(int64_t id, std::string v) {
  return {Value::Int64(id), Value::String(ValueKind::kText, std::move(v))};
}

// The row's key as text: the key columns' debug strings joined by ','; the whole row when the
// table has no key.
inline std::string KeyOf(const TableSchema& t, const Row& row) {
  std::string s;
  if (t.key.empty()) {
    for (size_t i = 0; i < row.size(); ++i) s += (i ? "," : "") + row[i].DebugString();
    return s;
  }
  for (size_t i = 0; i < t.key.size(); ++i)
    s += (i ? "," : "") + (t.key[i] < row.size() ? row[t.key[i]].DebugString() : "?");
  return s;
}

// Thread-safe, ordered record of calls shared by the fakes.
class EventLog {
 public:
  void Add(std::string event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
  }
  std::vector<std::string> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

// ---------------------------------------------------------------------------------------------
// Building scripts

inline Change Insert(const TableSchemaPtr& t, int64_t id, std::string v) {
  Change c;
  c.op = ChangeOp::kInsert;
  c.table = t;
  c.after = MakeRow(id, std::move(v));
  return c;
}

// An update without an old image (the key is taken from the new one).
inline Change Update(const TableSchemaPtr& t, int64_t id, std::string v) {
  Change c = Insert(t, id, std::move(v));
  c.op = ChangeOp::kUpdate;
  return c;
}

// A delete with a key-only old image.
inline Change Delete(const TableSchemaPtr& t, int64_t id) {
  Change c;
  c.op = ChangeOp::kDelete;
  c.table = t;
  c.before = {Value::Int64(id), Value::Null()};
  c.before_is_key_only = true;
  return c;
}

inline Change Truncate(std::vector<TableSchemaPtr> tables) {
  Change c;
  c.op = ChangeOp::kTruncate;
  c.table = tables.empty() ? nullptr : tables.front();
  c.truncated = std::move(tables);
  return c;
}

// Appends one source transaction at Pos(n) (xid "x<n>"): kBegin, a kChange per change, kCommit.
inline void AddTxn(std::vector<StreamEvent>& script, uint64_t n, std::vector<Change> changes) {
  TransactionInfo info{"x" + std::to_string(n), Pos(n), 0};
  StreamEvent begin;
  begin.type = StreamEvent::Type::kBegin;
  begin.txn = info;
  script.push_back(std::move(begin));
  for (auto& c : changes) {
    StreamEvent ev;
    ev.type = StreamEvent::Type::kChange;
    ev.change = std::move(c);
    script.push_back(std::move(ev));
  }
  StreamEvent commit;
  commit.type = StreamEvent::Type::kCommit;
  commit.txn = std::move(info);
  script.push_back(std::move(commit));
}

// ---------------------------------------------------------------------------------------------
// Source

class FakeReader : public TableReader {
 public:
  explicit FakeReader(std::vector<Row> rows) : rows_(std::move(rows)) {}
  Result<bool> Next(std::vector<Value>& row) override {
    if (next_ >= rows_.size()) return false;
    row = rows_[next_++];
    return true;
  }

 private:
  std::vector<Row> rows_;
  size_t next_ = 0;
};

// Rows are copied when the snapshot is taken, so later edits of the source do not show.
class FakeSnapshot : public Snapshot {
 public:
  FakeSnapshot(Position position, std::map<TableName, std::vector<Row>> rows)
      : position_(std::move(position)), rows_(std::move(rows)) {}
  const Position& position() const override { return position_; }
  Result<std::unique_ptr<TableReader>> OpenReader(const TableSchema& table) override {
    auto it = rows_.find(table.name);
    std::vector<Row> rows = it == rows_.end() ? std::vector<Row>{} : it->second;
    return std::unique_ptr<TableReader>(std::make_unique<FakeReader>(std::move(rows)));
  }

 private:
  Position position_;
  const std::map<TableName, std::vector<Row>> rows_;
};

class FakeSource;

class FakeStream : public ChangeStream {
 public:
  explicit FakeStream(FakeSource& source) : source_(source) {}
  Status Next(StreamEvent& out, std::chrono::milliseconds wait) override;
  Status Confirm(const Position& applied) override;

 private:
  FakeSource& source_;
  size_t next_ = 0;
};

class FakeSource : public Source {
 public:
  FakeSource(EventLog* log, std::atomic<bool>* stop) : log_(log), stop_(stop) {}

  // Configuration.
  std::vector<TableSchemaPtr> tables;
  std::map<TableName, std::vector<Row>> rows;
  Position cdc_start = Pos(100);       // snapshot of the PrepareCdc that creates the capture
  Position fresh_snapshot = Pos(200);  // snapshot of OpenSnapshot
  bool capture_exists = false;         // false: the next PrepareCdc creates it
  // Non-empty: behave like a source without a capture object (MariaDB): every PrepareCdc
  // returns this as CdcSetup::start.
  Position capture_start;
  std::vector<StreamEvent> script;  // replayed from the start by every OpenStream
  // Called just before the stream hands out script[index] (e.g. to set the stop flag).
  std::function<void(size_t index)> on_deliver;
  // What the stream's Next returns once the script is exhausted: OK sets the stop flag and
  // delivers kNone (the run finishes); an error is returned as is, every time.
  Status end_status;

  // Recorded.
  std::vector<bool> prepare_cdc_calls;  // `want_snapshot` of each PrepareCdc
  int open_snapshot_calls = 0;
  int open_stream_calls = 0;
  Position stream_from;            // `from` of the last OpenStream
  size_t delivered = 0;            // script events handed out by the last stream
  std::vector<Position> confirms;  // every Confirm, in order

  void SetRows(const TableSchemaPtr& t, int64_t n, const std::string& prefix = "v") {
    auto& r = rows[t->name];
    r.clear();
    for (int64_t i = 1; i <= n; ++i) r.push_back(MakeRow(i, prefix + std::to_string(i)));
  }

  std::string engine() const override { return "fake"; }

  Result<std::vector<TableSchemaPtr>> DiscoverTables(const TableSelection&, StartReport&) override {
    return tables;
  }

  Result<CdcSetup> PrepareCdc(const std::string&, const std::vector<TableSchemaPtr>&,
                              bool want_snapshot) override {
    prepare_cdc_calls.push_back(want_snapshot);
    CdcSetup setup;
    if (!capture_exists) {
      capture_exists = true;
      setup.created = true;
      if (want_snapshot) setup.snapshot = std::make_unique<FakeSnapshot>(cdc_start, rows);
    }
    setup.start = capture_start;
    return setup;
  }

  Result<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string&) override {
    ++open_snapshot_calls;
    return std::unique_ptr<Snapshot>(std::make_unique<FakeSnapshot>(fresh_snapshot, rows));
  }

  Result<std::unique_ptr<ChangeStream>> OpenStream(const std::string&,
                                                   const std::vector<TableSchemaPtr>&,
                                                   const Position& from) override {
    ++open_stream_calls;
    stream_from = from;
    delivered = 0;
    return std::unique_ptr<ChangeStream>(std::make_unique<FakeStream>(*this));
  }

  Result<Position> ParsePosition(const std::string& text) const override {
    if (text.rfind("pos:", 0) != 0 || text.size() == 4)
      return InvalidArgument("bad fake position \"" + text + "\"");
    return Pos(std::stoull(text.substr(4)));
  }

  Status DropTask(const std::string&) override {
    capture_exists = false;
    return Status::Ok();
  }

 private:
  friend class FakeStream;
  EventLog* log_;
  std::atomic<bool>* stop_;
};

inline Status FakeStream::Next(StreamEvent& out, std::chrono::milliseconds) {
  if (next_ >= source_.script.size()) {
    if (!source_.end_status.ok()) return source_.end_status;
    source_.stop_->store(true);  // end of the script: let RunReplication return
    out = StreamEvent{};
    return Status::Ok();
  }
  if (source_.on_deliver) source_.on_deliver(next_);
  out = source_.script[next_++];
  source_.delivered = next_;
  return Status::Ok();
}

inline Status FakeStream::Confirm(const Position& applied) {
  source_.confirms.push_back(applied);
  source_.log_->Add("confirm " + applied.text);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Sink

class FakeSink;

class FakeLoader : public TableLoader {
 public:
  FakeLoader(FakeSink& sink, TableSchemaPtr table, TablePrep prep)
      : sink_(sink), table_(std::move(table)), prep_(prep) {}
  Status Write(const std::vector<Value>& row) override {
    rows_.push_back(row);
    return Status::Ok();
  }
  Status Commit(const Position& snapshot, int64_t rows) override;

 private:
  FakeSink& sink_;
  TableSchemaPtr table_;
  TablePrep prep_;
  std::vector<Row> rows_;
};

class FakeApplier : public Applier {
 public:
  explicit FakeApplier(FakeSink& sink) : sink_(sink) {}
  Status Begin() override;
  Status Apply(const Change& change) override;
  Status Commit(const Position& applied) override;

 protected:
  FakeSink& sink_;
  bool open_ = false;
  std::vector<Change> pending_;
};

// With FakeSink::pipelined: commits sent without waiting (engine/core/pipelined_commit.h).
// SendCommit logs "send-commit P" and closes the transaction; the commit takes effect (rows,
// checkpoint, "commit P" in the log) or fails (fail_commit_call) when it is awaited.
class FakePipelinedApplier : public FakeApplier, public PipelinedCommit {
 public:
  using FakeApplier::FakeApplier;
  Status SendCommit(const Position& applied) override;
  Status AwaitCommit() override;

 private:
  std::optional<Position> in_flight_;
  std::vector<Change> in_flight_changes_;
};

class FakeSink : public Sink {
 public:
  explicit FakeSink(EventLog* log) : log_(log) {}

  // The committed target: rows per table by key, and the task's state.
  std::map<TableName, std::map<std::string, Row>> data;
  TaskState state;

  // Failure injection: the n-th Apply / Commit call (1-based, over the sink's life) fails.
  int fail_apply_call = 0;
  int fail_commit_call = 0;
  // Appliers whose commits are pipelined (FakePipelinedApplier).
  bool pipelined = false;

  // Recorded.
  std::vector<std::pair<TableName, TablePrep>> load_begins;
  int open_applier_calls = 0;
  int apply_calls = 0;
  int commit_calls = 0;
  std::vector<Change> applied_changes;  // every change handed to Apply, in order

  // Rows of a table as "key=v" strings in key order, for compact assertions.
  std::vector<std::string> Contents(const TableSchemaPtr& t) const {
    std::vector<std::string> out;
    auto it = data.find(t->name);
    if (it == data.end()) return out;
    for (const auto& [key, row] : it->second)
      out.push_back(key + "=" + (row.size() > 1 ? row[1].str() : "?"));
    return out;
  }

  // Puts a row straight into the committed target (state before a run).
  void Seed(const TableSchemaPtr& t, int64_t id, std::string v) {
    Row r = MakeRow(id, std::move(v));
    data[t->name][KeyOf(*t, r)] = std::move(r);
  }

  std::string engine() const override { return "fake"; }

  Result<TaskState> ReadTaskState(const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    return state;
  }

  Result<std::unique_ptr<TableLoader>> BeginTableLoad(const std::string&, const TableSchema& table,
                                                      TablePrep prep) override {
    std::lock_guard<std::mutex> lock(mu_);
    load_begins.emplace_back(table.name, prep);
    auto t = std::make_shared<const TableSchema>(table);
    return std::unique_ptr<TableLoader>(std::make_unique<FakeLoader>(*this, t, prep));
  }

  Result<std::unique_ptr<Applier>> OpenApplier(const std::string&) override {
    ++open_applier_calls;
    if (pipelined) return std::unique_ptr<Applier>(std::make_unique<FakePipelinedApplier>(*this));
    return std::unique_ptr<Applier>(std::make_unique<FakeApplier>(*this));
  }

  Status DropTask(const std::string&) override {
    state = TaskState{};
    return Status::Ok();
  }

 private:
  friend class FakeLoader;
  friend class FakeApplier;
  friend class FakePipelinedApplier;

  void ApplyToData(const Change& c) {
    if (c.op == ChangeOp::kTruncate) {
      for (const auto& t : c.truncated) data[t->name].clear();
      return;
    }
    auto& table = data[c.table->name];
    switch (c.op) {
      case ChangeOp::kRead:
      case ChangeOp::kInsert:
        table[KeyOf(*c.table, c.after)] = c.after;
        break;
      case ChangeOp::kUpdate: {
        std::string old_key = KeyOf(*c.table, c.before.empty() ? c.after : c.before);
        Row row = c.after;
        auto it = table.find(old_key);
        for (size_t i = 0; i < row.size(); ++i) {
          if (row[i].is_unchanged() && it != table.end() && i < it->second.size())
            row[i] = it->second[i];
        }
        if (it != table.end()) table.erase(it);
        table[KeyOf(*c.table, row)] = std::move(row);
        break;
      }
      case ChangeOp::kDelete:
        table.erase(KeyOf(*c.table, c.before.empty() ? c.after : c.before));
        break;
      case ChangeOp::kTruncate:
        break;
    }
  }

  EventLog* log_;
  std::mutex mu_;  // full-load workers call BeginTableLoad and loader Commit concurrently
};

inline Status FakeLoader::Commit(const Position& snapshot, int64_t rows) {
  if (rows != static_cast<int64_t>(rows_.size()))
    return Internal("loader of " + table_->name.ToString() + ": Commit says " +
                    std::to_string(rows) + " rows, " + std::to_string(rows_.size()) + " written");
  std::lock_guard<std::mutex> lock(sink_.mu_);
  auto& table = sink_.data[table_->name];
  if (prep_ != TablePrep::kDoNothing) table.clear();
  for (auto& r : rows_) {
    std::string key = KeyOf(*table_, r);
    table[key] = std::move(r);
  }
  rows_.clear();
  sink_.state.loaded[table_->name] = TableLoadState{snapshot, rows};
  sink_.log_->Add("load " + table_->name.ToString() + " @" + snapshot.text +
                  " rows=" + std::to_string(rows));
  return Status::Ok();
}

inline Status FakeApplier::Begin() {
  if (open_) return Internal("fake applier: Begin inside an open transaction");
  open_ = true;
  sink_.log_->Add("begin");
  return Status::Ok();
}

inline Status FakeApplier::Apply(const Change& c) {
  if (!open_) return Internal("fake applier: Apply outside a transaction");
  if (++sink_.apply_calls == sink_.fail_apply_call)
    return Internal("fake applier: injected failure");
  std::string what;
  if (c.op == ChangeOp::kTruncate) {
    for (size_t i = 0; i < c.truncated.size(); ++i)
      what += (i ? "," : "") + c.truncated[i]->name.ToString();
  } else {
    what = c.table->name.ToString() + " " + KeyOf(*c.table, c.before.empty() ? c.after : c.before);
  }
  sink_.log_->Add(std::string("apply ") + ChangeOpName(c.op) + " " + what);
  sink_.applied_changes.push_back(c);
  pending_.push_back(c);
  return Status::Ok();
}

inline Status FakeApplier::Commit(const Position& applied) {
  if (!open_) return Internal("fake applier: Commit outside a transaction");
  if (++sink_.commit_calls == sink_.fail_commit_call)
    return Internal("fake applier: injected commit failure");
  std::lock_guard<std::mutex> lock(sink_.mu_);
  for (const auto& c : pending_) sink_.ApplyToData(c);
  pending_.clear();
  sink_.state.applied = applied;
  open_ = false;
  sink_.log_->Add("commit " + applied.text);
  return Status::Ok();
}

inline Status FakePipelinedApplier::SendCommit(const Position& applied) {
  if (!open_) return Internal("fake applier: SendCommit outside a transaction");
  if (in_flight_) return Internal("fake applier: SendCommit with a commit in flight");
  in_flight_ = applied;
  in_flight_changes_ = std::move(pending_);
  pending_.clear();
  open_ = false;
  sink_.log_->Add("send-commit " + applied.text);
  return Status::Ok();
}

inline Status FakePipelinedApplier::AwaitCommit() {
  if (!in_flight_) return Status::Ok();
  Position applied = std::move(*in_flight_);
  in_flight_.reset();
  if (++sink_.commit_calls == sink_.fail_commit_call)
    return Internal("fake applier: injected commit failure");
  std::lock_guard<std::mutex> lock(sink_.mu_);
  for (const auto& c : in_flight_changes_) sink_.ApplyToData(c);
  in_flight_changes_.clear();
  sink_.state.applied = applied;
  sink_.log_->Add("commit " + applied.text);
  return Status::Ok();
}

}  // namespace cutover::fake
