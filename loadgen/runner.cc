#include "loadgen/runner.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/core/load_session.h"
#include "engine/core/log.h"
#include "engine/core/uri.h"
#include "engine/registry/registry.h"
#include "loadgen/schedule.h"

namespace cutover::loadgen {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kMaxOps = 8;
constexpr auto kHeartbeatEvery = 100ms;
constexpr auto kBackoffFirst = 100ms;
constexpr auto kBackoffMax = 2000ms;

int64_t Micros(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

// Counters one stream of transactions updates (the workload's, or the heartbeat's).
struct Counters {
  std::atomic<int64_t> committed{0}, errors{0}, connection_errors{0}, connect_failures{0},
      reconnects{0};
  std::array<std::atomic<int64_t>, kMaxOps> op_count{}, op_rows{};
  Histogram latency;

  void Commit(const Transaction& txn, const std::vector<int64_t>& affected, int64_t micros) {
    committed.fetch_add(1, std::memory_order_relaxed);
    latency.Record(micros);
    for (const auto& op : txn.ops) {
      if (op.op < 0 || op.op >= kMaxOps) continue;
      op_count[op.op].fetch_add(1, std::memory_order_relaxed);
      if (op.rows_statement >= 0 && static_cast<size_t>(op.rows_statement) < affected.size())
        op_rows[op.op].fetch_add(affected[op.rows_statement], std::memory_order_relaxed);
    }
  }
};

// Logs the first few occurrences of a recurring problem, then every 1000th.
bool ShouldLog(int64_t n) {
  return n <= 5 || n % 1000 == 0;
}

class Run {
 public:
  Run(const LoadOptions& o, const std::atomic<bool>& stop, Workload& workload, Workload* heartbeat)
      : o_(o), stop_(stop), workload_(workload), heartbeat_(heartbeat) {}

  // Sleeps until `t`, waking early when the run is stopped. Returns false if stopped.
  bool SleepUntil(Clock::time_point t) {
    while (!stop_.load(std::memory_order_relaxed)) {
      auto now = Clock::now();
      if (now >= t) return true;
      std::this_thread::sleep_for(std::min<Clock::duration>(t - now, 50ms));
    }
    return false;
  }

  // Opens a session, backing off after failures; null when the run ends first.
  std::unique_ptr<Session> Connect(Counters& c, Clock::duration& backoff, bool lost,
                                   std::string_view who) {
    for (;;) {
      if (stop_.load() || Clock::now() >= end_) return nullptr;
      auto s = OpenLoadSession(o_.uri);
      if (s.ok()) {
        if (lost) {
          c.reconnects.fetch_add(1);
          Log(LogLevel::kInfo, "{}: reconnected", who);
        }
        backoff = kBackoffFirst;
        return std::move(s).value();
      }
      int64_t n = c.connect_failures.fetch_add(1) + 1;
      if (ShouldLog(n))
        Log(LogLevel::kWarn, "{}: {} (retrying in {} ms)", who, s.status().message(),
            std::chrono::duration_cast<std::chrono::milliseconds>(backoff).count());
      SleepUntil(std::min(Clock::now() + backoff, end_));
      backoff = std::min<Clock::duration>(backoff * 2, kBackoffMax);
    }
  }

  // Runs one built transaction on `session`, counting it in `c`; drops a broken session.
  void Execute(std::unique_ptr<Session>& session, const Transaction& txn,
               std::vector<int64_t>& affected, Clock::time_point due, Counters& c,
               std::string_view who, bool& lost) {
    Status st = session->RunTransaction(txn.statements, affected);
    auto done = Clock::now();
    if (st.ok()) {
      c.Commit(txn, affected, Micros(done - due));
      return;
    }
    int64_t n = c.errors.fetch_add(1) + 1;
    if (session->broken()) {
      c.connection_errors.fetch_add(1);
      Log(LogLevel::kWarn, "{}: connection lost: {}", who, st.message());
      session.reset();
      lost = true;
    } else if (ShouldLog(n)) {
      Log(LogLevel::kWarn, "{}: transaction failed: {}", who, st.message());
    }
  }

  void Client(int id) {
    std::string who = "client " + std::to_string(id);
    std::unique_ptr<Session> session = std::move(initial_[id - 1]);
    Clock::duration backoff = kBackoffFirst;
    bool lost = false;
    Transaction txn;
    std::vector<int64_t> affected;
    while (!stop_.load(std::memory_order_relaxed)) {
      if (!session) {
        session = Connect(main_, backoff, lost, who);
        if (!session) break;
        lost = false;
      }
      auto slot = schedule_->Take(Clock::now());
      if (!slot) break;
      if (!SleepUntil(slot->due)) break;
      txn.Clear();
      Rng rng(MixSeed(o_.seed, slot->seq));
      workload_.Build(slot->seq, rng, txn);
      // Open loop: latency from the scheduled time; closed loop: from the start.
      Execute(session, txn, affected, o_.max ? Clock::now() : slot->due, main_, who, lost);
    }
  }

  void Heartbeat(Counters& c) {
    std::unique_ptr<Session> session = std::move(initial_.back());
    Clock::duration backoff = kBackoffFirst;
    bool lost = false;
    Transaction txn;
    std::vector<int64_t> affected;
    uint64_t seq = 0;  // beats sent: the row's seq advances by one per beat
    for (uint64_t tick = 0;; ++tick) {
      auto due = start_ + tick * kHeartbeatEvery;
      if (due >= end_ || !SleepUntil(due)) break;
      if (Clock::now() - due > kHeartbeatEvery) continue;  // missed (reconnecting): skip it
      if (!session) {
        session = Connect(c, backoff, lost, "heartbeat");
        if (!session) break;
        lost = false;
      }
      txn.Clear();
      Rng rng(seq);
      heartbeat_->Build(seq++, rng, txn);
      Execute(session, txn, affected, due, c, "heartbeat", lost);
    }
  }

  void Reporter(const LoadOutput& out) {
    HistogramSnapshot prev_hist;
    int64_t prev_committed = 0, prev_errors = 0, prev_late = 0, prev_skipped = 0;
    for (int second = 1;; ++second) {
      {
        std::unique_lock<std::mutex> lock(report_mu_);
        if (report_cv_.wait_until(lock, start_ + second * 1s, [&] { return report_done_; })) return;
      }
      LoadSample s;
      s.second = second;
      HistogramSnapshot hist = main_.latency.Snapshot();
      s.latency = hist.Minus(prev_hist);
      prev_hist = std::move(hist);
      auto delta = [](int64_t now, int64_t& prev) {
        int64_t d = now - prev;
        prev = now;
        return d;
      };
      s.committed = delta(main_.committed.load(), prev_committed);
      s.errors = delta(main_.errors.load(), prev_errors);
      s.late = delta(schedule_ ? static_cast<int64_t>(schedule_->late()) : 0, prev_late);
      s.skipped = delta(schedule_ ? static_cast<int64_t>(schedule_->skipped()) : 0, prev_skipped);
      if (out.on_sample) out.on_sample(s);
    }
  }

  Status Go(const LoadOutput& out, LoadSummary* summary) {
    const bool heartbeat_only = workload_.name() == "heartbeat";
    if (heartbeat_only) heartbeat_ = &workload_;
    // Connections are opened before the clock starts (as pgbench and sysbench do): one per
    // client, then the heartbeat's. One that fails here is retried by its thread.
    initial_.resize(static_cast<size_t>(heartbeat_only ? 0 : o_.clients) + (heartbeat_ ? 1 : 0));
    {
      std::vector<std::thread> openers;
      for (auto& slot : initial_) {
        openers.emplace_back([&] {
          auto s = OpenLoadSession(o_.uri);
          if (s.ok()) slot = std::move(s).value();
        });
      }
      for (auto& t : openers) t.join();
    }
    start_ = Clock::now();
    end_ = start_ + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(o_.duration_s));
    if (!heartbeat_only) {
      schedule_ = std::make_unique<Schedule>(
          o_.max ? Schedule::ClosedLoop(end_)
                 : Schedule::OpenLoop(o_.rate, o_.seed, start_, end_, o_.queue_depth));
    }
    std::thread reporter([&] { Reporter(out); });
    std::vector<std::thread> threads;
    if (heartbeat_only) {
      threads.emplace_back([&] { Heartbeat(main_); });
    } else {
      for (int i = 0; i < o_.clients; ++i) threads.emplace_back([this, i] { Client(i + 1); });
      if (heartbeat_) threads.emplace_back([&] { Heartbeat(beats_); });
    }
    for (auto& t : threads) t.join();
    auto finished = Clock::now();
    {
      std::lock_guard<std::mutex> lock(report_mu_);
      report_done_ = true;
    }
    report_cv_.notify_all();
    reporter.join();

    LoadSummary& s = *summary;
    s.elapsed_s = std::chrono::duration<double>(finished - start_).count();
    s.committed = main_.committed.load();
    s.errors = main_.errors.load();
    s.connection_errors = main_.connection_errors.load();
    s.connect_failures = main_.connect_failures.load();
    s.reconnects = main_.reconnects.load();
    if (schedule_ && !o_.max) {
      s.arrivals = static_cast<int64_t>(schedule_->arrivals());
      s.late = static_cast<int64_t>(schedule_->late());
      s.skipped = static_cast<int64_t>(schedule_->skipped());
    }
    s.tps = s.elapsed_s > 0 ? static_cast<double>(s.committed) / s.elapsed_s : 0;
    auto names = workload_.OpNames();
    for (size_t i = 0; i < names.size() && i < kMaxOps; ++i)
      s.ops.push_back({names[i], main_.op_count[i].load(), main_.op_rows[i].load()});
    s.latency = main_.latency.Snapshot();
    s.heartbeats = beats_.committed.load();
    s.heartbeat_errors = beats_.errors.load();
    return Status::Ok();
  }

 private:
  const LoadOptions& o_;
  const std::atomic<bool>& stop_;
  Workload& workload_;
  Workload* heartbeat_;
  Clock::time_point start_, end_;
  std::unique_ptr<Schedule> schedule_;
  std::vector<std::unique_ptr<Session>> initial_;  // clients' sessions, then the heartbeat's
  Counters main_, beats_;
  std::mutex report_mu_;
  std::condition_variable report_cv_;
  bool report_done_ = false;
};

}  // namespace

