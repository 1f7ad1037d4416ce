// Run, the end: faults ended, catching up, validation, finale, shutdown, the report and the
// summary (run_internal.h).
#include "scenarios/runner/run_internal.h"

namespace cutover::scenario {

// Ends every fault, so the end state is measurable and validation meaningful.
Status Run::EndFaults() {
  RunDueActions(/*all=*/true);
  if (target_down_) ResumeTarget(phase_index_);
  WaitWorkers();
  if (!engine_->running()) {
    Note("engine", "starting the engine for the final catch-up");
    RETURN_IF_ERROR(engine_->Start());
  }
  return Status::Ok();
}

// Waits (ticking) until lag is at or below the threshold; false on timeout.
Result<bool> Run::WaitCaughtUp(double timeout_s) {
  double from = Now();
  while (Now() - from < timeout_s) {
    if (CaughtUpSince(from)) return true;
    RETURN_IF_ERROR(Tick());
  }
  return false;
}

// Lag has been caught up for kCaughtUpHoldS, looking at samples taken after `from`.
bool Run::CaughtUpSince(double from) {
  auto t = TimeUntilAtOrBelow(record_.series["lag_s"], from, 1e18, sc_.measure.caught_up_lag_s,
                              kCaughtUpHoldS);
  return t && Now() - (from + *t) >= kCaughtUpHoldS;
}

// Heartbeat seq on source and target equal: the last beat is replicated.
Result<bool> Run::WaitHeartbeatReplicated(double timeout_s) {
  double from = Now();
  const char* sql = "SELECT seq FROM cutover_heartbeat WHERE id = 1";
  const bool files = sc_.target.engine->HeartbeatMicrosSql().empty();
  while (Now() - from < timeout_s) {
    auto s = OpenLoadSession(source_.uri);
    if (files && s.ok()) {  // a file target: the seq in its latest committed heartbeat file
      auto a = (*s)->QueryInt(sql);
      auto v = sc_.target.engine->ReadVisibleFiles(target_.uri);
      if (a.ok() && v.ok() && *v) {
        record_.target_files = (*v)->files;
        record_.target_bytes = (*v)->bytes;
        if ((*v)->heartbeat_seq == *a) return true;
      }
      RETURN_IF_ERROR(Tick());
      continue;
    }
    auto t = OpenLoadSession(target_.uri);
    if (s.ok() && t.ok()) {
      auto a = (*s)->QueryInt(sql);
      auto b = (*t)->QueryInt(sql);
      if (a.ok() && b.ok() && *a == *b) return true;
    }
    RETURN_IF_ERROR(Tick());
  }
  return false;
}

// Load stopped, caught up, heartbeat stopped and replicated; then validates.
Status Run::QuiesceAndValidate(const std::string& phase_name) {
  if (load_->active()) {
    load_->Stop();
    Current().disturbance_end_s = Now();
  }
  ASSIGN_OR_RETURN(bool caught, WaitCaughtUp(sc_.measure.final_catch_up_timeout_s));
  if (!caught) {
    Note("catch-up",
         fmt::format("lag still above {:g} s after {:g} s; validating anyway",
                     sc_.measure.caught_up_lag_s, sc_.measure.final_catch_up_timeout_s),
         true);
  }
  load_->StopHeartbeat();
  ASSIGN_OR_RETURN(bool hb, WaitHeartbeatReplicated(60));
  if (!hb) Note("catch-up", "the last heartbeat did not reach the target within 60 s", true);
  Validate(phase_name);
  return Status::Ok();
}

void Run::Validate(const std::string& phase_name) {
  EndProgressLine();
  validator::ValidateOptions vo;
  vo.source_uri = source_.uri;
  vo.target_uri = target_.uri;
  vo.task = sc_.task.name;
  vo.tables = sc_.task.tables;
  vo.mapping = sc_.task.mapping;
  vo.recheck_seconds = 2;
  vo.progress = opt_.progress;
  ValidationSummary vs;
  vs.phase = phase_name;
  std::string sub = phase_name.empty() ? "validation" : "validation-" + phase_name;
  Log(LogLevel::kInfo, "[{:.1f}s] validating{}", Now(),
      phase_name.empty() ? "" : " at the end of phase " + phase_name);
  auto r = validator::Validate(vo, stop_);
  if (!r.ok()) {
    vs.status = "error";
    vs.error = r.status().message();
    Note("validation", "could not validate: " + vs.error, true);
  } else {
    vs.status = r->equal() ? "equal" : "different";
    vs.tables = static_cast<int64_t>(r->tables.size());
    vs.rows_source = r->source_rows;
    vs.rows_target = r->target_rows;
    vs.seconds = r->seconds;
    for (const auto& t : r->tables) {
      vs.differences += t.differing_rows + (t.multiset_differs ? 1 : 0) +
                        static_cast<int64_t>(t.schema_differences.size());
      vs.in_flight += t.in_flight;
      vs.per_table.push_back(
          {t.source_name.ToString(), t.source_rows, t.target_rows, t.differing_rows});
    }
    Status ws = validator::WriteReports(*r, dir_ + "/" + sub);
    vs.report = sub + "/validation.json";
    if (!ws.ok()) vs.report = "(not written: " + ws.message() + ")";
    Note("validation", fmt::format("{}: {} table(s), {} / {} rows, {} difference(s), {} in "
                                   "flight, {:.1f} s",
                                   vs.status, vs.tables, vs.rows_source, vs.rows_target,
                                   vs.differences, vs.in_flight, vs.seconds));
  }
  record_.validations.push_back(vs);
}

Status Run::Finale() {
  EndProgressLine();
  Log(LogLevel::kInfo, "[{:.1f}s] end of phases: ending faults, catching up, validating", Now());
  if (record_.cutover) {  // the task was switched: nothing is started again
    RunDueActions(/*all=*/true);
    WaitWorkers();
  } else {
    RETURN_IF_ERROR(EndFaults());
  }
  if (load_->active()) {
    load_->Stop();
    if (!record_.phases.empty() && !record_.phases.back().disturbance_end_s)
      record_.phases.back().disturbance_end_s = Now();
  }
  phase_index_ = record_.phases.size() - 1;
  if (record_.cutover) return Status::Ok();  // switched: the switch validated, the task is done
  RETURN_IF_ERROR(QuiesceAndValidate(""));
  engine_->Stop();
  auto deadline = Clock::now() + std::chrono::seconds(70);
  while (engine_->running() && Clock::now() < deadline) {
    engine_->Tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Note("engine", "stopped gracefully");
  return Status::Ok();
}

// Stops everything the run started (idempotent).
void Run::Shutdown() {
  EndProgressLine();
  RunDueActions(true);  // proxies back to pass; target resume is a worker
  if (lag_) lag_->Stop();
  if (load_) {
    load_->Stop();
    load_->StopHeartbeat();
  }
  if (target_load_) target_load_->Stop();
  if (engine_) {
    engine_->Stop();
    auto deadline = Clock::now() + std::chrono::seconds(15);
    while (engine_->running() && Clock::now() < deadline) {
      engine_->Tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (started_) {
      SampleEngine();
    }
  }
  WaitWorkers();
  if (engine_) {
    record_.engine_restarts = std::max(0, engine_->starts() - 1);
    record_.engine_exit_codes = engine_->exit_codes();
    record_.engine_errors = engine_->errors();
    engine_.reset();  // SIGKILL if still running
  }
  source_.proxy.reset();
  target_.proxy.reset();
  if (!sc_.source.throwaway() || !sc_.target.throwaway()) {
    if (started_) DropTask();
  }
  for (Endpoint* ep : {&source_, &target_}) {
    if (!ep->server) continue;
    if (opt_.keep_servers) {
      std::fprintf(stderr, "kept %s server: %s\n", ep == &source_ ? "source" : "target",
                   ep->server->uri().c_str());
      ep->server.release();  // NOLINT: left running on purpose
    } else {
      Status s = ep->server->Stop();
      if (!s.ok()) Log(LogLevel::kWarn, "stopping a server: {}", s.message());
    }
  }
}

void Run::Finish(const Status& status) {
  record_.duration_s = started_ ? Now() : 0;
  if (load_) {
    for (const LoadRun& r : load_->runs()) record_.load_errors += r.summary.errors;
  }
  if (target_load_) {
    for (const LoadRun& r : target_load_->runs()) record_.load_errors += r.summary.errors;
  }
  const double end = record_.duration_s;
  for (PhaseRecord& p : record_.phases) {
    if (p.end_s < p.start_s) p.end_s = end;  // cut short by an error or a signal
  }
  for (const PhaseRecord& p : record_.phases) {
    PhaseSummary s = SummarizePhase(record_, p, sc_.measure.caught_up_lag_s, end);
    if (load_) {
      for (const LoadRun& r : load_->runs())
        if (r.start_s >= p.start_s - 0.01 && r.start_s < p.end_s) s.load_errors += r.summary.errors;
    }
    record_.phase_summaries.push_back(s);
  }
  if (status.ok()) {
    record_.expectations = JudgeExpectations(sc_, record_);
    bool all = true;
    for (const auto& e : record_.expectations) all = all && e.passed;
    record_.outcome = all ? "passed" : "failed";
  } else {
    record_.outcome = "error";
  }
  if (dir_.empty()) return;
  nlohmann::json report = ReportJson(record_, HostJson());
  {
    std::ofstream out(dir_ + "/report.json");
    out << report.dump(2) << "\n";
  }
  Status rs = reports::WriteRenderedReports(report, dir_);
  if (!rs.ok()) Log(LogLevel::kWarn, "rendering the report: {}", rs.message());
  PrintSummary();
}

void Run::PrintSummary() {
  std::string out =
      fmt::format("scenario {}: {}{}\n", sc_.name, interrupted_ ? "interrupted" : record_.outcome,
                  record_.error.empty() ? "" : " (" + record_.error + ")");
  for (const auto& e : record_.expectations) {
    out += fmt::format("  {} {} expected {}, got {}{}\n", e.passed ? "ok  " : "FAIL", e.key,
                       e.expected, e.actual, e.detail.empty() ? "" : " (" + e.detail + ")");
  }
  for (const auto& p : record_.phase_summaries) {
    out += fmt::format(
        "  phase {}: {:.1f} s, lag max {} p95 {}, catch-up {}, source {} tps, "
        "applied {} tps, engine cpu {} rss {}\n",
        p.name, p.duration_s, Fmt(p.lag_max_s, "{:.2f} s"), Fmt(p.lag_p95_s, "{:.2f} s"),
        Fmt(p.catch_up_s, "{:.1f} s"), Fmt(p.source_tps, "{:.0f}"), Fmt(p.applied_tps, "{:.0f}"),
        Fmt(p.cpu_avg_pct, "{:.0f}%"), Fmt(p.rss_peak_mb, "{:.0f} MB"));
  }
  if (record_.sizing && record_.sizing->sustainable) {
    const auto& s = record_.sizing->steps[*record_.sizing->sustainable];
    out += fmt::format(
        "  sizing {}: sustainable {:.0f} tps = {:.0f} rows/s ({:.0f} changes/s "
        "applied), engine cpu {} rss {}; limited by {}\n",
        record_.sizing->workload, s.tps, s.rows_per_s, s.changes_per_s,
        Fmt(s.cpu_avg_pct, "{:.0f}%"), Fmt(s.rss_peak_mb, "{:.0f} MB"), record_.sizing->limited_by);
  }
  if (record_.cutover) {
    const CutoverRecord& c = *record_.cutover;
    out += fmt::format(
        "  cutover: switch exit {}, window {:.2f} s; write downtime {} (last source commit to "
        "first application commit on the target); application on the target: {} committed, "
        "{} error(s)\n",
        c.switch_exit_code, c.window_s, Fmt(c.write_downtime_s, "{:.1f} s"), c.target_committed,
        c.target_errors);
  }
  if (record_.target_files) {
    double lag_max = 0;
    for (const auto& p : record_.phase_summaries)
      lag_max = std::max(lag_max, p.lag_max_s.value_or(0));
    out += fmt::format("  files: {} committed, {:.1f} MB; lag to a visible file max {:.2f} s\n",
                       *record_.target_files, *record_.target_bytes / 1e6, lag_max);
  }
  out += fmt::format("  engine: {} restart(s), {} unexpected exit(s); report: {}/report.html\n",
                     record_.engine_restarts, record_.engine_errors.size(), dir_);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

std::string Run::Fmt(std::optional<double> v, const char* f) {
  return v ? fmt::format(fmt::runtime(f), *v) : "-";
}

}  // namespace cutover::scenario
