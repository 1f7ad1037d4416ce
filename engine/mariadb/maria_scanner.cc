#include "engine/mariadb/maria_scanner.h"

#include <mysql.h>

#include "engine/core/civil_time.h"
#include "engine/core/row_encoder.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_types.h"

namespace cutover::validator {

namespace {

// `n` digits at t[pos..] as a number; false if any is not a digit.
bool FixedDigits(std::string_view t, size_t pos, size_t n, int64_t& v) {
  v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    v = v * 10 + (t[i] - '0');
  }
  return true;
}

// The shapes MariaDB prints real dates and datetimes in, "YYYY-MM-DD" and "YYYY-MM-DD
// HH:MM:SS[.f{1,6}]", read without building a Value: µs (or days) since 1970 as DecodeMariaText
// computes them. False for anything else (zero dates, malformed text), which then takes the
// DecodeMariaText path and its errors.
bool FastMariaDate(std::string_view t, int64_t& days) {
  int64_t y, m, d;
  if (t.size() < 10 || t[4] != '-' || t[7] != '-' || !FixedDigits(t, 0, 4, y) ||
      !FixedDigits(t, 5, 2, m) || !FixedDigits(t, 8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31)
    return false;
  days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

bool FastMariaDatetime(std::string_view t, int64_t& micros) {
  int64_t days, h, mi, s, frac = 0;
  if (t.size() < 19 || t[10] != ' ' || t[13] != ':' || t[16] != ':' ||
      !FastMariaDate(t.substr(0, 10), days) || !FixedDigits(t, 11, 2, h) ||
      !FixedDigits(t, 14, 2, mi) || !FixedDigits(t, 17, 2, s))
    return false;
  if (t.size() > 19) {
    size_t digits = t.size() - 20;
    if (t[19] != '.' || digits < 1 || digits > 6 || !FixedDigits(t, 20, digits, frac)) return false;
    for (size_t i = digits; i < 6; ++i) frac *= 10;
  }
  micros = days * 86400000000 + ((h * 60 + mi) * 60 + s) * 1000000 + frac;
  return true;
}

bool IsIntegerText(std::string_view t) {
  if (!t.empty() && t[0] == '-') t.remove_prefix(1);
  if (t.empty()) return false;
  for (char c : t)
    if (c < '0' || c > '9') return false;
  return true;
}
}  // namespace

Status AppendMariaCanonical(const Column& column, const CanonicalRule& rule, std::string_view text,
                            Value& scratch, std::string& out) {
  switch (column.kind) {
    case ValueKind::kInt64:
    case ValueKind::kUInt64:
      if (!IsIntegerText(text)) break;  // let DecodeMariaText produce the error
      canonical::AppendNumberText(text, out);
      return Status::Ok();
    case ValueKind::kDecimal:
      canonical::AppendNumberText(text, out, rule.round_decimal_scale);
      return Status::Ok();
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
      canonical::AppendText(text, rule, out);
      return Status::Ok();
    case ValueKind::kBytes:
      canonical::AppendBytes(text, out);
      return Status::Ok();
    case ValueKind::kDate: {
      int64_t days;
      if (text.size() != 10 || !FastMariaDate(text, days)) break;
      canonical::AppendDate(days, out);
      return Status::Ok();
    }
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      int64_t us;
      if (!FastMariaDatetime(text, us)) break;
      canonical::AppendTimestamp(us, out);
      return Status::Ok();
    }
    default:
      break;
  }
  RETURN_IF_ERROR(mariadb::DecodeMariaText(column, text, scratch));
  AppendCanonical(scratch, rule, out);
  return Status::Ok();
}

namespace {

using mariadb::MariaConn;

struct ResultFree {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};

class MariaScanner : public RangeScanner {
 public:
  explicit MariaScanner(std::unique_ptr<MariaConn> conn) : conn_(std::move(conn)) {}

