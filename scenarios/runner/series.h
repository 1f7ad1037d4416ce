// Series: a measured quantity over the run (lag, throughput, CPU, RSS) and the statistics the
// report and the expectations take from it.
//
// Design: a point is (seconds from run start, value or null); null means "could not be
// measured" (e.g. the heartbeat row not yet on the target) and is kept, so a report shows the
// gap instead of joining across it. Add is thread-safe (the lag probe adds from its thread);
// statistics work on a copy. Percentiles are nearest-rank over the non-null values in a window.
#pragma once

#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace cutover::scenario {

struct Point {
  double t = 0;
  std::optional<double> v;
};

class Series {
 public:
  Series() = default;
  Series(const Series& o) : points_(o.Points()) {}
  Series& operator=(const Series& o) {
    auto p = o.Points();
    std::lock_guard<std::mutex> lock(mu_);
    points_ = std::move(p);
    return *this;
  }

  void Add(double t, std::optional<double> v) {
    std::lock_guard<std::mutex> lock(mu_);
    points_.push_back({t, v});
  }
  std::vector<Point> Points() const {
    std::lock_guard<std::mutex> lock(mu_);
    return points_;
  }
  // Non-null values with from <= t < to.
  std::vector<double> Values(double from, double to) const;
  // The last point's value (nullopt if none or null).
  std::optional<double> Last() const;

 private:
  mutable std::mutex mu_;
  std::vector<Point> points_;
};

// Nearest-rank percentile (p in [0, 100]) of `v`; nullopt when empty.
std::optional<double> Percentile(std::vector<double> v, double p);
std::optional<double> Max(const std::vector<double>& v);
std::optional<double> Mean(const std::vector<double>& v);

// Time from `from` until the first point at or after `from` (and before `to`) whose value is at
// or below `threshold` and stays so (no later point above it or null) for `hold` seconds, or
// until the last point when the series ends sooner; nullopt when that never happens.
std::optional<double> TimeUntilAtOrBelow(const Series& s, double from, double to, double threshold,
                                         double hold = 0);

}  // namespace cutover::scenario
