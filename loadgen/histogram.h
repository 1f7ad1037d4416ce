// Latency histogram: log-linear buckets over microseconds, recorded concurrently, read as
// percentiles.
//
// Design: percentiles must come from the full distribution (an average hides the tail that a
// replication rehearsal cares about), yet recording sits on every transaction of every client.
// So the histogram is a fixed array of atomic counters (relaxed increments, no lock) with
// HdrHistogram-style buckets: exact below 64 µs, then 32 buckets per power of two, i.e. at most
// 1/32 (3.1%) relative error, up to 2^41 µs (25 days); larger values land in the last bucket.
// A reader takes a Snapshot (plain counts); the per-second figures are the difference of two
// snapshots, so one histogram serves both the per-second lines and the summary.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace cutover::loadgen {

class HistogramSnapshot;

class Histogram {
 public:
  static constexpr int kBuckets = 64 + 35 * 32;

  // Bucket of a value in µs (negative values count as 0), and the largest value in a bucket.
  static int BucketOf(int64_t micros);
  static int64_t BucketUpper(int bucket);

  void Record(int64_t micros) { counts_[BucketOf(micros)].fetch_add(1, std::memory_order_relaxed); }
  HistogramSnapshot Snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
};

class HistogramSnapshot {
 public:
  HistogramSnapshot() : counts_(Histogram::kBuckets, 0) {}
  explicit HistogramSnapshot(std::vector<uint64_t> counts) : counts_(std::move(counts)) {}

  void Record(int64_t micros) { ++counts_[Histogram::BucketOf(micros)]; }
  uint64_t count() const;
  // The value at quantile q in [0, 1] (the upper bound of the bucket holding it), in µs;
  // 0 when empty. q = 1 gives the maximum's bucket.
  int64_t Percentile(double q) const;
  // this - earlier (bucket by bucket): what was recorded in between.
  HistogramSnapshot Minus(const HistogramSnapshot& earlier) const;
  // Non-empty buckets as (upper bound µs, count), ascending.
  std::vector<std::pair<int64_t, uint64_t>> NonEmpty() const;

 private:
  std::vector<uint64_t> counts_;
};

}  // namespace cutover::loadgen
