#include "engine/pipeline/log_retention.h"

#include "engine/core/log.h"
#include "engine/registry/registry.h"

namespace cutover {

Result<std::optional<int64_t>> RetainedSourceLogBytes(const std::string& source_uri,
                                                      const std::string& task,
                                                      const std::string& position) {
  ASSIGN_OR_RETURN(const EngineDriver* driver, EngineForUri(source_uri, "--source"));
  return driver->RetainedLogBytes(source_uri, task, position);
}

LogRetentionProbe::LogRetentionProbe(std::string source_uri, std::string task,
                                     std::shared_ptr<ReplicationMetrics> metrics,
                                     std::chrono::milliseconds interval)
    : shared_(std::make_shared<Shared>()) {
  thread_ = std::thread(Run, shared_, std::move(source_uri), std::move(task), std::move(metrics),
                        interval);
}

LogRetentionProbe::~LogRetentionProbe() {
  Stop();
}

void LogRetentionProbe::Stop() {
  if (!thread_.joinable()) return;
  std::unique_lock<std::mutex> lock(shared_->mu);
  shared_->stop = true;
  shared_->wake.notify_all();
  bool done = shared_->wake.wait_for(lock, std::chrono::seconds(2), [&] { return shared_->done; });
  lock.unlock();
  if (done) {
    thread_.join();
  } else {
    thread_.detach();
  }
}

void LogRetentionProbe::Run(std::shared_ptr<Shared> shared, std::string source_uri,
                            std::string task, std::shared_ptr<ReplicationMetrics> metrics,
                            std::chrono::milliseconds interval) {
  std::string last_error;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(shared->mu);
      if (shared->stop) break;
    }
    // Only once the task is under way: before, there is nothing to hold, and a source that
    // cannot be reached is the task's own one-line error, not the probe's.
    MetricsSnapshot now = metrics->Snapshot();
    if (now.phase != ReplicationPhase::kFullLoad && now.phase != ReplicationPhase::kCdc) {
      std::unique_lock<std::mutex> lock(shared->mu);
      if (shared->wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return shared->stop; }))
        break;
      continue;
    }
    auto bytes = RetainedSourceLogBytes(source_uri, task, now.position);
    if (bytes.ok()) {
      metrics->SetRetainedLogBytes(*bytes);
      last_error.clear();
    } else {
      metrics->SetRetainedLogBytes(std::nullopt);
      if (bytes.status().message() != last_error) {
        last_error = bytes.status().message();
        Log(LogLevel::kWarn, "metrics: cannot read the source's retained log: {}", last_error);
      }
    }
    std::unique_lock<std::mutex> lock(shared->mu);
    if (shared->wake.wait_for(lock, interval, [&] { return shared->stop; })) break;
  }
  std::lock_guard<std::mutex> lock(shared->mu);
  shared->done = true;
  shared->wake.notify_all();
}

}  // namespace cutover
