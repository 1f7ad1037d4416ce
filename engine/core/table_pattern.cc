#include "engine/core/table_pattern.h"

namespace cutover {

namespace {

// Matches one '[...]' class at p[0] == '[' against `c`; sets `len` to the class's length. A '['
// without a closing ']' is an ordinary character.
bool MatchClass(std::string_view p, char c, size_t& len) {
  size_t i = 1;
  bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
  if (negate) ++i;
  size_t first = i;
  bool hit = false;
  for (; i < p.size() && (p[i] != ']' || i == first); ++i) {
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      if (p[i] <= c && c <= p[i + 2]) hit = true;
      i += 2;
    } else if (p[i] == c) {
      hit = true;
    }
  }
  if (i >= p.size()) {  // no closing bracket: a literal '['
    len = 1;
    return c == '[';
  }
  len = i + 1;
  return hit != negate;
}

}  // namespace

bool MatchWildcardPattern(std::string_view p, std::string_view t, bool single_char_wildcards) {
  // Iterative wildcard match with backtracking on the last '%'.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    size_t len = 1;
    bool step = false;
    if (pi < p.size() && p[pi] == '%') {
      star = pi++;
      mark = ti;
      continue;
    }
    if (pi < p.size()) {
      if (single_char_wildcards && p[pi] == '_')
        step = true;
      else if (single_char_wildcards && p[pi] == '[')
        step = MatchClass(p.substr(pi), t[ti], len);
      else
        step = p[pi] == t[ti];
    }
    if (step) {
      pi += len;
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
