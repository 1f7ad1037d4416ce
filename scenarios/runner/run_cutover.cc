// Run, the cutover phase (run_internal.h, docs/switch.md): the application stops writing to the
// source, `cutover switch` (the real binary, a child process like the engine) drains and stops
// the task and makes the target ready, then the same application load runs against the target.
// The record holds the switch's own window and its parts, and the write downtime the
// application saw: from its last commit on the source to its first on the target.
#include <nlohmann/json.hpp>

#include "scenarios/runner/run_internal.h"

namespace cutover::scenario {

Status Run::RunCutover(const Phase& phase) {
  CutoverRecord c;
  c.phase = phase.name;
  // 1. The application stops writing to the source (and so does the heartbeat).
  if (load_->active()) load_->Stop();
  load_->StopHeartbeat();
  c.last_source_commit_s = Now();
  Current().measure_lag = false;  // the heartbeat stops here: lag is no longer measured
  if (lag_) lag_->Stop();
  Note("cutover", "application load on the source stopped; running cutover switch");

  // 2. The switch. The engine exits by itself once drained: not an engine error.
  engine_->Release();
  const std::string report = dir_ + "/switch.json";
  std::vector<std::string> argv = {Binary(),
                                   "switch",
                                   "--source",
                                   source_.uri,
                                   "--target",
                                   target_.uri,
                                   "--task",
                                   sc_.task.name,
                                   "--report",
                                   report,
                                   "--wait-for-writes-to-stop",
                                   "60"};
  c.switch_start_s = Now();
  ASSIGN_OR_RETURN(auto child, ChildProcess::Spawn(argv, dir_ + "/switch.log"));
  std::optional<int> code;
  while (!(code = child->Poll())) RETURN_IF_ERROR(Tick());
  c.switch_exit_code = *code;
  c.ready_s = Now();
  {
    std::ifstream in(report);
    std::stringstream text;
    text << in.rdbuf();
    c.switch_report = text.str();
  }
  ValidationSummary vs;
  vs.status = "error";
  if (!c.switch_report.empty()) {
    auto j = nlohmann::json::parse(c.switch_report, nullptr, false);
    if (!j.is_discarded()) {
      c.window_s = j.value("window_seconds", 0.0);
      if (j.contains("validation") && j["validation"].is_object()) {
        const auto& v = j["validation"];
        vs.status = v.value("equal", false) ? "equal" : "different";
        vs.tables = v.value("tables", int64_t{0});
        vs.rows_source = v.value("source_rows", int64_t{0});
        vs.rows_target = v.value("target_rows", int64_t{0});
        vs.differences =
            static_cast<int64_t>(v.value("differences", nlohmann::json::array()).size());
        vs.report = "switch.json";
      }
    }
  }
  record_.validations.push_back(vs);  // the run's final validation: the switch's
  if (c.switch_exit_code != 0) {
    record_.cutover = c;
    Note("cutover", fmt::format("cutover switch exited with {} (see switch.log)", *code), true);
    return Unavailable(
        fmt::format("cutover switch exited with {} (see {}/switch.log)", *code, dir_));
  }
  Note("cutover", fmt::format("target ready: cutover window {:.2f} s", c.window_s));

  // 3. The application on the target: the same workload, for the phase's duration; its events
  // count from "target ready".
  target_load_ = std::make_unique<LoadDriver>(target_.uri, t0_, dir_ + "/load-target.log",
                                              &record_.series["target_tps"],
                                              &record_.series["target_load_p95_ms"]);
  if (phase.load) target_load_->Start(*phase.load);
  const auto phase_start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - phase_start).count(); };
  size_t next_event = 0;
  while (elapsed() < phase.duration_s) {
    while (next_event < phase.events.size() && elapsed() >= phase.events[next_event].at_s) {
      RETURN_IF_ERROR(Fire(phase.events[next_event], phase));
      ++next_event;
    }
    RETURN_IF_ERROR(Tick());
    if (Status s = target_load_->TakeError(); !s.ok()) return s;
  }
  target_load_->Stop();
  WaitWorkers();
  for (const LoadRun& r : target_load_->runs()) {
    c.target_committed += r.summary.committed;
    c.target_errors += r.summary.errors;
  }
  // The application's own SQL on the target (events of this phase) counts as its writes.
  for (const EventRecord& e : record_.events) {
    if (e.phase == phase.name && e.kind == "sql" && e.error) ++c.target_errors;
  }
  for (const Point& p : record_.series["target_tps"].Points()) {
    if (p.v && *p.v > 0) {
      c.first_target_commit_s = std::max(c.ready_s, p.t - 1.0);
      break;
    }
  }
  if (c.first_target_commit_s)
    c.write_downtime_s = *c.first_target_commit_s - c.last_source_commit_s;
  Current().end_s = Now();
  Note("cutover",
       fmt::format("application on the target: {} transactions committed, {} error(s)",
                   c.target_committed, c.target_errors),
       c.target_errors > 0);
  record_.cutover = c;
  return Status::Ok();
}

}  // namespace cutover::scenario
