#include "engine/core/load_session.h"

#include <chrono>

#include <fmt/format.h>

#include "engine/core/civil_time.h"

namespace cutover::loadgen {

std::string CreateTableSql(const Session& session, const TableDef& table) {
  std::string sql = "CREATE TABLE " + table.name + " (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnDef& c = table.columns[i];
    if (i) sql += ", ";
    sql += c.name + " " + session.ColumnSql(c);
  }
  sql += ", PRIMARY KEY (";
  for (size_t i = 0; i < table.primary_key.size(); ++i) {
    if (i) sql += ", ";
    sql += table.primary_key[i];
  }
  sql += "))" + session.TableOptionsSql();
  return sql;
}

std::string DropTableSql(const TableDef& table) {
  return "DROP TABLE IF EXISTS " + table.name;
}

std::string FormatMicros(int64_t micros) {
  int64_t days =
      micros >= 0 ? micros / 86400000000LL : -((-micros + 86400000000LL - 1) / 86400000000LL);
  int64_t in_day = micros - days * 86400000000LL;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  int64_t secs = in_day / 1000000;
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", y, m, d, secs / 3600,
                     (secs / 60) % 60, secs % 60, in_day % 1000000);
}

Value NowTimestampTz() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Value::TimestampTz(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

}  // namespace cutover::loadgen
