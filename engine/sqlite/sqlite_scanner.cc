#include "engine/sqlite/sqlite_scanner.h"

#include "engine/core/row_encoder.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_row.h"
#include "engine/sqlite/sqlite_types.h"

namespace cutover::validator {

namespace {

using sqlite::SqliteConn;
using sqlite::SqliteStmt;

class SqliteScanner : public RangeScanner {
 public:
  explicit SqliteScanner(std::unique_ptr<SqliteConn> conn) : conn_(std::move(conn)) {}

  Status Scan(const ScanTable& t, const KeyRange& range, bool want_values,
              const RowCallback& on_row) override {
    std::string what = "table " + t.name.ToString();
    std::string sql = "SELECT ";
    for (size_t i = 0; i < t.columns.size(); ++i)
      sql += (i ? ", " : "") + SqliteConn::QuoteIdent(t.columns[i].name);
    sql += " FROM " + SqliteConn::QuoteIdent(t.name.name) + Where(t, range);
    if (!t.key.empty()) sql += " ORDER BY " + KeyList(t);
    ASSIGN_OR_RETURN(auto st, conn_->Prepare(sql, what + ": reading rows"));
    RETURN_IF_ERROR(BindRange(t, range, *st));
    values_.resize(t.columns.size());
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      enc_.Begin();
      for (size_t i = 0; i < t.columns.size(); ++i) {
        Status s = sqlite::DecodeSqliteColumn(t.columns[i], *st, static_cast<int>(i), values_[i]);
        if (!s.ok()) return s.WithContext(what);
        AppendCanonical(values_[i], t.rules[i], enc_.Column());
      }
      ScannedRow r = enc_.Finish(t.key);
      if (want_values) r.values = &values_;
      RETURN_IF_ERROR(on_row(r));
    }
    return Status::Ok();
  }

  Result<std::vector<std::vector<Value>>> SplitKeys(const ScanTable& t, const KeyRange& range,
                                                    int64_t every, int64_t) override {
    std::string what = "table " + t.name.ToString() + ": choosing key ranges";
    if (every < 1) every = 1;
    std::string keys;
    for (size_t j = 0; j < t.key.size(); ++j)
      keys += (j ? ", " : "") + SqliteConn::QuoteIdent(t.columns[t.key[j]].name);
    ASSIGN_OR_RETURN(
        auto st,
        conn_->Prepare(
            "SELECT * FROM (SELECT " + keys + ", row_number() OVER (ORDER BY " + KeyList(t) +
                ") AS cutover_rn FROM " + SqliteConn::QuoteIdent(t.name.name) + Where(t, range) +
                ") WHERE cutover_rn % " + std::to_string(every) + " = 0 ORDER BY cutover_rn",
            what));
    RETURN_IF_ERROR(BindRange(t, range, *st));
    std::vector<std::vector<Value>> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      std::vector<Value> key(t.key.size());
      for (size_t j = 0; j < t.key.size(); ++j) {
        RETURN_IF_ERROR(
            sqlite::DecodeSqliteColumn(t.columns[t.key[j]], *st, static_cast<int>(j), key[j])
                .WithContext(what));
      }
      out.push_back(std::move(key));
    }
    return out;
  }

  std::string Display(const Value& v) const override { return v.DebugString(); }

 private:
  static std::string KeyExpr(const ScanTable& t, size_t j) {
    const Column& c = t.columns[t.key[j]];
    std::string e = SqliteConn::QuoteIdent(c.name);
    return c.kind == ValueKind::kText ? e + " COLLATE BINARY" : e;
  }

  static std::string KeyList(const ScanTable& t) {
    std::string s;
    for (size_t j = 0; j < t.key.size(); ++j) s += (j ? ", " : "") + KeyExpr(t, j);
    return s;
  }

  // Parameters ?1... hold lo's key values, then hi's.
  static std::string Where(const ScanTable& t, const KeyRange& r) {
    if (t.key.empty() || (!r.lo && !r.hi)) return "";
    auto row = [&](size_t first) {
      std::string s = "(";
      for (size_t j = 0; j < t.key.size(); ++j)
        s += (j ? ", ?" : "?") + std::to_string(first + j + 1);
      return s + ")";
    };
    std::string keys = "(" + KeyList(t) + ")";
    std::string out = " WHERE ";
    if (r.lo) out += keys + " >= " + row(0);
    if (r.hi)
      out += std::string(r.lo ? " AND " : "") + keys + (r.hi_inclusive ? " <= " : " < ") +
             row(r.lo ? t.key.size() : 0);
    return out;
  }

  static Status BindRange(const ScanTable& t, const KeyRange& r, SqliteStmt& st) {
    int index = 1;
    for (const auto* bound : {&r.lo, &r.hi}) {
      if (!*bound || t.key.empty()) continue;
      for (size_t j = 0; j < t.key.size(); ++j) {
        const Column& c = t.columns[t.key[j]];
        LossyRule applied;  // a SQLite column bound with its own values: always exact
        RETURN_IF_ERROR(sqlite::BindForSqlite(sqlite::PlanSqliteColumn(c, "sqlite"), c.name,
                                              (**bound)[j], st, index++, applied));
      }
    }
    return Status::Ok();
  }

  std::unique_ptr<SqliteConn> conn_;
  std::vector<Value> values_;
  RowEncoder enc_;
};

}  // namespace

Result<std::unique_ptr<RangeScanner>> OpenSqliteScanner(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn,
                   SqliteConn::Open(uri, "validate", sqlite::SqliteOpenOptions{.create = false}));
  return std::unique_ptr<RangeScanner>(new SqliteScanner(std::move(conn)));
}

}  // namespace cutover::validator
