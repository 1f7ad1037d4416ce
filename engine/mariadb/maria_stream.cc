// MariaSource::OpenStream and the ChangeStream over the binlog.
//
// The binlog already holds transactions whole and in commit order (unlike pgoutput's streamed
// in-progress chunks), so nothing is spooled: events are turned into StreamEvents as they are
// read and a 200,000-row transaction flows through with the memory of one rows event.
//
//   GTID (not standalone) -> kBegin; its position is the GTID event's end offset, and its text
//                            the GTID state including it (resume point by GTID)
//   rows events           -> one kChange per row of the task's tables (others are not decoded)
//   XID, or QUERY COMMIT  -> kCommit
//   GTID standalone       -> kBegin, then its QUERY (DDL) -> kCommit with no changes: the
//                            checkpoint moves past it; DDL is not replicated (logged); a schema
//                            statement naming a task table makes its next rows event read the
//                            catalog again (docs/ddl.md)
//   ... TRUNCATE of a task table -> kBegin, one kTruncate change, kCommit: MariaDB logs TRUNCATE
//                            as a statement even with binlog_format=ROW (no row events)
//   ... ALTER TABLE ... TRUNCATE/DROP/EXCHANGE PARTITION of a task table: rows go without row
//                            events and cannot be followed; a warning names the table and the
//                            operation (docs/ddl.md)
//   HEARTBEAT             -> kNone (nothing arrived in time); its position is CaughtUpTo()
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "engine/core/log.h"
#include "engine/mariadb/binlog_reader.h"
#include "engine/mariadb/maria_source.h"

namespace cutover::mariadb {

namespace {

constexpr std::chrono::milliseconds kHeartbeat{200};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Reads an SQL statement a word or identifier at a time, skipping spaces and comments (`#`,
// `-- `, `/* */`). Identifiers may be backquoted.
class StatementWords {
 public:
  explicit StatementWords(std::string_view q) : q_(q) {}

  // Consumes the keyword `w` (lowercase; matched case-insensitively, as a whole word).
  bool Word(std::string_view w) {
    SkipSpace();
    if (q_.size() < w.size() || Lower(q_.substr(0, w.size())) != w) return false;
    if (q_.size() > w.size() &&
        (std::isalnum(static_cast<unsigned char>(q_[w.size()])) || q_[w.size()] == '_'))
      return false;
    q_.remove_prefix(w.size());
    return true;
  }

  bool Consume(char c) {
    if (!q_.starts_with(c)) return false;
    q_.remove_prefix(1);
    return true;
  }

  std::optional<std::string> Ident() {
    SkipSpace();
    if (q_.starts_with('`')) {
      std::string out;
      size_t i = 1;
      for (; i < q_.size(); ++i) {
        if (q_[i] == '`') {
          if (i + 1 < q_.size() && q_[i + 1] == '`') {
            out += '`';
            ++i;
            continue;
          }
          break;
        }
        out += q_[i];
      }
      if (i >= q_.size()) return std::nullopt;
      q_.remove_prefix(i + 1);
      return out;
    }
    size_t n = 0;
    while (n < q_.size() && (std::isalnum(static_cast<unsigned char>(q_[n])) || q_[n] == '_' ||
                             q_[n] == '$' || static_cast<unsigned char>(q_[n]) >= 0x80))
      ++n;
    if (n == 0) return std::nullopt;
    std::string out(q_.substr(0, n));
    q_.remove_prefix(n);
    return out;
  }

  // Whether anything but spaces and comments is left.
  bool More() {
    SkipSpace();
    return !q_.empty();
  }

  // Skips one token: an identifier or word, a quoted string, or one other character.
  void Skip() {
    SkipSpace();
    if (q_.empty()) return;
    char quote = q_.front();
    if (quote == '\'' || quote == '"') {
      size_t i = 1;
      while (i < q_.size() && q_[i] != quote) i += q_[i] == '\\' ? 2 : 1;
      q_.remove_prefix(std::min(i + 1, q_.size()));
      return;
    }
    if (!Ident()) q_.remove_prefix(1);
  }

 private:
  void SkipSpace() {
    for (;;) {
      while (!q_.empty() && std::isspace(static_cast<unsigned char>(q_.front())))
        q_.remove_prefix(1);
      if (q_.starts_with("#") || q_.starts_with("-- ") || q_.starts_with("--\t") ||
          q_.starts_with("--\n")) {  // a line comment
        size_t end = q_.find('\n');
        q_.remove_prefix(end == std::string_view::npos ? q_.size() : end + 1);
        continue;
      }
      if (!q_.starts_with("/*")) return;
      size_t end = q_.find("*/");
      q_.remove_prefix(end == std::string_view::npos ? q_.size() : end + 2);
    }
  }

  std::string_view q_;
};

// 16 bytes -> "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (the binlog logs UUID columns in text order).
std::string UuidText(std::string_view b) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[static_cast<unsigned char>(b[i]) >> 4]);
    out.push_back(kHex[static_cast<unsigned char>(b[i]) & 15]);
  }
  return out;
}

