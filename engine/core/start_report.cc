#include "engine/core/start_report.h"

#include "engine/core/log.h"

namespace cutover {

void StartReport::Refuse(std::string object, std::string problem, std::string remedy) {
  for (const auto& p : problems_)
    if (p.object == object && p.problem == problem) return;  // one line per problem
  problems_.push_back({std::move(object), std::move(problem), std::move(remedy), check_});
}

void StartReport::RefuseFailed(const CheckList& checks, const std::string& object) {
  const std::string saved = check_;
  for (const ReadinessCheck& c : checks.checks()) {
    if (c.status != CheckStatus::kFailed) continue;
    check_ = c.id;
    if (c.objects.empty()) Refuse(object, c.detail, c.remedy);
    for (const std::string& o : c.objects) Refuse(o, c.detail, c.remedy);
  }
  check_ = saved;
}

void StartReport::Note(std::string object, std::string what) {
  notes_.push_back({std::move(object), std::move(what), ""});
}

void StartReport::LogNotes(const std::string& what) const {
  if (notes_.empty()) return;
  Log(LogLevel::kWarn, "{} starts without {} source object(s) (see the schema report):", what,
      notes_.size());
  for (const auto& n : notes_) Log(LogLevel::kWarn, "  - {}: {}", n.object, n.problem);
}

Status StartReport::ToStatus(const std::string& what) const {
  if (problems_.empty()) return Status::Ok();
  auto line = [](const StartProblem& p) {
    return p.object + ": " + p.problem + (p.remedy.empty() ? "" : "; remedy: " + p.remedy);
  };
  // One problem stays one line (bad input is one clear line); more get a line each.
  if (problems_.size() == 1)
    return FailedPrecondition(what + " cannot start: " + line(problems_[0]));
  std::string msg = what + " cannot start: " + std::to_string(problems_.size()) + " problems:";
  for (const auto& p : problems_) msg += "\n  - " + line(p);
  return FailedPrecondition(std::move(msg));
}

}  // namespace cutover
