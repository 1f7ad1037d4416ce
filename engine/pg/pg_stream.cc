// PgSource's change stream (pg_source.h): pgoutput protocol 2 on a replication connection;
// keepalives answered, positions confirmed only after the target commit, streamed in-progress
// transactions spooled per top-level xid and replayed (or dropped) at their end.
#include <poll.h>

#include <chrono>
#include <deque>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "engine/core/log.h"
#include "engine/core/spool.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_source.h"
#include "engine/pg/pg_source_internal.h"
#include "engine/pg/pg_types.h"
#include "engine/pg/pgoutput.h"

namespace cutover::pg {

namespace {

// The catalog's key columns of `catalog` as indexes into `streamed`'s columns (matched by name);
// empty when the catalog has no key or a key column is not in the streamed relation.
std::vector<size_t> CatalogKeyIn(const TableSchema& catalog, const TableSchema& streamed) {
  std::vector<size_t> out;
  for (size_t k : catalog.key) {
    const std::string& name = catalog.columns[k].name;
    size_t found = streamed.columns.size();
    for (size_t i = 0; i < streamed.columns.size(); ++i)
      if (streamed.columns[i].name == name) found = i;
    if (found == streamed.columns.size()) return {};
    out.push_back(found);
  }
  return out;
}

int64_t NowPgMicros() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return UnixMicrosToPgEpoch(us);
}

class PgStream : public ChangeStream {
 public:
  PgStream(std::unique_ptr<PgConn> conn, std::map<TableName, TableSchemaPtr> known, SpoolDir spool,
           std::string uri)
      : conn_(std::move(conn)),
        known_(std::move(known)),
        uri_(std::move(uri)),
        spool_(std::move(spool)) {}

  ~PgStream() override {
    if (flushed_ != last_sent_flushed_) (void)SendStatus(false);
  }

  Status Next(StreamEvent& out, std::chrono::milliseconds wait) override {
    out.type = StreamEvent::Type::kNone;
    RETURN_IF_ERROR(MaybeSendStatus());
    if (replay_) return ReplayNext(out);
    auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      char* buf = nullptr;
      int n = PQgetCopyData(conn_->raw(), &buf, 1);
      if (n > 0) {
        Status s = Handle(std::string_view(buf, static_cast<size_t>(n)), out);
        PQfreemem(buf);
        RETURN_IF_ERROR(s.WithContext(Where()));
        if (out.type != StreamEvent::Type::kNone) return Status::Ok();
        if (replay_) return ReplayNext(out);
        continue;
      }
      if (n == 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return Status::Ok();
        pollfd pfd{PQsocket(conn_->raw()), POLLIN, 0};
        int pr = poll(&pfd, 1, static_cast<int>(left.count()));
        if (pr < 0 && errno != EINTR) return Unavailable("poll on replication connection failed");
        if (PQconsumeInput(conn_->raw()) != 1)
          return conn_->ConnectionError("replication stream " + Where());
        continue;
      }
      if (n == -1) {
        PgResult res(PQgetResult(conn_->raw()));
        return Unavailable("replication stream ended by the server " + Where() + ": " +
                           conn_->ErrorFrom(res.raw(), "stream").message());
      }
      return conn_->ConnectionError("replication stream " + Where());
    }
  }

  // A commit record starting before the keepalive's walEnd was delivered before it, so every
  // transaction whose position (commit LSN) is at most walEnd - 1 has been delivered.
  std::optional<Position> CaughtUpTo() const override {
    if (in_txn_ || !writers_.empty() || replay_ || read_through_ == 0) return std::nullopt;
    return LsnPosition(read_through_ - 1);
  }

  Status Confirm(const Position& applied) override {
    while (!delivered_.empty() && delivered_.front().first <= applied.major) {
      flushed_ = std::max(flushed_, delivered_.front().second);
      delivered_.pop_front();
    }
    return Status::Ok();
  }

 private:
  std::string Where() const { return "(at WAL " + FormatLsn(last_wal_) + ")"; }

  Status MaybeSendStatus() {
    auto now = std::chrono::steady_clock::now();
    bool changed = flushed_ != last_sent_flushed_;
    if ((changed && now - last_status_ >= std::chrono::seconds(1)) ||
        now - last_status_ >= std::chrono::seconds(10))
      return SendStatus(false);
    return Status::Ok();
  }

