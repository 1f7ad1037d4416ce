// Expectations: the scenario's [expect] table judged against a finished run. Pure.
//
//   consistent = true         the final validation found source and target equal
//   max_lag_seconds = X       lag max <= X in every phase counted (expect.max_lag_phases, or
//                             every phase except until = "loaded", where the heartbeat row is
//                             not on the target yet or arrives with the snapshot's age)
//   catch_up_seconds = X      every phase with a disturbance caught up within X
//   no_engine_errors = true   the engine never exited unless the scenario made it
//   min_sustainable_rows_per_s = X   the ramp's sustainable rate (sizing) is at least X
// A run without what an expectation needs (no lag measured, no validation) fails it, saying so.
#pragma once

#include <vector>

#include "scenarios/runner/run_record.h"

namespace cutover::scenario {

std::vector<ExpectationResult> JudgeExpectations(const Scenario& sc, const RunRecord& run);

}  // namespace cutover::scenario
