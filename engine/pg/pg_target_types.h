// PostgreSQL as a target: the column type a source column becomes, the lossy cases announced at
// task start, and the per-value rule those cases apply (docs/types.md, "-> PostgreSQL" tables).
//
// A PostgreSQL source's columns keep their own type text. Other sources are mapped from the
// Column's kind and its source type text; where the PostgreSQL type cannot hold every source
// value (MariaDB zero dates), TargetValue() applies the documented rule and MappingWarnings()
// has said so once per column.
#pragma once

#include <string>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/value.h"

namespace cutover::pg {

// Column type text used when creating `column` of a table read from `source_engine`.
std::string TargetColumnType(const Column& column, const std::string& source_engine);

// One line per column of `table` whose values are not all carried exactly.
std::vector<std::string> PgMappingWarnings(const TableSchema& table);

// The value to write for `v` of `column` (from a `table.engine` source): `v` itself, or NULL
// where docs/types.md says so (a MariaDB zero date in a date/timestamp column).
inline bool WritesAsNull(const Column& column, const Value& v) {
  return v.kind() == ValueKind::kOther && column.kind != ValueKind::kOther;
}

}  // namespace cutover::pg
