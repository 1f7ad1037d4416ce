#include "engine/sqlite/sqlite_stream.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "engine/core/log.h"
#include "engine/sqlite/sqlite_capture.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_position.h"
#include "engine/sqlite/sqlite_row.h"
#include "engine/sqlite/sqlite_types.h"

namespace cutover::sqlite {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(25);
constexpr auto kPruneInterval = std::chrono::seconds(1);
constexpr auto kPruneBudget = std::chrono::milliseconds(200);
constexpr int kPruneBatch = 2000;
constexpr int kPruneBusyTimeoutMs = 200;

struct Tracked {
  TableSchemaPtr schema;
  std::unique_ptr<SqliteStmt> lookup;  // the row's current values by key
};

class SqliteStream : public ChangeStream {
 public:
  SqliteStream(std::string uri, std::string task, std::unique_ptr<SqliteConn> reader, uint64_t from)
      : uri_(std::move(uri)), task_(std::move(task)), reader_(std::move(reader)), last_(from) {}

  ~SqliteStream() override {
    // What was confirmed but held back by the prune interval is pruned on the way out (a task
    // stopped gracefully leaves at most the last change row), best effort.
    if (confirmed_ > pruned_) (void)Prune(confirmed_);
    poll_.reset();
    if (reader_->in_transaction()) (void)reader_->Exec("ROLLBACK");
  }

  Status Init(const std::vector<TableSchemaPtr>& tables) {
    ASSIGN_OR_RETURN(bool exists, CaptureExists(*reader_, task_));
    if (!exists)
      return FailedPrecondition("task " + task_ + " has no change capture on the source " +
                                reader_->path() +
                                "; run `cutover task prepare` (or start the "
                                "task with `cutover replicate`, which prepares it)");
    ASSIGN_OR_RETURN(width_, ChangeKeyWidth(*reader_, task_));
    for (const auto& t : tables) {
      if (t->key.size() > width_ || t->key.empty())
        return FailedPrecondition("table " + t->name.ToString() + " is not captured by task " +
                                  task_ + "; run `cutover task prepare` for it");
      std::string sql = SelectColumnsSql(*t) + " WHERE ";
      for (size_t j = 0; j < t->key.size(); ++j)
        sql += (j ? " AND " : "") + SqliteConn::QuoteIdent(t->columns[t->key[j]].name) + " = ?" +
               std::to_string(j + 1);
      Tracked tr;
      tr.schema = t;
      ASSIGN_OR_RETURN(tr.lookup, reader_->Prepare(sql, "table " + t->name.ToString() +
                                                            ": reading a changed row"));
      tables_.emplace(t->name.name, std::move(tr));
    }
    std::string keys;
    for (size_t j = 0; j < width_; ++j) keys += ", k" + std::to_string(j);
    std::string ch = SqliteConn::QuoteIdent(ChangeTableName(task_));
    ASSIGN_OR_RETURN(poll_, reader_->Prepare("SELECT min(seq), existed, tbl" + keys + " FROM " +
                                                 ch + " WHERE seq > ?1 AND seq <= ?2 GROUP BY tbl" +
                                                 keys + " ORDER BY 1",
                                             "reading changes of task " + task_));
    ASSIGN_OR_RETURN(max_seq_, reader_->Prepare("SELECT coalesce(max(seq), 0) FROM " + ch,
                                                "reading the last change of task " + task_));
    ASSIGN_OR_RETURN(boundary_, reader_->Prepare("SELECT min(name) FROM " +
                                                     SqliteConn::QuoteIdent(MetaTableName(task_)) +
                                                     " WHERE kind = 'snapshot' AND name > ?1",
                                                 "reading snapshot positions of task " + task_));
    ASSIGN_OR_RETURN(schema_version_,
                     reader_->Prepare("PRAGMA schema_version", "reading the schema version"));
    return Status::Ok();
  }

  Status Next(StreamEvent& out, std::chrono::milliseconds wait) override {
    out = StreamEvent();
    if (in_poll_) return NextChange(out);
    auto deadline = Clock::now() + wait;
    for (;;) {
      ASSIGN_OR_RETURN(bool found, StartPoll());
      if (found) {
        out.type = StreamEvent::Type::kBegin;
        out.txn = txn_;
        return Status::Ok();
      }
      auto now = Clock::now();
      if (now >= deadline) return Status::Ok();  // kNone
      std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
    }
  }

