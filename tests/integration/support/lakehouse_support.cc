#include "tests/integration/support/lakehouse_support.h"

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

namespace cutover::testing {
namespace {

const char* Mode(LakeFiles files) {
  return files == LakeFiles::kCsvGzip ? "gzip" : files == LakeFiles::kParquet ? "parquet" : "plain";
}

// One JSON document per file from `node read.mjs READER FILE...`.
bool ReadParquetFiles(const std::string& reader, const std::vector<std::string>& files,
                      std::vector<nlohmann::json>& docs, std::string& error) {
  std::string cmd = "cd " + std::string(CUTOVER_SOURCE_DIR) +
                    "/tests/lakehouse_readers && node read.mjs " + reader;
  for (const auto& f : files) cmd += " '" + f + "'";
  int rc = 0;
  std::string out = Shell(cmd + " 2>&1", &rc);
  if (rc != 0) {
    error = reader + ": " + out.substr(0, 2000);
    return false;
  }
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    try {
      docs.push_back(nlohmann::json::parse(line));
    } catch (const std::exception&) {
      error = reader + " printed: " + line.substr(0, 300);
      return false;
    }
  }
  if (docs.size() != files.size()) {
    error = reader + ": " + std::to_string(docs.size()) + " documents for " +
            std::to_string(files.size()) + " files";
    return false;
  }
  return true;
}

// hyparquet gives DECIMAL as a JS double: the two texts must be the same double, within the
// rounding of the conversion.
bool SameDecimal(const std::string& a, const std::string& b) {
  double x = std::strtod(a.c_str(), nullptr), y = std::strtod(b.c_str(), nullptr);
  return x == y || std::fabs(x - y) <= 1e-12 * std::max(std::fabs(x), std::fabs(y));
}

}  // namespace

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
                std::string& error, LakeFiles files) {
  int rc = 0;
  std::string out =
      Shell("cd " + std::string(CUTOVER_SOURCE_DIR) +
                "/tests/lakehouse_readers && TIMESTAMP_COLUMN='" + timestamp_column +
                "' node duckdb_fold.mjs '" + folder + "' " + key + " " + Mode(files) + " 2>&1",
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

std::string Duplicates(const std::string& folder, LakeFiles files) {
  int rc = 0;
  std::string out = Shell("cd " + std::string(CUTOVER_SOURCE_DIR) +
                              "/tests/lakehouse_readers && node duckdb_fold.mjs '" + folder +
                              "' id " + Mode(files) + " --duplicates 2>&1",
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

namespace cutover::testing {

std::string HyparquetAgreesWithDuckDb(const std::string& folder, int* files_read) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(folder))
    if (e.is_regular_file() && e.path().extension() == ".parquet") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files_read) *files_read = static_cast<int>(files.size());
  if (files.empty()) return folder + ": no Parquet file";
  std::vector<nlohmann::json> duck, hyp;
  std::string error;
  if (!ReadParquetFiles("duckdb", files, duck, error)) return error;
  if (!ReadParquetFiles("hyparquet", files, hyp, error)) return error;
  std::ostringstream diff;
  int shown = 0;
  for (size_t f = 0; f < files.size() && shown < 8; ++f) {
    const auto& dc = duck[f].at("columns");
    const auto& hc = hyp[f].at("columns");
    const auto& dr = duck[f].at("rows");
    const auto& hr = hyp[f].at("rows");
    if (dc.size() != hc.size() || dr.size() != hr.size()) {
      diff << files[f] << ": DuckDB " << dc.size() << " columns, " << dr.size()
           << " rows; hyparquet " << hc.size() << " columns, " << hr.size() << " rows\n";
      ++shown;
      continue;
    }
    for (size_t c = 0; c < dc.size(); ++c)
      if (dc[c].at("name") != hc[c].at("name")) {
        diff << files[f] << ": column " << c << " is " << dc[c].at("name") << " in DuckDB, "
             << hc[c].at("name") << " in hyparquet\n";
        ++shown;
      }
    for (size_t r = 0; r < dr.size() && shown < 8; ++r)
      for (size_t c = 0; c < dc.size() && shown < 8; ++c) {
        const auto& a = dr[r][c];
        const auto& b = hr[r][c];
        if (a == b) continue;
        bool decimal = dc[c].at("type").get<std::string>().rfind("DECIMAL", 0) == 0;
        if (decimal && a.is_string() && b.is_string() &&
            SameDecimal(a.get<std::string>(), b.get<std::string>()))
          continue;
        diff << files[f] << " row " << r << " column " << dc[c].at("name") << ": DuckDB "
             << a.dump().substr(0, 80) << ", hyparquet " << b.dump().substr(0, 80) << "\n";
        ++shown;
      }
  }
  return diff.str();
}

}  // namespace cutover::testing
