#include "tests/integration/support/maria_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {

std::unique_ptr<harness::ThrowawayServer> StartMariaDb(const std::string& name,
                                                       const std::string& extra_args) {
  if (!extra_args.empty()) setenv("CUTOVER_MARIADB_EXTRA_ARGS", extra_args.c_str(), 1);
  auto s = harness::ThrowawayServer::Start(harness::ServerKind::kMariaDb, name);
  if (!extra_args.empty()) unsetenv("CUTOVER_MARIADB_EXTRA_ARGS");
  if (!s.ok()) {
    ADD_FAILURE() << "cannot start MariaDB: " << s.status().message();
    return nullptr;
  }
  return std::move(s).value();
}

std::unique_ptr<mariadb::MariaConn> MariaConnect(const harness::ThrowawayServer& server) {
  auto c = mariadb::MariaConn::Connect(server.uri(), "test client");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c).value() : nullptr;
}

void MariaExec(mariadb::MariaConn& conn, const std::string& sql) {
  Status s = conn.Exec(sql);
  EXPECT_TRUE(s.ok()) << s.message() << "\nSQL: " << sql.substr(0, 500);
}

std::string MariaValue(mariadb::MariaConn& conn, const std::string& sql) {
  auto r = conn.Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().message() << "\nSQL: " << sql.substr(0, 500);
  if (!r.ok() || r->rows.empty() || r->rows[0].empty()) return "";
  return r->rows[0][0].value_or("NULL");
}

std::vector<std::string> RowDigests(const harness::ThrowawayServer& server,
                                    const std::string& table, const std::string& key,
                                    const std::vector<CanonColumn>& columns) {
  std::vector<std::string> out;
  if (server.kind() == harness::ServerKind::kMariaDb) {
    std::string row = "CONCAT_WS('|'";
    for (const auto& c : columns) row += ", COALESCE(" + c.maria + ", '<null>')";
    row += ")";
    auto conn = mariadb::MariaConn::Connect(server.uri(), "test client");
    if (!conn.ok()) return {"error: " + conn.status().message()};
    auto r = (*conn)->Query("SELECT CAST(" + key + " AS CHAR), MD5(" + row + ") FROM " + table +
                            " ORDER BY " + key);
    if (!r.ok()) return {"error: " + r.status().message()};
    for (const auto& cells : r->rows) {
      out.push_back(cells[0].value_or("NULL") + "\t" + cells[1].value_or("NULL"));
    }
    return out;
  }
  std::string row = "concat_ws('|'";
  for (const auto& c : columns) row += ", coalesce((" + c.pg + ")::text, '<null>')";
  row += ")";
  auto r = server.Sql("SELECT " + key + "::text || E'\\t' || md5(" + row + ") FROM " + table +
                      " ORDER BY " + key);
  if (!r.ok()) return {"error: " + r.status().message()};
  std::istringstream lines(*r);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string CompareDigests(std::vector<std::string> source, std::vector<std::string> target) {
  if (source == target) return "";
  for (const auto* side : {&source, &target}) {
    if (side->size() == 1 && side->front().rfind("error: ", 0) == 0) return side->front();
  }
  std::sort(source.begin(), source.end());
  std::sort(target.begin(), target.end());
  std::ostringstream msg;
  msg << "source " << source.size() << " rows, target " << target.size()
      << " rows; differing keys:";
  std::vector<std::string> only_source, only_target;
  std::set_difference(source.begin(), source.end(), target.begin(), target.end(),
                      std::back_inserter(only_source));
  std::set_difference(target.begin(), target.end(), source.begin(), source.end(),
                      std::back_inserter(only_target));
  int shown = 0;
  for (const auto& s : only_source) {
    if (shown++ == 5) break;
    msg << " " << s.substr(0, s.find('\t')) << "(source)";
  }
  shown = 0;
  for (const auto& s : only_target) {
    if (shown++ == 5) break;
    msg << " " << s.substr(0, s.find('\t')) << "(target)";
  }
  return msg.str();
}

std::string WaitUntilRowsEqual(const harness::ThrowawayServer& source,
                               const std::string& source_table,
                               const harness::ThrowawayServer& target,
                               const std::string& target_table, const std::string& key,
                               const std::vector<CanonColumn>& columns,
                               std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string diff;
  while (true) {
    diff = CompareDigests(RowDigests(source, source_table, key, columns),
                          RowDigests(target, target_table, key, columns));
    if (diff.empty() || std::chrono::steady_clock::now() >= deadline) return diff;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::vector<CanonColumn> PlainColumns(std::initializer_list<const char*> names) {
  std::vector<CanonColumn> cols;
  for (const char* c : names) cols.push_back({std::string("CAST(") + c + " AS CHAR)", c});
  return cols;
}

}  // namespace cutover::testing
