#include "scenarios/runner/runner.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "engine/core/load_session.h"
#include "engine/core/log.h"
#include "engine/registry/registry.h"
#include "harness/throwaway_server.h"
#include "loadgen/runner.h"
#include "reports/report_render.h"
#include "scenarios/proxy/fault_proxy.h"
#include "scenarios/runner/analysis.h"
#include "scenarios/runner/child_process.h"
#include "scenarios/runner/endpoints.h"
#include "scenarios/runner/engine_supervisor.h"
#include "scenarios/runner/expectations.h"
#include "scenarios/runner/lag_probe.h"
#include "scenarios/runner/load_driver.h"
#include "scenarios/runner/report_json.h"
#include "validator/report.h"
#include "validator/validate.h"

namespace cutover::scenario {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr auto kTick = std::chrono::milliseconds(250);

std::string UtcStamp(const char* format) {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// One endpoint as the run uses it: where it is, how the engine reaches it.
struct Endpoint {
  std::unique_ptr<harness::ThrowawayServer> server;  // throwaway PostgreSQL / MariaDB
  std::string uri;                                   // direct
  std::string engine_uri;                            // what the engine gets (maybe the proxy)
  std::unique_ptr<proxy::FaultProxy> proxy;
};

// A blocking event running on its own thread; the main loop collects it when done.
struct Worker {
  size_t event_index = 0;
  std::thread thread;
  std::atomic<bool> done{false};
  Status status;
  double end_s = 0;
};

class Run {
 public:
  Run(const Scenario& sc, const RunOptions& opt, const std::atomic<bool>& stop)
      : sc_(sc), opt_(opt), stop_(stop) {
    record_.scenario = &sc;
    record_.version_cutover = CUTOVER_VERSION;
  }

  RunOutcome Execute() {
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

 private:
  double Now() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }

  void Note(const std::string& kind, const std::string& detail, bool error = false) {
    EventRecord e;
    e.at_s = started_ ? Now() : 0;
    e.kind = kind;
    e.phase = phase_ ? phase_->name : "";
    e.detail = detail;
    e.error = error;
    record_.events.push_back(e);
    Log(error ? LogLevel::kWarn : LogLevel::kInfo, "[{:.1f}s] {}: {}", e.at_s, kind, detail);
  }

  // ------------------------------------------------------------------------------ setup

  Status Prepare() {
    dir_ = opt_.out_dir.empty() ? "reports/out/" + UtcStamp("%Y%m%dT%H%M%SZ") + "-" + sc_.name
                                : opt_.out_dir;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return InvalidArgument("--out " + dir_ + ": " + ec.message());
    dir_ = fs::absolute(dir_).lexically_normal().string();
    record_.started_at = UtcStamp("%Y-%m-%dT%H:%M:%SZ");
    Log(LogLevel::kInfo, "scenario {}: output in {}", sc_.name, dir_);

    RETURN_IF_ERROR(OpenEndpoint(sc_.source, "source", source_));
    if (stop_) return Aborted("interrupted while starting servers");
    RETURN_IF_ERROR(OpenEndpoint(sc_.target, "target", target_));
    if (stop_) return Aborted("interrupted while starting servers");
    record_.source_uri = RedactUri(source_.uri);
    record_.target_uri = RedactUri(target_.uri);
    auto sv = sc_.source.engine->ServerVersion(source_.uri);
    record_.version_source = sv.ok() ? *sv : "unknown (" + sv.status().message() + ")";
    auto tv = sc_.target.engine->ServerVersion(target_.uri);
    record_.version_target = tv.ok() ? *tv : "unknown (" + tv.status().message() + ")";
    RETURN_IF_ERROR(StartProxy(Side::kSource, source_));
    RETURN_IF_ERROR(StartProxy(Side::kTarget, target_));

    if (!sc_.source.throwaway() || !sc_.target.throwaway()) DropTask();  // a previous run's
    RETURN_IF_ERROR(CreateDataset());
    return Status::Ok();
  }

  Status OpenEndpoint(const EndpointSpec& spec, const char* role, Endpoint& ep) {
    if (!spec.throwaway()) {
      ep.uri = spec.uri;
    } else if (spec.engine->throwaway_server().empty()) {  // a file engine
      std::string path = dir_ + "/" + role + ".db";
      std::error_code ec;
      fs::remove(path, ec);
      ep.uri = spec.engine->FileUri(path);
    } else {
      Log(LogLevel::kInfo, "starting a throwaway {} {} server", spec.engine->name(), role);
      ASSIGN_OR_RETURN(ep.server, harness::ThrowawayServer::Start(spec.engine->throwaway_server(),
                                                                  sc_.name + "-" + role));
      ep.uri = ep.server->uri();
    }
    ep.engine_uri = ep.uri;
    return Status::Ok();
  }

  Status StartProxy(Side side, Endpoint& ep) {
    if (!sc_.needs_proxy(side)) return Status::Ok();
    ASSIGN_OR_RETURN(HostPort hp, HostPortOfUri(ep.uri));
    ASSIGN_OR_RETURN(ep.proxy, proxy::FaultProxy::Start(hp.host, hp.port));
    ASSIGN_OR_RETURN(ep.engine_uri, UriWithPort(ep.uri, ep.proxy->port()));
    Log(LogLevel::kInfo, "fault proxy for the {}: 127.0.0.1:{} -> {}:{}", SideName(side),
        ep.proxy->port(), hp.host, hp.port);
    return Status::Ok();
  }

  void DropTask() {
    std::string log = dir_ + "/engine.log";
    auto child = ChildProcess::Spawn({Binary(), "-q", "task", "drop", "--source", source_.uri,
                                      "--target", target_.uri, "--task", sc_.task.name},
                                     log);
    if (child.ok()) (*child)->Wait(std::chrono::seconds(60));
  }

  std::string Binary() const {
    if (!opt_.binary.empty()) return opt_.binary;
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? "/proc/self/exe" : p.string();
  }

  Status CreateDataset() {
    loadgen::LoadOptions o;
    o.uri = source_.uri;
    o.workload = sc_.dataset.workload.empty() ? "heartbeat" : sc_.dataset.workload;
    o.heartbeat = true;
    o.workload_options.scale = sc_.dataset.scale;
    ASSIGN_OR_RETURN(o.workload_options.dist, loadgen::KeyDist::Parse(sc_.dataset.dist));
    Log(LogLevel::kInfo, "dataset: {} (scale {}) on the source", o.workload, sc_.dataset.scale);
    RETURN_IF_ERROR(loadgen::InitTables(o, opt_.progress).WithContext("dataset"));
    for (size_t i = 0; i < sc_.dataset.sql.size(); ++i) {
      ASSIGN_OR_RETURN(auto session, OpenLoadSession(source_.uri));
      RETURN_IF_ERROR(session->Exec(sc_.dataset.sql[i])
                          .WithContext("dataset sql file " + sc_.dataset.sql_files[i]));
    }
    return Status::Ok();
  }

  // ------------------------------------------------------------------------------ main

  Status Main() {
    t0_ = Clock::now();
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
    ec.metrics_path = dir_ + "/engine-metrics.jsonl";
    ec.restart_on_failure = sc_.task.restart_on_failure;
    ec.restart_backoff_s = sc_.task.restart_backoff_s;
    ec.replicate_args = {"--source",   source_.engine_uri,
                         "--target",   target_.engine_uri,
                         "--task",     sc_.task.name,
                         "--type",     sc_.task.type,
                         "--parallel", std::to_string(sc_.task.parallel)};
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
  Status Tick() {
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

  void SampleEngine() {
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
    auto p = engine_->SampleProc();
    record_.series["engine_cpu_pct"].Add(t, p.cpu_pct);
    record_.series["engine_rss_mb"].Add(t, p.rss_mb);
  }

  void ShowProgress() {
    if (opt_.progress != Progress::Mode::kTerminal) return;
    auto lag = record_.series["lag_s"].Last();
    auto tps = record_.series["source_tps"].Last();
    auto app = record_.series["applied_tps"].Last();
    auto cpu = record_.series["engine_cpu_pct"].Last();
    std::string line =
        fmt::format("{} {}  lag {}  source {} tps  applied {} tps  engine {} cpu, {}",
                    phase_ ? phase_->name : "end", FormatDuration(Now()),
                    lag ? fmt::format("{:.2f} s", *lag) : "-",
                    tps && load_->active() ? fmt::format("{:.0f}", *tps) : "-",
                    app ? fmt::format("{:.0f}", *app) : "-",
                    cpu ? fmt::format("{:.0f}%", *cpu) : "-", totals_.phase);
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    progress_shown_ = true;
  }

  void EndProgressLine() {
    if (progress_shown_) std::fprintf(stderr, "\n");
    progress_shown_ = false;
  }

  Status RunPhase(const Phase& phase) {
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
    if (phase.load) {
      load_->Start(*phase.load);
    } else if (load_->active()) {
      load_->Stop();
      Current().disturbance_end_s = Now();  // load ended: catch up from here
    }
    const auto phase_start = Clock::now();
    auto elapsed = [&] {
      return std::chrono::duration<double>(Clock::now() - phase_start).count();
    };
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
        Note(
            "phase-timeout",
            fmt::format("phase {}: not {} within {:g} s", phase.name, phase.until, phase.timeout_s),
            true);
        return Unavailable(fmt::format("phase {}: not {} within {:g} s (see engine.log)",
                                       phase.name, phase.until, phase.timeout_s));
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

  PhaseRecord& Current() { return record_.phases[phase_index_]; }

  Status RunRamp(const Phase& phase) {
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
      step.rss_peak_mb =
          Max(record_.series["engine_rss_mb"].Values(step.start_s, step.end_s + 0.5));
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

  // ------------------------------------------------------------------------------ events

  Status Fire(const Event& e, const Phase& phase) {
    const double at = Now();
    std::string kind = EventKindName(e.kind);
    size_t idx = record_.events.size();
    auto note = [&](const std::string& detail) { Note(kind, detail); };
    switch (e.kind) {
      case EventKind::kKillEngine: {
        note(fmt::format("SIGKILL; restart after {:g} s", e.delay_s));
        engine_->Kill(e.delay_s);
        record_.events[idx].end_s = at + e.delay_s;
        Current().disturbance_end_s = at + e.delay_s;
        break;
      }
      case EventKind::kStopEngine:
        note("SIGTERM (graceful stop)");
        engine_->Stop();
        break;
      case EventKind::kStartEngine: {
        note("start");
        RETURN_IF_ERROR(engine_->Start());
        record_.events[idx].end_s = at;
        Current().disturbance_end_s = at;
        break;
      }
      case EventKind::kStopTarget:
        note(e.duration_s > 0 ? fmt::format("target halted for {:g} s", e.duration_s)
                              : "target halted until start-target");
        target_down_ = true;
        StartWorker(idx, [this] { return target_.server->Halt(); });
        if (e.duration_s > 0) {
          record_.events[idx].end_s = at + e.duration_s;
          After(e.duration_s, [this, phase_index = phase_index_] { ResumeTarget(phase_index); });
        }
        break;
      case EventKind::kStartTarget:
        ResumeTarget(phase_index_);
        break;
      case EventKind::kRestartSource:
        note("restarting the source server in place");
        StartWorker(
            idx, [this] { return source_.server->Restart(); }, phase_index_);
        break;
      case EventKind::kNetwork: {
        Endpoint& ep = e.side == Side::kSource ? source_ : target_;
        std::string what = e.mode == NetworkMode::kLatency
                               ? fmt::format("+{} ms latency", e.latency_ms)
                               : NetworkModeName(e.mode);
        note(fmt::format("{} between the engine and the {} for {:g} s", what, SideName(e.side),
                         e.duration_s));
        if (e.mode == NetworkMode::kCut) ep.proxy->Cut();
        if (e.mode == NetworkMode::kBlackhole) ep.proxy->Blackhole();
        if (e.mode == NetworkMode::kLatency)
          ep.proxy->SetLatency(std::chrono::milliseconds(e.latency_ms));
        record_.events[idx].end_s = at + e.duration_s;
        Current().disturbance_end_s = at + e.duration_s;
        proxy::FaultProxy* px = ep.proxy.get();
        After(e.duration_s, [px] {
          px->SetLatency(std::chrono::milliseconds(0));
          px->Pass();
        });
        break;
      }
      case EventKind::kSql: {
        note(fmt::format("on the {}: {}", SideName(e.side),
                         e.sql_file.empty() ? Abbrev(e.sql) : "file " + e.sql_file));
        std::string uri = e.side == Side::kSource ? source_.uri : target_.uri;
        std::string sql = e.sql;
        StartWorker(
            idx,
            [uri, sql]() -> Status {
              ASSIGN_OR_RETURN(auto session, OpenLoadSession(uri));
              return session->Exec(sql);
            },
            phase_index_);
        break;
      }
      case EventKind::kLoad: {
        LoadProfile p = load_->profile() ? *load_->profile() : *phase.load;
        note(fmt::format("load rate {:g} -> {:g} tps", p.rate, e.rate));
        p.rate = e.rate;
        load_->Start(p);
        break;
      }
    }
    return Status::Ok();
  }

  static std::string Abbrev(const std::string& sql) {
    std::string s = sql;
    for (char& c : s)
      if (c == '\n' || c == '\t') c = ' ';
    return s.size() > 120 ? s.substr(0, 117) + "..." : s;
  }

  void ResumeTarget(size_t phase_index) {
    if (!target_down_) return;
    target_down_ = false;
    size_t idx = record_.events.size();
    Note("start-target", "starting the target again");
    StartWorker(
        idx, [this] { return target_.server->Resume(); }, phase_index);
  }

  // Runs `fn` on a worker thread; when it finishes, the event's end (and, with a phase index,
  // that phase's disturbance end) is set to its completion time.
  void StartWorker(size_t event_index, std::function<Status()> fn,
                   std::optional<size_t> phase_index = std::nullopt) {
    auto w = std::make_unique<Worker>();
    w->event_index = event_index;
    Worker* raw = w.get();
    w->thread = std::thread([this, raw, fn = std::move(fn)] {
      raw->status = fn();
      raw->end_s = Now();
      raw->done = true;
    });
    worker_phase_[raw] = phase_index;
    workers_.push_back(std::move(w));
  }

  void CollectWorkers() {
    for (auto it = workers_.begin(); it != workers_.end();) {
      Worker& w = **it;
      if (!w.done) {
        ++it;
        continue;
      }
      w.thread.join();
      EventRecord& e = record_.events[w.event_index];
      if (e.end_s < 0) e.end_s = w.end_s;  // a timed outage already has its planned end
      if (!w.status.ok()) {
        e.error = true;
        e.detail += "; failed: " + w.status.message();
        Note("event-error", e.kind + " failed: " + w.status.message(), true);
      } else if (e.end_s - e.at_s >= 0.5) {
        e.detail += fmt::format(" (took {:.1f} s)", e.end_s - e.at_s);
      }
      auto ph = worker_phase_[&w];
      if (ph) {
        auto& d = record_.phases[*ph].disturbance_end_s;
        d = std::max(d.value_or(0.0), w.end_s);
      }
      worker_phase_.erase(&w);
      it = workers_.erase(it);
    }
  }

  void After(double seconds, std::function<void()> fn) {
    actions_.push_back({Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(seconds)),
                        std::move(fn)});
  }

  void RunDueActions(bool all = false) {
    for (size_t i = 0; i < actions_.size();) {
      if (all || Clock::now() >= actions_[i].first) {
        auto fn = std::move(actions_[i].second);
        actions_.erase(actions_.begin() + static_cast<long>(i));
        fn();
      } else {
        ++i;
      }
    }
  }

  void WaitWorkers() {
    auto deadline = Clock::now() + std::chrono::seconds(600);
    while (!workers_.empty() && Clock::now() < deadline) {
      CollectWorkers();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // ------------------------------------------------------------------------------ end

  // Ends every fault, so the end state is measurable and validation meaningful.
  Status EndFaults() {
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
  Result<bool> WaitCaughtUp(double timeout_s) {
    double from = Now();
    while (Now() - from < timeout_s) {
      if (CaughtUpSince(from)) return true;
      RETURN_IF_ERROR(Tick());
    }
    return false;
  }

  // Lag has been caught up for kCaughtUpHoldS, looking at samples taken after `from`.
  bool CaughtUpSince(double from) {
    auto t = TimeUntilAtOrBelow(record_.series["lag_s"], from, 1e18, sc_.measure.caught_up_lag_s,
                                kCaughtUpHoldS);
    return t && Now() - (from + *t) >= kCaughtUpHoldS;
  }

  // Heartbeat seq on source and target equal: the last beat is replicated.
  Result<bool> WaitHeartbeatReplicated(double timeout_s) {
    double from = Now();
    const char* sql = "SELECT seq FROM cutover_heartbeat WHERE id = 1";
    while (Now() - from < timeout_s) {
      auto s = OpenLoadSession(source_.uri);
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
  Status QuiesceAndValidate(const std::string& phase_name) {
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

  void Validate(const std::string& phase_name) {
    EndProgressLine();
    validator::ValidateOptions vo;
    vo.source_uri = source_.uri;
    vo.target_uri = target_.uri;
    vo.task = sc_.task.name;
    vo.tables = sc_.task.tables;
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

  Status Finale() {
    EndProgressLine();
    Log(LogLevel::kInfo, "[{:.1f}s] end of phases: ending faults, catching up, validating", Now());
    RETURN_IF_ERROR(EndFaults());
    if (load_->active()) {
      load_->Stop();
      if (!record_.phases.empty() && !record_.phases.back().disturbance_end_s)
        record_.phases.back().disturbance_end_s = Now();
    }
    phase_index_ = record_.phases.size() - 1;
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
  void Shutdown() {
    EndProgressLine();
    RunDueActions(true);  // proxies back to pass; target resume is a worker
    if (lag_) lag_->Stop();
    if (load_) {
      load_->Stop();
      load_->StopHeartbeat();
    }
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

  void Finish(const Status& status) {
    record_.duration_s = started_ ? Now() : 0;
    if (load_) {
      for (const LoadRun& r : load_->runs()) record_.load_errors += r.summary.errors;
    }
    const double end = record_.duration_s;
    for (PhaseRecord& p : record_.phases) {
      if (p.end_s < p.start_s) p.end_s = end;  // cut short by an error or a signal
    }
    for (const PhaseRecord& p : record_.phases) {
      PhaseSummary s = SummarizePhase(record_, p, sc_.measure.caught_up_lag_s, end);
      if (load_) {
        for (const LoadRun& r : load_->runs())
          if (r.start_s >= p.start_s - 0.01 && r.start_s < p.end_s)
            s.load_errors += r.summary.errors;
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

  void PrintSummary() {
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
          Fmt(s.cpu_avg_pct, "{:.0f}%"), Fmt(s.rss_peak_mb, "{:.0f} MB"),
          record_.sizing->limited_by);
    }
    out += fmt::format("  engine: {} restart(s), {} unexpected exit(s); report: {}/report.html\n",
                       record_.engine_restarts, record_.engine_errors.size(), dir_);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
  }

  static std::string Fmt(std::optional<double> v, const char* f) {
    return v ? fmt::format(fmt::runtime(f), *v) : "-";
  }

  const Scenario& sc_;
  const RunOptions& opt_;
  const std::atomic<bool>& stop_;
  RunRecord record_;
  std::string dir_;
  Endpoint source_, target_;
  Clock::time_point t0_;
  bool started_ = false;
  bool interrupted_ = false;
  bool target_down_ = false;
  bool progress_shown_ = false;
  const Phase* phase_ = nullptr;
  size_t phase_index_ = 0;
  std::unique_ptr<LagProbe> lag_;
  std::unique_ptr<LoadDriver> load_;
  std::unique_ptr<EngineSupervisor> engine_;
  EngineTotals totals_;
  Clock::time_point next_sample_;
  double last_sample_t_ = -1;
  int64_t last_applied_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<Worker*, std::optional<size_t>> worker_phase_;
  std::vector<std::pair<Clock::time_point, std::function<void()>>> actions_;
};

}  // namespace

RunOutcome RunScenario(const Scenario& scenario, const RunOptions& options,
                       const std::atomic<bool>& stop) {
  RunOptions opt = options;
  opt.progress = Progress::ResolveMode(opt.progress, isatty(2), std::getenv("CI"));
  Run run(scenario, opt, stop);
  return run.Execute();
}

}  // namespace cutover::scenario
