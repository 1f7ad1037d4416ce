// TableMapping: a DMS table-mapping document (the JSON users give `aws dms create-replication-
// task --table-mappings`), read as DMS documents it and applied by cutover.
//
// What cutover does with each rule (docs/dms.md has the whole list):
//   selection       include / exclude / explicit with an object-locator (schema-name,
//                   table-name, table-type); DMS wildcards: '%' any run, '_' one character,
//                   '[...]' one character of a set or range ('[!...]' / '[^...]' negated);
//                   load-order orders the full load (higher first, as DMS).
//   transformation  rule-target schema / table with rename, convert-lowercase,
//                   convert-uppercase, add-/remove-/replace-prefix, add-/remove-/replace-suffix:
//                   where tables land on the target. Applied in rule-id order.
//   filters         source filters of a selection rule (eq, noteq, ste/lte, gte, between,
//                   notbetween, null, notnull): conditions of one filter are OR-ed, filters
//                   AND-ed; applied by engine/pipeline/table_transform.h.
//   column rules    rule-target column: the same name actions, remove-column, include-column,
//                   add-column (expressions: column_expression.h): MapColumns.
//   define-primary-key  rule-target table, primary-key-def (name, origin, columns): the key the
//                   table has on the target, by which CDC finds rows and the validator pairs
//                   them (a keyless source table gets one; a source key is replaced): KeyFor.
//   change-data-type  rule-target column, data-type (type, length, precision, scale): the
//                   column's engine-neutral type on the target; only changes that hold every
//                   value the source column can hold are accepted (CheckTypeChange): TypeChangeFor.
//   table-settings  parallel-load (ranges, partitions-auto, partitions-list, none): the table's
//                   same-table split of the full load (engine/core/load_split.h); ParallelLoadFor.
//                   lob-settings (mode, bulk-max-size): what DMS would truncate is reported,
//                   cutover never truncates (engine/pipeline/lob_report.h): LobSettingsFor.
// Everything else DMS defines (add-before-image-columns, data masking, tablespaces, ...) is
// recognised and refused with an error naming the rule, until cutover implements it: a rule
// that was silently ignored would replicate something other than what the user asked for.
//
// Design: parsing collects every problem of the file (JsonProblems) so one run names them all;
// the result is plain data, applied by the pipeline (selection, load order) and by every sink
// and the validator through one function (TargetName), so they cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/task/column_expression.h"

namespace cutover::task {

// DMS object-locator matching. Case-sensitive, like DMS selection rules.
bool MatchDmsPattern(std::string_view pattern, std::string_view text);

enum class SelectionAction { kInclude, kExclude, kExplicit };

// One condition of a source filter (DMS filter-conditions[]). Values are the text the user
// wrote; they are compared as the column's type (engine/pipeline/row_filter.h).
enum class FilterOp { kEq, kNotEq, kLte, kGte, kBetween, kNotBetween, kNull, kNotNull };
struct FilterCondition {
  FilterOp op = FilterOp::kEq;
  std::string value;  // eq, noteq, ste/lte, gte
  std::string start;  // between, notbetween
  std::string end;
};
// A source filter on one column: a row passes when any condition holds.
struct SourceFilter {
  std::string rule_id;
  std::string column;
  std::vector<FilterCondition> conditions;
};

struct SelectionRule {
  std::string id;  // rule-id, as written
  std::string name;
  SelectionAction action = SelectionAction::kInclude;
  std::string schema;  // schema-name pattern (database name for MariaDB, "main" for SQLite)
  std::string table;   // table-name pattern
  int64_t load_order = 0;
  std::vector<SourceFilter> filters;  // include / explicit only
};

enum class NameTarget { kSchema, kTable };
enum class NameAction {
  kRename,
  kLowercase,
  kUppercase,
  kAddPrefix,
  kRemovePrefix,
  kReplacePrefix,
  kAddSuffix,
  kRemoveSuffix,
  kReplaceSuffix
};

struct NameRule {
  std::string id;
  std::string name;
  NameTarget target = NameTarget::kTable;
  NameAction action = NameAction::kRename;
  std::string schema = "%";  // object-locator patterns
  std::string table = "%";
  std::string value;      // rename's new name; the prefix / suffix to add or remove or put in
  std::string old_value;  // replace-prefix / replace-suffix: the one replaced
};

enum class ColumnAction { kName, kRemove, kInclude, kAdd };

// A transformation rule on columns (rule-target column).
struct ColumnRule {
  std::string id;
  std::string name;
  ColumnAction action = ColumnAction::kName;
  NameRule naming;           // kName: the name action (its schema/table patterns are unused)
  std::string schema = "%";  // object-locator patterns
  std::string table = "%";
  std::string column = "%";
  std::string value;       // kAdd: the new column's name
  std::string expression;  // kAdd: DMS expression
};

// An added column: its target name and how its value is computed from the source row
// (column_expression.h).
struct AddedColumn {
  std::string rule_id;
  std::string name;
  ColumnExpression expression;
  bool has_operation = false;  // operation_indicator(...) in the expression
};

// What the column rules make of one source table's columns.
struct ColumnMapping {
  // Per source column (in order): its name on the target, or empty when it does not travel
  // (remove-column, or not named by the table's include-column rules).
  std::vector<std::string> target_names;
  // Per source column: the rule that removed it (empty when it travels).
  std::vector<std::string> removed_by;
  std::vector<AddedColumn> added;  // appended after the source columns
  bool changes_anything = false;
};

// A name action (rename, case, prefix, suffix) applied to one name.
std::string ApplyNameAction(const NameRule& rule, std::string name);

// define-primary-key: the key a table has on the target (DMS primary-key-def).
struct DefinedKey {
  std::string rule_id;
  std::string schema, table;         // object-locator patterns
  std::string name;                  // primary-key-def.name (the constraint's name in DMS)
  bool unique_index = false;         // origin "unique-index" (DMS); cutover keys the table alike
  std::vector<std::string> columns;  // source column names, in key order
};

// change-data-type: a column's type on the target, as DMS's data-type object writes it.
struct TypeChange {
  std::string rule_id;
  std::string schema, table, column;  // object-locator patterns
  std::string source_type;            // object-locator data-type: only columns of this DMS type
  std::string type;                   // data-type.type: "int8", "string", "numeric", ...
  int64_t length = -1;                // string / wstring / bytes
  int precision = -1, scale = -1;     // numeric; scale also the fraction digits of datetime
};

// lob-settings of a table-settings rule: how DMS would move the table's LOB columns.
struct LobSettings {
  std::string rule_id;
  std::string schema, table;      // object-locator patterns
  std::string mode;               // "limited", "unlimited", "none"
  int64_t bulk_max_size_kb = -1;  // bulk-max-size (KB); -1: not given
};

// A table-settings rule's parallel-load: how one table's full load is split.
enum class ParallelLoadType { kNone, kRanges, kPartitionsAuto, kPartitionsList };
struct ParallelLoad {
  std::string rule_id;
  std::string schema, table;  // object-locator patterns
  ParallelLoadType type = ParallelLoadType::kNone;
  std::vector<std::string> columns;                  // kRanges
  std::vector<std::vector<std::string>> boundaries;  // kRanges: one value per column, as written
};

class TableMapping {
 public:
  const std::vector<SelectionRule>& selections() const { return selections_; }
  const std::vector<NameRule>& renames() const { return renames_; }

