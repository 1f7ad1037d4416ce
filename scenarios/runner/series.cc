#include "scenarios/runner/series.h"

#include <algorithm>
#include <cmath>

namespace cutover::scenario {

std::vector<double> Series::Values(double from, double to) const {
  std::vector<double> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const Point& p : points_)
    if (p.t >= from && p.t < to && p.v) out.push_back(*p.v);
  return out;
}

std::optional<double> Series::Last() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (points_.empty()) return std::nullopt;
  return points_.back().v;
}

std::optional<double> Percentile(std::vector<double> v, double p) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

std::optional<double> Max(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  return *std::max_element(v.begin(), v.end());
}

std::optional<double> Mean(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

std::optional<double> TimeUntilAtOrBelow(const Series& s, double from, double to, double threshold,
                                         double hold) {
  std::optional<double> since;  // start of the current run of points at or below threshold
  for (const Point& p : s.Points()) {
    if (p.t < from || p.t >= to) continue;
    if (p.v && *p.v <= threshold) {
      if (!since) since = p.t;
      if (p.t - *since >= hold) return *since - from;
    } else {
      since.reset();
    }
  }
  if (since) return *since - from;  // held until the series ended
  return std::nullopt;
}

}  // namespace cutover::scenario
