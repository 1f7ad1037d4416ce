// Capture into the change spool. See spool_capture.h for the design note.
#include "engine/pipeline/spool_capture.h"

#include "engine/core/log.h"
#include "engine/core/log_component.h"

namespace cutover {

SpoolCapture::SpoolCapture(Source& source, std::string task,
                           const std::vector<TableSchemaPtr>& tables,
                           std::unique_ptr<ChangeStream> stream, ChangeSpool& spool,
                           ReplicationMetrics* metrics)
    : source_(source),
      task_(std::move(task)),
      tables_(tables),
      stream_(std::move(stream)),
      spool_(spool),
      metrics_(metrics) {}

SpoolCapture::~SpoolCapture() {
  Stop();
}

void SpoolCapture::Start() {
  thread_ = std::thread([this] { Run(); });
}

void SpoolCapture::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void SpoolCapture::Run() {
  ScopedLogComponent component(LogComponent::kSourceCapture);
  Status s = Loop();
  if (!s.ok()) {
    failed_ = true;
    spool_.SetCaptureError(s);
  }
}

void SpoolCapture::Publish(const char* state) {
  if (metrics_) metrics_->SetSpool(static_cast<int64_t>(spool_.bytes()), state);
}

Status SpoolCapture::SyncAndConfirm() {
  ASSIGN_OR_RETURN(std::optional<Position> last, spool_.Sync());
  last_sync_ = std::chrono::steady_clock::now();
  unsynced_ = 0;
  if (last && stream_ && (!confirmed_ || *last > *confirmed_)) {
    // Durable here: the source may release its log up to there.
    RETURN_IF_ERROR(stream_->Confirm(*last));
    confirmed_ = last;
  }
  return Status::Ok();
}

Status SpoolCapture::Loop() {
  skip_through_ = spool_.end();
  last_sync_ = std::chrono::steady_clock::now();
  const uint64_t max = spool_.options().max_bytes;
  StreamEvent ev;
  bool in_txn = false, skip = false;
  Publish("capturing");
  while (!stop_.load()) {
    if (!in_txn && spool_.bytes() >= max) {
      RETURN_IF_ERROR(SyncAndConfirm());
      RETURN_IF_ERROR(spool_.Seal());  // so the apply can prune all of it
      Log(LogLevel::kWarn,
          "change spool full ({} bytes, --spool-max-bytes {}): capture paused and the source no "
          "longer confirmed past {} until the target catches up",
          spool_.bytes(), max, confirmed_ ? confirmed_->text : "-");
      stream_.reset();  // no reading, no confirming: the source keeps its log from here
      while (!stop_.load() && spool_.bytes() > max / 10 * 9) {
        Publish("full");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (stop_.load()) break;
      Position from = spool_.tail();
      ASSIGN_OR_RETURN(stream_, source_.OpenStream(task_, tables_, from));
      skip_through_ = from;
      Log(LogLevel::kInfo, "change spool below 90% of its limit: capture resumes after {}",
          from.text.empty() ? "-" : from.text);
      Publish("capturing");
      continue;
    }
    RETURN_IF_ERROR(stream_->Next(ev, std::chrono::milliseconds(100)));
    switch (ev.type) {
      case StreamEvent::Type::kNone:
        if (!in_txn) {
          RETURN_IF_ERROR(SyncAndConfirm());
          spool_.SetCaughtUp(stream_->CaughtUpTo());
        }
        break;
      case StreamEvent::Type::kBegin:
        in_txn = true;
        skip = skip_through_ && ev.txn.position <= *skip_through_;
        if (!skip) RETURN_IF_ERROR(spool_.Append(ev));
        break;
      case StreamEvent::Type::kChange:
        if (skip) break;
        unsynced_ += static_cast<uint64_t>(ApproxChangeBytes(ev.change));
        RETURN_IF_ERROR(spool_.Append(ev));
        break;
      case StreamEvent::Type::kCommit:
        in_txn = false;
        if (skip) break;
        RETURN_IF_ERROR(spool_.Append(ev));
        if (unsynced_ >= kSyncBytes ||
            std::chrono::steady_clock::now() - last_sync_ >= kSyncInterval)
          RETURN_IF_ERROR(SyncAndConfirm());
        break;
    }
    Publish("capturing");
  }
  if (!in_txn) RETURN_IF_ERROR(SyncAndConfirm());
  return Status::Ok();
}

}  // namespace cutover
