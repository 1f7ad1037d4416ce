#include "engine/core/table_pattern.h"

namespace cutover {

bool MatchPercentPattern(std::string_view p, std::string_view t) {
  // Iterative wildcard match with backtracking on the last '%'.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && p[pi] == t[ti]) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

bool TablePatterns::Matches(const std::string& pat, const TableName& name) {
  auto dot = pat.find('.');
  return dot == std::string::npos
             ? MatchPercentPattern(pat, name.name)
             : MatchPercentPattern(std::string_view(pat).substr(0, dot), name.schema) &&
                   MatchPercentPattern(std::string_view(pat).substr(dot + 1), name.name);
}

bool TablePatterns::Select(const TableName& name) {
  bool take = patterns_.empty();
  for (size_t p = 0; p < patterns_.size(); ++p) {
    if (Matches(patterns_[p], name)) take = used_[p] = true;
  }
  for (size_t p = 0; p < excludes_.size(); ++p) {
    if (Matches(excludes_[p], name)) {
      excluded_used_[p] = true;
      take = false;
    }
  }
  if (rules_ && !rules_(name)) take = false;
  return take;
}

void TablePatterns::ReportUnused(StartReport& problems) const {
  for (size_t p = 0; p < patterns_.size(); ++p) {
    if (!used_[p])
      problems.Refuse("--tables '" + patterns_[p] + "'", "matches no table on the source",
                      "check the spelling; '%' is the only wildcard, '_' is an ordinary character");
  }
  for (size_t p = 0; p < excludes_.size(); ++p) {
    if (!excluded_used_[p])
      problems.Refuse("--exclude-tables '" + excludes_[p] + "'", "matches no table on the source",
                      "check the spelling; '%' is the only wildcard, '_' is an ordinary character");
  }
}

Status TablePatterns::CheckAllUsed() const {
  for (size_t p = 0; p < patterns_.size(); ++p) {
    if (!used_[p])
      return NotFound("--tables '" + patterns_[p] + "' matches no table on the source");
  }
  for (size_t p = 0; p < excludes_.size(); ++p) {
    if (!excluded_used_[p])
      return NotFound("--exclude-tables '" + excludes_[p] + "' matches no table on the source");
  }
  return Status::Ok();
}

}  // namespace cutover
