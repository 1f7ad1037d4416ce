#include "engine/core/readiness_check.h"

#include <algorithm>

namespace cutover {

std::string_view CheckStatusName(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPassed:
      return "passed";
    case CheckStatus::kNotApplicable:
      return "not applicable";
    case CheckStatus::kWarning:
      return "warning";
    case CheckStatus::kFailed:
      return "failed";
  }
  return "?";
}

ReadinessCheck& CheckList::Add(ReadinessCheck check) {
  for (ReadinessCheck& c : checks_) {
    if (c.id != check.id) continue;
    if (check.status > c.status) {
      c.status = check.status;
      c.detail = std::move(check.detail);
      if (!check.remedy.empty()) c.remedy = std::move(check.remedy);
    } else if (check.status == c.status && check.status != CheckStatus::kPassed) {
      // Several problems of one check: every detail and every remedy is kept, joined by "; ".
      if (c.detail.find(check.detail) == std::string::npos) c.detail += "; " + check.detail;
      if (c.remedy.empty()) {
        c.remedy = std::move(check.remedy);
      } else if (c.remedy.find(check.remedy) == std::string::npos) {
        c.remedy += "; " + check.remedy;
      }
    }
    for (std::string& o : check.objects) {
      if (std::find(c.objects.begin(), c.objects.end(), o) == c.objects.end())
        c.objects.push_back(std::move(o));
    }
    return c;
  }
  checks_.push_back(std::move(check));
  return checks_.back();
}

ReadinessCheck& CheckList::Pass(std::string id, std::string title, std::string detail) {
  return Add({std::move(id), std::move(title), CheckStatus::kPassed, std::move(detail), {}, ""});
}

ReadinessCheck& CheckList::NotApplicable(std::string id, std::string title, std::string detail) {
  return Add(
      {std::move(id), std::move(title), CheckStatus::kNotApplicable, std::move(detail), {}, ""});
}

ReadinessCheck& CheckList::Warn(std::string id, std::string title, std::string detail,
                                std::string remedy, std::vector<std::string> objects) {
  return Add({std::move(id), std::move(title), CheckStatus::kWarning, std::move(detail),
              std::move(objects), std::move(remedy)});
}

ReadinessCheck& CheckList::Fail(std::string id, std::string title, std::string detail,
                                std::string remedy, std::vector<std::string> objects) {
  return Add({std::move(id), std::move(title), CheckStatus::kFailed, std::move(detail),
              std::move(objects), std::move(remedy)});
}

void CheckList::Append(const CheckList& other) {
  for (const ReadinessCheck& c : other.checks_) Add(c);
}

const ReadinessCheck* CheckList::Find(std::string_view id) const {
  for (const ReadinessCheck& c : checks_)
    if (c.id == id) return &c;
  return nullptr;
}

int64_t CheckList::Count(CheckStatus s) const {
  return std::count_if(checks_.begin(), checks_.end(),
                       [s](const ReadinessCheck& c) { return c.status == s; });
}

}  // namespace cutover
