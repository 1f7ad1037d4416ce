#include "scenarios/runner/load_driver.h"

#include <fmt/format.h>

#include "loadgen/report.h"

namespace cutover::scenario {

int64_t LoadRun::rows() const {
  int64_t n = 0;
  for (const auto& op : summary.ops) n += op.rows;
  return n;
}

LoadDriver::LoadDriver(std::string source_uri, Clock::time_point run_start,
                       const std::string& log_path, Series* source_tps, Series* p95_ms)
    : uri_(std::move(source_uri)),
      run_start_(run_start),
      log_(log_path, std::ios::app),
      source_tps_(source_tps),
      p95_ms_(p95_ms) {}

LoadDriver::~LoadDriver() {
  Stop();
  StopHeartbeat();
}

double LoadDriver::Now() const {
  return std::chrono::duration<double>(Clock::now() - run_start_).count();
}

void LoadDriver::Log(const std::string& line) {
  std::lock_guard<std::mutex> lock(log_mu_);
  log_ << fmt::format("[{:8.2f}s] {}\n", Now(), line);
  log_.flush();
}

Status LoadDriver::TakeError() {
  std::lock_guard<std::mutex> lock(err_mu_);
  Status s = error_;
  error_ = Status::Ok();
  return s;
}

void LoadDriver::Start(const LoadProfile& profile) {
  Stop();
  auto a = std::make_unique<Active>();
  a->run.profile = profile;
  a->run.start_s = Now();
  loadgen::LoadOptions o;
  o.uri = uri_;
  o.workload = profile.workload;
  o.rate = profile.rate;
  o.duration_s = 1e7;  // until stopped
  o.clients = profile.clients;
  o.seed = seed_++;  // a new seed per run: new transactions, not a replay of the last run's
  o.workload_options.txn_size = profile.txn_size;
  o.workload_options.rows = profile.rows;
  if (auto d = loadgen::KeyDist::Parse(profile.dist); d.ok()) o.workload_options.dist = *d;
  if (auto m = loadgen::Mix::Parse(profile.mix); m.ok()) o.workload_options.mix = *m;
  Log(fmt::format("load {} at {:g} tps, {} client(s): start", profile.workload, profile.rate,
                  profile.clients));
  Active* raw = a.get();
  a->thread = std::thread([this, raw, o] {
    loadgen::LoadOutput out;
    out.on_sample = [this](const loadgen::LoadSample& s) {
      double t = Now();
      source_tps_->Add(t, static_cast<double>(s.committed));
      p95_ms_->Add(
          t, s.latency.count() > 0
                 ? std::optional<double>(static_cast<double>(s.latency.Percentile(0.95)) / 1000.0)
                 : std::nullopt);
      Log(loadgen::FormatSampleLine(s));
    };
    raw->run.status = loadgen::RunLoad(o, raw->stop, out, &raw->run.summary);
    if (!raw->run.status.ok()) {
      std::lock_guard<std::mutex> lock(err_mu_);
      error_ = raw->run.status.WithContext("load " + o.workload);
    }
  });
  current_ = std::move(a);
}

void LoadDriver::Stop() {
  if (!current_) return;
  current_->stop = true;
  current_->thread.join();
  current_->run.end_s = Now();
  Log("load summary:\n" + loadgen::FormatSummary(current_->run.summary));
  runs_.push_back(std::move(current_->run));
  current_.reset();
}

void LoadDriver::StartHeartbeat() {
  if (heartbeat_) return;
  heartbeat_ = std::make_unique<Active>();
  loadgen::LoadOptions o;
  o.uri = uri_;
  o.workload = "heartbeat";
  o.duration_s = 1e7;
  Active* raw = heartbeat_.get();
  heartbeat_->thread = std::thread([this, raw, o] {
    raw->run.status = loadgen::RunLoad(o, raw->stop, {}, &raw->run.summary);
    if (!raw->run.status.ok()) {
      std::lock_guard<std::mutex> lock(err_mu_);
      error_ = raw->run.status.WithContext("heartbeat");
    }
  });
}

void LoadDriver::StopHeartbeat() {
  if (!heartbeat_) return;
  heartbeat_->stop = true;
  heartbeat_->thread.join();
  Log(fmt::format("heartbeat: {} beats written, {} failed", heartbeat_->run.summary.heartbeats,
                  heartbeat_->run.summary.heartbeat_errors));
  heartbeat_.reset();
}

}  // namespace cutover::scenario
