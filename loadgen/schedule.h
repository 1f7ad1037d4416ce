// Schedule: which transaction a free client runs next, and when it was due.
//
// Open loop (--rate R): transactions arrive on a Poisson timeline (exponential gaps of mean
// 1/R, drawn from their own --seed stream, so the timeline is reproducible). Arrivals wait in a
// FIFO queue of bounded depth until a client is free; an arrival that finds the queue full is
// skipped (counted, never run). A transaction's latency is measured from its arrival, so a slow
// server shows up as latency (and, past the queue, as skips) instead of a quietly lower rate,
// which is what a closed-loop tool reports. A transaction taken from the queue more than 1 ms
// after its arrival is "late" (no client was free when it was due).
//
// Closed loop (--max): every free client takes the next number at once; nothing is due.
//
// Transaction numbers (seq) are handed out in arrival order, skipped ones included, so
// transaction k is the same operation in every run with the same seed (workload.h).
//
// Thread-safe; time is passed in by the caller (tests drive it with synthetic times). Admission
// is evaluated lazily at each Take: arrivals up to `now` join the queue (or are skipped) in
// order before the oldest queued one is handed out, which is exact because queue contents only
// change inside Take.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "loadgen/random.h"

namespace cutover::loadgen {

class Schedule {
 public:
  using Clock = std::chrono::steady_clock;

  struct Slot {
    uint64_t seq;
    Clock::time_point due;  // arrival (open loop) or the moment it was taken (closed loop)
    bool late;
  };

  // Open loop at `rate` per second from `start` until `end`, with at most `queue_depth`
  // arrivals waiting.
  static Schedule OpenLoop(double rate, uint64_t seed, Clock::time_point start,
                           Clock::time_point end, size_t queue_depth);
  // Closed loop until `end`.
  static Schedule ClosedLoop(Clock::time_point end);

  Schedule(Schedule&& other) noexcept;

  // The next transaction for a client free at `now`, or nullopt when the run is over (end
  // reached, nothing queued). In open loop `due` may lie in the future: the client waits for it.
  std::optional<Slot> Take(Clock::time_point now);

  uint64_t arrivals() const;  // arrivals so far (admitted + skipped)
  uint64_t skipped() const;
  uint64_t late() const;
  size_t queued() const;

 private:
  Schedule() = default;
  void Admit(Clock::time_point now);  // mu_ held

  bool open_ = false;
  double mean_gap_s_ = 0;
  Clock::time_point start_, end_;
  size_t depth_ = 0;
  Rng rng_{0};

  mutable std::mutex mu_;
  double next_offset_s_ = 0;  // next arrival, seconds after start_
  uint64_t next_seq_ = 0;
  uint64_t skipped_ = 0, late_ = 0;
  std::deque<Slot> queue_;
};

}  // namespace cutover::loadgen