  Status Confirm(const Position& applied) override {
    confirmed_ = std::max(confirmed_, applied.major);
    if (applied.major <= pruned_ || Clock::now() - last_prune_ < kPruneInterval)
      return Status::Ok();
    last_prune_ = Clock::now();
    return Prune(applied.major);
  }

 private:
  // Opens a read transaction and finds the poll's end. True when there are changes to deliver
  // (the transaction stays open until the poll's Commit), false when there are none (closed).
  Result<bool> StartPoll() {
    RETURN_IF_ERROR(reader_->Exec("BEGIN", "starting a read transaction"));
    Result<bool> r = FindEnd();
    if (!r.ok() || !*r) (void)reader_->Exec("ROLLBACK");
    if (!r.ok()) return r.status();
    if (*r) {
      poll_->Reset();
      RETURN_IF_ERROR(poll_->BindInt64(1, static_cast<int64_t>(last_)));
      RETURN_IF_ERROR(poll_->BindInt64(2, static_cast<int64_t>(end_)));
      txn_ = TransactionInfo();
      txn_.xid = fmt::format("changes {}-{}", last_ + 1, end_);
      txn_.position = TransactionPosition(end_);
      in_poll_ = true;
    }
    return *r;
  }

  Result<bool> FindEnd() {
    schema_version_->Reset();
    ASSIGN_OR_RETURN(bool row, schema_version_->Step());  // also starts the read transaction
    int64_t version = row ? schema_version_->column_int64(0) : -1;
    schema_version_->Reset();
    if (version != known_version_) {
      for (auto& [name, tr] : tables_) RETURN_IF_ERROR(VerifyCapture(*reader_, task_, *tr.schema));
      known_version_ = version;
    }
    max_seq_->Reset();
    ASSIGN_OR_RETURN(row, max_seq_->Step());
    uint64_t end = row ? static_cast<uint64_t>(max_seq_->column_int64(0)) : 0;
    max_seq_->Reset();
    if (end <= last_) return false;
    boundary_->Reset();
    RETURN_IF_ERROR(boundary_->BindText(1, BoundaryName(last_)));
    ASSIGN_OR_RETURN(row, boundary_->Step());
    if (row && !boundary_->is_null(0)) {
      uint64_t b = std::stoull(std::string(boundary_->column_text(0)));
      if (b < end) end = b;  // never straddle a snapshot position
    }
    boundary_->Reset();
    end_ = end;
    return true;
  }

  // The next change of the open poll, or its Commit.
  Status NextChange(StreamEvent& out) {
    for (;;) {
      ASSIGN_OR_RETURN(bool row, poll_->Step());
      if (!row) return EndPoll(out);
      auto it = tables_.find(std::string(poll_->column_text(2)));
      if (it == tables_.end()) continue;  // captured, but not part of this run's tables
      ASSIGN_OR_RETURN(bool produced, MakeChange(it->second, poll_->column_int64(1) != 0, out));
      if (produced) return Status::Ok();
    }
  }

  Result<bool> MakeChange(Tracked& tr, bool existed, StreamEvent& out) {
    const TableSchema& t = *tr.schema;
    SqliteStmt& lookup = *tr.lookup;
    lookup.Reset();
    for (size_t j = 0; j < t.key.size(); ++j)
      RETURN_IF_ERROR(
          lookup.BindColumnOf(static_cast<int>(j + 1), *poll_, 3 + static_cast<int>(j)));
    ASSIGN_OR_RETURN(bool exists, lookup.Step());
    Change& c = out.change;
    c.table = tr.schema;
    if (exists) {
      Status s = DecodeSqliteRow(t, lookup, 0, c.after);
      lookup.Reset();
      RETURN_IF_ERROR(s);
      c.op = existed ? ChangeOp::kUpdate : ChangeOp::kInsert;
    } else {
      lookup.Reset();
      if (!existed) return false;  // inserted and deleted within the poll
      c.op = ChangeOp::kDelete;
      c.before.assign(t.columns.size(), Value::Null());
      c.before_is_key_only = true;
      for (size_t j = 0; j < t.key.size(); ++j) {
        Status s = DecodeSqliteColumn(t.columns[t.key[j]], *poll_, 3 + static_cast<int>(j),
                                      c.before[t.key[j]]);
        if (!s.ok()) return s.WithContext("table " + t.name.ToString() + ": deleted key");
      }
    }
    out.type = StreamEvent::Type::kChange;
    return true;
  }

