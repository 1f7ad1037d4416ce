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
// Everything else DMS defines (column transformations, source filters, table-settings) is
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

namespace cutover::task {

// DMS object-locator matching. Case-sensitive, like DMS selection rules.
bool MatchDmsPattern(std::string_view pattern, std::string_view text);

enum class SelectionAction { kInclude, kExclude, kExplicit };

struct SelectionRule {
  std::string id;  // rule-id, as written
  std::string name;
  SelectionAction action = SelectionAction::kInclude;
  std::string schema;  // schema-name pattern (database name for MariaDB, "main" for SQLite)
  std::string table;   // table-name pattern
  int64_t load_order = 0;
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

 private:
  friend class TableMappingReader;
  std::vector<SelectionRule> selections_;
  std::vector<NameRule> renames_;
  mutable std::vector<bool> used_;
};

// Parses a table-mapping document. Every problem of the file is in the error, one per line
// ("FILE: $.rules[2].rule-action: ..."); `warnings` gets notes on keys without effect.
Result<TableMapping> ParseTableMapping(std::string_view text, const std::string& file,
                                       std::vector<std::string>* warnings);
Result<TableMapping> ReadTableMappingFile(const std::string& path,
                                          std::vector<std::string>* warnings);

}  // namespace cutover::task