class MariaChangeStream : public ChangeStream {
 public:
  // Reads a table's schema from the source catalog as it is now (after a schema change).
  using Describe = std::function<Result<TableSchemaPtr>(const TableName&)>;

  MariaChangeStream(std::unique_ptr<BinlogReader> reader,
                    std::map<std::pair<std::string, std::string>, TableSchemaPtr> tables,
                    std::vector<Gtid> state, Describe describe)
      : reader_(std::move(reader)), tables_(std::move(tables)), describe_(std::move(describe)) {
    for (const Gtid& g : state) state_[g.domain] = g;
  }

  Status Next(StreamEvent& out, std::chrono::milliseconds wait) override {
    auto deadline = std::chrono::steady_clock::now() + wait;
    out.type = StreamEvent::Type::kNone;
    while (true) {
      if (truncate_done_) {  // the TRUNCATE statement's transaction ends after its change
        truncate_done_ = false;
        return Commit(out);
      }
      if (next_row_ < ev_.rows.size()) return EmitRow(out);
      RETURN_IF_ERROR(reader_->Next(ev_));
      next_row_ = ev_.rows.size();  // nothing pending unless a rows event of ours says so
      switch (ev_.type) {
        case BinlogEvent::Type::kGtid:
          return Begin(out);
        case BinlogEvent::Type::kXid:
          return Commit(out);
        case BinlogEvent::Type::kQuery:
          if (in_txn_ && standalone_) {
            if (TableSchemaPtr t = TruncatedTable()) return EmitTruncate(out, std::move(t));
          }
          if (in_txn_ && OnQuery()) return Commit(out);
          break;
        case BinlogEvent::Type::kWriteRows:
        case BinlogEvent::Type::kUpdateRows:
        case BinlogEvent::Type::kDeleteRows:
          RETURN_IF_ERROR(OnRows());
          break;
        case BinlogEvent::Type::kHeartbeat:
          // The dump thread waits for new events: it has sent everything up to its position.
          if (!in_txn_) {
            auto p = MakeBinlogPosition(reader_->file(), reader_->position(), StateText());
            if (p.ok()) read_through_ = std::move(*p);
          }
          if (std::chrono::steady_clock::now() >= deadline) return Status::Ok();
          break;
        default:
          break;
      }
    }
  }

  Status Confirm(const Position&) override { return Status::Ok(); }  // no slot to advance

  // The last heartbeat's position (the dump thread's, at the binlog's end) seen between
  // transactions: any later transaction's GTID event ends after it.
  std::optional<Position> CaughtUpTo() const override {
    if (in_txn_ || read_through_.empty()) return std::nullopt;
    return read_through_;
  }

 private:
  std::string StateText() const {
    std::string s;
    for (const auto& [domain, g] : state_) s += (s.empty() ? "" : ",") + g.ToString();
    return s;
  }

  std::string Where() const { return ev_.file + ":" + std::to_string(ev_.next_pos); }

  Status Begin(StreamEvent& out) {
    if (in_txn_) {
      return Internal("binlog " + Where() + ": GTID " + ev_.gtid.ToString() +
                      " starts inside transaction " + txn_.xid + " (no XID/COMMIT seen)");
    }
    state_[ev_.gtid.domain] = ev_.gtid;
    ASSIGN_OR_RETURN(txn_.position, MakeBinlogPosition(ev_.file, ev_.next_pos, StateText()));
    txn_.xid = ev_.gtid.ToString();
    txn_.commit_time_us = static_cast<int64_t>(ev_.timestamp) * 1000000;
    in_txn_ = true;
    standalone_ = ev_.gtid_standalone;
    out.type = StreamEvent::Type::kBegin;
    out.txn = txn_;
    return Status::Ok();
  }

  Status Commit(StreamEvent& out) {
    if (!in_txn_) {
      return Internal("binlog " + Where() + ": transaction end without a GTID event before it");
    }
    in_txn_ = false;
    out.type = StreamEvent::Type::kCommit;
    out.txn = txn_;
    return Status::Ok();
  }

