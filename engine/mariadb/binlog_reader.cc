#include "engine/mariadb/binlog_reader.h"

// mysql.h must come first: mariadb_rpl.h uses its types.
#include <mysql.h>

#include <mariadb_rpl.h>

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/log.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/row_image.h"

namespace cutover::mariadb {

namespace {

constexpr unsigned kMariaSlaveCapabilityGtid = 4;

// The current end of the binlog: SHOW MASTER STATUS.
Status CurrentEnd(MariaConn& conn, std::string& file, uint64_t& pos) {
  ASSIGN_OR_RETURN(MariaRows rows, conn.Query("SHOW MASTER STATUS"));
  if (rows.rows.empty()) {
    return FailedPrecondition("binary logging is off on " + conn.redacted_uri() +
                              ": start the server with log_bin");
  }
  file = rows.Get(0, "File").value_or("");
  pos = std::stoull(rows.Get(0, "Position").value_or("4"));
  return Status::Ok();
}

// kDataLoss when `file` is not among SHOW BINARY LOGS (purged or never existed).
Status CheckFileAvailable(MariaConn& conn, const std::string& file, uint64_t pos) {
  ASSIGN_OR_RETURN(MariaRows rows, conn.Query("SHOW BINARY LOGS"));
  std::string oldest, newest;
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    std::string name = rows.Get(r, "Log_name").value_or("");
    if (name == file) return Status::Ok();
    if (oldest.empty()) oldest = name;
    newest = name;
  }
  return DataLoss(fmt::format(
      "binlog file {} (needed to start at {}:{}) is not on the server {} any more (purged?); "
      "available: {}",
      file, file, pos, conn.redacted_uri(),
      oldest.empty() ? std::string("none") : oldest + " ... " + newest));
}

}  // namespace

Result<std::unique_ptr<BinlogReader>> BinlogReader::Open(const std::string& uri,
                                                         const BinlogStart& start,
                                                         uint32_t server_id,
                                                         std::chrono::milliseconds heartbeat) {
  if (server_id == 0) {
    return InvalidArgument("binlog reader: the replica server id must be non-zero");
  }
  MariaConnectOptions options;
  if (heartbeat.count() > 0) {
    // A silent connection for several heartbeat periods is a dead one.
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(heartbeat * 4).count();
    options.read_timeout_s = static_cast<unsigned>(std::max<int64_t>(30, seconds));
  }
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "binlog", options));
  std::unique_ptr<BinlogReader> r(new BinlogReader());
  r->conn_ = std::move(conn);
  MariaConn& c = *r->conn_;

  ASSIGN_OR_RETURN(MariaRows vars, c.Query("SELECT @@global.log_bin AS log_bin, "
                                           "@@global.binlog_checksum AS checksum"));
  if (vars.Get(0, "log_bin").value_or("0") != "1") {
    return FailedPrecondition("binary logging is off on " + c.redacted_uri() +
                              ": start the server with log_bin");
  }
  r->server_checksum_ = vars.Get(0, "checksum").value_or("NONE") == "CRC32";

  if (!start.gtid_state.empty()) {
    ASSIGN_OR_RETURN(auto gtids, ParseGtidList(start.gtid_state));
    RETURN_IF_ERROR(c.Exec("SET @slave_connect_state=" + c.QuoteLiteral(GtidListToString(gtids)),
                           "SET @slave_connect_state"));
    r->file_.clear();
    r->pos_ = 4;
  } else if (start.file.empty()) {
    RETURN_IF_ERROR(CurrentEnd(c, r->file_, r->pos_));
  } else {
    RETURN_IF_ERROR(CheckFileAvailable(c, start.file, start.pos));
    r->file_ = start.file;
    r->pos_ = std::max<uint64_t>(start.pos, 4);
  }
  RETURN_IF_ERROR(c.Exec("SET @master_binlog_checksum=@@global.binlog_checksum"));
  RETURN_IF_ERROR(
      c.Exec(fmt::format("SET @mariadb_slave_capability={}", kMariaSlaveCapabilityGtid)));
  if (heartbeat.count() > 0) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(heartbeat).count();
    RETURN_IF_ERROR(c.Exec(fmt::format("SET @master_heartbeat_period={}", ns)));
  }

  r->rpl_ = mariadb_rpl_init(c.raw());
  if (!r->rpl_) return c.LastError("binlog reader: mariadb_rpl_init");
  std::string start_file = start.gtid_state.empty() ? r->file_ : std::string();
  if (mariadb_rpl_optionsv(r->rpl_, MARIADB_RPL_FILENAME, start_file.c_str(), start_file.size()) ||
      mariadb_rpl_optionsv(r->rpl_, MARIADB_RPL_START,
                           static_cast<unsigned long>(start.gtid_state.empty() ? r->pos_ : 4)) ||
      mariadb_rpl_optionsv(r->rpl_, MARIADB_RPL_SERVER_ID, static_cast<unsigned>(server_id)) ||
      mariadb_rpl_optionsv(r->rpl_, MARIADB_RPL_FLAGS, 0u)) {
    return Internal("binlog reader: mariadb_rpl_optionsv refused an option");
  }
  if (mariadb_rpl_open(r->rpl_)) {
    return c.LastError(fmt::format("binlog dump from {} at {}", c.redacted_uri(),
                                   start.gtid_state.empty()
                                       ? fmt::format("{}:{}", r->file_, r->pos_)
                                       : "GTID " + start.gtid_state));
  }
  Log(LogLevel::kDebug, "binlog dump from {} at {} (server id {})", c.redacted_uri(),
      start.gtid_state.empty() ? fmt::format("{}:{}", r->file_, r->pos_)
                               : "GTID " + start.gtid_state,
      server_id);
  return r;
}

