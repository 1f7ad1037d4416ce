// PostgreSQL adapter of loadgen::Session (engine/core/load_session.h): prepared statements in libpq
// pipeline mode, so a whole transaction costs one round trip; COPY for bulk loads.
#include <libpq-fe.h>

#include <cstdlib>
#include <unordered_map>

#include "engine/pg/copy_text.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_load_session.h"
#include "engine/pg/pg_types.h"

namespace cutover::loadgen {
namespace {

// The column type text of a workload column type on this engine.
const char* TypeSql(ColType type) {
  switch (type) {
    case ColType::kInt:
      return "integer";
    case ColType::kBigInt:
      return "bigint";
    case ColType::kMoney:
      return "numeric(12,2)";
    case ColType::kTimestampTz:
      return "timestamp(6) with time zone";
    case ColType::kTimestamp:
      return "timestamp(6)";
    case ColType::kJson:
      return "jsonb";
    case ColType::kBytes:
      return "bytea";
    case ColType::kUuid:
      return "uuid";
    case ColType::kShortText:
      return "varchar(200)";
    case ColType::kLongText:
      return "text";
  }
  return "text";
}

constexpr size_t kCopyChunkBytes = 1 << 20;

class PgSession : public Session {
 public:
  explicit PgSession(std::unique_ptr<pg::PgConn> conn) : conn_(std::move(conn)) {}

  std::string engine() const override { return "postgresql"; }

  std::string ColumnSql(const ColumnDef& c) const override {
    return std::string(TypeSql(c.type)) + (c.nullable ? " NULL" : " NOT NULL");
  }

  std::string AnalyzeSql(const std::string& table) const override {
    return "VACUUM ANALYZE " + table;
  }

  bool broken() const override {
    return broken_ || PQstatus(const_cast<pg::PgConn&>(*conn_).raw()) == CONNECTION_BAD;
  }

  Status RunTransaction(std::span<const Statement> statements,
                        std::vector<int64_t>& affected) override {
    PGconn* c = conn_->raw();
    affected.assign(statements.size(), 0);
    if (PQenterPipelineMode(c) != 1) return Fail(conn_->ConnectionError("entering pipeline mode"));
    // What each pending result belongs to: a statement index, or -1 - k for preparing key k.
    pending_.clear();
    new_keys_.clear();
    for (size_t i = 0; i < statements.size(); ++i) {
      const Statement& s = statements[i];
      auto it = prepared_.find(std::string(s.sql));
      if (it == prepared_.end()) {
        std::string name = "lg" + std::to_string(prepared_.size());
        std::string sql(s.sql);
        if (PQsendPrepare(c, name.c_str(), sql.c_str(), 0, nullptr) != 1)
          return Fail(conn_->ConnectionError("preparing: " + sql.substr(0, 120)));
        it = prepared_.emplace(std::string(s.sql), name).first;
        new_keys_.push_back(it->first);
        pending_.push_back(-static_cast<int>(new_keys_.size()));
      }
      values_.resize(s.params.size());
      params_.resize(s.params.size());
      for (size_t p = 0; p < s.params.size(); ++p) {
        if (s.params[p].is_null()) {
          params_[p] = nullptr;
        } else {
          values_[p].clear();
          pg::EncodeText(s.params[p], values_[p]);
          params_[p] = values_[p].c_str();
        }
      }
      if (PQsendQueryPrepared(c, it->second.c_str(), static_cast<int>(params_.size()),
                              params_.data(), nullptr, nullptr, 0) != 1)
        return Fail(conn_->ConnectionError(std::string(s.sql.substr(0, 120))));
      pending_.push_back(static_cast<int>(i));
    }
    if (PQpipelineSync(c) != 1) return Fail(conn_->ConnectionError("pipeline sync"));

    Status first;
    for (int owner : pending_) {
      PGresult* r = PQgetResult(c);
      if (!r) {
        if (first.ok()) first = conn_->ConnectionError("reading results");
        break;
      }
      ExecStatusType st = PQresultStatus(r);
      if (owner < 0) {
        if (st != PGRES_COMMAND_OK) {  // not prepared after all: prepare again next time
          prepared_.erase(new_keys_[-owner - 1]);
          if (st == PGRES_FATAL_ERROR && first.ok())
            first = conn_->ErrorFrom(r, "preparing: " + new_keys_[-owner - 1].substr(0, 120));
        }
      } else if (st == PGRES_TUPLES_OK) {
        affected[owner] = PQntuples(r);
      } else if (st == PGRES_COMMAND_OK) {
        affected[owner] = std::atoll(PQcmdTuples(r));
      } else if (st == PGRES_FATAL_ERROR && first.ok()) {
        first = conn_->ErrorFrom(r, std::string(statements[owner].sql.substr(0, 120)));
      }
      PQclear(r);
      while (PGresult* extra = PQgetResult(c)) PQclear(extra);  // end of this query
      if (PQstatus(c) == CONNECTION_BAD) break;
    }
    if (PQstatus(c) == CONNECTION_BAD) {
      broken_ = true;
      return first.ok() ? conn_->ConnectionError("transaction") : first;
    }
    while (PGresult* r = PQgetResult(c)) {  // the sync point's own result
      bool is_sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
      PQclear(r);
      if (is_sync) break;
    }
    if (PQexitPipelineMode(c) != 1) {
      broken_ = true;
      if (first.ok()) first = conn_->ConnectionError("leaving pipeline mode");
    }
    return first;
  }

