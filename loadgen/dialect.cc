#include "loadgen/dialect.h"

#include <chrono>

#include <fmt/format.h>

#include "engine/pg/pg_types.h"

namespace cutover::loadgen {

std::string SqlType(EngineKind engine, ColType type) {
  switch (engine) {
    case EngineKind::kPostgres:
      switch (type) {
        case ColType::kInt:
          return "integer";
        case ColType::kBigInt:
          return "bigint";
        case ColType::kMoney:
          return "numeric(12,2)";
        case ColType::kTimestampTz:
          return "timestamp(6) with time zone";
        case ColType::kTimestamp:
          return "timestamp(6)";
        case ColType::kJson:
          return "jsonb";
        case ColType::kBytes:
          return "bytea";
        case ColType::kUuid:
          return "uuid";
        case ColType::kShortText:
          return "varchar(200)";
        case ColType::kLongText:
          return "text";
      }
      break;
    case EngineKind::kMariaDb:
      switch (type) {
        case ColType::kInt:
          return "INT";
        case ColType::kBigInt:
          return "BIGINT";
        case ColType::kMoney:
          return "DECIMAL(12,2)";
        case ColType::kTimestampTz:
          return "TIMESTAMP(6)";  // stored as UTC (docs/types.md)
        case ColType::kTimestamp:
          return "DATETIME(6)";
        case ColType::kJson:
          return "JSON";
        case ColType::kBytes:
          return "LONGBLOB";
        case ColType::kUuid:
          return "UUID";
        case ColType::kShortText:
          return "VARCHAR(200)";
        case ColType::kLongText:
          return "MEDIUMTEXT";  // TEXT stops at 65,535 bytes
      }
      break;
    case EngineKind::kSqlite:
      // Declared names that say what the column holds (a SQLite source maps them back);
      // affinities: INTEGER, NUMERIC for DECIMAL/TIMESTAMP*/JSON/UUID, TEXT, BLOB.
      switch (type) {
        case ColType::kInt:
          return "INTEGER";
        case ColType::kBigInt:
          return "BIGINT";
        case ColType::kMoney:
          return "DECIMAL(12,2)";
        case ColType::kTimestampTz:
          return "TIMESTAMPTZ";
        case ColType::kTimestamp:
          return "TIMESTAMP";
        case ColType::kJson:
          return "JSON";
        case ColType::kBytes:
          return "BLOB";
        case ColType::kUuid:
          return "UUID";
        case ColType::kShortText:
          return "VARCHAR(200)";
        case ColType::kLongText:
          return "TEXT";
      }
      break;
  }
  return "text";
}

std::string CreateTableSql(EngineKind engine, const TableDef& table) {
  std::string sql = "CREATE TABLE " + table.name + " (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnDef& c = table.columns[i];
    if (i) sql += ", ";
    sql += c.name + " " + SqlType(engine, c.type) + (c.nullable ? " NULL" : " NOT NULL");
    // MariaDB gives the first NOT NULL TIMESTAMP an implicit ON UPDATE CURRENT_TIMESTAMP unless
    // it has an explicit default (explicit_defaults_for_timestamp=OFF); values must only ever
    // change when the workload writes them.
    if (engine == EngineKind::kMariaDb && c.type == ColType::kTimestampTz && !c.nullable)
      sql += " DEFAULT CURRENT_TIMESTAMP(6)";
  }
  sql += ", PRIMARY KEY (";
  for (size_t i = 0; i < table.primary_key.size(); ++i) {
    if (i) sql += ", ";
    sql += table.primary_key[i];
  }
  sql += "))";
  if (engine == EngineKind::kMariaDb) sql += " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  return sql;
}

std::string DropTableSql(const TableDef& table) {
  return "DROP TABLE IF EXISTS " + table.name;
}

std::string FormatMicros(int64_t micros) {
  // pg::EncodeText prints "YYYY-MM-DD HH:MM:SS[.ffffff]" for a kTimestamp; pad the fraction to
  // six digits so every engine reads the same text.
  std::string out;
  pg::EncodeText(Value::Timestamp(micros), out);
  size_t dot = out.find('.');
  if (dot == std::string::npos) {
    out += ".000000";
  } else {
    while (out.size() - dot - 1 < 6) out.push_back('0');
  }
  return out;
}

Value NowTimestampTz() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Value::TimestampTz(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

}  // namespace cutover::loadgen
