// Where a source table lands on a target: one rule, used by every sink and by the validator.
//
//   PostgreSQL target: a PostgreSQL source keeps its schema; any other source's tables go to
//                      "public" (a MariaDB database name or SQLite "main" is not a schema the
//                      user asked for, and must not collide with cutover's own "cutover" schema).
//   MariaDB target:    the target URI's database, whatever the source schema (a MariaDB URI names
//                      one database; two source schemas with the same table name are refused).
//   SQLite target:     "main".
// Table names themselves are kept as they are.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/schema.h"

namespace cutover {

inline TableName TargetTableName(const TableSchema& source_table, std::string_view target_engine,
                                 std::string_view target_database) {
  if (target_engine == "postgresql") {
    if (source_table.engine == "postgresql") return source_table.name;
    return TableName{"public", source_table.name.name};
  }
  if (target_engine == "mariadb")
    return TableName{std::string(target_database), source_table.name.name};
  return TableName{"main", source_table.name.name};
}

}  // namespace cutover
