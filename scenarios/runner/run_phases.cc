// Run, the main loop: ticks, engine samples, the progress line, phases and ramps
// (run_internal.h).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scenarios/runner/run_internal.h"

namespace cutover::scenario {

namespace {
// A free TCP port on 127.0.0.1 for the engine's metrics endpoint (bound and released; the
// engine binds it right after, and every restart binds it again).
Result<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable("socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  if (!ok) return Unavailable("no free port on 127.0.0.1 for the engine's metrics");
  return static_cast<int>(ntohs(a.sin_port));
}
}  // namespace

Status Run::Main() {
  t0_ = Clock::now();
  record_.t0_unix_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  started_ = true;
  record_.series["lag_s"];
  lag_ = std::make_unique<LagProbe>(target_.uri, *sc_.target.engine, sc_.measure.lag_interval_s,
                                    t0_, &record_.series["lag_s"]);
  load_ =
      std::make_unique<LoadDriver>(source_.uri, t0_, dir_ + "/load.log",
                                   &record_.series["source_tps"], &record_.series["load_p95_ms"]);
  lag_->Start();
  load_->StartHeartbeat();

  EngineConfig ec;
  ec.binary = Binary();
  ec.log_path = dir_ + "/engine.log";
  ec.metrics_listen = sc_.task.metrics_listen;
  if (ec.metrics_listen.empty()) {
    ASSIGN_OR_RETURN(int port, FreeLoopbackPort());
    ec.metrics_listen = "127.0.0.1:" + std::to_string(port);
  }
  record_.metrics_endpoint = "http://" + ec.metrics_listen + "/metrics";
  ec.restart_on_failure = sc_.task.restart_on_failure;
  ec.restart_backoff_s = sc_.task.restart_backoff_s;
  ec.replicate_args = {"--source",   source_.engine_uri,
                       "--target",   target_.engine_uri,
                       "--task",     sc_.task.name,
                       "--type",     sc_.task.type,
                       "--parallel", std::to_string(sc_.task.parallel)};
  for (const auto& [flag, path] : {std::pair{"--table-mappings", sc_.task.table_mappings},
                                   std::pair{"--task-settings", sc_.task.task_settings},
                                   std::pair{"--target-settings", sc_.task.target_settings}}) {
    if (path.empty()) continue;
    ec.replicate_args.push_back(flag);
    ec.replicate_args.push_back(path);
  }
  if (!sc_.task.tables.empty()) {
    for (const auto& t : sc_.task.tables) {
      ec.replicate_args.push_back("--tables");
      ec.replicate_args.push_back(t);
    }
    ec.replicate_args.push_back("--tables");
    ec.replicate_args.push_back("cutover_heartbeat");
  }
  engine_ = std::make_unique<EngineSupervisor>(ec, [this](const std::string& d, bool err) {
    Note(err ? "engine-error" : "engine", d, err);
  });
  RETURN_IF_ERROR(engine_->Start());
  Note("engine", "started: cutover replicate --task " + sc_.task.name);

  for (size_t i = 0; i < sc_.phases.size(); ++i) {
    RETURN_IF_ERROR(RunPhase(sc_.phases[i]));
  }
  phase_ = nullptr;
  return Finale();
}

// Runs the main-loop duties for one tick: workers, timed actions, engine, samples.
Status Run::Tick() {
  if (stop_) return Aborted("interrupted by a signal");
  CollectWorkers();
  RunDueActions();
  engine_->Tick();
  if (Status s = load_->TakeError(); !s.ok()) return s;
  if (Clock::now() >= next_sample_) {
    next_sample_ = Clock::now() + std::chrono::seconds(1);
    SampleEngine();
    ShowProgress();
  }
  std::this_thread::sleep_for(kTick);
  return Status::Ok();
}

void Run::SampleEngine() {
  double t = Now();
  EngineTotals tot = engine_->ReadMetrics();
  totals_ = tot;
  if (last_sample_t_ >= 0) {
    double dt = t - last_sample_t_;
    if (dt > 0) {
      record_.series["applied_tps"].Add(
          t, static_cast<double>(tot.transactions_applied - last_applied_) / dt);
    }
  }
  last_sample_t_ = t;
  last_applied_ = tot.transactions_applied;
  // The engine's own CDCLatencySource beside the heartbeat's lag (only in CDC: 0 before).
  record_.series["engine_latency_s"].Add(
      t, tot.phase == "cdc" ? tot.latency_source_s : std::optional<double>());
  auto p = engine_->SampleProc();
  record_.series["engine_cpu_pct"].Add(t, p.cpu_pct);
  record_.series["engine_rss_mb"].Add(t, p.rss_mb);
}

void Run::ShowProgress() {
  if (opt_.progress != Progress::Mode::kTerminal) return;
  auto lag = record_.series["lag_s"].Last();
  auto tps = record_.series["source_tps"].Last();
  auto app = record_.series["applied_tps"].Last();
  auto cpu = record_.series["engine_cpu_pct"].Last();
  std::string line = fmt::format("{} {}  lag {}  source {} tps  applied {} tps  engine {} cpu, {}",
                                 phase_ ? phase_->name : "end", FormatDuration(Now()),
                                 lag ? fmt::format("{:.2f} s", *lag) : "-",
                                 tps && load_->active() ? fmt::format("{:.0f}", *tps) : "-",
                                 app ? fmt::format("{:.0f}", *app) : "-",
                                 cpu ? fmt::format("{:.0f}%", *cpu) : "-", totals_.phase);
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
  progress_shown_ = true;
}

void Run::EndProgressLine() {
  if (progress_shown_) std::fprintf(stderr, "\n");
  progress_shown_ = false;
}

Status Run::RunPhase(const Phase& phase) {
  PhaseRecord pr;
  pr.name = phase.name;
  pr.until = phase.until;
  pr.start_s = Now();
  pr.load = phase.load;
  pr.measure_lag = phase.until != "loaded";
  record_.phases.push_back(pr);
  phase_index_ = record_.phases.size() - 1;
  phase_ = &phase;
  EndProgressLine();
  Log(LogLevel::kInfo, "[{:.1f}s] phase {} starts", Now(), phase.name);

  if (phase.ramp) return RunRamp(phase);
  if (phase.cutover) return RunCutover(phase);
  if (phase.load) {
    load_->Start(*phase.load);
  } else if (load_->active()) {
    load_->Stop();
    Current().disturbance_end_s = Now();  // load ended: catch up from here
  }
  const auto phase_start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - phase_start).count(); };
  size_t next_event = 0;
  for (;;) {
    while (next_event < phase.events.size() && elapsed() >= phase.events[next_event].at_s) {
      RETURN_IF_ERROR(Fire(phase.events[next_event], phase));
      ++next_event;
    }
    if (phase.duration_s > 0 && elapsed() >= phase.duration_s) break;
    if (phase.until == "loaded" && totals_.cdc_reached) break;
    if (phase.until == "caught-up" && CaughtUpSince(Current().start_s)) break;
    if (!phase.until.empty() && elapsed() >= phase.timeout_s) {
      Current().timed_out = true;
      Current().end_s = Now();
      Note("phase-timeout",
           fmt::format("phase {}: not {} within {:g} s", phase.name, phase.until, phase.timeout_s),
           true);
      return Unavailable(fmt::format("phase {}: not {} within {:g} s (see engine.log)", phase.name,
                                     phase.until, phase.timeout_s));
    }
    RETURN_IF_ERROR(Tick());
  }
  Current().end_s = Now();
  if (phase.validate) {
    RETURN_IF_ERROR(QuiesceAndValidate(phase.name));
    load_->StartHeartbeat();  // the next phase starts its own load
  }
  return Status::Ok();
}

