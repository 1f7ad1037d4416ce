// Where a source table lands on a target: one rule, used by every sink and by the validator.
//
//   PostgreSQL target: a PostgreSQL source keeps its schema; any other source's tables go to
//                      "public" (a MariaDB database name or SQLite "main" is not a schema the
//                      user asked for, and must not collide with cutover's own "cutover" schema).
//   MariaDB target:    the target URI's database, whatever the source schema (a MariaDB URI names
//                      one database; two source schemas with the same table name are refused).
//   SQLite target:     "main".
// Table names themselves are kept as they are.
// A task's table mapping may rename both (TableSchema::target_schema / target_table, set by the
// pipeline): the table name on every target, the schema on a PostgreSQL target only (a MariaDB
// target's database is its URI's, SQLite has one schema).
#pragma once

#include <string>
#include <string_view>

#include "engine/core/schema.h"

namespace cutover {

inline TableName TargetTableName(const TableSchema& source_table, std::string_view target_engine,
                                 std::string_view target_database) {
  const std::string& table =
      source_table.target_table.empty() ? source_table.name.name : source_table.target_table;
  if (target_engine == "postgresql") {
    if (!source_table.target_schema.empty()) return TableName{source_table.target_schema, table};
    if (source_table.engine == "postgresql") return TableName{source_table.name.schema, table};
    return TableName{"public", table};
  }
  if (target_engine == "mariadb") return TableName{std::string(target_database), table};
  return TableName{"main", table};
}

}  // namespace cutover
