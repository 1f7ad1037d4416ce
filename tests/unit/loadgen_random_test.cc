// Unit tests of the load generator's deterministic generator and key distributions.
#include <gtest/gtest.h>

#include <vector>

#include "loadgen/random.h"

namespace cutover::loadgen {
namespace {

TEST(LoadgenRng, SameSeedSameSequenceOtherSeedOther) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
  EXPECT_NE(MixSeed(1, 2), MixSeed(1, 3));
  EXPECT_NE(MixSeed(1, 2), MixSeed(2, 2));
}

TEST(LoadgenRng, RangeAndUniformStayInBounds) {
  Rng r(7);
  std::vector<int> seen(11, 0);
  for (int i = 0; i < 20000; ++i) {
    int64_t v = r.Range(-5, 5);
    ASSERT_GE(v, -5);
    ASSERT_LE(v, 5);
    ++seen[v + 5];
    double u = r.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  for (int count : seen) EXPECT_GT(count, 1500);  // ~1818 each
}

TEST(LoadgenRng, ExponentialHasTheRequestedMean) {
  Rng r(9);
  double sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) sum += r.Exponential(0.002);
  EXPECT_NEAR(sum / n, 0.002, 0.00005);
}

TEST(LoadgenKeyDist, ParsesAndRejectsWithAClearMessage) {
  EXPECT_EQ(KeyDist::Parse("uniform")->kind(), KeyDist::Kind::kUniform);
  auto z = KeyDist::Parse("zipf:0.99");
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->kind(), KeyDist::Kind::kZipf);
  EXPECT_DOUBLE_EQ(z->parameter(), 0.99);
  EXPECT_EQ(KeyDist::Parse("hotspot:0.2")->ToString(), "hotspot:0.2");
  for (const char* bad : {"", "zipf", "zipf:", "zipf:x", "zipf:0", "zipf:-1", "hotspot:1",
                          "hotspot:0", "normal:1", "uniform:1", "zipf:1.5x"}) {
    auto r = KeyDist::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("--dist"), std::string::npos);
  }
}

TEST(LoadgenKeyDist, ZipfIsSkewedTowardsKeyOneAndStaysInRange) {
  auto d = KeyDist::Parse("zipf:1").value();
  Rng r(3);
  const int64_t n = 1000;
  const int draws = 200000;
  std::vector<int> count(n + 1, 0);
  for (int i = 0; i < draws; ++i) {
    int64_t k = d.Sample(r, n);
    ASSERT_GE(k, 1);
    ASSERT_LE(k, n);
    ++count[k];
  }
  // P(1) = 1 / H(1000) = 0.1336; P(2) = P(1) / 2.
  EXPECT_NEAR(static_cast<double>(count[1]) / draws, 0.1336, 0.005);
  EXPECT_NEAR(static_cast<double>(count[2]) / draws, 0.0668, 0.004);
  EXPECT_GT(count[10], count[100]);
}

TEST(LoadgenKeyDist, HotspotSendsOneMinusFractionOfDrawsToTheHotSet) {
  auto d = KeyDist::Parse("hotspot:0.2").value();
  Rng r(5);
  const int draws = 100000;
  int hot = 0;
  for (int i = 0; i < draws; ++i) {
    int64_t k = d.Sample(r, 1000);
    ASSERT_GE(k, 1);
    ASSERT_LE(k, 1000);
    hot += k <= 200;
  }
  EXPECT_NEAR(static_cast<double>(hot) / draws, 0.8, 0.01);
}

TEST(LoadgenKeyDist, TinyRangesAlwaysGiveKeyOne) {
  for (const char* spec : {"uniform", "zipf:0.5", "hotspot:0.1"}) {
    auto d = KeyDist::Parse(spec).value();
    Rng r(1);
    EXPECT_EQ(d.Sample(r, 1), 1) << spec;
    EXPECT_EQ(d.Sample(r, 0), 1) << spec;
  }
}

}  // namespace
}  // namespace cutover::loadgen
