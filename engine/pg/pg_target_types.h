// PostgreSQL as a target: the column type a source column becomes, the lossy cases announced at
// task start, and the per-value rule those cases apply (docs/types.md, "-> PostgreSQL" tables).
//
// A PostgreSQL source's columns keep their own type text. Other sources are mapped from the
// Column's kind and its source type text; where the PostgreSQL type cannot hold every source
// value (MariaDB zero dates), PgTargetValue() applies the documented rule and reports it when a
// value hits it; PgTargetRules() lists the rules per column (L7, L9) for the announcements and the
// validator.
#pragma once

#include <string>
#include <vector>

#include "engine/core/lossy.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover::pg {

// Column type text used when creating `column` of a table read from `source_engine`.
std::string TargetColumnType(const Column& column, const std::string& source_engine);

// The lossy rules (engine/core/lossy.h) each column of `table` goes through on a PostgreSQL
// target: L9 (type-level, with its note), L7 (value-level: PgTargetValue), and MariaDB TIME kept
// as an interval (a representation). None for a PostgreSQL source.
std::vector<ColumnRules> PgTargetRules(const TableSchema& table);

// How the PostgreSQL target writes one value: its text, or NULL.
enum class PgWrite : uint8_t { kValue, kNull };

// What to write for `v` of `column` (from a `source_engine` table): the one check of the full
// load and both apply modes. NULL for SQL NULL and where docs/types.md says so (a MariaDB zero
// date in a date/timestamp column: `applied` = L7, a value-level rule); values PostgreSQL would
// refuse or alter are an error naming column and value (the caller adds table and key): a time
// outside 00:00:00-24:00:00 (R6), text holding a NUL character (R9). PostgreSQL sources are not
// checked: their values come from the same types.
Result<PgWrite> PgTargetValue(const Column& column, const std::string& source_engine,
                              const Value& v, LossyRule& applied);

}  // namespace cutover::pg
