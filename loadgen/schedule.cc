#include "loadgen/schedule.h"

namespace cutover::loadgen {

namespace {
constexpr auto kLateAfter = std::chrono::milliseconds(1);
}

Schedule Schedule::OpenLoop(double rate, uint64_t seed, Clock::time_point start,
                            Clock::time_point end, size_t queue_depth) {
  Schedule s;
  s.open_ = true;
  s.mean_gap_s_ = 1.0 / rate;
  s.start_ = start;
  s.end_ = end;
  s.depth_ = queue_depth < 1 ? 1 : queue_depth;
  s.rng_ = Rng(MixSeed(seed, 0xa77a1ULL));
  s.next_offset_s_ = s.rng_.Exponential(s.mean_gap_s_);
  return s;
}

Schedule Schedule::ClosedLoop(Clock::time_point end) {
  Schedule s;
  s.end_ = end;
  return s;
}

Schedule::Schedule(Schedule&& o) noexcept
    : open_(o.open_),
      mean_gap_s_(o.mean_gap_s_),
      start_(o.start_),
      end_(o.end_),
      depth_(o.depth_),
      rng_(o.rng_),
      next_offset_s_(o.next_offset_s_),
      next_seq_(o.next_seq_),
      skipped_(o.skipped_),
      late_(o.late_),
      queue_(std::move(o.queue_)) {}

void Schedule::Admit(Clock::time_point now) {
  for (;;) {
    auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(next_offset_s_));
    if (due > now || due >= end_) return;
    if (queue_.size() < depth_) {
      queue_.push_back({next_seq_, due, false});
    } else {
      ++skipped_;
    }
    ++next_seq_;
    next_offset_s_ += rng_.Exponential(mean_gap_s_);
  }
}

std::optional<Schedule::Slot> Schedule::Take(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!open_) {
    if (now >= end_) return std::nullopt;
    return Slot{next_seq_++, now, false};
  }
  Admit(now);
  if (!queue_.empty()) {
    Slot s = queue_.front();
    queue_.pop_front();
    s.late = now - s.due > kLateAfter;
    if (s.late) ++late_;
    return s;
  }
  auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(next_offset_s_));
  if (due >= end_) return std::nullopt;
  Slot s{next_seq_++, due, false};
  next_offset_s_ += rng_.Exponential(mean_gap_s_);
  return s;
}

uint64_t Schedule::arrivals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_seq_;
}

uint64_t Schedule::skipped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return skipped_;
}

uint64_t Schedule::late() const {
  std::lock_guard<std::mutex> lock(mu_);
  return late_;
}

size_t Schedule::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

}  // namespace cutover::loadgen
