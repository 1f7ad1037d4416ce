// Run, events: firing them, worker threads for blocking ones, timed actions (run_internal.h).
#include "scenarios/runner/run_internal.h"

namespace cutover::scenario {

Status Run::Fire(const Event& e, const Phase& phase) {
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
      StartWorker(idx, [this] { return target_.s3 ? target_.s3->Halt() : target_.server->Halt(); });
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

std::string Run::Abbrev(const std::string& sql) {
  std::string s = sql;
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

void Run::ResumeTarget(size_t phase_index) {
  if (!target_down_) return;
  target_down_ = false;
  size_t idx = record_.events.size();
  Note("start-target", "starting the target again");
  StartWorker(
      idx, [this] { return target_.s3 ? target_.s3->Resume() : target_.server->Resume(); },
      phase_index);
}

// Runs `fn` on a worker thread; when it finishes, the event's end (and, with a phase index,
// that phase's disturbance end) is set to its completion time.
void Run::StartWorker(size_t event_index, std::function<Status()> fn,
                      std::optional<size_t> phase_index) {
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

void Run::CollectWorkers() {
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

void Run::After(double seconds, std::function<void()> fn) {
  actions_.push_back({Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(seconds)),
                      std::move(fn)});
}

void Run::RunDueActions(bool all) {
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

void Run::WaitWorkers() {
  auto deadline = Clock::now() + std::chrono::seconds(600);
  while (!workers_.empty() && Clock::now() < deadline) {
    CollectWorkers();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace cutover::scenario