Status InitTables(const LoadOptions& o, Progress::Mode mode) {
  ASSIGN_OR_RETURN(auto workload, MakeWorkload(o.workload, o.workload_options));
  std::vector<std::unique_ptr<Workload>> all;
  all.push_back(std::move(workload));
  if (o.heartbeat && all[0]->name() != "heartbeat") {
    ASSIGN_OR_RETURN(auto hb, MakeWorkload("heartbeat", o.workload_options));
    all.push_back(std::move(hb));
  }
  ASSIGN_OR_RETURN(auto session, OpenLoadSession(o.uri));
  int64_t total = 0;
  for (auto& w : all) {
    auto tables = w->Tables();
    for (auto it = tables.rbegin(); it != tables.rend(); ++it)
      RETURN_IF_ERROR(session->Exec(DropTableSql(*it)).WithContext("dropping " + it->name));
    for (const auto& t : tables)
      RETURN_IF_ERROR(session->Exec(CreateTableSql(*session, t)).WithContext("creating " + t.name));
    total += w->InitialRows();
  }
  Progress progress("init " + o.workload, total, mode);
  for (auto& w : all) RETURN_IF_ERROR(w->Populate(*session, o.seed, progress));
  progress.Finish();
  for (auto& w : all) {
    for (const auto& t : w->Tables()) {
      RETURN_IF_ERROR(
          session->Exec(session->AnalyzeSql(t.name)).WithContext("analyzing " + t.name));
    }
  }
  Log(LogLevel::kInfo, "init {}: {} rows in {} table(s) on {}", o.workload,
      FormatCount(progress.done()),
      all.size() == 1 ? all[0]->Tables().size() : all[0]->Tables().size() + all[1]->Tables().size(),
      RedactUri(o.uri));
  return Status::Ok();
}

