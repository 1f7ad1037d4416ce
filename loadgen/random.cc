#include "loadgen/random.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace cutover::loadgen {

namespace {

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// Helpers of the rejection-inversion Zipf sampler: numerically stable near x = 0.
double Helper1(double x) {  // log1p(x) / x
  return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}
double Helper2(double x) {  // expm1(x) / x
  return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

struct ZipfMath {
  double e;  // exponent
  double H(double x) const { return std::exp(-e * std::log(x)); }
  double HIntegral(double x) const {
    double lx = std::log(x);
    return Helper2((1 - e) * lx) * lx;
  }
  double HIntegralInverse(double x) const {
    double t = x * (1 - e);
    if (t < -1) t = -1;  // rounding guard
    return std::exp(Helper1(t) * x);
  }
};

}  // namespace

uint64_t MixSeed(uint64_t a, uint64_t b) {
  uint64_t x = a ^ (b * 0xd1b54a32d192ed03ULL);
  SplitMix(x);
  return SplitMix(x);
}

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (auto& s : s_) s = SplitMix(x);
}

uint64_t Rng::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

int64_t Rng::Range(int64_t lo, int64_t hi) {
  uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0) return static_cast<int64_t>(Next());  // the full 64-bit range
  // Lemire's nearly divisionless method would be faster; the modulo bias here is < 2^-40 for
  // every span this program uses (< 2^24), which is far below anything measurable.
  return lo + static_cast<int64_t>(Next() % span);
}

double Rng::Exponential(double mean) {
  return -mean * std::log1p(-Uniform());
}

Result<KeyDist> KeyDist::Parse(std::string_view text) {
  KeyDist d;
  auto bad = [&](std::string_view why) {
    return InvalidArgument("--dist '" + std::string(text) + "': " + std::string(why));
  };
  if (text == "uniform") return d;
  size_t colon = text.find(':');
  std::string_view kind = text.substr(0, colon);
  if (colon == std::string_view::npos || (kind != "zipf" && kind != "hotspot")) {
    return bad("expected uniform, zipf:THETA or hotspot:FRACTION");
  }
  std::string_view num = text.substr(colon + 1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), value);
  if (num.empty() || ec != std::errc() || ptr != num.data() + num.size() || !std::isfinite(value)) {
    return bad("'" + std::string(num) + "' is not a number");
  }
  if (kind == "zipf") {
    if (value <= 0 || value > 10) return bad("THETA must be in (0, 10]");
    d.kind_ = Kind::kZipf;
  } else {
    if (value <= 0 || value >= 1) return bad("FRACTION must be in (0, 1)");
    d.kind_ = Kind::kHotspot;
  }
  d.param_ = value;
  return d;
}

std::string KeyDist::ToString() const {
  switch (kind_) {
    case Kind::kZipf:
      return fmt::format("zipf:{}", param_);
    case Kind::kHotspot:
      return fmt::format("hotspot:{}", param_);
    default:
      return "uniform";
  }
}

int64_t KeyDist::Sample(Rng& rng, int64_t n) const {
  if (n <= 1) return 1;
  switch (kind_) {
    case Kind::kUniform:
      return rng.Range(1, n);
    case Kind::kZipf:
      return SampleZipf(rng, n);
    case Kind::kHotspot: {
      int64_t hot = static_cast<int64_t>(std::ceil(param_ * static_cast<double>(n)));
      if (hot < 1) hot = 1;
      if (hot >= n) return rng.Range(1, n);
      if (rng.Chance(1 - param_)) return rng.Range(1, hot);
      return rng.Range(hot + 1, n);
    }
  }
  return 1;
}

int64_t KeyDist::SampleZipf(Rng& rng, int64_t n) const {
  ZipfMath z{param_};
  const double h_x1 = z.HIntegral(1.5) - 1;
  const double h_n = z.HIntegral(static_cast<double>(n) + 0.5);
  const double s = 2 - z.HIntegralInverse(z.HIntegral(2.5) - z.H(2));
  for (int attempt = 0; attempt < 1000; ++attempt) {
    double u = h_n + rng.Uniform() * (h_x1 - h_n);
    double x = z.HIntegralInverse(u);
    int64_t k = static_cast<int64_t>(x + 0.5);
    if (k < 1) k = 1;
    if (k > n) k = n;
    if (static_cast<double>(k) - x <= s ||
        u >= z.HIntegral(static_cast<double>(k) + 0.5) - z.H(static_cast<double>(k)))
      return k;
  }
  return 1;  // unreachable in practice: the acceptance rate is above 50%
}

}  // namespace cutover::loadgen
