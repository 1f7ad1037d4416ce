#include "engine/pg/pg_source.h"

#include "engine/core/table_pattern.h"

#include <poll.h>

#include <chrono>
#include <deque>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "engine/core/log.h"
#include "engine/core/spool.h"
#include "engine/pg/copy_text.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_types.h"
#include "engine/pg/pgoutput.h"

namespace cutover::pg {

namespace {

std::string OidArray(const std::vector<uint32_t>& oids) {
  std::string s = "{";
  for (size_t i = 0; i < oids.size(); ++i) s += (i ? "," : "") + std::to_string(oids[i]);
  return s + "}";
}

int64_t NowPgMicros() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return UnixMicrosToPgEpoch(us);
}

// ---------------------------------------------------------------------------------------------
// Full-load side

class PgTableReader : public TableReader {
 public:
  PgTableReader(std::unique_ptr<PgConn> conn, const TableSchema& table)
      : conn_(std::move(conn)), table_(table) {}

  Result<bool> Next(std::vector<Value>& row) override {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_->raw(), &buf, 0);
    if (n == -1) {
      PgResult res(PQgetResult(conn_->raw()));
      if (PQresultStatus(res.raw()) != PGRES_COMMAND_OK)
        return conn_->ErrorFrom(res.raw(), "table " + table_.name.ToString() + ": COPY TO");
      return false;
    }
    if (n < 0) return conn_->ConnectionError("table " + table_.name.ToString() + ": COPY TO");
    std::string_view line(buf, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    Status s = decoder_.Decode(line, fields_);
    if (s.ok() && fields_.size() != table_.columns.size()) {
      s = Internal("expected " + std::to_string(table_.columns.size()) + " fields, got " +
                   std::to_string(fields_.size()));
    }
    if (s.ok()) {
      row.resize(fields_.size());
      for (size_t i = 0; i < fields_.size() && s.ok(); ++i) {
        if (!fields_[i]) {
          row[i] = Value::Null();
          continue;
        }
        s = DecodeColumnText(table_.columns[i], *fields_[i], row[i]);
        if (!s.ok()) s = s.WithContext("column " + table_.columns[i].name);
      }
    }
    PQfreemem(buf);
    if (!s.ok()) return s.WithContext("table " + table_.name.ToString());
    return true;
  }

 private:
  std::unique_ptr<PgConn> conn_;
  TableSchema table_;
  CopyLineDecoder decoder_;
  std::vector<CopyField> fields_;
};

class PgSnapshot : public Snapshot {
 public:
  PgSnapshot(std::unique_ptr<PgConn> holder, std::string uri, std::string name, Position pos,
             std::set<TableName> partitioned)
      : holder_(std::move(holder)),
        uri_(std::move(uri)),
        name_(std::move(name)),
        pos_(std::move(pos)),
        partitioned_(std::move(partitioned)) {}

  const Position& position() const override { return pos_; }

  Result<std::unique_ptr<TableReader>> OpenReader(const TableSchema& table) override {
    std::string what = "table " + table.name.ToString();
    ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover-read"));
    RETURN_IF_ERROR(conn->ExecOk("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    RETURN_IF_ERROR(conn->ExecOk("SET TRANSACTION SNAPSHOT " + conn->QuoteLiteral(name_),
                                 what + ": importing snapshot " + name_));
    std::string cols;
    for (size_t i = 0; i < table.columns.size(); ++i)
      cols += (i ? ", " : "") + conn->QuoteIdent(table.columns[i].name);
    std::string rel = QualifiedName(*conn, table.name);
    // `COPY t TO` reads t's own rows only (never an inheritance child's, which is a table of its
    // own, selected or not) and refuses a partitioned table, which is read whole by a query.
    std::string sql = partitioned_.count(table.name)
                          ? "COPY (SELECT " + cols + " FROM " + rel + ") TO STDOUT"
                          : "COPY " + rel + " (" + cols + ") TO STDOUT";
    RETURN_IF_ERROR(conn->ExecOk(sql, what + ": COPY TO STDOUT"));
    return std::unique_ptr<TableReader>(new PgTableReader(std::move(conn), table));
  }