BinlogReader::~BinlogReader() {
  if (event_) mariadb_free_rpl_event(event_);
  if (rpl_) mariadb_rpl_close(rpl_);
}

const std::string& BinlogReader::redacted_uri() const {
  return conn_->redacted_uri();
}

Status BinlogReader::Fail(Status status) {
  if (failed_.ok()) failed_ = status;
  return status;
}

Status BinlogReader::Fetch(std::string_view& raw) {
  MARIADB_RPL_EVENT* ev = mariadb_rpl_fetch(rpl_, event_);
  if (!ev) {
    // Connector/C frees the event it was given when a fetch fails.
    event_ = nullptr;
    std::string where =
        fmt::format("binlog stream from {} after {}:{}", conn_->redacted_uri(), file_, pos_);
    if (unsigned e = mysql_errno(conn_->raw()); e != 0) {
      Status st = conn_->LastError(where);
      // During a dump, a server error other than "cannot read the binlog" (1236: purged file
      // or GTID state, kDataLoss) or a privilege error ends the stream the way a lost
      // connection does (killed, shut down): worth a retry, not bad input.
      if (st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kInternal)
        return Unavailable(st.message());
      return st;
    }
    if (mariadb_rpl_errno(rpl_) != 0) {
      return Internal(fmt::format("{}: {} (error {})", where, mariadb_rpl_error(rpl_),
                                  mariadb_rpl_errno(rpl_)));
    }
    return Unavailable(where + ": the server ended the stream");
  }
  event_ = ev;
  if (ev->raw_data_size < ev->raw_data_ofs) {
    return Internal("binlog stream: packet shorter than its own header offset");
  }
  raw = std::string_view(reinterpret_cast<const char*>(ev->raw_data) + ev->raw_data_ofs,
                         ev->raw_data_size - ev->raw_data_ofs);
  return Status::Ok();
}

Status BinlogReader::Next(BinlogEvent& out) {
  if (!failed_.ok()) return failed_;
  std::string_view raw;
  if (Status st = Fetch(raw); !st.ok()) return Fail(st);

  EventHeader header;
  std::string_view body;
  uint8_t type = raw.size() > 4 ? static_cast<uint8_t>(raw[4]) : 0;
  auto context = [&](const Status& st) {
    return Fail(
        st.WithContext(fmt::format("binlog {} at {}:{}", conn_->redacted_uri(), file_, pos_)));
  };
  if (type == FORMAT_DESCRIPTION_EVENT) {
    if (Status st = ParseFormatDescription(raw, header, fd_); !st.ok()) return context(st);
    have_fd_ = true;
    maps_.clear();  // table ids are only meaningful within one binlog file
  } else {
    bool checksum = have_fd_ ? fd_.checksum_alg == 1 : server_checksum_;
    if (Status st = SplitEvent(raw, checksum, header, body); !st.ok()) return context(st);
  }

  out.raw_type = header.type;
  out.timestamp = header.timestamp;
  out.server_id = header.server_id;
  out.flags = header.flags;
  out.rows_skipped = false;
  out.stmt_end = false;
  Status st;
  if (header.type == FORMAT_DESCRIPTION_EVENT) {
    out.type = BinlogEvent::Type::kFormatDescription;
  } else if (IsRowsEvent(header.type)) {
    st = HandleRows(header, body, out);
  } else {
    st = ParseEventBody(header, body, fd_, out);
  }
  if (!st.ok()) return context(st);

  switch (out.type) {
    case BinlogEvent::Type::kRotate:
      file_ = out.rotate_file;
      pos_ = out.rotate_pos;
      maps_.clear();
      break;
    case BinlogEvent::Type::kHeartbeat:
      // The dump thread's own position: beyond events it skipped (GTID start) it is exact.
      if (!out.rotate_file.empty()) file_ = out.rotate_file;
      if (header.log_pos != 0) pos_ = header.log_pos;
      break;
    case BinlogEvent::Type::kTableMap: {
      MapEntry& entry = maps_[out.table_map->table_id];
      entry.map = out.table_map;
      entry.decode = !filter_ || filter_(*out.table_map);
      if (header.log_pos != 0) pos_ = header.log_pos;
      break;
    }
    default:
      if (header.log_pos != 0) pos_ = header.log_pos;  // 0: artificial (FD resent at start)
      break;
  }
  out.file = file_;
  out.next_pos = pos_;
  return Status::Ok();
}

Status BinlogReader::HandleRows(const EventHeader& header, std::string_view body,
                                BinlogEvent& out) {
  RETURN_IF_ERROR(ParseRowsEvent(header.type, body, fd_, rows_body_));
  out.type = rows_body_.type;
  out.stmt_end = rows_body_.flags & STMT_END_F;
  auto it = maps_.find(rows_body_.table_id);
  if (it == maps_.end()) {
    return Internal(fmt::format("rows event for table id {} without a preceding TABLE_MAP",
                                rows_body_.table_id));
  }
  out.table_map = it->second.map;
  if (!it->second.decode) {
    out.rows_skipped = true;
    out.rows.clear();
    return Status::Ok();
  }
  return DecodeRows(*it->second.map, rows_body_, out.rows);
}

}  // namespace cutover::mariadb