  // Whether `source` is selected: some include or explicit rule matches it and no exclude rule.
  // Records which rules matched, for CheckSelectionsUsed.
  bool Selects(const TableName& source) const;
  // kNotFound naming the first include or explicit rule that selected no table (a typo must
  // not silently replicate less than asked).
  Status CheckSelectionsUsed() const;
  // The highest load-order of the rules selecting `source` (DMS loads higher first).
  int64_t LoadOrder(const TableName& source) const;

  // Where `source` lands: `landing` (the target engine's default place) with every matching
  // transformation applied in rule-id order. Rules match on the source's names.
  TableName TargetName(const TableName& source, const TableName& landing) const;
  bool renames_anything() const { return !renames_.empty(); }

  // The source filters of `source`: those of every include / explicit rule selecting it.
  std::vector<SourceFilter> Filters(const TableName& source) const;
  bool filters_anything() const;

  // Column rules applied to `source`'s columns. kInvalidArgument naming the rule when an
  // add-column expression names a column the table lacks or cannot be evaluated.
  Result<ColumnMapping> MapColumns(const TableName& source,
                                   const std::vector<std::string>& columns) const;
  bool maps_columns() const { return !column_rules_.empty(); }

  // The parallel-load of the last table-settings rule matching `source`; null when none does.
  const ParallelLoad* ParallelLoadFor(const TableName& source) const;
  const std::vector<ColumnRule>& column_rules() const { return column_rules_; }

  // The define-primary-key of `source` (the last matching rule in rule-id order); null: none.
  const DefinedKey* KeyFor(const TableName& source) const;
  bool defines_keys() const { return !keys_.empty(); }
  // The change-data-type of one source column (the last matching rule); null: none.
  // `dms_type` is the column's DMS type name (DmsTypeName), for object-locator data-type.
  const TypeChange* TypeChangeFor(const TableName& source, const std::string& column,
                                  const std::string& dms_type) const;
  bool changes_types() const { return !type_changes_.empty(); }
  // The lob-settings of `source` (the last matching table-settings rule); null: none.
  const LobSettings* LobSettingsFor(const TableName& source) const;
  bool sets_lobs() const { return !lob_settings_.empty(); }

 private:
  friend class TableMappingReader;
  std::vector<SelectionRule> selections_;
  std::vector<NameRule> renames_;
  std::vector<ColumnRule> column_rules_;
  std::vector<DefinedKey> keys_;
  std::vector<TypeChange> type_changes_;
  std::vector<LobSettings> lob_settings_;
  std::vector<ParallelLoad> parallel_loads_;
  mutable std::vector<bool> used_;
};

// Parses a table-mapping document. Every problem of the file is in the error, one per line
// ("FILE: $.rules[2].rule-action: ..."); `warnings` gets notes on keys without effect.
Result<TableMapping> ParseTableMapping(std::string_view text, const std::string& file,
                                       std::vector<std::string>* warnings);
Result<TableMapping> ReadTableMappingFile(const std::string& path,
                                          std::vector<std::string>* warnings);

}  // namespace cutover::task
