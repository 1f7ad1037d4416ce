// Table selection by --tables patterns, shared by every source (and the validator).
//
// A pattern is `schema.table` or `table`, where '%' matches any run of characters (no other
// wildcards: '_' is an ordinary character, table names often contain it). An empty pattern list
// selects every table. A pattern that selected nothing is an error naming it: a typo must not
// silently replicate less than asked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/status.h"

namespace cutover {

// Matches `text` against a pattern where '%' is any run of characters.
bool MatchPercentPattern(std::string_view pattern, std::string_view text);

class TablePatterns {
 public:
  explicit TablePatterns(std::vector<std::string> patterns)
      : patterns_(std::move(patterns)), used_(patterns_.size(), false) {}
  // Whether `name` is selected; remembers which patterns matched.
  bool Select(const TableName& name);
  // kNotFound naming the first pattern that selected no table.
  Status CheckAllUsed() const;

 private:
  std::vector<std::string> patterns_;
  std::vector<bool> used_;
};

}  // namespace cutover