 private:
  std::unique_ptr<PgConn> holder_;  // keeps the exported snapshot alive; must stay idle
  std::string uri_;
  std::string name_;
  Position pos_;
  std::set<TableName> partitioned_;
};

Position LsnPosition(uint64_t lsn) {
  return Position{lsn, 0, FormatLsn(lsn)};
}

// Creates a logical slot with an exported snapshot on a fresh replication connection.
Result<std::unique_ptr<Snapshot>> CreateSlotWithSnapshot(const std::string& uri,
                                                         const std::string& slot, bool temporary,
                                                         std::set<TableName> partitioned) {
  ASSIGN_OR_RETURN(auto repl, PgConn::Connect(uri, ConnMode::kReplication, "cutover-snapshot"));
  std::string sql = "CREATE_REPLICATION_SLOT " + repl->QuoteIdent(slot) +
                    (temporary ? " TEMPORARY" : "") + " LOGICAL pgoutput (SNAPSHOT 'export')";
  ASSIGN_OR_RETURN(auto res, repl->Exec(sql, "creating replication slot " + slot));
  if (res.rows() != 1 || res.cols() < 3)
    return Internal("CREATE_REPLICATION_SLOT: unexpected reply");
  ASSIGN_OR_RETURN(uint64_t lsn, ParseLsn(res.get(0, 1)));
  std::string snapshot_name = res.str(0, 2);
  Log(LogLevel::kInfo, "{}slot {} created at {} (snapshot {})", temporary ? "temporary " : "", slot,
      FormatLsn(lsn), snapshot_name);
  return std::unique_ptr<Snapshot>(new PgSnapshot(std::move(repl), uri, snapshot_name,
                                                  LsnPosition(lsn), std::move(partitioned)));
}

// ---------------------------------------------------------------------------------------------
// CDC side

class PgStream : public ChangeStream {
 public:
  PgStream(std::unique_ptr<PgConn> conn, std::map<TableName, TableSchemaPtr> known, SpoolDir spool)
      : conn_(std::move(conn)), known_(std::move(known)), spool_(std::move(spool)) {}

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
      c.kind = KindForTypeOid(rc.type_oid);
      for (const Column& kc : known->second->columns) {
        if (kc.name == rc.name) {
          c.type_name = kc.type_name;
          c.nullable = kc.nullable;
        }
      }
      c.type = DescribePgColumnType(c.type_id, c.type_name, c.kind);
      if (rc.key) schema->key.push_back(i);
      schema->columns.push_back(std::move(c));
    }
    if (schema->key.empty()) schema->key = known->second->key;
    schema->computed = known->second->computed;  // pgoutput leaves generated columns out
    relations_[r.oid] = std::move(schema);
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
  std::chrono::steady_clock::time_point last_status_{};
};

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<std::vector<TableSchemaPtr>> PgSource::DiscoverTables(const TableSelection& patterns,
                                                             StartReport& problems) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  ASSIGN_OR_RETURN(
      auto rels, conn->Exec("SELECT c.oid, n.nspname, c.relname, c.relkind, c.relreplident, "
                            "greatest(c.reltuples, 0)::bigint FROM pg_class c "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
                            "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover') "
                            "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 2, 3",
                            "listing source tables"));
  struct Candidate {
    uint32_t oid;
    std::shared_ptr<TableSchema> schema;
    char replident;
    bool refused = false;
  };
  std::vector<Candidate> chosen;
  TablePatterns selection(patterns);
  for (int r = 0; r < rels.rows(); ++r) {
    TableName name{rels.str(r, 1), rels.str(r, 2)};
    if (!selection.Select(name)) continue;
    auto schema = std::make_shared<TableSchema>();
    schema->name = name;
    schema->engine = "postgresql";
    schema->estimated_rows = std::stoll(rels.str(r, 5));
    if (rels.get(r, 3) == "p") partitioned_.insert(name);
    chosen.push_back({static_cast<uint32_t>(std::stoul(rels.str(r, 0))), schema,
                      rels.get(r, 4).empty() ? 'd' : rels.get(r, 4)[0]});
  }
  selection.ReportUnused(problems);
  if (chosen.empty()) {
    if (!problems.empty()) return std::vector<TableSchemaPtr>{};  // the report says why
    return NotFound("the source database has no user tables to replicate");
  }

  std::vector<uint32_t> oids;
  std::unordered_map<uint32_t, Candidate*> by_oid;
  for (auto& c : chosen) {
    oids.push_back(c.oid);
    by_oid[c.oid] = &c;
  }
  std::string arr = OidArray(oids);
  ASSIGN_OR_RETURN(
      auto cols,
      conn->ExecParams("SELECT a.attrelid, a.attname, a.atttypid, "
                       "format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated, "
                       "pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
                       "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                       "WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
                       "ORDER BY a.attrelid, a.attnum",
                       {arr.c_str()}, "reading source columns"));
  for (int r = 0; r < cols.rows(); ++r) {
    Candidate* c = by_oid[static_cast<uint32_t>(std::stoul(cols.str(r, 0)))];
    Column col;
    col.name = cols.str(r, 1);
    col.type_id = static_cast<uint32_t>(std::stoul(cols.str(r, 2)));
    col.kind = KindForTypeOid(col.type_id);
    col.type_name = cols.str(r, 3);
    col.type = DescribePgColumnType(col.type_id, col.type_name, col.kind);
    col.nullable = cols.get(r, 4) != "t";
    if (!cols.get(r, 5).empty()) {
      // A generated column: pgoutput and COPY leave it out, so the target computes it.
      col.generated = cols.str(r, 6);
      col.generated_stored = cols.get(r, 5) == "s";
      c->schema->computed.push_back(std::move(col));
      continue;
    }
    c->schema->columns.push_back(std::move(col));
  }
  // Key: the replica identity index when the table uses one, else the primary key.
  ASSIGN_OR_RETURN(
      auto keys,
      conn->ExecParams("SELECT i.indrelid, i.indisprimary, i.indisreplident, a.attname "
                       "FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY "
                       "AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
                       "a.attnum = k.attnum WHERE (i.indisprimary OR i.indisreplident) AND "
                       "i.indrelid = ANY($1::oid[]) ORDER BY i.indrelid, i.indexrelid, k.ord",
                       {arr.c_str()}, "reading source keys"));
  for (auto& c : chosen) {
    std::vector<std::string> pk, ri;
    for (int r = 0; r < keys.rows(); ++r) {
      if (static_cast<uint32_t>(std::stoul(keys.str(r, 0))) != c.oid) continue;
      if (keys.get(r, 1) == "t") pk.push_back(keys.str(r, 3));
      if (keys.get(r, 2) == "t") ri.push_back(keys.str(r, 3));
    }
    const auto& names = (c.replident == 'i' && !ri.empty()) ? ri : pk;
    for (const auto& n : names) {
      for (size_t i = 0; i < c.schema->columns.size(); ++i)
        if (c.schema->columns[i].name == n) c.schema->key.push_back(i);
      for (const Column& g : c.schema->computed) {
        if (g.name != n) continue;
        problems.Refuse(
            "column " + c.schema->name.ToString() + "." + n,
            "is a generated column in the table's key: change capture does not "
            "carry its values",
            "leave the table out with --exclude-tables '" + c.schema->name.ToString() + "'");
        c.refused = true;
      }
    }
    if (c.replident == 'n') c.schema->key.clear();  // REPLICA IDENTITY NOTHING: no usable key
  }
  std::vector<TableSchemaPtr> out;
  for (auto& c : chosen)
    if (!c.refused) out.push_back(c.schema);
  return out;
}

