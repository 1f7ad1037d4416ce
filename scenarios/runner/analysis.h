// Analysis: the figures a report shows, derived from the measured series. Pure functions.
//
// Phase summary: lag max / p95 over the phase; catch-up = time from the phase's last
// disturbance end until lag is at or below `caught_up_lag` and stays there for kCaughtUpHoldS
// (searched to the end of the run, so a disturbance at a phase's end is still judged; the hold
// keeps a dip before a backlog arrives, e.g. right after a large source commit, from counting);
// mean source and applied throughput, mean engine CPU and peak RSS.
//
// Sizing step stability (a ramp step of length L at rate R): the step is sustainable when, in
// its second half, (1) lag was measured, (2) lag p95 <= the ramp's max_lag, (3) lag is not
// growing: the median of the last quarter is at most the median of the third quarter
// plus max(0.25 s, 25%). Separately, a step whose load generator achieved less than 90% of R is
// source-limited: the ramp cannot go higher, and what the step proves is that replication
// sustained the rate actually achieved.
#pragma once

#include "scenarios/runner/run_record.h"

namespace cutover::scenario {

inline constexpr double kCaughtUpHoldS = 2.0;  // lag must stay caught up this long

PhaseSummary SummarizePhase(const RunRecord& run, const PhaseRecord& phase, double caught_up_lag_s,
                            double run_end_s);

// Fills lag_stable / why / lag_p95_s of `step` (rate, start_s, end_s, tps set by the caller).
void JudgeSizingStep(const Series& lag, double max_lag_s, SizingStep& step);

}  // namespace cutover::scenario
