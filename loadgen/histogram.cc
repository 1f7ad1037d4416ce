#include "loadgen/histogram.h"

#include <bit>

namespace cutover::loadgen {

namespace {
constexpr int kExactBelow = 64;  // values 0..63 have their own bucket
constexpr int kSubBits = 5;      // 32 buckets per power of two above that
constexpr int kMaxMsb = 40;      // 2^41 - 1 µs is the largest distinct value
}  // namespace

int Histogram::BucketOf(int64_t micros) {
  if (micros < kExactBelow) return micros < 0 ? 0 : static_cast<int>(micros);
  uint64_t v = static_cast<uint64_t>(micros);
  int msb = 63 - std::countl_zero(v);
  if (msb > kMaxMsb) return kBuckets - 1;
  int shift = msb - kSubBits;
  return kExactBelow + (msb - 6) * 32 + static_cast<int>((v >> shift) - 32);
}

int64_t Histogram::BucketUpper(int bucket) {
  if (bucket < kExactBelow) return bucket;
  int rel = bucket - kExactBelow;
  int msb = 6 + rel / 32;
  int shift = msb - kSubBits;
  int64_t sub = 32 + rel % 32;
  return ((sub + 1) << shift) - 1;
}

HistogramSnapshot Histogram::Snapshot() const {
  std::vector<uint64_t> c(kBuckets);
  for (int i = 0; i < kBuckets; ++i) c[i] = counts_[i].load(std::memory_order_relaxed);
  return HistogramSnapshot(std::move(c));
}

uint64_t HistogramSnapshot::count() const {
  uint64_t n = 0;
  for (uint64_t c : counts_) n += c;
  return n;
}

int64_t HistogramSnapshot::Percentile(double q) const {
  uint64_t total = count();
  if (total == 0) return 0;
  if (q < 0) q = 0;
  if (q > 1) q = 1;
  // The rank of the q-quantile (1-based, nearest-rank method).
  uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total) + 0.999999999);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (int i = 0; i < Histogram::kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return Histogram::BucketUpper(i);
  }
  return Histogram::BucketUpper(Histogram::kBuckets - 1);
}

HistogramSnapshot HistogramSnapshot::Minus(const HistogramSnapshot& earlier) const {
  std::vector<uint64_t> c(counts_.size());
  for (size_t i = 0; i < c.size(); ++i) c[i] = counts_[i] - earlier.counts_[i];
  return HistogramSnapshot(std::move(c));
}

std::vector<std::pair<int64_t, uint64_t>> HistogramSnapshot::NonEmpty() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  for (int i = 0; i < Histogram::kBuckets; ++i) {
    if (counts_[i]) out.emplace_back(Histogram::BucketUpper(i), counts_[i]);
  }
  return out;
}

}  // namespace cutover::loadgen
