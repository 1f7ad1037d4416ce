#include "scenarios/runner/runner.h"

#include "scenarios/runner/run_internal.h"

namespace cutover::scenario {

std::string UtcStamp(const char* format) {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

RunOutcome Run::Execute() {
  RunOutcome out;
  Status s = Prepare();
  if (s.ok()) s = Main();
  if (!s.ok()) {
    if (s.code() == StatusCode::kAborted) interrupted_ = true;
    record_.error = s.message();
    Log(LogLevel::kError, "scenario {}: {}", sc_.name, s.message());
  }
  Shutdown();
  Finish(s);
  out.out_dir = dir_;
  out.outcome = interrupted_ ? "interrupted" : record_.outcome;
  out.exit_code = interrupted_                  ? 130
                  : record_.outcome == "passed" ? 0
                  : record_.outcome == "failed" ? 1
                                                : 2;
  return out;
}

void Run::Note(const std::string& kind, const std::string& detail, bool error) {
  EventRecord e;
  e.at_s = started_ ? Now() : 0;
  e.kind = kind;
  e.phase = phase_ ? phase_->name : "";
  e.detail = detail;
  e.error = error;
  record_.events.push_back(e);
  Log(error ? LogLevel::kWarn : LogLevel::kInfo, "[{:.1f}s] {}: {}", e.at_s, kind, detail);
}

RunOutcome RunScenario(const Scenario& scenario, const RunOptions& options,
                       const std::atomic<bool>& stop) {
  RunOptions opt = options;
  opt.progress = Progress::ResolveMode(opt.progress, isatty(2), std::getenv("CI"));
  Run run(scenario, opt, stop);
  return run.Execute();
}

}  // namespace cutover::scenario
