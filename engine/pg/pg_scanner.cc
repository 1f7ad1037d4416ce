#include "engine/pg/pg_scanner.h"

#include <charconv>
#include <map>

#include "engine/core/row_encoder.h"
#include "engine/pg/copy_text.h"
#include "engine/pg/pg_binary.h"
#include "engine/pg/pg_canonical_text.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_types.h"

namespace cutover::validator {

namespace {

using pg::PgConn;

class PgScanner : public RangeScanner {
 public:
  explicit PgScanner(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}

  // Summaries (no values wanted) read binary COPY, cheaper on both ends (pg_binary.h), in no
  // particular order: the hash sum does not depend on it, and without ORDER BY the server may
  // pick a sequential or bitmap scan. Values (reports, rechecks: a few rows) read text COPY in
  // key order, which pg::DecodeColumnText turns into Values.
  Status Scan(const ScanTable& t, const KeyRange& range, bool want_values,
              const RowCallback& on_row) override {
    std::string what = "table " + t.name.ToString();
    std::string sql = "COPY (SELECT ";
    if (want_values) {
      sql += ColumnList(t);
    } else {
      wires_.resize(t.columns.size());
      for (size_t i = 0; i < t.columns.size(); ++i) {
        wires_[i] = PgWireFor(t.columns[i]);
        sql += (i ? ", " : "") +
               PgBinarySelectExpression(wires_[i], conn_->QuoteIdent(t.columns[i].name));
      }
    }
    sql += " FROM " + From(t) + Where(t, range);
    if (want_values && !t.key.empty()) sql += " ORDER BY " + KeyList(t);
    sql += want_values ? ") TO STDOUT" : ") TO STDOUT (FORMAT binary)";
    RETURN_IF_ERROR(conn_->ExecOk(sql, what + ": COPY TO STDOUT"));
    Status failed;
    PgBinaryCopyParser binary;
    for (;;) {
      char* buf = nullptr;
      int n = PQgetCopyData(conn_->raw(), &buf, 0);
      if (n == -1) break;
      if (n < 0) return conn_->ConnectionError(what + ": COPY TO STDOUT");
      std::string_view msg(buf, static_cast<size_t>(n));
      if (failed.ok())
        failed = want_values ? Row(t, msg, on_row) : BinaryRow(t, binary, msg, on_row);
      PQfreemem(buf);  // after an error keep draining so the connection stays usable
    }
    pg::PgResult res(PQgetResult(conn_->raw()));
    if (PQresultStatus(res.raw()) != PGRES_COMMAND_OK)
      return conn_->ErrorFrom(res.raw(), what + ": COPY TO STDOUT");
    while (PGresult* extra = PQgetResult(conn_->raw())) PQclear(extra);
    return failed.ok() ? Status::Ok() : failed.WithContext(what);
  }