Status PgSource::CheckChangeCapture(StartReport& problems) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  ASSIGN_OR_RETURN(auto wl, conn->Exec("SELECT current_setting('wal_level'), "
                                       "(SELECT rolreplication OR rolsuper FROM pg_roles "
                                       "WHERE rolname = current_user)"));
  const std::string source = "source " + conn->redacted_uri();
  if (wl.get(0, 0) != "logical") {
    problems.Refuse(source, "has wal_level=" + wl.str(0, 0) + "; change data capture needs logical",
                    "ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL");
  }
  if (wl.get(0, 1) != "t") {
    problems.Refuse(source, "the role lacks the REPLICATION attribute needed for logical decoding",
                    "ALTER ROLE ... REPLICATION");
  }
  return Status::Ok();
}

// Makes publication `pub` publish exactly `tables` (creating it if missing) and checks that it
// does, in one transaction: on any difference nothing is changed and the error names the tables.
static Status PublishExactly(PgConn& conn, const std::string& pub,
                             const std::vector<TableSchemaPtr>& tables) {
  // ONLY on every table: without it an inheritance parent publishes its children too, and a
  // child without a replica identity then makes the application's UPDATE/DELETE on the parent
  // fail on the source. A partitioned table is published as its root (its partitions are
  // published through it, under the root's name).
  std::string list;
  std::set<TableName> wanted;
  for (size_t i = 0; i < tables.size(); ++i) {
    list += (i ? ", ONLY " : "ONLY ") + QualifiedName(conn, tables[i]->name);
    wanted.insert(tables[i]->name);
  }
  const std::string what = "publication " + pub;
  auto published = [&]() -> Result<std::set<TableName>> {
    ASSIGN_OR_RETURN(auto r, conn.ExecParams("SELECT schemaname, tablename FROM "
                                             "pg_publication_tables WHERE pubname = $1",
                                             {pub.c_str()}, what + ": reading its tables"));
    std::set<TableName> out;
    for (int i = 0; i < r.rows(); ++i) out.insert(TableName{r.str(i, 0), r.str(i, 1)});
    return out;
  };
  auto names = [](const std::vector<TableName>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].ToString();
    return s;
  };
  // Created or changed and checked in one transaction: a publication that would publish more
  // than the task's tables is rolled back, never visible to the source's sessions.
  RETURN_IF_ERROR(conn.ExecOk("BEGIN", what + ": BEGIN"));
  auto rollback = [&](Status s) {
    (void)conn.ExecOk("ROLLBACK");
    return s;
  };
  ASSIGN_OR_RETURN(auto has_pub, conn.ExecParams("SELECT 1 FROM pg_publication WHERE pubname = $1",
                                                 {pub.c_str()}, "looking up " + what));
  std::vector<TableName> stale;
  Status s;
  if (has_pub.rows() == 0) {
    s = conn.ExecOk("CREATE PUBLICATION " + conn.QuoteIdent(pub) + " FOR TABLE " + list +
                        " WITH (publish_via_partition_root = true)",
                    "creating " + what);
  } else {
    // A publication made by an older cutover (FOR TABLE without ONLY) may publish inheritance
    // children or partitions: SET TABLE replaces its list, which repairs it.
    auto before = published();
    if (!before.ok()) return rollback(before.status());
    for (const auto& t : *before)
      if (!wanted.count(t)) stale.push_back(t);
    s = conn.ExecOk("ALTER PUBLICATION " + conn.QuoteIdent(pub) + " SET TABLE " + list,
                    "updating " + what);
    if (s.ok()) {
      s = conn.ExecOk(
          "ALTER PUBLICATION " + conn.QuoteIdent(pub) + " SET (publish_via_partition_root = true)",
          "updating " + what);
    }
  }
  if (!s.ok()) return rollback(s);
  auto after = published();
  if (!after.ok()) return rollback(after.status());
  std::vector<TableName> extra, missing;
  for (const auto& t : *after)
    if (!wanted.count(t)) extra.push_back(t);
  for (const auto& t : wanted)
    if (!after->count(t)) missing.push_back(t);
  if (!extra.empty() || !missing.empty()) {
    return rollback(FailedPrecondition(
        what + " would publish " +
        (extra.empty() ? "" : "tables outside the task (" + names(extra) + ")") +
        (!extra.empty() && !missing.empty() ? " and " : "") +
        (missing.empty() ? "" : "not all of the task's tables (missing " + names(missing) + ")") +
        "; nothing was changed on the source (a published table without a replica identity "
        "makes the application's UPDATE and DELETE on it fail)"));
  }
  // Every relation an UPDATE/DELETE of the application may now reach through the publication
  // (each table, each leaf partition of a partitioned one) must be able to identify its rows,
  // or PostgreSQL refuses the application's statement.
  // (pg_partition_tree lists nothing for a table that is not partitioned.)
  auto blind = conn.ExecParams(
      "WITH rels AS (SELECT format('%I.%I', schemaname, tablename)::regclass AS oid "
      "FROM pg_publication_tables WHERE pubname = $1), "
      "reached AS (SELECT oid FROM rels UNION SELECT p.relid FROM rels CROSS JOIN LATERAL "
      "pg_partition_tree(rels.oid) p WHERE p.isleaf) "
      "SELECT n.nspname, c.relname FROM reached r JOIN pg_class c ON c.oid = r.oid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND NOT "
      "(c.relreplident = 'f' OR EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND "
      "CASE c.relreplident WHEN 'd' THEN i.indisprimary WHEN 'i' THEN i.indisreplident "
      "ELSE false END)) ORDER BY 1, 2",
      {pub.c_str()}, what + ": checking replica identities");
  if (!blind.ok()) return rollback(blind.status());
  if (blind->rows() > 0) {
    std::vector<TableName> v;
    for (int i = 0; i < blind->rows(); ++i) v.push_back({blind->str(i, 0), blind->str(i, 1)});
    return rollback(FailedPrecondition(
        what + " would publish " + names(v) +
        " without a replica identity (no primary key or replica identity index): the "
        "application's UPDATE and DELETE on them would fail; nothing was changed on the source. "
        "Add a primary key to each, or leave the table they belong to out (--exclude-tables)"));
  }
  RETURN_IF_ERROR(conn.ExecOk("COMMIT", what + ": COMMIT"));
  if (!stale.empty()) {
    Log(LogLevel::kWarn,
        "{} also published {} (made by an older cutover without ONLY); it now publishes "
        "exactly the task's tables",
        what, names(stale));
  }
  return Status::Ok();
}

