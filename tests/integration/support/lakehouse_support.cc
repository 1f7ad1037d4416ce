#include "tests/integration/support/lakehouse_support.h"

#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <thread>

namespace cutover::testing {

std::string Shell(const std::string& cmd, int* exit_code) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (exit_code) *exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

const std::string& DuckDbReady() {
  static const std::string status = [] {
    int rc = 0;
    std::string out =
        Shell(std::string(CUTOVER_SOURCE_DIR) + "/scripts/install-lakehouse-readers.sh 2>&1", &rc);
    return rc == 0 ? std::string() : "install-lakehouse-readers.sh failed: " + out;
  }();
  return status;
}

bool DuckDbFold(const std::string& folder, const std::string& key,
                const std::string& timestamp_column, std::vector<nlohmann::json>& rows,
                std::string& error, bool gzip) {
  int rc = 0;
  std::string out =
      Shell("cd " + std::string(CUTOVER_SOURCE_DIR) +
                "/tests/lakehouse_readers && TIMESTAMP_COLUMN='" + timestamp_column +
                "' node duckdb_fold.mjs '" + folder + "' " + key + (gzip ? " gzip" : "") + " 2>&1",
            &rc);
  rows.clear();
  if (rc != 0) {
    error = "duckdb: " + out.substr(0, 2000);
    return false;
  }
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    try {
      rows.push_back(nlohmann::json::parse(line));
    } catch (const std::exception& e) {
      error = "duckdb printed: " + line.substr(0, 300);
      return false;
    }
  }
  return true;
}

std::string Duplicates(const std::string& folder, bool gzip) {
  int rc = 0;
  std::string out = Shell("cd " + std::string(CUTOVER_SOURCE_DIR) +
                              "/tests/lakehouse_readers && node duckdb_fold.mjs '" + folder +
                              "' id " + (gzip ? "gzip" : "plain") + " --duplicates 2>&1",
                          &rc);
  if (rc != 0) return "duckdb: " + out.substr(0, 2000);
  try {
    auto j = nlohmann::json::parse(out);
    std::printf("[ measure ] %s: %s rows in the files\n", folder.c_str(),
                j.at("rows").get<std::string>().c_str());
    if (j.at("duplicates").get<std::string>() == "0") return "";
    return folder + ": " + j.at("duplicates").get<std::string>() + " duplicated change(s)";
  } catch (const std::exception&) {
    return "duckdb printed: " + out.substr(0, 300);
  }
}

}  // namespace cutover::testing
