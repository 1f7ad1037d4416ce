// Unit tests of the latency histogram: bucket bounds, percentiles, interval differences.
#include <gtest/gtest.h>

#include "loadgen/histogram.h"

namespace cutover::loadgen {
namespace {

TEST(LoadgenHistogram, BucketsAreExactBelow64AndWithin1Of32Above) {
  for (int64_t v = 0; v < 64; ++v) EXPECT_EQ(Histogram::BucketUpper(Histogram::BucketOf(v)), v);
  int prev = -1;
  for (int64_t v = 1; v < (int64_t{1} << 41); v = v * 5 / 4 + 1) {
    int b = Histogram::BucketOf(v);
    ASSERT_GE(b, prev);
    prev = b;
    int64_t upper = Histogram::BucketUpper(b);
    ASSERT_GE(upper, v);
    ASSERT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 32 + 1) << v;
    if (b > 0) {
      ASSERT_LT(Histogram::BucketUpper(b - 1), v) << v;
    }
  }
  EXPECT_EQ(Histogram::BucketOf(-5), 0);
  EXPECT_EQ(Histogram::BucketOf(int64_t{1} << 50), Histogram::kBuckets - 1);
}

TEST(LoadgenHistogram, PercentilesFollowTheDistributionNotTheMean) {
  Histogram h;
  for (int i = 0; i < 990; ++i) h.Record(1000);   // 1 ms
  for (int i = 0; i < 10; ++i) h.Record(500000);  // 500 ms tail
  auto s = h.Snapshot();
  EXPECT_EQ(s.count(), 1000u);
  EXPECT_NEAR(s.Percentile(0.5), 1000, 1000 / 32 + 1);
  EXPECT_NEAR(s.Percentile(0.99), 1000, 1000 / 32 + 1);
  EXPECT_NEAR(s.Percentile(0.999), 500000, 500000 / 32 + 1);
  EXPECT_NEAR(s.Percentile(1.0), 500000, 500000 / 32 + 1);
  EXPECT_EQ(HistogramSnapshot().Percentile(0.5), 0);
}

TEST(LoadgenHistogram, MinusGivesWhatWasRecordedInBetween) {
  Histogram h;
  h.Record(10);
  auto first = h.Snapshot();
  h.Record(2000);
  h.Record(2000);
  auto diff = h.Snapshot().Minus(first);
  EXPECT_EQ(diff.count(), 2u);
  EXPECT_NEAR(diff.Percentile(0.0), 2000, 2000 / 32 + 1);
  auto buckets = diff.NonEmpty();
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets[0].second, 2u);
}

}  // namespace
}  // namespace cutover::loadgen