Result<CdcSetup> PgSource::PrepareCdc(const std::string& task,
                                      const std::vector<TableSchemaPtr>& tables,
                                      bool want_snapshot) {
  StartReport problems;
  RETURN_IF_ERROR(CheckChangeCapture(problems));
  RETURN_IF_ERROR(problems.ToStatus("task " + task));
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  std::string pub = PublicationName(task), slot = SlotName(task);
  RETURN_IF_ERROR(PublishExactly(*conn, pub, tables));
  ASSIGN_OR_RETURN(auto has_slot,
                   conn->ExecParams("SELECT wal_status FROM pg_replication_slots WHERE "
                                    "slot_name = $1",
                                    {slot.c_str()}, "looking up replication slot"));
  CdcSetup setup;
  if (has_slot.rows() == 1) {
    if (has_slot.get(0, 0) == "lost") {
      return DataLoss("replication slot " + slot +
                      " has lost required WAL (wal_status=lost); "
                      "drop the task and start again");
    }
    return setup;
  }
  setup.created = true;
  if (want_snapshot) {
    ASSIGN_OR_RETURN(setup.snapshot, CreateSlotWithSnapshot(uri_, slot, false, partitioned_));
  } else {
    ASSIGN_OR_RETURN(auto repl, PgConn::Connect(uri_, ConnMode::kReplication, "cutover"));
    RETURN_IF_ERROR(repl->ExecOk("CREATE_REPLICATION_SLOT " + repl->QuoteIdent(slot) +
                                     " LOGICAL pgoutput (SNAPSHOT 'nothing')",
                                 "creating replication slot " + slot));
  }
  return setup;
}