  // Whether the QUERY event ends the open transaction.
  bool OnQuery() {
    std::string q = Lower(ev_.query.substr(0, 16));
    if (q == "begin") return false;
    if (q == "commit") return true;
    if (standalone_) {  // DDL or a non-transactional statement
      // A task table's schema may have changed: its next rows event reads the catalog again
      // and the pipeline follows the difference (docs/ddl.md).
      std::string lower = Lower(ev_.query);
      bool ours = false;
      for (const auto& [key, schema] : tables_) {
        if (lower.find(Lower(key.second)) != std::string::npos) {
          stale_.insert(key);
          ours = true;
        }
      }
      auto removed = PartitionRowsRemoved();
      for (const auto& [table, op] : removed) {
        Log(LogLevel::kWarn,
            "binlog {}: {} of {} removes rows without row events: not followed, the target "
            "keeps them (`cutover validate` names them; reload the table to match): {}",
            Where(), op, table->name.ToString(), ev_.query.substr(0, 160));
      }
      if (removed.empty()) {
        if (ours)
          Log(LogLevel::kInfo, "binlog {}: schema statement: {}", Where(),
              ev_.query.substr(0, 160));
        else
          Log(LogLevel::kDebug, "binlog {}: statement not replicated: {}", Where(),
              ev_.query.substr(0, 160));
      }
      return true;
    }
    return false;
  }

  Status OnRows() {
    if (ev_.rows_skipped || !ev_.table_map) return Status::Ok();
    const TableMap& map = *ev_.table_map;
    auto it = tables_.find({map.database, map.table});
    if (it == tables_.end()) return Status::Ok();
    if (!in_txn_) {
      return Internal("binlog " + Where() + ": rows event for " + map.database + "." + map.table +
                      " outside a transaction");
    }
    if (stale_.count(it->first) || map.column_count() != it->second->columns.size() ||
        NamesDiffer(map, *it->second)) {
      stale_.erase(it->first);
      ASSIGN_OR_RETURN(TableSchemaPtr now, describe_(it->second->name));
      if (now->columns.size() == map.column_count() && !NamesDiffer(map, *now)) {
        it->second = now;
      } else if (TableSchemaPtr at = AsLogged(map, *now, *it->second)) {
        it->second = at;  // the catalog has moved on since this event: the binlog's columns
      }
    }
    const TableSchema& schema = *it->second;
    if (map.column_count() != schema.columns.size() || NamesDiffer(map, schema)) {
      return FailedPrecondition(
          "table " + schema.name.ToString() + " changed at binlog " + Where() +
          ": the binlog has " + std::to_string(map.column_count()) +
          " columns, the source catalog " + std::to_string(schema.columns.size()) +
          " (the table changed again since): restart the task once the schema is stable");
    }
    table_ = it->second;
    op_ = ev_.type == BinlogEvent::Type::kWriteRows    ? ChangeOp::kInsert
          : ev_.type == BinlogEvent::Type::kUpdateRows ? ChangeOp::kUpdate
                                                       : ChangeOp::kDelete;
    next_row_ = 0;
    return Status::Ok();
  }

  // The table as this rows event logged it, when the catalog has changed again since (later
  // schema statements): the binlog's column names, in its order, each described by the catalog
  // now or else by the schema before (a column renamed or dropped later). Null when the binlog
  // does not name its columns or names one neither knows. Key and foreign-key columns are found
  // by name; schema objects (indexes, checks) are not needed to stream and are left out.
  static TableSchemaPtr AsLogged(const TableMap& map, const TableSchema& now,
                                 const TableSchema& before) {
    if (map.column_names.size() != map.column_count()) return nullptr;
    auto find = [](const TableSchema& t, const std::string& name) -> const Column* {
      for (const Column& c : t.columns)
        if (c.name == name) return &c;
      return nullptr;
    };
    auto at = std::make_shared<TableSchema>(now);
    at->columns.clear();
    at->indexes.clear();
    at->checks.clear();
    for (const std::string& name : map.column_names) {
      const Column* c = find(now, name);
      if (!c) c = find(before, name);
      if (!c) return nullptr;
      at->columns.push_back(*c);
    }
    auto index_of = [&](const std::string& name) -> std::optional<size_t> {
      for (size_t i = 0; i < at->columns.size(); ++i)
        if (at->columns[i].name == name) return i;
      return std::nullopt;
    };
    auto remap = [&](const TableSchema& from, const std::vector<size_t>& cols,
                     std::vector<size_t>& out) {
      out.clear();
      for (size_t k : cols) {
        auto i = index_of(from.columns[k].name);
        if (!i) return false;
        out.push_back(*i);
      }
      return true;
    };
    if (!remap(now, now.key, at->key) && !remap(before, before.key, at->key)) return nullptr;
    at->foreign_keys.clear();
    for (const ForeignKey& fk : now.foreign_keys) {
      ForeignKey f = fk;
      if (remap(now, fk.columns, f.columns)) at->foreign_keys.push_back(std::move(f));
    }
    return at;
  }

