// Where a source table lands on a target: the engine-neutral part. Each engine's driver decides
// the rest (EngineDriver::TargetTable, engine/core/driver.h), and its sink uses the same
// function, so the sink and the validator always agree:
//
//   PostgreSQL target: a PostgreSQL source keeps its schema; any other source's tables go to
//                      "public" (a MariaDB database name or SQLite "main" is not a schema the
//                      user asked for, and must not collide with cutover's own "cutover" schema).
//   MariaDB target:    the target URI's database, whatever the source schema (a MariaDB URI names
//                      one database; two source schemas with the same table name are refused).
//   SQLite target:     "main".
// A task's table mapping may rename both (TableSchema::target_schema / target_table, set by the
// pipeline): the table name on every target, the schema where the target has schemas.
#pragma once

#include <string>

#include "engine/core/schema.h"

namespace cutover {

// The table's name on any target: the mapping's rename, else the source name.
inline const std::string& LandingTableName(const TableSchema& source_table) {
  return source_table.target_table.empty() ? source_table.name.name : source_table.target_table;
}

}  // namespace cutover