  Status Exec(std::string_view sql) override { return Check(conn_->ExecOk(sql)); }

  Result<int64_t> QueryInt(std::string_view sql) override {
    auto r = conn_->Exec(sql);
    if (!r.ok()) return Check(r.status());
    if (r->rows() == 0 || r->cols() == 0 || r->is_null(0, 0)) return int64_t{0};
    return static_cast<int64_t>(std::atoll(r->str(0, 0).c_str()));
  }

  Status BulkInsert(const TableDef& table, const RowSource& rows,
                    const std::function<void(int64_t)>& on_rows) override {
    std::string cols;
    for (const auto& c : table.columns) cols += (cols.empty() ? "" : ", ") + c.name;
    const std::string what = "table " + table.name + ": COPY";
    RETURN_IF_ERROR(
        Check(conn_->ExecOk("COPY " + table.name + " (" + cols + ") FROM STDIN", what)));
    std::vector<Value> row;
    std::string buf, field;
    int64_t in_chunk = 0;
    auto flush = [&]() -> Status {
      if (PQputCopyData(conn_->raw(), buf.data(), static_cast<int>(buf.size())) != 1)
        return Fail(conn_->ConnectionError(what + " data"));
      buf.clear();
      if (on_rows) on_rows(in_chunk);
      in_chunk = 0;
      return Status::Ok();
    };
    while (rows(row)) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) buf.push_back('\t');
        if (row[i].is_null()) {
          pg::AppendCopyNull(buf);
        } else {
          field.clear();
          pg::EncodeText(row[i], field);
          pg::AppendCopyField(buf, field);
        }
      }
      buf.push_back('\n');
      ++in_chunk;
      if (buf.size() >= kCopyChunkBytes) RETURN_IF_ERROR(flush());
    }
    if (!buf.empty()) RETURN_IF_ERROR(flush());
    if (PQputCopyEnd(conn_->raw(), nullptr) != 1)
      return Fail(conn_->ConnectionError(what + " end"));
    pg::PgResult res(PQgetResult(conn_->raw()));
    Status st = PQresultStatus(res.raw()) == PGRES_COMMAND_OK ? Status::Ok()
                                                              : conn_->ErrorFrom(res.raw(), what);
    while (PGresult* extra = PQgetResult(conn_->raw())) PQclear(extra);
    return Check(st);
  }

 private:
  Status Fail(Status st) {
    broken_ = true;
    return st;
  }
  Status Check(Status st) {
    if (!st.ok() && PQstatus(conn_->raw()) == CONNECTION_BAD) broken_ = true;
    return st;
  }

  std::unique_ptr<pg::PgConn> conn_;
  bool broken_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // neutral SQL -> statement name
  std::vector<int> pending_;
  std::vector<std::string> new_keys_;
  std::vector<std::string> values_;
  std::vector<const char*> params_;
};

}  // namespace

Result<std::unique_ptr<Session>> OpenPgSession(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn, pg::PgConn::Connect(uri, pg::ConnMode::kNormal, "cutover-load"));
  return std::unique_ptr<Session>(new PgSession(std::move(conn)));
}

}  // namespace cutover::loadgen
