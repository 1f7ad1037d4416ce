// Dialect: the SQL differences between the engines that the load generator's neutral SQL and
// table definitions need, in one place (session.h explains the neutral form).
#pragma once

#include <string>
#include <string_view>

#include "engine/core/uri.h"
#include "engine/core/value.h"
#include "loadgen/session.h"

namespace cutover::loadgen {

// The column type text for `type` on `engine`, e.g. kMoney -> "numeric(12,2)" / "DECIMAL(12,2)".
std::string SqlType(EngineKind engine, ColType type);

// CREATE TABLE for `table` (with its primary key) and DROP TABLE IF EXISTS.
std::string CreateTableSql(EngineKind engine, const TableDef& table);
std::string DropTableSql(const TableDef& table);

// Rewrites the `$n` placeholders of neutral SQL with `replace(n)` (n is 1-based). A '$' not
// followed by a digit is kept. Neutral SQL has no string literals, so no quoting is parsed.
template <typename F>
std::string RewritePlaceholders(std::string_view sql, F replace) {
  std::string out;
  out.reserve(sql.size() + 16);
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
      replace(n, out);
      i = j - 1;
    } else {
      out.push_back(sql[i]);
    }
  }
  return out;
}

// "YYYY-MM-DD HH:MM:SS.ffffff" for µs since the epoch (UTC), as MariaDB and SQLite read it.
std::string FormatMicros(int64_t micros);

// Current wall-clock time as a Value of kind kTimestampTz (µs).
Value NowTimestampTz();

}  // namespace cutover::loadgen
