#include "engine/core/start_report.h"

namespace cutover {

void StartReport::Refuse(std::string object, std::string problem, std::string remedy) {
  for (const auto& p : problems_)
    if (p.object == object && p.problem == problem) return;  // one line per problem
  problems_.push_back({std::move(object), std::move(problem), std::move(remedy)});
}

Status StartReport::ToStatus(const std::string& what) const {
  if (problems_.empty()) return Status::Ok();
  std::string msg = what + " cannot start: " + std::to_string(problems_.size()) +
                    (problems_.size() == 1 ? " problem:" : " problems:");
  for (const auto& p : problems_) {
    msg += "\n  - " + p.object + ": " + p.problem;
    if (!p.remedy.empty()) msg += "; remedy: " + p.remedy;
  }
  return FailedPrecondition(std::move(msg));
}

}  // namespace cutover
