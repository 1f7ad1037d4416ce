// `cutover binlog`'s engine half: reads a MariaDB binlog through cutover's own reader and
// decoder (binlog_reader.h) and prints one line per event, optionally with the decoded rows.
// For humans (what does the stream look like, where does a transaction end, which Values does
// the decoder give) and for the decoder benchmark (bench/macro/maria_binlog_decode.sh:
// --until-end --stats reads a backlog to the current end and prints counts and the rate).
#include "engine/mariadb/maria_binlog_dump.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/core/table_pattern.h"
#include "engine/mariadb/binlog_reader.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_types.h"

namespace cutover::mariadb {
namespace {

// A Value for display: SQL-ish literals, bytes in hex.
std::string Show(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return "NULL";
    case ValueKind::kUnchanged:
      return "-";
    case ValueKind::kBytes:
      return v.DebugString();
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kOther: {
      std::string out = "'";
      for (char c : v.str()) {
        if (c == '\'')
          out += "''";
        else if (c == '\n')
          out += "\\n";
        else
          out.push_back(c);
      }
      return out + "'";
    }
    default:
      return EncodeMariaText(v);
  }
}

std::string ShowRow(const std::vector<Value>& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) out += (i ? ", " : "") + Show(row[i]);
  return out + ")";
}

// "FILE:OFFSET" -> file, offset; kInvalidArgument naming the option otherwise.
Status ParseFilePos(const char* option, const std::string& text, std::string& file, uint64_t& pos) {
  size_t colon = text.rfind(':');
  std::string digits = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (colon == std::string::npos || colon == 0 || digits.empty() || digits.size() > 12 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument(std::string(option) + " '" + text +
                           "': expected FILE:OFFSET such as binlog.000003:4");
  }
  file = text.substr(0, colon);
  pos = std::stoull(digits);
  return Status::Ok();
}

void Print(const BinlogEvent& ev, bool is_rows, bool rows_wanted) {
  std::string line = fmt::format("{}:{} {}", ev.file, ev.next_pos, BinlogEventTypeName(ev.type));
  switch (ev.type) {
    case BinlogEvent::Type::kGtid:
      line += " " + ev.gtid.ToString() + (ev.gtid_standalone ? " standalone" : "");
      break;
    case BinlogEvent::Type::kXid:
      line += fmt::format(" xid={}", ev.xid);
      break;
    case BinlogEvent::Type::kQuery:
      line += fmt::format(" db={} {}", ev.query_db, ev.query.substr(0, 200));
      break;
    case BinlogEvent::Type::kTableMap:
      line += fmt::format(" {}.{} id={} columns={}", ev.table_map->database, ev.table_map->table,
                          ev.table_map->table_id, ev.table_map->column_count());
      break;
    case BinlogEvent::Type::kRotate:
      line += fmt::format(" to {}:{}", ev.rotate_file, ev.rotate_pos);
      break;
    case BinlogEvent::Type::kGtidList:
      line += " [" + GtidListToString(ev.gtid_list) + "]";
      break;
    case BinlogEvent::Type::kOther:
      line += fmt::format(" type={}", ev.raw_type);
      break;
    default:
      break;
  }
  if (is_rows) {
    line += fmt::format(" {}.{} rows={}{}{}", ev.table_map->database, ev.table_map->table,
                        ev.rows.size(), ev.stmt_end ? " STMT_END" : "",
                        ev.rows_skipped ? " (not decoded)" : "");
  }
  std::puts(line.c_str());
  if (is_rows && rows_wanted) {
    for (const auto& row : ev.rows) {
      std::string r = "  ";
      if (!row.before.empty()) r += "before " + ShowRow(row.before);
      if (!row.before.empty() && !row.after.empty()) r += " ";
      if (!row.after.empty()) r += "after " + ShowRow(row.after);
      std::puts(r.c_str());
    }
  }
}

}  // namespace

Status DumpBinlog(const ChangeLogDumpRequest& req) {
  BinlogStart start;
  if (!req.gtid.empty() && !req.from.empty()) {
    return InvalidArgument("--from and --gtid are exclusive: give one start position");
  }
  if (!req.from.empty()) {
    RETURN_IF_ERROR(ParseFilePos("--from", req.from, start.file, start.pos));
  }
  start.gtid_state = req.gtid;

  std::string end_file;
  uint64_t end_pos = 0;
  if (!req.until.empty() && req.until_end) {
    return InvalidArgument("--until and --until-end are exclusive");
  }
  if (!req.until.empty()) {
    RETURN_IF_ERROR(ParseFilePos("--until", req.until, end_file, end_pos));
  }
  if (req.until_end) {
    auto conn = MariaConn::Connect(req.uri, "binlog end");
    if (!conn.ok()) return conn.status();
    auto rows = (*conn)->Query("SHOW MASTER STATUS");
    if (!rows.ok()) return rows.status();
    if (rows->rows.empty()) return FailedPrecondition("binary logging is off");
    end_file = rows->Get(0, "File").value_or("");
    end_pos = std::stoull(rows->Get(0, "Position").value_or("0"));
  }

  auto reader = BinlogReader::Open(req.uri, start, req.server_id,
                                   std::chrono::milliseconds(req.heartbeat_ms));
  if (!reader.ok()) return reader.status();
  if (!req.tables.empty()) {
    (*reader)->SetTableFilter([patterns = TablePatterns(req.tables)](const TableMap& map) mutable {
      return patterns.Select(TableName{map.database, map.table});
    });
  }

  auto t0 = std::chrono::steady_clock::now();
  int64_t events = 0, rows_events = 0, rows = 0, transactions = 0;
  BinlogEvent ev;
  while (!(req.stop && req.stop->load())) {
    if (!end_file.empty() && (*reader)->file() == end_file && (*reader)->position() >= end_pos)
      break;
    if (req.count > 0 && events >= req.count) break;
    RETURN_IF_ERROR((*reader)->Next(ev));
    ++events;
    bool is_rows = ev.type == BinlogEvent::Type::kWriteRows ||
                   ev.type == BinlogEvent::Type::kUpdateRows ||
                   ev.type == BinlogEvent::Type::kDeleteRows;
    if (is_rows) {
      ++rows_events;
      rows += static_cast<int64_t>(ev.rows.size());
    }
    if (ev.type == BinlogEvent::Type::kXid ||
        (ev.type == BinlogEvent::Type::kGtid && ev.gtid_standalone))
      ++transactions;
    if (!req.stats) Print(ev, is_rows, req.rows);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (req.stats) {
    std::printf(
        "events %lld, rows events %lld, rows %lld, transactions %lld, %.3f s, %.0f rows/s, "
        "end %s:%llu\n",
        static_cast<long long>(events), static_cast<long long>(rows_events),
        static_cast<long long>(rows), static_cast<long long>(transactions), seconds,
        seconds > 0 ? static_cast<double>(rows) / seconds : 0.0, (*reader)->file().c_str(),
        static_cast<unsigned long long>((*reader)->position()));
  }
  std::fflush(stdout);
  return Status::Ok();
}

}  // namespace cutover::mariadb
