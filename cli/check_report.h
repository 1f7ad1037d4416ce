// How `cutover test-connection` and `cutover assess` show a list of readiness checks
// (engine/core/readiness_check.h): a terminal table, JSON and an HTML page in the style of the
// scenario reports. Everything shown comes from the checks, whose texts hold no password.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/readiness_check.h"

namespace cutover::cli {

// A titled group of checks: "source postgresql://u:***@h/db (PostgreSQL 15.18)".
struct CheckSection {
  std::string title;
  CheckList checks;
};

// One line per check ("  FAILED   pg.wal_level  wal_level is logical: wal_level=replica"),
// objects and remedy indented below a check that did not pass; `all`: passed checks too.
std::string ChecksText(const std::vector<CheckSection>& sections, bool all);
// "2 failed, 1 warning, 14 passed, 1 not applicable".
std::string ChecksSummary(const std::vector<CheckSection>& sections);
// {"summary": {"passed": n, ...}, "sections": [{"title", "checks": [{"id", "title",
// "status", "detail", "objects", "remedy"}]}]}.
nlohmann::json ChecksJson(const std::vector<CheckSection>& sections);
// A self-contained page: verdict header, one table per section.
std::string ChecksHtml(const std::string& title, const std::vector<CheckSection>& sections);

}  // namespace cutover::cli