  // Whether the binlog names the columns (binlog_row_metadata=FULL) otherwise than `schema`.
  static bool NamesDiffer(const TableMap& map, const TableSchema& schema) {
    if (map.column_names.empty() || map.column_names.size() != schema.columns.size()) return false;
    for (size_t i = 0; i < schema.columns.size(); ++i)
      if (map.column_names[i] != schema.columns[i].name) return true;
    return false;
  }

  // Coerces decoded kinds to the catalog's where docs/types.md says they differ (JSON is a
  // LONGTEXT in the binlog); anything else that disagrees is a decoder bug, never data.
  Status Coerce(std::vector<Value>& row) {
    const TableSchema& schema = *table_;
    for (size_t i = 0; i < row.size(); ++i) {
      Value& v = row[i];
      ValueKind want = schema.columns[i].kind;
      if (v.kind() == want || v.is_null() || v.is_unchanged() || v.kind() == ValueKind::kOther)
        continue;
      if (want == ValueKind::kJson && v.kind() == ValueKind::kText) {
        v = Value::String(ValueKind::kJson, std::string(v.str()));
        continue;
      }
      if (want == ValueKind::kUuid && v.kind() == ValueKind::kBytes && v.str().size() == 16) {
        v = Value::String(ValueKind::kUuid, UuidText(v.str()));  // logged in text byte order
        continue;
      }
      return Internal("binlog " + Where() + ": table " + schema.name.ToString() + " column " +
                      schema.columns[i].name + ": decoded a " + ValueKindName(v.kind()) +
                      " where the catalog says " + ValueKindName(want));
    }
    return Status::Ok();
  }

  // The task table a standalone `TRUNCATE [TABLE] [db.]name ...` statement empties; null for any
  // other statement (or a table outside the task). Comments before the name and backquoted
  // names are allowed.
  TableSchemaPtr TruncatedTable() const {
    StatementWords q(ev_.query);
    if (!q.Word("truncate")) return nullptr;
    (void)q.Word("table");
    // What may follow (WAIT n, NOWAIT, a comment) names no other table: TRUNCATE empties one.
    return TaskTable(q);
  }

  // `ALTER [ONLINE] [IGNORE] TABLE [IF EXISTS] [db.]name ... TRUNCATE|DROP|EXCHANGE PARTITION`:
  // rows removed (or swapped with another table's: `EXCHANGE PARTITION p WITH TABLE other`)
  // without row events, which the target cannot follow. The task tables whose rows so change,
  // each with the operation; none for other statements.
  std::vector<std::pair<TableSchemaPtr, std::string>> PartitionRowsRemoved() const {
    std::vector<std::pair<TableSchemaPtr, std::string>> out;
    StatementWords q(ev_.query);
    if (!q.Word("alter")) return out;
    (void)q.Word("online");
    (void)q.Word("ignore");
    if (!q.Word("table")) return out;
    if (q.Word("if") && !q.Word("exists")) return out;
    TableSchemaPtr altered = TaskTable(q);
    while (q.More()) {
      std::string op = q.Word("truncate")   ? "TRUNCATE"
                       : q.Word("drop")     ? "DROP"
                       : q.Word("exchange") ? "EXCHANGE"
                                            : "";
      if (op.empty()) {
        q.Skip();
        continue;
      }
      if (!q.Word("partition")) continue;
      op += " PARTITION";
      if (altered) out.emplace_back(altered, op);
      if (op == "EXCHANGE PARTITION" && q.Ident() && q.Word("with") && q.Word("table"))
        if (TableSchemaPtr other = TaskTable(q)) out.emplace_back(other, op);
    }
    return out;
  }

  // The task table `[db.]name` at `q` names (the statement's database when unqualified).
  TableSchemaPtr TaskTable(StatementWords& q) const {
    auto first = q.Ident();
    if (!first) return nullptr;
    std::string db = ev_.query_db, name = *first;
    if (q.Consume('.')) {
      auto second = q.Ident();
      if (!second) return nullptr;
      db = *first;
      name = *second;
    }
    auto it = tables_.find({db, name});
    return it == tables_.end() ? nullptr : it->second;
  }