Status RunLoad(const LoadOptions& o, const std::atomic<bool>& stop, const LoadOutput& out,
               LoadSummary* summary) {
  LoadSummary& s = *summary;
  s.workload = o.workload;
  s.mode = o.max ? "max" : "rate";
  s.rate = o.max ? 0 : o.rate;
  s.clients = o.clients;
  s.seed = o.seed;
  s.duration_s = o.duration_s;
  ASSIGN_OR_RETURN(auto workload, MakeWorkload(o.workload, o.workload_options));
  std::unique_ptr<Workload> heartbeat;
  ASSIGN_OR_RETURN(auto control, OpenLoadSession(o.uri));
  s.engine = control->engine();
  if (Status st = workload->Prepare(*control); !st.ok()) {
    if (st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kPermissionDenied)
      return st;
    return st.WithContext("workload " + o.workload +
                          " (are its tables there? create them with --init)");
  }
  if (o.heartbeat && workload->name() != "heartbeat") {
    ASSIGN_OR_RETURN(heartbeat, MakeWorkload("heartbeat", o.workload_options));
    RETURN_IF_ERROR(heartbeat->Prepare(*control));
  }
  control.reset();
  Run run(o, stop, *workload, heartbeat.get());
  return run.Go(out, summary);
}

}  // namespace cutover::loadgen