  Status SendStatus(bool reply) {
    std::string msg = EncodeStandbyStatus(std::max(received_, flushed_), flushed_, flushed_,
                                          NowPgMicros(), reply);
    if (PQputCopyData(conn_->raw(), msg.data(), static_cast<int>(msg.size())) != 1 ||
        PQflush(conn_->raw()) != 0)
      return conn_->ConnectionError("sending standby status");
    last_status_ = std::chrono::steady_clock::now();
    last_sent_flushed_ = flushed_;
    return Status::Ok();
  }

  Status Handle(std::string_view data, StreamEvent& out) {
    ASSIGN_OR_RETURN(CopyDataMsg cd, ParseCopyData(data));
    if (auto* k = std::get_if<Keepalive>(&cd)) {
      received_ = std::max(received_, k->wal_end);
      // Nothing delivered is waiting for the target and no transaction is open: everything up to
      // walEnd is irrelevant to this task, so let the slot advance.
      if (delivered_.empty() && !in_txn_ && writers_.empty() && !replay_)
        flushed_ = std::max(flushed_, k->wal_end);
      // The walsender sends walEnd (its sentPtr, the end of the last record it decoded) after
      // every transaction that committed before it: the stream has read the log through it.
      if (!in_txn_ && writers_.empty() && !replay_)
        read_through_ = std::max(read_through_, k->wal_end);
      if (k->reply_requested) return SendStatus(false);
      return Status::Ok();
    }
    auto& x = std::get<XLogData>(cd);
    last_wal_ = x.data_start;
    received_ = std::max(received_, x.wal_end);
    ASSIGN_OR_RETURN(Message m, ParseMessage(x.payload, in_stream_));
    switch (m.type) {
      case 'B': {
        auto& b = std::get<BeginMsg>(m.body);
        in_txn_ = true;
        out.type = StreamEvent::Type::kBegin;
        out.txn = TransactionInfo{std::to_string(b.xid), LsnPosition(b.final_lsn),
                                  PgEpochMicrosToUnix(b.commit_time_pg_us)};
        return Status::Ok();
      }
      case 'C': {
        auto& c = std::get<CommitMsg>(m.body);
        in_txn_ = false;
        delivered_.emplace_back(c.commit_lsn, c.end_lsn);
        out.type = StreamEvent::Type::kCommit;
        out.txn.position = LsnPosition(c.commit_lsn);
        out.txn.commit_time_us = PgEpochMicrosToUnix(c.commit_time_pg_us);
        return Status::Ok();
      }
      case 'R':
        return AddRelation(std::get<RelationMsg>(m.body));
      case 'S': {
        auto& s = std::get<StreamStartMsg>(m.body);
        in_stream_ = true;
        stream_xid_ = s.xid;
        if (!writers_.count(s.xid)) {
          ASSIGN_OR_RETURN(SpoolWriter w,
                           SpoolWriter::Create(spool_.PathFor(std::to_string(s.xid))));
          writers_.emplace(s.xid, std::move(w));
        }
        return Status::Ok();
      }
      case 'E':
        in_stream_ = false;
        return Status::Ok();
      case 'c':
        return StartReplay(std::get<StreamCommitMsg>(m.body));
      case 'A': {
        auto& a = std::get<StreamAbortMsg>(m.body);
        if (a.subxid == a.xid) {
          writers_.erase(a.xid);
          aborted_.erase(a.xid);
          return spool_.Remove(std::to_string(a.xid));
        }
        aborted_[a.xid].insert(a.subxid);
        return Status::Ok();
      }
      case 'I':
      case 'U':
      case 'D':
      case 'T':
        if (in_stream_) {
          auto it = writers_.find(stream_xid_);
          if (it == writers_.end()) return Internal("streamed change outside a stream");
          return it->second.Append(x.payload);
        }
        return MakeChange(m, out);
      default:  // 'Y' type, 'O' origin, 'M' logical message: nothing to apply
        return Status::Ok();
    }
  }

