// Deterministic randomness for the load generator: one seeded generator per transaction, and the
// key distributions of --dist.
//
// Design: `--seed` must reproduce the same operations whatever the thread timing, so nothing is
// drawn from a generator shared between clients. Transaction number k (a global sequence
// number handed out in schedule order) gets its own generator seeded with Mix(seed, k); the
// arrival timeline has its own stream. The generator is xoshiro256** seeded through SplitMix64
// (fast, small state, well distributed); std::mt19937 and std::*_distribution are avoided
// because their output is not specified identically across standard libraries.
//
// Key distributions draw a key in [1, n]:
//   uniform            every key equally likely
//   zipf:THETA         P(k) proportional to 1/k^THETA (THETA > 0; rejection-inversion sampling,
//                      Hörmann & Derflinger, O(1) per draw, any n); key 1 is the hottest
//   hotspot:FRACTION   the first ceil(FRACTION*n) keys (the hot set) get 1-FRACTION of the draws,
//                      uniformly; the rest get FRACTION (hotspot:0.2 is the 80/20 rule)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/status.h"

namespace cutover::loadgen {

// SplitMix64 finaliser of (a, b): a well-mixed 64-bit seed for stream `b` of seed `a`.
uint64_t MixSeed(uint64_t a, uint64_t b);

class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, 1).
  double Uniform();
  // Uniform integer in [lo, hi] (inclusive; lo <= hi).
  int64_t Range(int64_t lo, int64_t hi);
  // True with probability p.
  bool Chance(double p) { return Uniform() < p; }
  // Exponentially distributed with the given mean (> 0): Poisson inter-arrival times.
  double Exponential(double mean);

 private:
  uint64_t s_[4];
};

class KeyDist {
 public:
  enum class Kind { kUniform, kZipf, kHotspot };

  KeyDist() = default;  // uniform
  // Parses "uniform", "zipf:THETA" (THETA > 0, at most 10) or "hotspot:FRACTION"
  // (0 < FRACTION < 1). Errors name the text and what was expected.
  static Result<KeyDist> Parse(std::string_view text);

  // A key in [1, n] (n >= 1).
  int64_t Sample(Rng& rng, int64_t n) const;

  Kind kind() const { return kind_; }
  double parameter() const { return param_; }
  std::string ToString() const;

 private:
  int64_t SampleZipf(Rng& rng, int64_t n) const;

  Kind kind_ = Kind::kUniform;
  double param_ = 0;
};

}  // namespace cutover::loadgen
