#include "engine/mariadb/maria_preflight.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "engine/mariadb/maria_conn.h"

namespace cutover::mariadb {

namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The first row of a query of variables, as text ("" for NULL).
Result<std::vector<std::string>> Variables(MariaConn& conn, const std::string& sql) {
  ASSIGN_OR_RETURN(MariaRows r, conn.Query(sql, "reading server variables"));
  std::vector<std::string> out;
  if (r.rows.empty()) return out;
  for (const auto& cell : r.rows[0]) out.push_back(cell.value_or(""));
  return out;
}

// One setting that must have one value for change capture.
void RequireSetting(CheckList& checks, const std::string& name, const std::string& actual,
                    const std::string& wanted, const std::string& remedy) {
  const std::string title = name + " is " + wanted;
  if (Upper(actual) == wanted) {
    checks.Pass("maria." + name, title, name + "=" + actual);
  } else {
    checks.Fail("maria." + name, title,
                name + " is " + Upper(actual) + ", change capture needs " + wanted, remedy);
  }
}

Status CheckMariaSourceAdvice(MariaConn& conn, CheckList& checks) {
  ASSIGN_OR_RETURN(auto v, Variables(conn,
                                     "SELECT @@server_id, @@expire_logs_days, "
                                     "@@binlog_expire_logs_seconds, @@max_allowed_packet"));
  // For information: MariaDB (10.2.2 and later) keeps server_id at 1 or more (a 0 given on the
  // command line or by SET GLOBAL is adjusted to 1), so the "server_id is not set" refusal of
  // binlog readers DMS checks for cannot happen; the task's binlog reader registers under an id
  // of its own, derived from the task name.
  checks.Pass("maria.server_id", "server_id (the source's id in the replication topology)",
              "server_id=" + v.at(0));
  // Retention: binlog_expire_logs_seconds wins when non-zero (10.6+); 0 and 0 keep binlogs.
  const double seconds = std::atof(v.at(2).c_str()) > 0 ? std::atof(v.at(2).c_str())
                                                        : std::atof(v.at(1).c_str()) * 86400;
  const std::string rtitle =
      "binlog retention outlasts the longest task stop (there is no slot: a purged binlog is a "
      "gap)";
  if (seconds <= 0) {
    checks.Pass("maria.binlog_retention", rtitle,
                "binlogs are kept until purged by hand (expire_logs_days=0)");
  } else if (seconds < 24 * 3600) {
    checks.Warn("maria.binlog_retention", rtitle,
                "binlogs expire after " + std::to_string(static_cast<int64_t>(seconds)) +
                    " s: a task stopped longer must load again",
                "SET GLOBAL binlog_expire_logs_seconds to more than the longest stop you plan "
                "for (e.g. 604800 for 7 days)");
  } else {
    checks.Pass(
        "maria.binlog_retention", rtitle,
        "binlogs expire after " + std::to_string(static_cast<int64_t>(seconds / 3600)) + " h");
  }
  checks.Pass("maria.max_allowed_packet",
              "max_allowed_packet (the largest row a binlog event carries)",
              "max_allowed_packet=" + v.at(3));
  return Status::Ok();
}

Status CheckMariaTarget(MariaConn& conn, CheckList& checks) {
  ASSIGN_OR_RETURN(auto v, Variables(conn, "SELECT @@local_infile, @@max_allowed_packet"));
  const std::string title = "local_infile is ON (the full load uses LOAD DATA LOCAL INFILE)";
  if (v.at(0) == "1") {
    checks.Pass("maria.local_infile", title, "local_infile=ON");
  } else {
    checks.Fail("maria.local_infile", title, "local_infile=OFF: the full load cannot run",
                "SET GLOBAL local_infile = ON (and in the server config)");
  }
  checks.Pass("maria.max_allowed_packet", "max_allowed_packet (the largest statement applied)",
              "max_allowed_packet=" + v.at(1));
  return Status::Ok();
}

}  // namespace

