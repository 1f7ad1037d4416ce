// `cutover binlog`: read a MariaDB binlog through cutover's own reader and decoder
// (engine/mariadb/binlog_reader.h) and print one line per event, optionally with the decoded
// rows. For humans (what does the stream look like, where does a transaction end, which Values
// does the decoder give) and for the decoder benchmark (bench/macro/maria_binlog_decode.sh:
// --until-end --stats reads a backlog to the current end and prints counts and the rate).
// Exit codes: 0 done (count reached, end reached, or SIGINT/SIGTERM); 2 error.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "engine/core/log.h"
#include "engine/core/table_pattern.h"
#include "engine/mariadb/binlog_reader.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_types.h"

namespace cutover::cli {
namespace {

using mariadb::BinlogEvent;

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
      return mariadb::EncodeMariaText(v);
  }
}

std::string ShowRow(const std::vector<Value>& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) out += (i ? ", " : "") + Show(row[i]);
  return out + ")";
}

class BinlogCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* cmd = root.add_subcommand(
        "binlog", "Print a MariaDB binlog as cutover decodes it (one line per event)");
    cmd->add_option("--source", uri_, "MariaDB URI, mariadb://user:pass@host:port/db")->required();
    cmd->add_option("--from", from_,
                    "Start position FILE:OFFSET (default: the current end of the binlog)");
    cmd->add_option("--gtid", gtid_, "Start after this GTID state (d-s-n[,...]) instead of --from");
    cmd->add_option("--tables", tables_,
                    "Decode rows only of tables matching db.table ('%' wildcard; repeatable)");
    cmd->add_flag("--rows", rows_, "Print every decoded row image");
    cmd->add_flag("--until-end", until_end_,
                  "Stop at the end of the binlog as it was when the command started");
    cmd->add_option("--until", until_,
                    "Stop once the stream reaches position FILE:OFFSET (an event boundary)");
    cmd->add_option("--count", count_, "Stop after this many events (0: no limit)")
        ->check(CLI::Range(int64_t{0}, int64_t{1} << 62));
    cmd->add_flag("--stats", stats_,
                  "Print only a summary at the end: events, rows, seconds, rows/s");
    cmd->add_option("--server-id", server_id_, "Replica server id of the dump connection")
        ->check(CLI::Range(1u, 4294967295u))
        ->capture_default_str();
    cmd->add_option("--heartbeat-ms", heartbeat_ms_, "Heartbeat period of an idle stream")
        ->check(CLI::Range(0, 3600000))
        ->capture_default_str();
    return cmd;
  }

  int Run(const GlobalOptions&) override {
    mariadb::BinlogStart start;
    if (!gtid_.empty() && !from_.empty()) {
      return Fail(InvalidArgument("--from and --gtid are exclusive: give one start position"));
    }
    if (!from_.empty()) {
      if (Status st = ParseFilePos("--from", from_, start.file, start.pos); !st.ok())
        return Fail(st);
    }
    start.gtid_state = gtid_;

    std::string end_file;
    uint64_t end_pos = 0;
    if (!until_.empty() && until_end_) {
      return Fail(InvalidArgument("--until and --until-end are exclusive"));
    }
    if (!until_.empty()) {
      if (Status st = ParseFilePos("--until", until_, end_file, end_pos); !st.ok()) return Fail(st);
    }
    if (until_end_) {
      auto conn = mariadb::MariaConn::Connect(uri_, "binlog end");
      if (!conn.ok()) return Fail(conn.status());
      auto rows = (*conn)->Query("SHOW MASTER STATUS");
      if (!rows.ok()) return Fail(rows.status());
      if (rows->rows.empty()) return Fail(FailedPrecondition("binary logging is off"));
      end_file = rows->Get(0, "File").value_or("");
      end_pos = std::stoull(rows->Get(0, "Position").value_or("0"));
    }

    auto reader = mariadb::BinlogReader::Open(uri_, start, server_id_,
                                              std::chrono::milliseconds(heartbeat_ms_));
    if (!reader.ok()) return Fail(reader.status());
    if (!tables_.empty()) {
      (*reader)->SetTableFilter([this](const mariadb::TableMap& map) {
        TablePatterns patterns(tables_);
        return patterns.Select(TableName{map.database, map.table});
      });
    }

    auto t0 = std::chrono::steady_clock::now();
    int64_t events = 0, rows_events = 0, rows = 0, transactions = 0;
    BinlogEvent ev;
    while (!StopFlag().load()) {
      if (!end_file.empty() && (*reader)->file() == end_file && (*reader)->position() >= end_pos)
        break;
      if (count_ > 0 && events >= count_) break;
      if (Status s = (*reader)->Next(ev); !s.ok()) return Fail(s);
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
      if (!stats_) Print(ev, is_rows);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (stats_) {
      std::printf(
          "events %lld, rows events %lld, rows %lld, transactions %lld, %.3f s, %.0f rows/s, "
          "end %s:%llu\n",
          static_cast<long long>(events), static_cast<long long>(rows_events),
          static_cast<long long>(rows), static_cast<long long>(transactions), seconds,
          seconds > 0 ? static_cast<double>(rows) / seconds : 0.0, (*reader)->file().c_str(),
          static_cast<unsigned long long>((*reader)->position()));
    }
    std::fflush(stdout);
    return 0;
  }

 private:
  // "FILE:OFFSET" -> file, offset; kInvalidArgument naming the option otherwise.
  static Status ParseFilePos(const char* option, const std::string& text, std::string& file,
                             uint64_t& pos) {
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

  void Print(const BinlogEvent& ev, bool is_rows) {
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
        line += " [" + mariadb::GtidListToString(ev.gtid_list) + "]";
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
    if (is_rows && rows_) {
      for (const auto& row : ev.rows) {
        std::string r = "  ";
        if (!row.before.empty()) r += "before " + ShowRow(row.before);
        if (!row.before.empty() && !row.after.empty()) r += " ";
        if (!row.after.empty()) r += "after " + ShowRow(row.after);
        std::puts(r.c_str());
      }
    }
  }

  std::string uri_, from_, gtid_, until_;
  std::vector<std::string> tables_;
  bool rows_ = false, until_end_ = false, stats_ = false;
  int64_t count_ = 0;
  uint32_t server_id_ = 4023;
  int heartbeat_ms_ = 1000;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<BinlogCommand>();
});

}  // namespace
}  // namespace cutover::cli