Result<std::unique_ptr<Snapshot>> PgSource::OpenSnapshot(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  ASSIGN_OR_RETURN(auto wl, conn->Exec("SELECT current_setting('wal_level')"));
  if (wl.get(0, 0) == "logical") {
    // A temporary slot gives a snapshot whose position is comparable with the task's stream.
    std::string tmp = SlotName(task) + "_tmp_" + std::to_string(getpid());
    return CreateSlotWithSnapshot(uri_, tmp, true, partitioned_);
  }
  // Full load only, without logical decoding: an exported snapshot of a plain transaction.
  RETURN_IF_ERROR(conn->ExecOk("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  ASSIGN_OR_RETURN(auto snap, conn->Exec("SELECT pg_export_snapshot(), pg_current_wal_lsn()"));
  ASSIGN_OR_RETURN(uint64_t lsn, ParseLsn(snap.get(0, 1)));
  std::string name = snap.str(0, 0);
  return std::unique_ptr<Snapshot>(
      new PgSnapshot(std::move(conn), uri_, name, LsnPosition(lsn), partitioned_));
}

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
      new PgStream(std::move(repl), std::move(known), std::move(spool)));
}

Result<Position> PgSource::ParsePosition(const std::string& text) const {
  ASSIGN_OR_RETURN(uint64_t lsn, ParseLsn(text));
  return LsnPosition(lsn);
}

Status PgSource::DropTask(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  std::string slot = SlotName(task), pub = PublicationName(task);
  ASSIGN_OR_RETURN(auto active,
                   conn->ExecParams("SELECT active_pid FROM pg_replication_slots WHERE "
                                    "slot_name = $1",
                                    {slot.c_str()}, "looking up replication slot"));
  if (active.rows() == 1) {
    if (!active.is_null(0, 0)) {
      return FailedPrecondition("replication slot " + slot + " is in use by process " +
                                active.str(0, 0) + "; stop the running task first");
    }
    RETURN_IF_ERROR(conn->ExecParams("SELECT pg_drop_replication_slot($1)", {slot.c_str()},
                                     "dropping replication slot " + slot)
                        .status());
  }
  return conn->ExecOk("DROP PUBLICATION IF EXISTS " + conn->QuoteIdent(pub),
                      "dropping publication " + pub);
}

}  // namespace cutover::pg