  Result<std::vector<std::vector<Value>>> SplitKeys(const ScanTable& t, const KeyRange& range,
                                                    int64_t every, int64_t known_rows) override {
    std::string what = "table " + t.name.ToString() + ": choosing key ranges";
    std::vector<std::vector<Value>> out;
    if (every < 1) every = 1;
    if (t.key.size() == 1 && t.columns[t.key[0]].kind == ValueKind::kInt64) {
      // An integer key is cut arithmetically between its min and max: no key scan needed.
      std::string k = conn_->QuoteIdent(t.columns[t.key[0]].name);
      ASSIGN_OR_RETURN(auto r, conn_->Exec("SELECT min(" + k + "), max(" + k + ") FROM " + Rel(t) +
                                               Where(t, range),
                                           what));
      if (r.is_null(0, 0)) return out;
      int64_t lo = std::stoll(r.str(0, 0)), hi = std::stoll(r.str(0, 1));
      int64_t rows = known_rows;
      if (rows < 0) {
        ASSIGN_OR_RETURN(auto est,
                         conn_->Exec("SELECT reltuples::bigint FROM pg_class WHERE oid = " +
                                         conn_->QuoteLiteral(Rel(t)) + "::regclass",
                                     what));
        rows = est.rows() ? std::stoll(est.str(0, 0)) : -1;
        if (rows <= 0) {
          ASSIGN_OR_RETURN(auto c,
                           conn_->Exec("SELECT count(*) FROM " + From(t) + Where(t, range), what));
          rows = std::stoll(c.str(0, 0));
        }
      }
      int64_t pieces = (rows + every - 1) / every;
      __int128 span = static_cast<__int128>(hi) - lo + 1;
      if (pieces > span) pieces = static_cast<int64_t>(span);
      for (int64_t i = 1; i < pieces; ++i) {
        __int128 cut = lo + span * i / pieces;
        out.push_back({Value::Int64(static_cast<int64_t>(cut))});
      }
      return out;
    }
    std::string keys, inner_keys;
    for (size_t i = 0; i < t.key.size(); ++i) {
      keys += std::string(i ? ", " : "") + "s." + conn_->QuoteIdent(t.columns[t.key[i]].name);
      inner_keys += std::string(i ? ", " : "") + conn_->QuoteIdent(t.columns[t.key[i]].name);
    }
    ASSIGN_OR_RETURN(
        auto r, conn_->Exec("SELECT " + keys + " FROM (SELECT " + inner_keys +
                                ", row_number() OVER (ORDER BY " + KeyList(t) + ") AS rn FROM " +
                                From(t) + Where(t, range) + ") s WHERE s.rn % " +
                                std::to_string(every) + " = 0 ORDER BY s.rn",
                            what));
    for (int row = 0; row < r.rows(); ++row) {
      std::vector<Value> key(t.key.size());
      for (size_t i = 0; i < t.key.size(); ++i) {
        const Column& c = t.columns[t.key[i]];
        if (r.is_null(row, static_cast<int>(i))) continue;  // keys are NOT NULL; stay safe
        RETURN_IF_ERROR(pg::DecodeText(c.kind, r.get(row, static_cast<int>(i)), key[i])
                            .WithContext(what + ": column " + c.name));
      }
      out.push_back(std::move(key));
    }
    return out;
  }

  // count(*) and two 64-bit sums of hashtextextended over the row's text with two seeds: the
  // row text of identical column types under the same session settings is a function of the
  // values, so equal rows hash equally; the output functions run once per row either way, but
  // nothing crosses the network and the client does no parsing.
  Result<std::optional<ServerSummary>> SummarizeOnServer(const ScanTable& t,
                                                         const KeyRange& range) override {
    ASSIGN_OR_RETURN(
        auto r,
        conn_->Exec(
            "SELECT count(*), coalesce(sum(hashtextextended(x, 0)), 0), "
            "coalesce(sum(hashtextextended(x, 1)), 0) FROM (SELECT r::text AS x FROM (SELECT " +
                ColumnList(t) + " FROM " + From(t) + Where(t, range) + ") r) s",
            "table " + t.name.ToString() + ": server-side hashes"));
    ServerSummary out;
    out.count = std::stoll(r.str(0, 0));
    out.digest = r.str(0, 1) + "/" + r.str(0, 2);
    return std::optional<ServerSummary>(std::move(out));
  }

  std::string Display(const Value& v) const override {
    if (v.is_null()) return "NULL";
    std::string s;
    pg::EncodeText(v, s);
    return s;
  }

 private:
  std::string Rel(const ScanTable& t) { return pg::QualifiedName(*conn_, t.name); }

  // The table's own rows, as the replication reads them: ONLY, so an inheritance parent does
  // not count its children's rows (they are separate tables, selected or not), except for a
  // partitioned table, which is one table made of its partitions (ONLY would read nothing).
  std::string From(const ScanTable& t) {
    auto it = partitioned_.find(t.name);
    if (it == partitioned_.end()) {
      std::string rel = Rel(t);
      auto r = conn_->ExecParams("SELECT relkind FROM pg_class WHERE oid = to_regclass($1)",
                                 {rel.c_str()}, "table " + t.name.ToString());
      if (!r.ok()) return "ONLY " + rel;  // the scan itself will report what is wrong
      it = partitioned_.emplace(t.name, r->rows() == 1 && r->get(0, 0) == "p").first;
    }
    return (it->second ? "" : "ONLY ") + Rel(t);
  }

  std::string ColumnList(const ScanTable& t) {
    std::string out;
    for (size_t i = 0; i < t.columns.size(); ++i)
      out += (i ? ", " : "") + conn_->QuoteIdent(t.columns[i].name);
    return out;
  }

  std::string KeyExpr(const ScanTable& t, size_t k) {
    const Column& c = t.columns[t.key[k]];
    std::string e = conn_->QuoteIdent(c.name);
    if (t.bytewise_text_keys && c.kind == ValueKind::kText) e += " COLLATE \"C\"";
    return e;
  }