  Status Scan(const ScanTable& t, const KeyRange& range, bool want_values,
              const RowCallback& on_row) override {
    std::string what = "table " + t.name.ToString();
    std::string sql = "SELECT ";
    for (size_t i = 0; i < t.columns.size(); ++i)
      sql += (i ? ", " : "") + mariadb::MariaSelectExpression(t.columns[i]);
    sql += " FROM " + MariaConn::QualifiedName(t.name) + Where(t, range);
    // Summaries need no order (the hash sum does not depend on it), and ORDER BY costs InnoDB
    // CPU even along the primary key (measured ~25% more server CPU per row; bench/RESULTS.md).
    if (want_values && !t.key.empty()) sql += " ORDER BY " + KeyList(t);
    if (mysql_real_query(conn_->raw(), sql.data(), sql.size()) != 0)
      return conn_->LastError(what + ": reading rows");
    std::unique_ptr<MYSQL_RES, ResultFree> res(mysql_use_result(conn_->raw()));
    if (!res) return conn_->LastError(what + ": reading rows");
    if (mysql_num_fields(res.get()) != t.columns.size())
      return Internal(what + ": unexpected number of columns");
    Status failed;
    while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
      if (!failed.ok()) continue;  // drain the result so the connection stays usable
      unsigned long* lengths = mysql_fetch_lengths(res.get());
      failed = Row(t, row, lengths, want_values, on_row);
    }
    if (mysql_errno(conn_->raw()) != 0) return conn_->LastError(what + ": reading rows");
    return failed.ok() ? Status::Ok() : failed.WithContext(what);
  }

  Result<std::vector<std::vector<Value>>> SplitKeys(const ScanTable& t, const KeyRange& range,
                                                    int64_t every, int64_t known_rows) override {
    std::string what = "table " + t.name.ToString() + ": choosing key ranges";
    std::string rel = MariaConn::QualifiedName(t.name);
    std::vector<std::vector<Value>> out;
    if (every < 1) every = 1;
    const Column& k0 = t.columns[t.key.empty() ? 0 : t.key[0]];
    if (t.key.size() == 1 && (k0.kind == ValueKind::kInt64 || k0.kind == ValueKind::kUInt64)) {
      std::string k = MariaConn::QuoteIdent(k0.name);
      ASSIGN_OR_RETURN(
          auto r, conn_->Query(
                      "SELECT min(" + k + "), max(" + k + ") FROM " + rel + Where(t, range), what));
      if (r.rows.empty() || !r.rows[0][0]) return out;
      // Signed arithmetic in 128 bits covers both BIGINT and BIGINT UNSIGNED.
      __int128 lo = ParseInt128(*r.rows[0][0]), hi = ParseInt128(*r.rows[0][1]);
      int64_t rows = known_rows;
      if (rows < 0 && !range.lo && !range.hi) {  // the statistics' estimate: no table scan
        ASSIGN_OR_RETURN(auto e,
                         conn_->Query("SELECT table_rows FROM information_schema.tables "
                                      "WHERE table_schema = " +
                                          conn_->QuoteLiteral(t.name.schema) +
                                          " AND table_name = " + conn_->QuoteLiteral(t.name.name),
                                      what));
        if (!e.rows.empty() && e.rows[0][0]) rows = std::stoll(*e.rows[0][0]);
      }
      if (rows <= 0) {
        ASSIGN_OR_RETURN(auto c,
                         conn_->Query("SELECT count(*) FROM " + rel + Where(t, range), what));
        rows = std::stoll(c.rows[0][0].value_or("0"));
      }
      __int128 pieces = (rows + every - 1) / every, span = hi - lo + 1;
      if (pieces > span) pieces = span;
      for (__int128 i = 1; i < pieces; ++i) {
        __int128 cut = lo + span * i / pieces;
        out.push_back({k0.kind == ValueKind::kInt64 ? Value::Int64(static_cast<int64_t>(cut))
                                                    : Value::UInt64(static_cast<uint64_t>(cut))});
      }
      return out;
    }
    std::string keys;
    for (size_t i = 0; i < t.key.size(); ++i)
      keys += std::string(i ? ", " : "") + mariadb::MariaSelectExpression(t.columns[t.key[i]]);
    ASSIGN_OR_RETURN(
        auto r, conn_->Query("SELECT * FROM (SELECT " + keys + ", row_number() OVER (ORDER BY " +
                                 KeyList(t) + ") AS cutover_rn FROM " + rel + Where(t, range) +
                                 ") s WHERE cutover_rn % " + std::to_string(every) +
                                 " = 0 ORDER BY cutover_rn",
                             what));
    for (const auto& row : r.rows) {
      std::vector<Value> key(t.key.size());
      for (size_t i = 0; i < t.key.size(); ++i) {
        if (!row[i]) continue;
        const Column& c = t.columns[t.key[i]];
        RETURN_IF_ERROR(
            mariadb::DecodeMariaText(c, *row[i], key[i]).WithContext(what + ": column " + c.name));
      }
      out.push_back(std::move(key));
    }
    return out;
  }