  Status AddRelation(const RelationMsg& r) {
    TableName name{r.nspname.empty() ? "pg_catalog" : r.nspname, r.relname};
    auto known = known_.find(name);
    if (known == known_.end()) {
      relations_.erase(r.oid);  // not a table of this task
      return Status::Ok();
    }
    auto schema = std::make_shared<TableSchema>();
    schema->name = name;
    schema->engine = "postgresql";
    for (size_t i = 0; i < r.columns.size(); ++i) {
      const RelationColumn& rc = r.columns[i];
      Column c;
      c.name = rc.name;
      c.type_id = rc.type_oid;
      c.type_mod = rc.typmod;
      c.kind = KindForTypeOid(rc.type_oid);
      const Column* catalog = nullptr;
      for (const Column& kc : known->second->columns) {
        if (kc.name == rc.name) {
          c.type_name = kc.type_name;
          c.nullable = kc.nullable;
          c.default_value = kc.default_value;  // what a target adding the column gives its rows
          catalog = &kc;
        }
      }
      c.type = DescribePgColumnType(c.type_id, c.type_name, c.kind);
      if (catalog && catalog->type_id == rc.type_oid && catalog->user_type) {
        // A domain's values are its base type's, as the full load read them (pg_catalog.cc).
        c.kind = catalog->kind;
        c.type = catalog->type;
        c.user_type = catalog->user_type;
      }
      if (rc.key) schema->key.push_back(i);
      schema->columns.push_back(std::move(c));
    }
    // Columns the task's catalog does not describe (added, renamed or retyped since: a schema
    // change, docs/ddl.md) take their type text, nullability and default from the catalog now.
    std::vector<size_t> unknown;
    for (size_t i = 0; i < r.columns.size(); ++i) {
      bool described = false;
      for (const Column& kc : known->second->columns)
        described |= kc.name == r.columns[i].name && kc.type_id == r.columns[i].type_oid &&
                     kc.type_mod == r.columns[i].typmod;
      if (!described) unknown.push_back(i);
    }
    if (!unknown.empty()) RETURN_IF_ERROR(DescribeChangedColumns(r.oid, *schema, unknown));
    // The key is the catalog's (primary key or replica identity index) whenever it has one: with
    // REPLICA IDENTITY FULL the Relation message flags every column as part of the key, and a
    // target matching rows on every column misses each row holding a NULL (NULL = NULL is not
    // true), losing its deletes and key updates. The message's flags serve only tables the
    // catalog gave no key.
    if (std::vector<size_t> by_name = CatalogKeyIn(*known->second, *schema); !by_name.empty())
      schema->key = std::move(by_name);
    if (schema->key.empty()) schema->key = known->second->key;
    schema->computed = known->second->computed;  // pgoutput leaves generated columns out
    if (!unknown.empty()) {  // later Relation messages compare with what this one said
      auto described = std::make_shared<TableSchema>(*known->second);
      described->columns = schema->columns;
      described->key = schema->key;
      known->second = described;
    }
    relations_[r.oid] = std::move(schema);
    return Status::Ok();
  }

