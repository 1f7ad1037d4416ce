#include "engine/mariadb/maria_log_retention.h"

#include <algorithm>
#include <cstdlib>

#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_source.h"

namespace cutover::mariadb {

namespace {

// The numeric extension of a binlog file name ("mariadb-bin.000042" -> 42); -1 if none.
int64_t FileNumber(const std::string& file) {
  size_t dot = file.rfind('.');
  if (dot == std::string::npos || dot + 1 == file.size()) return -1;
  return std::strtoll(file.c_str() + dot + 1, nullptr, 10);
}

}  // namespace

Result<std::optional<int64_t>> MariaBinlogBytesAfter(const std::string& uri,
                                                     const std::string& position) {
  if (position.empty()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(BinlogCoordinates at, ParseBinlogPosition(position));
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "cutover metrics"));
  ASSIGN_OR_RETURN(MariaRows logs, conn->Query("SHOW BINARY LOGS", "listing the binlogs"));
  const int64_t from = FileNumber(at.file);
  bool found = false;
  int64_t bytes = 0;
  for (size_t i = 0; i < logs.rows.size(); ++i) {
    std::string name = logs.Get(i, "Log_name").value_or("");
    int64_t size = std::strtoll(logs.Get(i, "File_size").value_or("0").c_str(), nullptr, 10);
    int64_t n = FileNumber(name);
    if (n == from) {
      found = true;
      bytes += std::max<int64_t>(0, size - static_cast<int64_t>(at.offset));
    } else if (n > from) {
      bytes += size;
    }
  }
  if (!found) return std::optional<int64_t>();
  return std::optional<int64_t>(bytes);
}

}  // namespace cutover::mariadb
