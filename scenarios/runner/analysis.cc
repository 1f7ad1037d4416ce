#include "scenarios/runner/analysis.h"

#include <algorithm>

#include <fmt/format.h>

namespace cutover::scenario {

namespace {
const Series& Get(const RunRecord& run, const char* name) {
  static const Series kEmpty;
  auto it = run.series.find(name);
  return it == run.series.end() ? kEmpty : it->second;
}
}  // namespace

PhaseSummary SummarizePhase(const RunRecord& run, const PhaseRecord& phase, double caught_up_lag_s,
                            double run_end_s) {
  PhaseSummary s;
  s.name = phase.name;
  s.duration_s = phase.end_s - phase.start_s;
  const double a = phase.start_s, b = phase.end_s;
  auto lag = Get(run, "lag_s").Values(a, b);
  s.lag_max_s = Max(lag);
  s.lag_p95_s = Percentile(lag, 95);
  if (phase.disturbance_end_s) {
    s.catch_up_s = TimeUntilAtOrBelow(Get(run, "lag_s"), *phase.disturbance_end_s, run_end_s + 1,
                                      caught_up_lag_s, kCaughtUpHoldS);
    s.caught_up = s.catch_up_s.has_value();
  }
  // Per-second series are stamped at the end of their second: (a, b] + 0.5 keeps whole seconds.
  s.source_tps = Mean(Get(run, "source_tps").Values(a + 0.5, b + 0.5));
  s.applied_tps = Mean(Get(run, "applied_tps").Values(a + 0.5, b + 0.5));
  s.cpu_avg_pct = Mean(Get(run, "engine_cpu_pct").Values(a + 0.5, b + 0.5));
  s.rss_peak_mb = Max(Get(run, "engine_rss_mb").Values(a, b + 0.5));
  return s;
}

void JudgeSizingStep(const Series& lag, double max_lag_s, SizingStep& step) {
  const double len = step.end_s - step.start_s;
  const double mid = step.start_s + len / 2, q3 = step.start_s + len * 0.75;
  auto half = lag.Values(mid, step.end_s);
  step.lag_p95_s = Percentile(half, 95);
  auto p3 = Percentile(lag.Values(mid, q3), 50);
  auto p4 = Percentile(lag.Values(q3, step.end_s), 50);
  step.lag_stable = false;
  if (!step.lag_p95_s || !p3 || !p4) {
    step.why = "lag not measured in the step's second half";
  } else if (*step.lag_p95_s > max_lag_s) {
    step.why = fmt::format("lag p95 {:.2f} s above the bound {:g} s", *step.lag_p95_s, max_lag_s);
  } else if (*p4 > *p3 + std::max(0.25, 0.25 * *p3)) {
    step.why = fmt::format("lag growing: median {:.2f} s then {:.2f} s", *p3, *p4);
  } else {
    step.lag_stable = true;
  }
  if (step.tps < 0.9 * step.rate) {
    step.source_limited = true;
    if (step.why.empty())
      step.why = fmt::format("the source reached only {:.0f} of {:g} tps", step.tps, step.rate);
  }
}

}  // namespace cutover::scenario
