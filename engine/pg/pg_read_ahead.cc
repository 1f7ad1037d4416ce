#include "engine/pg/pg_read_ahead.h"

#include <cstdlib>
#include <cstring>

#include "engine/core/log.h"
#include "engine/pg/pg_sink_internal.h"

namespace cutover::pg {

std::unique_ptr<PgReadAhead> PgReadAhead::Open(const std::string& uri, const SinkOptions& options) {
  if (const char* env = std::getenv("CUTOVER_PG_READ_AHEAD"); env && std::strcmp(env, "off") == 0)
    return nullptr;
  auto conn = ConnectTarget(uri, options, "cutover-read-ahead", /*replica=*/false);
  Status s = conn.ok() ? Status::Ok() : conn.status();
  // Index scans only (a hash join would read the whole table), short lock waits: it is a hint.
  if (s.ok())
    s = (*conn)->ExecOk(
        "SET enable_seqscan = off; SET lock_timeout = '1s'; SET statement_timeout = '60s'; "
        "SET default_transaction_read_only = on",
        "configuring the read-ahead session");
  if (!s.ok()) {
    Log(LogLevel::kDebug, "apply read-ahead session not opened: {}", s.message());
    return nullptr;
  }
  return std::unique_ptr<PgReadAhead>(new PgReadAhead(std::move(*conn)));
}

bool PgReadAhead::Idle() {
  if (!in_flight_) return true;
  if (PQconsumeInput(conn_->raw()) != 1) {
    SwitchOff(conn_->ConnectionError("reading a read-ahead result").message());
    return false;
  }
  while (!PQisBusy(conn_->raw())) {
    PGresult* r = PQgetResult(conn_->raw());
    if (!r) {
      in_flight_ = false;
      return true;
    }
    bool failed = PQresultStatus(r) == PGRES_FATAL_ERROR;
    std::string error = failed ? conn_->ErrorFrom(r, "read-ahead").message() : "";
    PQclear(r);
    if (failed) {
      while (PGresult* rest = PQgetResult(conn_->raw())) PQclear(rest);
      in_flight_ = false;
      SwitchOff(error);
      return false;
    }
  }
  return false;
}

void PgReadAhead::SwitchOff(const std::string& why) {
  Log(LogLevel::kDebug, "apply read-ahead switched off: {}", why);
  conn_.reset();
}

void PgReadAhead::Read(const std::string& sql, const std::vector<std::string>& params) {
  if (!conn_) return;
  if (!Idle()) {
    ++skipped_;
    return;
  }
  if (!conn_) return;
  params_.clear();
  for (const std::string& p : params) params_.push_back(p.c_str());
  if (PQsendQueryParams(conn_->raw(), sql.c_str(), static_cast<int>(params_.size()), nullptr,
                        params_.data(), nullptr, nullptr, 0) != 1) {
    SwitchOff(conn_->ConnectionError("sending a read-ahead").message());
    return;
  }
  in_flight_ = true;
  ++sent_;
}

}  // namespace cutover::pg
