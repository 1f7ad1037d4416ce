#include "engine/mariadb/maria_snapshot.h"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "engine/core/log.h"
#include "engine/core/read_filter.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_source.h"
#include "engine/mariadb/maria_types.h"

namespace cutover::mariadb {

namespace {

class MariaSnapshot;

class MariaTableReader : public TableReader {
 public:
  MariaTableReader(MariaSnapshot* owner, std::unique_ptr<MariaConn> conn, const TableSchema& table,
                   std::string where = "")
      : owner_(owner), conn_(std::move(conn)), table_(table), where_(std::move(where)) {}
  ~MariaTableReader() override;

  Status Start() {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < table_.columns.size(); ++i) {
      sql += (i ? ", " : "") + MariaSelectExpression(table_.columns[i]);
    }
    sql += " FROM " + MariaConn::QualifiedName(table_.name) + where_;
    if (mysql_real_query(conn_->raw(), sql.data(), sql.size()) != 0) {
      return conn_->LastError("table " + table_.name.ToString() + ": reading rows");
    }
    res_ = mysql_use_result(conn_->raw());
    if (!res_) return conn_->LastError("table " + table_.name.ToString() + ": reading rows");
    return Status::Ok();
  }

  Result<bool> Next(std::vector<Value>& row) override {
    MYSQL_ROW r = mysql_fetch_row(res_);
    if (!r) {
      if (mysql_errno(conn_->raw())) {
        return conn_->LastError("table " + table_.name.ToString() + ": reading rows");
      }
      return false;
    }
    unsigned long* lengths = mysql_fetch_lengths(res_);
    row.resize(table_.columns.size());
    for (size_t i = 0; i < table_.columns.size(); ++i) {
      if (!r[i]) {
        row[i] = Value();
        continue;
      }
      Status s = DecodeMariaText(table_.columns[i], std::string_view(r[i], lengths[i]), row[i]);
      if (!s.ok()) {
        return s.WithContext("table " + table_.name.ToString() + " column " +
                             table_.columns[i].name);
      }
    }
    return true;
  }

 private:
  MariaSnapshot* owner_;
  std::unique_ptr<MariaConn> conn_;
  const TableSchema& table_;
  std::string where_;  // " WHERE ..." of a key range, or empty
  MYSQL_RES* res_ = nullptr;
};

// MariaDB compares integers, decimals, dates, times and timestamps as cutover does (sessions run
// with time_zone '+00:00', so a TIMESTAMP compares in UTC), except zero dates ('0000-00-00',
// '2024-00-10': cutover reads them as text), which are always read; text (VARCHAR, TEXT) in byte
// order once converted to utf8mb4 under utf8mb4_nopad_bin (code-point order, trailing blanks
// significant). Not pushed: CHAR, ENUM, SET, BIT, YEAR, binary and floating-point columns.
class MariaFilterDialect : public ReadFilterDialect {
 public:
  explicit MariaFilterDialect(MariaConn& conn) : conn_(conn) {}
  std::string QuoteIdent(const std::string& name) const override {
    return MariaConn::QuoteIdent(name);
  }
  FilterColumnSql ColumnSql(const Column& c) const override {
    FilterColumnSql out;
    out.ident = MariaConn::QuoteIdent(c.name);
    switch (c.type.family) {
      case TypeFamily::kInteger:
      case TypeFamily::kDecimal:
      case TypeFamily::kTime:
        out.compared = out.ident;
        break;
      case TypeFamily::kDate:
      case TypeFamily::kTimestamp:
      case TypeFamily::kTimestampTz:
        out.compared = out.ident;
        out.unsure = "MONTH(" + out.ident + ") = 0 OR DAYOFMONTH(" + out.ident + ") = 0";
        break;
      case TypeFamily::kVarText:
      case TypeFamily::kText:
        out.compared = "CONVERT(" + out.ident + " USING utf8mb4) COLLATE utf8mb4_nopad_bin";
        break;
      default:
        break;
    }
    return out;
  }
  std::optional<std::string> Literal(const Column& c, const Value& v) const override {
    (void)c;
    std::string text = EncodeMariaText(v);
    switch (v.kind()) {
      case ValueKind::kInt64:
      case ValueKind::kUInt64:
      case ValueKind::kDecimal:
        return text;  // unquoted: a quoted number would compare as a double
      case ValueKind::kDate:
        return "DATE" + conn_.QuoteLiteral(text);
      case ValueKind::kTime:
        return "TIME" + conn_.QuoteLiteral(text);
      case ValueKind::kTimestamp:
      case ValueKind::kTimestampTz:
        return "TIMESTAMP" + conn_.QuoteLiteral(text);
      case ValueKind::kText:
        return "_utf8mb4" + conn_.QuoteLiteral(text);
      default:
        return std::nullopt;
    }
  }