  std::string KeyList(const ScanTable& t) {
    std::string out;
    for (size_t k = 0; k < t.key.size(); ++k) out += (k ? ", " : "") + KeyExpr(t, k);
    return out;
  }

  std::string Literal(const Column& c, const Value& v) {
    if (v.is_null()) return "NULL";
    std::string text;
    pg::EncodeText(v, text);
    return conn_->QuoteLiteral(text) + "::" + c.type_name;
  }

  std::string Bound(const ScanTable& t, const std::vector<Value>& b) {
    std::string out = "(";
    for (size_t k = 0; k < t.key.size(); ++k)
      out += (k ? ", " : "") + Literal(t.columns[t.key[k]], b[k]);
    return out + ")";
  }

  std::string Where(const ScanTable& t, const KeyRange& r) {
    if (t.key.empty() || (!r.lo && !r.hi)) return "";
    std::string keys = t.key.size() == 1 ? KeyExpr(t, 0) : "(" + KeyList(t) + ")";
    std::string out = " WHERE ";
    if (r.lo && r.hi && r.hi_inclusive && *r.lo == *r.hi)
      return out + keys + " = " + Bound(t, *r.lo);
    if (r.lo) out += keys + " >= " + Bound(t, *r.lo);
    if (r.hi)
      out += std::string(r.lo ? " AND " : "") + keys + (r.hi_inclusive ? " <= " : " < ") +
             Bound(t, *r.hi);
    return out;
  }

  // A text COPY row, with its decoded Values.
  Status Row(const ScanTable& t, std::string_view line, const RowCallback& on_row) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    RETURN_IF_ERROR(decoder_.Decode(line, fields_));
    RETURN_IF_ERROR(CheckFieldCount(t));
    values_.resize(fields_.size());
    enc_.Begin();
    for (size_t i = 0; i < fields_.size(); ++i) {
      const Column& c = t.columns[i];
      std::string& out = enc_.Column();
      if (!fields_[i]) {
        canonical::AppendNull(out);
        values_[i] = Value::Null();
        continue;
      }
      Status s = AppendPgCanonical(c, t.rules[i], *fields_[i], scratch_, out);
      if (s.ok()) s = DecodePgField(c, *fields_[i], values_[i]);
      if (!s.ok()) return s.WithContext("column " + c.name);
    }
    ScannedRow row = enc_.Finish(t.key);
    row.values = &values_;
    return on_row(row);
  }

  // A binary COPY message: a row (hashed) or the header/trailer (nothing to do).
  Status BinaryRow(const ScanTable& t, PgBinaryCopyParser& parser, std::string_view msg,
                   const RowCallback& on_row) {
    bool is_row = false;
    RETURN_IF_ERROR(parser.Next(msg, fields_, is_row));
    if (!is_row) return Status::Ok();
    RETURN_IF_ERROR(CheckFieldCount(t));
    enc_.Begin();
    for (size_t i = 0; i < fields_.size(); ++i) {
      std::string& out = enc_.Column();
      if (!fields_[i]) {
        canonical::AppendNull(out);
        continue;
      }
      Status s = AppendPgBinaryCanonical(t.columns[i], wires_[i], t.rules[i], *fields_[i],
                                         binary_scratch_, out);
      if (!s.ok()) return s.WithContext("column " + t.columns[i].name);
    }
    return on_row(enc_.Finish(t.key));
  }

  Status CheckFieldCount(const ScanTable& t) const {
    if (fields_.size() == t.columns.size()) return Status::Ok();
    return Internal("COPY row has " + std::to_string(fields_.size()) + " fields, expected " +
                    std::to_string(t.columns.size()));
  }

  std::unique_ptr<PgConn> conn_;
  std::map<TableName, bool> partitioned_;  // by From()
  pg::CopyLineDecoder decoder_;
  std::vector<pg::CopyField> fields_;
  std::vector<PgWire> wires_;  // per column of the current binary scan
  PgBinaryScratch binary_scratch_;
  std::vector<Value> values_;
  Value scratch_;
  RowEncoder enc_;
};

}  // namespace

Result<std::unique_ptr<RangeScanner>> OpenPgScanner(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn, pg::PgConn::Connect(uri, pg::ConnMode::kNormal, "cutover-validate"));
  return std::unique_ptr<RangeScanner>(new PgScanner(std::move(conn)));
}

}  // namespace cutover::validator