Status Run::RunRamp(const Phase& phase) {
  const Ramp& r = *phase.ramp;
  SizingResult sizing;
  sizing.workload = phase.load->workload;
  for (double rate = r.start; rate <= r.max + 1e-9; rate += r.step) {
    LoadProfile p = *phase.load;
    p.rate = rate;
    load_->Start(p);
    SizingStep step;
    step.rate = rate;
    step.start_s = Now();
    int64_t changes0 = totals_.changes_applied;
    auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(r.step_seconds));
    while (Clock::now() < until) RETURN_IF_ERROR(Tick());
    step.end_s = Now();
    load_->Stop();
    const LoadRun& run = load_->runs().back();
    double secs = std::max(run.summary.elapsed_s, 1e-3);
    step.tps = static_cast<double>(run.summary.committed) / secs;
    step.rows_per_s = static_cast<double>(run.rows()) / secs;
    step.changes_per_s = static_cast<double>(totals_.changes_applied - changes0) /
                         std::max(step.end_s - step.start_s, 1e-3);
    const double mid = (step.start_s + step.end_s) / 2;
    step.cpu_avg_pct = Mean(record_.series["engine_cpu_pct"].Values(mid, step.end_s + 0.5));
    step.rss_peak_mb = Max(record_.series["engine_rss_mb"].Values(step.start_s, step.end_s + 0.5));
    JudgeSizingStep(record_.series["lag_s"], r.max_lag_s, step);
    Note("load", fmt::format("ramp step {:g} tps: {:.0f} tps, {:.0f} rows/s, lag p95 {}, {}{}",
                             rate, step.tps, step.rows_per_s,
                             step.lag_p95_s ? fmt::format("{:.2f} s", *step.lag_p95_s) : "-",
                             step.lag_stable ? "stable" : "not stable",
                             step.why.empty() ? "" : ": " + step.why));
    sizing.steps.push_back(step);
    if (!step.lag_stable) {
      sizing.limited_by = "replication";
      break;
    }
    if (!sizing.sustainable || step.rows_per_s > sizing.steps[*sizing.sustainable].rows_per_s)
      sizing.sustainable = sizing.steps.size() - 1;
    if (step.source_limited) {
      sizing.limited_by = "source";
      break;
    }
  }
  if (sizing.limited_by.empty()) sizing.limited_by = "ramp-max";
  Current().end_s = Now();
  Current().disturbance_end_s = Now();  // the ramp's load ends here
  record_.sizing = sizing;
  return Status::Ok();
}

}  // namespace cutover::scenario