 private:
  MariaConn& conn_;
};

class MariaSnapshot : public Snapshot, public FilterPushdown {
 public:
  MariaSnapshot(Position position, std::vector<std::unique_ptr<MariaConn>> conns)
      : position_(std::move(position)), free_(std::move(conns)) {}

  const Position& position() const override { return position_; }

  Result<std::unique_ptr<TableReader>> OpenReader(const TableSchema& table) override {
    auto reader = std::make_unique<MariaTableReader>(this, Take(), table);
    RETURN_IF_ERROR(reader->Start());
    return std::unique_ptr<TableReader>(std::move(reader));
  }

  Result<std::unique_ptr<TableReader>> OpenRangeReader(const TableSchema& table,
                                                       const KeyRange& range) override {
    return Open(table, &range, nullptr);
  }

  Result<std::unique_ptr<TableReader>> OpenFilteredReader(const TableSchema& table,
                                                          const KeyRange* range,
                                                          const ReadFilter& filter) override {
    return Open(table, range, &filter);
  }

  Result<std::unique_ptr<TableReader>> Open(const TableSchema& table, const KeyRange* range,
                                            const ReadFilter* filter) {
    std::unique_ptr<MariaConn> conn = Take();
    std::string where = ReadCondition(table, range, filter, MariaFilterDialect(*conn));
    auto reader = std::make_unique<MariaTableReader>(this, std::move(conn), table,
                                                     where.empty() ? "" : " WHERE " + where);
    RETURN_IF_ERROR(reader->Start());
    return std::unique_ptr<TableReader>(std::move(reader));
  }

  Result<std::optional<std::pair<int64_t, int64_t>>> KeyBounds(const TableSchema& table,
                                                               size_t column) override {
    std::unique_ptr<MariaConn> conn = Take();
    std::string col = MariaConn::QuoteIdent(table.columns.at(column).name);
    auto rows = conn->Query(
        "SELECT min(" + col + "), max(" + col + ") FROM " + MariaConn::QualifiedName(table.name),
        "table " + table.name.ToString() + ": reading the key's bounds");
    GiveBack(std::move(conn));
    if (!rows.ok()) return rows.status();
    if (rows->rows.empty() || !rows->rows[0][0] || !rows->rows[0][1])
      return std::optional<std::pair<int64_t, int64_t>>();
    return std::optional<std::pair<int64_t, int64_t>>(
        std::pair<int64_t, int64_t>{std::stoll(*rows->rows[0][0]), std::stoll(*rows->rows[0][1])});
  }

  // A connection of the pool (each in the aligned snapshot), waiting for one to be free.
  std::unique_ptr<MariaConn> Take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty(); });
    std::unique_ptr<MariaConn> conn = std::move(free_.back());
    free_.pop_back();
    return conn;
  }

  void GiveBack(std::unique_ptr<MariaConn> conn) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(conn));
    cv_.notify_one();
  }

 private:
  Position position_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<MariaConn>> free_;
};

