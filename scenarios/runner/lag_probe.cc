#include "scenarios/runner/lag_probe.h"

#include "engine/core/load_session.h"
#include "engine/registry/registry.h"

namespace cutover::scenario {

LagProbe::LagProbe(std::string target_uri, const EngineDriver& target_engine, double interval_s,
                   Clock::time_point run_start, Series* out)
    : uri_(std::move(target_uri)),
      engine_(&target_engine),
      interval_s_(interval_s),
      run_start_(run_start),
      out_(out) {}

LagProbe::~LagProbe() {
  Stop();
}

void LagProbe::Start() {
  thread_ = std::thread([this] { Run(); });
}

void LagProbe::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LagProbe::Run() {
  const std::string sql = engine_->HeartbeatMicrosSql();
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s_));
  std::unique_ptr<loadgen::Session> session;
  auto next = Clock::now();
  while (!stop_) {
    next += interval;
    std::optional<double> lag;
    if (sql.empty()) {  // a file target: the heartbeat as a reader of its committed files sees it
      auto files = engine_->ReadVisibleFiles(uri_);
      if (files.ok() && *files && (*files)->heartbeat_us) {
        auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
        lag = static_cast<double>(now_us - *(*files)->heartbeat_us) / 1e6;
      }
    } else if (!session) {
      auto s = OpenLoadSession(uri_);
      if (s.ok()) session = std::move(*s);
    }
    if (session && !sql.empty()) {
      auto us = session->QueryInt(sql);
      if (us.ok() && *us > 0) {
        auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
        lag = static_cast<double>(now_us - *us) / 1e6;
      } else if (!us.ok()) {
        session.reset();  // reconnect on the next tick (restart, table not there yet...)
      }
    }
    out_->Add(std::chrono::duration<double>(Clock::now() - run_start_).count(), lag);
    auto now = Clock::now();
    if (next < now) next = now;
    while (!stop_ && Clock::now() < next)
      std::this_thread::sleep_for(
          std::min<Clock::duration>(next - Clock::now(), std::chrono::milliseconds(50)));
  }
}

}  // namespace cutover::scenario