  Status EndPoll(StreamEvent& out) {
    poll_->Reset();
    RETURN_IF_ERROR(reader_->Exec("COMMIT", "ending a read transaction"));
    in_poll_ = false;
    last_ = end_;
    out.type = StreamEvent::Type::kCommit;
    out.txn = txn_;
    return Status::Ok();
  }

  Status Prune(uint64_t upto) {
    if (!pruner_) {
      ASSIGN_OR_RETURN(
          pruner_, SqliteConn::Open(
                       uri_, "prune",
                       SqliteOpenOptions{.busy_timeout_ms = kPruneBusyTimeoutMs, .create = false}));
      std::string ch = SqliteConn::QuoteIdent(ChangeTableName(task_));
      ASSIGN_OR_RETURN(
          prune_rows_,
          pruner_->Prepare("DELETE FROM " + ch + " WHERE seq IN (SELECT seq FROM " + ch +
                               " WHERE seq <= ?1 AND seq < (SELECT max(seq) "
                               "FROM " +
                               ch + ") ORDER BY seq LIMIT " + std::to_string(kPruneBatch) + ")",
                           "pruning changes of task " + task_));
      ASSIGN_OR_RETURN(
          prune_marks_,
          pruner_->Prepare("DELETE FROM " + SqliteConn::QuoteIdent(MetaTableName(task_)) +
                               " WHERE kind = 'snapshot' AND name <= ?1",
                           "pruning snapshot positions of task " + task_));
    }
    auto started = Clock::now();
    for (;;) {
      prune_rows_->Reset();
      RETURN_IF_ERROR(prune_rows_->BindInt64(1, static_cast<int64_t>(upto)));
      Result<int64_t> n = prune_rows_->Run();
      prune_rows_->Reset();
      if (!n.ok()) return Postponed(n.status());
      if (*n < kPruneBatch) break;
      if (Clock::now() - started > kPruneBudget) return Status::Ok();  // more next time
    }
    prune_marks_->Reset();
    RETURN_IF_ERROR(prune_marks_->BindText(1, BoundaryName(upto)));
    Result<int64_t> n = prune_marks_->Run();
    prune_marks_->Reset();
    if (!n.ok()) return Postponed(n.status());
    pruned_ = upto;
    return Status::Ok();
  }

  // A busy source postpones pruning; anything else is an error.
  static Status Postponed(const Status& s) {
    if (s.code() != StatusCode::kUnavailable) return s;
    Log(LogLevel::kDebug, "pruning postponed: {}", s.message());
    return Status::Ok();
  }

  std::string uri_, task_;
  std::unique_ptr<SqliteConn> reader_;
  std::map<std::string, Tracked> tables_;
  size_t width_ = 0;
  std::unique_ptr<SqliteStmt> poll_, max_seq_, boundary_, schema_version_;
  int64_t known_version_ = -1;
  uint64_t last_ = 0, end_ = 0;
  bool in_poll_ = false;
  TransactionInfo txn_;

  std::unique_ptr<SqliteConn> pruner_;
  std::unique_ptr<SqliteStmt> prune_rows_, prune_marks_;
  uint64_t pruned_ = 0;
  uint64_t confirmed_ = 0;  // the highest position confirmed, pruned or not
  Clock::time_point last_prune_{};
};

}  // namespace

Result<std::unique_ptr<ChangeStream>> OpenSqliteStream(const std::string& uri,
                                                       const std::string& task,
                                                       const std::vector<TableSchemaPtr>& tables,
                                                       const Position& from) {
  ASSIGN_OR_RETURN(auto reader,
                   SqliteConn::Open(uri, "change stream", SqliteOpenOptions{.create = false}));
  auto stream =
      std::make_unique<SqliteStream>(uri, task, std::move(reader), from.empty() ? 0 : from.major);
  RETURN_IF_ERROR(stream->Init(tables));
  return std::unique_ptr<ChangeStream>(std::move(stream));
}

}  // namespace cutover::sqlite