MariaTableReader::~MariaTableReader() {
  if (res_) mysql_free_result(res_);  // reads any rest of the result: the connection stays usable
  owner_->GiveBack(std::move(conn_));
}

struct SnapshotPoint {
  std::string file;
  uint64_t offset = 0;
};

Result<SnapshotPoint> ReadSnapshotPoint(MariaConn& conn) {
  ASSIGN_OR_RETURN(MariaRows st, conn.Query("SHOW STATUS LIKE 'binlog_snapshot_%'",
                                            "reading the snapshot's binlog position"));
  SnapshotPoint p;
  for (const auto& r : st.rows) {
    if (r[0] == "Binlog_snapshot_file") p.file = r[1].value_or("");
    if (r[0] == "Binlog_snapshot_position") p.offset = std::stoull(r[1].value_or("0"));
  }
  if (p.file.empty()) {  // binary log off: a full load is still consistent, CDC is refused
    p.file = kNoBinlog;
    p.offset = 0;
  }
  return p;
}

}  // namespace

Result<std::unique_ptr<Snapshot>> OpenAlignedSnapshot(const std::string& uri, int connections) {
  std::vector<std::unique_ptr<MariaConn>> conns;
  for (int i = 0; i < connections; ++i) {
    ASSIGN_OR_RETURN(auto c, MariaConn::Connect(uri, "snapshot reader"));
    RETURN_IF_ERROR(c->Exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
    conns.push_back(std::move(c));
  }
  const char* kStart = "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
  std::unique_ptr<MariaConn> lock;
  if (connections > 1) {
    ASSIGN_OR_RETURN(lock, MariaConn::Connect(uri, "snapshot alignment"));
    RETURN_IF_ERROR(lock->Exec("BACKUP STAGE START", "aligning snapshots (BACKUP STAGE START)"));
    Status blocked = lock->Exec("BACKUP STAGE BLOCK_COMMIT", "aligning snapshots (BLOCK_COMMIT)");
    if (!blocked.ok()) {
      (void)lock->Exec("BACKUP STAGE END");
      return blocked;
    }
  }
  Status started = Status::Ok();
  for (auto& c : conns) {
    started = c->Exec(kStart, "starting a consistent snapshot");
    if (!started.ok()) break;
  }
  std::vector<SnapshotPoint> points;
  if (started.ok()) {
    for (auto& c : conns) {
      auto p = ReadSnapshotPoint(*c);
      if (!p.ok()) {
        started = p.status();
        break;
      }
      points.push_back(*p);
    }
  }
  if (lock) {
    Status ended = lock->Exec("BACKUP STAGE END", "releasing the snapshot alignment");
    if (started.ok() && !ended.ok()) started = ended;
  }
  RETURN_IF_ERROR(started);
  for (const auto& p : points) {
    if (p.file != points[0].file || p.offset != points[0].offset) {
      return Internal("parallel snapshots were not aligned: " + points[0].file + ":" +
                      std::to_string(points[0].offset) + " vs " + p.file + ":" +
                      std::to_string(p.offset));
    }
  }
  std::string gtid;
  if (points[0].file != kNoBinlog) {
    ASSIGN_OR_RETURN(MariaRows g, conns[0]->Query("SELECT BINLOG_GTID_POS(" +
                                                      conns[0]->QuoteLiteral(points[0].file) +
                                                      ", " + std::to_string(points[0].offset) + ")",
                                                  "reading the snapshot's GTID position"));
    gtid = g.rows.empty() ? "" : g.rows[0][0].value_or("");
  }
  ASSIGN_OR_RETURN(Position pos, MakeBinlogPosition(points[0].file, points[0].offset, gtid));
  Log(LogLevel::kDebug, "snapshot at {} on {} connection(s)", pos.text, connections);
  return std::unique_ptr<Snapshot>(std::make_unique<MariaSnapshot>(pos, std::move(conns)));
}

}  // namespace cutover::mariadb
