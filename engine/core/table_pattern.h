// Table selection by --tables / --exclude-tables patterns, shared by every source (and the
// validator).
//
// A pattern is `schema.table` or `table`, where '%' matches any run of characters (no other
// wildcards: '_' is an ordinary character, table names often contain it). An empty pattern list
// selects every table. A pattern that selected nothing is an error naming it: a typo must not
// silently replicate less than asked. A table is selected when it matches an include pattern (or
// the include list is empty) and no exclude pattern; an exclude pattern that matches no table is
// an error too (a typo there would silently replicate more than asked).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/start_report.h"
#include "engine/core/status.h"

namespace cutover {

// Matches `text` against a wildcard pattern: '%' is any run of characters. With
// `single_char_wildcards` (DMS object locators), '_' is any one character and '[...]' one
// character of a set or range ('[!...]' / '[^...]' negated; a '[' without ']' is literal).
bool MatchWildcardPattern(std::string_view pattern, std::string_view text,
                          bool single_char_wildcards);

// Matches `text` against a pattern where '%' is any run of characters (the only wildcard).
inline bool MatchPercentPattern(std::string_view pattern, std::string_view text) {
  return MatchWildcardPattern(pattern, text, false);
}

// What a task replicates: `include` patterns (empty: every table) minus `exclude` patterns.
struct TableSelection {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // Further rules a table must also pass (a DMS table mapping's selection rules); none if empty.
  std::function<bool(const TableName&)> rules;
};

class TablePatterns {
 public:
  explicit TablePatterns(std::vector<std::string> patterns)
      : TablePatterns(TableSelection{std::move(patterns), {}}) {}
  explicit TablePatterns(TableSelection selection)
      : patterns_(std::move(selection.include)),
        excludes_(std::move(selection.exclude)),
        rules_(std::move(selection.rules)),
        used_(patterns_.size(), false),
        excluded_used_(excludes_.size(), false) {}
  // Whether `name` is selected; remembers which patterns matched.
  bool Select(const TableName& name);
  // kNotFound naming the first pattern that selected (or excluded) no table.
  Status CheckAllUsed() const;
  // Every pattern that selected (or excluded) no table, as problems of a task start.
  void ReportUnused(StartReport& problems) const;

 private:
  static bool Matches(const std::string& pattern, const TableName& name);
  std::vector<std::string> patterns_;
  std::vector<std::string> excludes_;
  std::function<bool(const TableName&)> rules_;
  std::vector<bool> used_;
  std::vector<bool> excluded_used_;
};

}  // namespace cutover