  std::string Display(const Value& v) const override {
    return v.is_null() ? "NULL" : mariadb::EncodeMariaText(v);
  }

 private:
  static __int128 ParseInt128(const std::string& s) {
    __int128 v = 0;
    bool neg = !s.empty() && s[0] == '-';
    for (size_t i = neg ? 1 : 0; i < s.size(); ++i) v = v * 10 + (s[i] - '0');
    return neg ? -v : v;
  }

  // Text keys compare bytewise on cross-engine pairs; a _bin collation already does.
  std::string KeyExpr(const ScanTable& t, size_t k) {
    const Column& c = t.columns[t.key[k]];
    std::string e = MariaConn::QuoteIdent(c.name);
    if (t.bytewise_text_keys && c.kind == ValueKind::kText &&
        c.type_name.find("_bin") == std::string::npos)
      e = "BINARY " + e;
    return e;
  }

  std::string KeyList(const ScanTable& t) {
    std::string out;
    for (size_t k = 0; k < t.key.size(); ++k) out += (k ? ", " : "") + KeyExpr(t, k);
    return out;
  }

  std::string Literal(const Value& v) {
    return v.is_null() ? "NULL" : conn_->QuoteLiteral(mariadb::EncodeMariaText(v));
  }

  // (k1, k2, ...) op (b1, b2, ...) expanded into ANDs and ORs, which MariaDB's range optimizer
  // turns into index ranges (it does not for row constructors).
  std::string Compare(const ScanTable& t, const std::vector<Value>& b, const char* last_op) {
    std::string out;
    for (size_t i = 0; i < t.key.size(); ++i) {
      std::string term;
      for (size_t j = 0; j < i; ++j) term += KeyExpr(t, j) + " = " + Literal(b[j]) + " AND ";
      bool last = i + 1 == t.key.size();
      std::string op = last ? last_op : (last_op[0] == '>' ? ">" : "<");
      term += KeyExpr(t, i) + " " + op + " " + Literal(b[i]);
      out += (i ? " OR (" : "(") + term + ")";
    }
    return "(" + out + ")";
  }

  std::string Where(const ScanTable& t, const KeyRange& r) {
    if (t.key.empty() || (!r.lo && !r.hi)) return "";
    std::string out = " WHERE ";
    if (r.lo) out += Compare(t, *r.lo, ">=");
    if (r.hi)
      out += std::string(r.lo ? " AND " : "") + Compare(t, *r.hi, r.hi_inclusive ? "<=" : "<");
    return out;
  }

  Status Row(const ScanTable& t, MYSQL_ROW row, unsigned long* lengths, bool want_values,
             const RowCallback& on_row) {
    if (want_values) values_.resize(t.columns.size());
    enc_.Begin();
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const Column& c = t.columns[i];
      std::string& out = enc_.Column();
      if (!row[i]) {
        canonical::AppendNull(out);
        if (want_values) values_[i] = Value::Null();
        continue;
      }
      std::string_view text(row[i], lengths[i]);
      Status s = AppendMariaCanonical(c, t.rules[i], text, scratch_, out);
      if (s.ok() && want_values) s = mariadb::DecodeMariaText(c, text, values_[i]);
      if (!s.ok()) return s.WithContext("column " + c.name);
    }
    ScannedRow r = enc_.Finish(t.key);
    if (want_values) r.values = &values_;
    return on_row(r);
  }

  std::unique_ptr<MariaConn> conn_;
  std::vector<Value> values_;
  Value scratch_;
  RowEncoder enc_;
};

}  // namespace

Result<std::unique_ptr<RangeScanner>> OpenMariaScanner(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "validate"));
  return std::unique_ptr<RangeScanner>(new MariaScanner(std::move(conn)));
}

}  // namespace cutover::validator