  Status EmitTruncate(StreamEvent& out, TableSchemaPtr table) {
    Log(LogLevel::kInfo, "binlog {}: TRUNCATE of {}", Where(), table->name.ToString());
    out.type = StreamEvent::Type::kChange;
    Change& c = out.change;
    c = Change{};
    c.op = ChangeOp::kTruncate;
    c.table = table;
    c.truncated = {std::move(table)};
    truncate_done_ = true;
    return Status::Ok();
  }

  Status EmitRow(StreamEvent& out) {
    RowImagePair& pair = ev_.rows[next_row_++];
    out.type = StreamEvent::Type::kChange;
    Change& c = out.change;
    c.op = op_;
    c.table = table_;
    c.before_is_key_only = false;
    c.truncated.clear();
    c.before = std::move(pair.before);
    c.after = std::move(pair.after);
    if (op_ == ChangeOp::kInsert) c.before.clear();
    if (op_ == ChangeOp::kDelete) c.after.clear();
    RETURN_IF_ERROR(Coerce(c.before));
    RETURN_IF_ERROR(Coerce(c.after));
    return Status::Ok();
  }

  std::unique_ptr<BinlogReader> reader_;
  std::map<std::pair<std::string, std::string>, TableSchemaPtr> tables_;
  Describe describe_;
  std::set<std::pair<std::string, std::string>> stale_;  // named by a schema statement since
  std::map<uint32_t, Gtid> state_;                       // last GTID per domain: the resume point
  BinlogEvent ev_;
  size_t next_row_ = 0;
  TableSchemaPtr table_;
  ChangeOp op_ = ChangeOp::kInsert;
  bool in_txn_ = false;
  bool standalone_ = false;
  bool truncate_done_ = false;  // a TRUNCATE's change was emitted: its commit comes next
  TransactionInfo txn_;
  Position read_through_;  // see CaughtUpTo
};

}  // namespace

Result<std::unique_ptr<ChangeStream>> MariaSource::OpenStream(
    const std::string& task, const std::vector<TableSchemaPtr>& tables, const Position& from) {
  Position start = from;
  if (start.empty()) {
    ASSIGN_OR_RETURN(start, CurrentPosition());
  }
  ASSIGN_OR_RETURN(BinlogCoordinates at, ParseBinlogPosition(start.text));

  // A purged binlog is an unrecoverable gap: say which file, never stream past it.
  ASSIGN_OR_RETURN(MariaRows logs, conn_->Query("SHOW BINARY LOGS", "listing binlogs"));
  bool present = false;
  for (const auto& r : logs.rows) present = present || r[0] == at.file;
  if (!present) {
    return DataLoss("binlog " + at.file + " needed to resume task " + task + " at " + start.text +
                    " is no longer on the source (purged; oldest is " +
                    (logs.rows.empty() ? std::string("none") : logs.rows[0][0].value_or("?")) +
                    "): the changes since are lost. Drop the task and start it again, and keep "
                    "binlogs longer than the longest outage (expire_logs_days)");
  }

  ASSIGN_OR_RETURN(MariaRows sid, conn_->Query("SELECT @@server_id", "reading server_id"));
  uint32_t source_id = static_cast<uint32_t>(std::stoul(sid.rows.at(0)[0].value_or("0")));
  BinlogStart bs;
  std::vector<Gtid> state;
  if (!at.gtid_state.empty()) {
    ASSIGN_OR_RETURN(state, ParseGtidList(at.gtid_state));
    bs.gtid_state = at.gtid_state;
  } else {
    bs.file = at.file;
    bs.pos = at.offset;
  }
  ASSIGN_OR_RETURN(auto reader,
                   BinlogReader::Open(uri_, bs, DumpServerId(task, source_id), kHeartbeat));
  std::map<std::pair<std::string, std::string>, TableSchemaPtr> by_name;
  for (const auto& t : tables) by_name[{t->name.schema, t->name.name}] = t;
  reader->SetTableFilter([names = by_name](const TableMap& m) {
    return names.count({m.database, m.table}) > 0;
  });
  Log(LogLevel::kDebug, "binlog stream for task {} from {}", task, start.text);
  return std::unique_ptr<ChangeStream>(std::make_unique<MariaChangeStream>(
      std::move(reader), std::move(by_name), std::move(state),
      [uri = uri_, options = options_](const TableName& name) -> Result<TableSchemaPtr> {
        ASSIGN_OR_RETURN(auto source, MariaSource::Open(uri, options));
        StartReport problems;
        ASSIGN_OR_RETURN(auto found,
                         source->DiscoverTables({{name.schema + "." + name.name}, {}}, problems));
        for (const auto& t : found)
          if (t->name == name) return t;
        return NotFound("table " + name.ToString() + " is no longer on the source");
      }));
}

}  // namespace cutover::mariadb
