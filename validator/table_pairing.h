// Table pairing: which source table is compared with which target table, on which columns, and
// under which per-column rules.
//
// Design: the validator must use exactly the engine's own mapping, so the source tables come
// from the source endpoint's DiscoverTables (the same patterns as `replicate --tables`) or from
// a task's list on the target, and each lands where TargetTableName (engine/core/naming.h) puts
// it. Columns are matched by name; columns present on one side only are schema differences and
// the rest is compared. The per-column CanonicalRules come from the pair of engines and column
// types (docs/types.md), so a mapped value compares equal and nothing else does.
#pragma once

#include <string>
#include <vector>

#include "engine/core/lossy.h"
#include "engine/core/range_scanner.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/task/table_mapping.h"

namespace cutover::validator {

struct TablePair {
  TableSchemaPtr source_schema, target_schema;
  ScanTable source, target;  // same compared columns, same order
  // One line per schema difference: "column c exists only on the source", ...
  std::vector<std::string> schema_differences;
  // Non-empty when the table is compared as a whole multiset of rows (no usable key): says why.
  std::string keyless_reason;
  // A change-data-type rule changes the kind of a key column (int4 -> string): the two sides
  // order their keys differently, so the table is compared as one key range (rows matched by
  // key in memory), never cut by key values, and its differences are not re-read by key.
  bool one_range = false;
};

struct PairingRequest {
  std::string source_uri, target_uri;
  std::vector<std::string> patterns;  // `schema.table` with '%' wildcards; empty: all
  std::string task;                   // non-empty: the task's tables (filtered by `patterns`)
  // The task's DMS table mapping (selection and renames), as `replicate --table-mappings`.
  std::shared_ptr<const task::TableMapping> mapping;
};

// Discovers and pairs the tables. Errors (exit 2): unreachable servers, a pattern matching no
// source table, a task with no tables, a source table with no counterpart on the target.
Result<std::vector<TablePair>> PairTables(const PairingRequest& request);

// The comparison of source column `source` of a `source_engine` table with its copy on a
// `target_engine` target: the target engine's own lossy rules for it (EngineDriver::TargetRules,
// engine/core/lossy.h) as canonical adjustments. PairTables asks per table (rules that depend
// on the whole table, such as key bounds, never change a comparison). Exported for tests.
CanonicalRulePair RulesForColumn(const Column& source, const std::string& source_engine,
                                 const std::string& target_engine);

}  // namespace cutover::validator