  // Fills `columns` of `schema` (a Relation message's, of table `oid`) from the source catalog
  // as it is now, on a connection of its own (the replication one is streaming). A column the
  // catalog no longer has under that name (changed again since) keeps the message's type.
  Status DescribeChangedColumns(uint32_t oid, TableSchema& schema,
                                const std::vector<size_t>& columns) {
    if (!catalog_) {
      ASSIGN_OR_RETURN(catalog_, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
    }
    const std::string oid_text = std::to_string(oid);
    ASSIGN_OR_RETURN(
        auto rows,
        catalog_->ExecParams(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "coalesce(pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped",
            {oid_text.c_str()}, "reading the changed columns of " + schema.name.ToString()));
    for (size_t i : columns) {
      Column& c = schema.columns[i];
      for (int row = 0; row < rows.rows(); ++row) {
        if (rows.str(row, 0) != c.name) continue;
        c.type_name = rows.str(row, 1);
        c.type = DescribePgColumnType(c.type_id, c.type_name, c.kind);
        c.nullable = rows.get(row, 2) != "t";
        c.default_value = ParsePgDefault(rows.str(row, 3), c.kind);
      }
    }
    return Status::Ok();
  }

  Status DecodeTuple(const TableSchema& t, const Tuple& tuple, std::vector<Value>& out) {
    if (tuple.columns.size() != t.columns.size()) {
      return Internal("table " + t.name.ToString() + ": tuple has " +
                      std::to_string(tuple.columns.size()) + " columns, relation has " +
                      std::to_string(t.columns.size()));
    }
    out.resize(tuple.columns.size());
    for (size_t i = 0; i < tuple.columns.size(); ++i) {
      const TupleColumn& tc = tuple.columns[i];
      switch (tc.kind) {
        case TupleColumn::kNull:
          out[i] = Value::Null();
          break;
        case TupleColumn::kUnchanged:
          out[i] = Value::Unchanged();
          break;
        case TupleColumn::kText: {
          Status s = DecodeColumnText(t.columns[i], tc.data, out[i]);
          if (!s.ok())
            return s.WithContext("table " + t.name.ToString() + " column " + t.columns[i].name);
          break;
        }
        case TupleColumn::kBinary:
          return Internal("unexpected binary tuple column (binary mode was not requested)");
      }
    }
    return Status::Ok();
  }

  // Fills `out` with the change of an I/U/D/T message; leaves it kNone for other tables.
  Status MakeChange(const Message& m, StreamEvent& out) {
    Change& c = out.change;
    c.before.clear();
    c.after.clear();
    c.truncated.clear();
    c.before_is_key_only = false;
    auto rel = [&](uint32_t oid) -> TableSchemaPtr {
      auto it = relations_.find(oid);
      return it == relations_.end() ? nullptr : it->second;
    };
    switch (m.type) {
      case 'I': {
        auto& i = std::get<InsertMsg>(m.body);
        if (!(c.table = rel(i.oid))) return Status::Ok();
        c.op = ChangeOp::kInsert;
        RETURN_IF_ERROR(DecodeTuple(*c.table, i.new_tuple, c.after));
        break;
      }
      case 'U': {
        auto& u = std::get<UpdateMsg>(m.body);
        if (!(c.table = rel(u.oid))) return Status::Ok();
        c.op = ChangeOp::kUpdate;
        if (u.old_kind) {
          RETURN_IF_ERROR(DecodeTuple(*c.table, u.old_tuple, c.before));
          c.before_is_key_only = u.old_kind == 'K';
        }
        RETURN_IF_ERROR(DecodeTuple(*c.table, u.new_tuple, c.after));
        // Unchanged TOAST columns: with a full old image the old value is the new value.
        if (!c.before.empty() && !c.before_is_key_only) {
          for (size_t i = 0; i < c.after.size(); ++i)
            if (c.after[i].is_unchanged() && !c.before[i].is_unchanged()) c.after[i] = c.before[i];
        }
        break;
      }
      case 'D': {
        auto& d = std::get<DeleteMsg>(m.body);
        if (!(c.table = rel(d.oid))) return Status::Ok();
        c.op = ChangeOp::kDelete;
        RETURN_IF_ERROR(DecodeTuple(*c.table, d.old_tuple, c.before));
        c.before_is_key_only = d.old_kind == 'K';
        break;
      }
      case 'T': {
        auto& t = std::get<TruncateMsg>(m.body);
        c.op = ChangeOp::kTruncate;
        for (uint32_t oid : t.oids)
          if (auto s = rel(oid)) c.truncated.push_back(s);
        if (c.truncated.empty()) return Status::Ok();
        c.table = c.truncated.front();
        break;
      }
      default:
        return Status::Ok();
    }
    out.type = StreamEvent::Type::kChange;
    return Status::Ok();
  }

  Status StartReplay(const StreamCommitMsg& sc) {
    auto it = writers_.find(sc.xid);
    Replay r;
    r.info = TransactionInfo{std::to_string(sc.xid), LsnPosition(sc.commit_lsn),
                             PgEpochMicrosToUnix(sc.commit_time_pg_us)};
    r.end_lsn = sc.end_lsn;
    r.xid = sc.xid;
    auto ab = aborted_.find(sc.xid);
    if (ab != aborted_.end()) {
      r.aborted = std::move(ab->second);
      aborted_.erase(ab);
    }
    if (it != writers_.end()) {
      RETURN_IF_ERROR(it->second.Finish());
      Log(LogLevel::kDebug, "replaying streamed transaction {} ({} changes spooled)", sc.xid,
          it->second.records());
      writers_.erase(it);
      ASSIGN_OR_RETURN(SpoolReader reader,
                       SpoolReader::Open(spool_.PathFor(std::to_string(sc.xid))));
      r.reader.emplace(std::move(reader));
    }
    replay_.emplace(std::move(r));
    return Status::Ok();
  }

  Status ReplayNext(StreamEvent& out) {
    Replay& r = *replay_;
    if (!r.begun) {
      r.begun = true;
      in_txn_ = true;
      out.type = StreamEvent::Type::kBegin;
      out.txn = r.info;
      return Status::Ok();
    }
    while (r.reader) {
      ASSIGN_OR_RETURN(bool more, r.reader->Next(record_));
      if (!more) break;
      ASSIGN_OR_RETURN(Message m, ParseMessage(record_, /*in_stream=*/true));
      if (r.aborted.count(m.xid)) continue;
      RETURN_IF_ERROR(MakeChange(m, out).WithContext("streamed transaction " + r.info.xid));
      if (out.type != StreamEvent::Type::kNone) return Status::Ok();
    }
    out.type = StreamEvent::Type::kCommit;
    out.txn = r.info;
    delivered_.emplace_back(r.info.position.major, r.end_lsn);
    in_txn_ = false;
    uint32_t xid = r.xid;
    replay_.reset();
    return spool_.Remove(std::to_string(xid));
  }

  struct Replay {
    TransactionInfo info;
    uint64_t end_lsn = 0;
    uint32_t xid = 0;
    std::unordered_set<uint32_t> aborted;
    std::optional<SpoolReader> reader;
    bool begun = false;
  };

  std::unique_ptr<PgConn> conn_;
  std::map<TableName, TableSchemaPtr> known_;
  std::string uri_;                  // the source, for catalog reads (DescribeChangedColumns)
  std::unique_ptr<PgConn> catalog_;  // opened at the first schema change
  SpoolDir spool_;
  std::unordered_map<uint32_t, TableSchemaPtr> relations_;
  std::unordered_map<uint32_t, SpoolWriter> writers_;  // streamed, uncommitted transactions
  std::unordered_map<uint32_t, std::unordered_set<uint32_t>> aborted_;  // xid -> aborted subxids
  std::optional<Replay> replay_;
  std::string record_;
  std::deque<std::pair<uint64_t, uint64_t>> delivered_;  // (commit lsn, end lsn) not confirmed
  bool in_stream_ = false;
  bool in_txn_ = false;
  uint32_t stream_xid_ = 0;
  uint64_t received_ = 0, flushed_ = 0, last_sent_flushed_ = 0, last_wal_ = 0;
  uint64_t read_through_ = 0;  // the last keepalive's walEnd seen between transactions
  std::chrono::steady_clock::time_point last_status_{};
};

}  // namespace

