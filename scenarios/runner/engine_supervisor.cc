#include "scenarios/runner/engine_supervisor.h"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "scenarios/runner/engine_metrics.h"

namespace cutover::scenario {

namespace {
constexpr double kMaxBackoffS = 8;
constexpr double kStableRunS = 30;
constexpr double kGracefulStopS = 60;

std::string UtcNow() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

long FileSize(const std::string& path) {
  std::ifstream in(path, std::ios::ate | std::ios::binary);
  return in ? static_cast<long>(in.tellg()) : 0;
}
}  // namespace

EngineSupervisor::EngineSupervisor(EngineConfig config,
                                   std::function<void(const std::string&, bool)> note)
    : config_(std::move(config)), note_(std::move(note)), backoff_s_(config_.restart_backoff_s) {}

EngineSupervisor::~EngineSupervisor() {
  if (child_) child_->Signal(SIGKILL);
}

Status EngineSupervisor::Start() {
  want_running_ = true;
  start_at_.reset();
  if (child_) return Status::Ok();
  ++starts_;
  {
    std::ofstream log(config_.log_path, std::ios::app);
    log << fmt::format("==== cutover scenario: engine start #{} at {} ====\n", starts_, UtcNow());
  }
  log_offset_at_start_ = FileSize(config_.log_path);
  // A new process: bank the previous one's counters (its last scrape).
  base_.rows_loaded += last_.rows_loaded;
  base_.tables_loaded += last_.tables_loaded;
  base_.transactions_applied += last_.transactions_applied;
  base_.changes_applied += last_.changes_applied;
  last_ = EngineTotals{};
  std::vector<std::string> argv = {config_.binary, "replicate"};
  argv.insert(argv.end(), config_.replicate_args.begin(), config_.replicate_args.end());
  argv.push_back("--metrics-listen");
  argv.push_back(config_.metrics_listen);
  ASSIGN_OR_RETURN(child_, ChildProcess::Spawn(argv, config_.log_path));
  started_ = Clock::now();
  expect_exit_ = false;
  return Status::Ok();
}

void EngineSupervisor::Kill(double restart_after_s) {
  if (child_) {
    Scrape();  // its counts up to the kill
    expect_exit_ = true;
    child_->Signal(SIGKILL);
  }
  want_running_ = true;
  start_at_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(restart_after_s));
}

void EngineSupervisor::Release() {
  want_running_ = false;
  start_at_.reset();
  if (child_) expect_exit_ = true;
}

void EngineSupervisor::Stop() {
  want_running_ = false;
  start_at_.reset();
  if (!child_) return;
  expect_exit_ = true;
  child_->Signal(SIGTERM);
  kill_at_ = Clock::now() + std::chrono::seconds(static_cast<int>(kGracefulStopS));
}

std::string EngineSupervisor::LastErrorLine() const {
  std::ifstream in(config_.log_path, std::ios::binary);
  in.seekg(log_offset_at_start_);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find("error:") != std::string::npos) last = line;
  }
  if (last.size() > 400) last = last.substr(0, 400) + "...";
  return last;
}

void EngineSupervisor::Tick() {
  auto now = Clock::now();
  if (child_) {
    if (kill_at_ && now >= *kill_at_) {
      child_->Signal(SIGKILL);
      kill_at_.reset();
    }
    if (auto code = child_->Poll()) {
      exit_codes_.push_back(*code);
      pid_t pid = child_->pid();
      child_.reset();
      kill_at_.reset();
      if (!expect_exit_) {
        std::string err = LastErrorLine();
        errors_.push_back(
            fmt::format("pid {} exited with {}{}", pid, *code, err.empty() ? "" : ": " + err));
        double ran = std::chrono::duration<double>(now - started_).count();
        if (ran >= kStableRunS) backoff_s_ = config_.restart_backoff_s;
        bool restart = config_.restart_on_failure && want_running_;
        note_(errors_.back() + (restart ? fmt::format("; restart in {:g} s", backoff_s_)
                                        : std::string("; not restarted")),
              true);
        if (restart) {
          start_at_ = now + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(backoff_s_));
          backoff_s_ = std::min(kMaxBackoffS, backoff_s_ * 2);
        } else {
          want_running_ = false;
        }
      }
      expect_exit_ = false;
    }
  }
  if (!child_ && want_running_ && start_at_ && now >= *start_at_) {
    Status s = Start();
    if (!s.ok())
      note_("could not start the engine: " + s.message(), true);
    else
      note_(fmt::format("engine started (pid {})", child_->pid()), false);
  }
}

void EngineSupervisor::Scrape() {
  if (!child_) return;
  auto m = ScrapeEngineMetrics(config_.metrics_listen, 500);
  if (!m.ok()) {  // not listening yet, or exiting: keep the last scrape
    last_.latency_source_s.reset();
    return;
  }
  last_.phase = m->phase;
  last_.rows_loaded = m->rows_loaded;
  last_.tables_loaded = m->tables_loaded;
  last_.transactions_applied = m->transactions_applied;
  last_.changes_applied = m->changes_applied;
  last_.latency_source_s = m->latency_source_s;
  if (last_.phase == "cdc") base_.cdc_reached = true;
}

EngineTotals EngineSupervisor::ReadMetrics() {
  Scrape();
  EngineTotals t = last_;
  t.rows_loaded += base_.rows_loaded;
  t.tables_loaded += base_.tables_loaded;
  t.transactions_applied += base_.transactions_applied;
  t.changes_applied += base_.changes_applied;
  t.cdc_reached = base_.cdc_reached;
  if (!child_) {
    t.phase = "stopped";
    t.latency_source_s.reset();
  }
  return t;
}

ProcSampler::Sample EngineSupervisor::SampleProc() {
  if (!child_) return {};
  return sampler_.Take(child_->pid());
}

}  // namespace cutover::scenario