Status CheckMariaCapture(MariaConn& conn, bool parallel_snapshots, CheckList& checks) {
  // InnoDB and keys are checked by DiscoverTables and the pipeline.
  ASSIGN_OR_RETURN(auto v, Variables(conn,
                                     "SELECT @@log_bin, @@binlog_format, "
                                     "@@binlog_row_image, @@binlog_row_metadata"));
  const std::string log_title = "the binary log is on (log_bin)";
  if (v.at(0) == "1") {
    checks.Pass("maria.log_bin", log_title, "log_bin=ON");
  } else {
    checks.Fail("maria.log_bin", log_title, "the binary log is off (log_bin)",
                "start the server with --log-bin for change capture");
  }
  RequireSetting(checks, "binlog_format", v.at(1), "ROW",
                 "SET GLOBAL binlog_format=ROW, and in the server config");
  RequireSetting(checks, "binlog_row_image", v.at(2), "FULL", "SET GLOBAL binlog_row_image=FULL");
  RequireSetting(checks, "binlog_row_metadata", v.at(3), "FULL",
                 "SET GLOBAL binlog_row_metadata=FULL");

  // Privileges: REPLICATION SLAVE and BINLOG MONITOR for the binlog, RELOAD for aligning
  // parallel snapshots, SELECT on the data.
  ASSIGN_OR_RETURN(MariaRows grants, conn.Query("SHOW GRANTS", "reading privileges"));
  std::string all;
  for (const auto& r : grants.rows) all += Upper(r[0].value_or("")) + "\n";
  const bool everything = all.find("GRANT ALL PRIVILEGES ON *.*") != std::string::npos;
  auto has = [&](const std::string& priv) {
    if (everything) return true;
    for (size_t pos = 0; (pos = all.find("GRANT ", pos)) != std::string::npos;) {
      size_t end = all.find('\n', pos);
      std::string line = all.substr(pos, end - pos);
      pos = end;
      if (line.find(" ON *.* ") == std::string::npos) continue;
      if (line.find(priv) != std::string::npos) return true;
    }
    return false;
  };
  std::vector<std::string> missing;
  if (!has("REPLICATION SLAVE")) missing.push_back("REPLICATION SLAVE");
  if (!has("BINLOG MONITOR") && !has("REPLICATION CLIENT") && !has("SUPER"))
    missing.push_back("BINLOG MONITOR");
  if (parallel_snapshots && !has("RELOAD")) missing.push_back("RELOAD");
  const std::string ptitle = "the user has REPLICATION SLAVE, BINLOG MONITOR and RELOAD";
  const std::string user = "user " + conn.uri().user;
  if (missing.empty()) {
    checks.Pass("maria.replication_privileges", ptitle, user);
  } else {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    checks.Fail("maria.replication_privileges", ptitle, user + " lacks " + list,
                "GRANT " + list + " ON *.* TO ..." +
                    (parallel_snapshots && missing.back() == "RELOAD"
                         ? "; RELOAD aligns parallel snapshots, --parallel 1 needs no lock"
                         : ""));
  }
  return Status::Ok();
}

Result<std::map<TableName, TableSize>> EstimateMariaTableSizes(
    MariaConn& conn, const std::vector<TableSchemaPtr>& tables) {
  std::map<TableName, TableSize> out;
  if (tables.empty()) return out;
  ASSIGN_OR_RETURN(MariaRows r,
                   conn.Query("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS, DATA_LENGTH + "
                              "INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_TYPE = "
                              "'BASE TABLE' AND TABLE_SCHEMA = " +
                                  conn.QuoteLiteral(conn.uri().database),
                              "reading table sizes"));
  std::map<TableName, TableSize> all;
  for (const auto& row : r.rows) {
    TableSize s;
    if (row[2]) s.rows = std::atoll(row[2]->c_str());
    if (row[3]) s.bytes = std::atoll(row[3]->c_str());
    all[TableName{row[0].value_or(""), row[1].value_or("")}] = s;
  }
  for (const auto& t : tables) {
    auto it = all.find(t->name);
    if (it != all.end()) out[t->name] = it->second;
  }
  return out;
}

Status CheckMariaEndpoint(const std::string& uri, EndpointRole role, CheckList& checks) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "test-connection"));
  if (role == EndpointRole::kTarget) return CheckMariaTarget(*conn, checks);
  RETURN_IF_ERROR(CheckMariaCapture(*conn, /*parallel_snapshots=*/true, checks));
  return CheckMariaSourceAdvice(*conn, checks);
}

}  // namespace cutover::mariadb