Result<std::unique_ptr<ChangeStream>> PgSource::OpenStream(
    const std::string& task, const std::vector<TableSchemaPtr>& tables, const Position& from) {
  (void)from;  // the slot resumes at its confirmed_flush_lsn; the pipeline skips anything older
  std::string slot = SlotName(task), pub = PublicationName(task);
  // After a kill -9 the server may not yet have noticed that the previous walsender's client is
  // gone, and the slot is still "active" for a few moments: retry for a bounded time.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::unique_ptr<PgConn> repl;
  for (;;) {
    ASSIGN_OR_RETURN(repl, PgConn::Connect(uri_, ConnMode::kReplication, "cutover-stream"));
    Status s = repl->ExecOk("START_REPLICATION SLOT " + repl->QuoteIdent(slot) +
                                " LOGICAL 0/0 (proto_version '2', streaming 'on', "
                                "publication_names " +
                                repl->QuoteLiteral(repl->QuoteIdent(pub)) + ")",
                            "starting replication from slot " + slot);
    if (s.ok()) break;
    bool in_use = s.message().find("SQLSTATE 55006") != std::string::npos;
    if (!in_use || std::chrono::steady_clock::now() > deadline) return s;
    Log(LogLevel::kInfo, "slot {} is still held by a previous connection; retrying", slot);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSIGN_OR_RETURN(SpoolDir spool, SpoolDir::Open(spool_dir_));
  std::map<TableName, TableSchemaPtr> known;
  for (const auto& t : tables) known[t->name] = t;
  return std::unique_ptr<ChangeStream>(
      new PgStream(std::move(repl), std::move(known), std::move(spool), uri_));
}

}  // namespace cutover::pg
