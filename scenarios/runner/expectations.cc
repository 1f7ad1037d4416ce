#include "scenarios/runner/expectations.h"

#include <algorithm>

#include <fmt/format.h>

namespace cutover::scenario {

namespace {
std::string Secs(double v) {
  return fmt::format("{:.2f}", v);
}
}  // namespace

std::vector<ExpectationResult> JudgeExpectations(const Scenario& sc, const RunRecord& run) {
  std::vector<ExpectationResult> out;
  const Expect& ex = sc.expect;
  if (ex.consistent) {
    ExpectationResult r{"consistent", *ex.consistent ? "true" : "false", "", false, ""};
    const ValidationSummary* final = nullptr;
    for (const auto& v : run.validations)
      if (v.phase.empty()) final = &v;
    if (final == nullptr) {
      r.actual = "not validated";
      r.detail = "the run ended before the final validation";
    } else if (final->status == "error") {
      r.actual = "error";
      r.detail = final->error;
    } else {
      bool equal = final->status == "equal";
      r.actual = equal ? "true" : "false";
      r.passed = equal == *ex.consistent;
      r.detail = fmt::format("{} table(s), {} differing row(s), {} in flight", final->tables,
                             final->differences, final->in_flight);
    }
    out.push_back(r);
  }
  if (ex.max_lag_s) {
    ExpectationResult r{"max_lag_seconds", "<= " + Secs(*ex.max_lag_s), "", false, ""};
    std::optional<double> worst;
    std::string where;
    for (size_t i = 0; i < run.phases.size() && i < run.phase_summaries.size(); ++i) {
      const PhaseRecord& p = run.phases[i];
      bool counted = ex.max_lag_phases.empty()
                         ? p.measure_lag
                         : std::find(ex.max_lag_phases.begin(), ex.max_lag_phases.end(), p.name) !=
                               ex.max_lag_phases.end();
      const auto& m = run.phase_summaries[i].lag_max_s;
      if (!counted || !m) continue;
      if (!worst || *m > *worst) {
        worst = *m;
        where = p.name;
      }
    }
    if (!worst) {
      r.actual = "not measured";
      r.detail = "no lag sample in the phases counted";
    } else {
      r.actual = Secs(*worst);
      r.passed = *worst <= *ex.max_lag_s;
      r.detail = "phase " + where;
    }
    out.push_back(r);
  }
  if (ex.catch_up_s) {
    ExpectationResult r{"catch_up_seconds", "<= " + Secs(*ex.catch_up_s), "", true, ""};
    std::optional<double> worst;
    int judged = 0;
    for (const PhaseSummary& s : run.phase_summaries) {
      const PhaseRecord* p = nullptr;
      for (const auto& q : run.phases)
        if (q.name == s.name) p = &q;
      if (!p || !p->disturbance_end_s) continue;
      ++judged;
      if (!s.caught_up) {
        r.passed = false;
        r.actual = "never";
        r.detail = "phase " + s.name + " did not catch up before the run ended";
        break;
      }
      if (!worst || *s.catch_up_s > *worst) {
        worst = s.catch_up_s;
        r.detail = "phase " + s.name;
      }
    }
    if (r.passed) {
      if (judged == 0) {
        r.passed = false;
        r.actual = "no disturbance";
        r.detail = "no phase had a disturbance to catch up from";
      } else {
        r.actual = Secs(*worst);
        r.passed = *worst <= *ex.catch_up_s;
      }
    }
    out.push_back(r);
  }
  if (ex.no_engine_errors) {
    ExpectationResult r{"no_engine_errors", *ex.no_engine_errors ? "true" : "false", "", false, ""};
    bool none = run.engine_errors.empty();
    r.actual =
        none ? "true" : fmt::format("false ({} unexpected exit(s))", run.engine_errors.size());
    r.passed = none == *ex.no_engine_errors;
    if (!none) r.detail = run.engine_errors.front();
    out.push_back(r);
  }
  if (ex.min_rows_per_s) {
    ExpectationResult r{"min_sustainable_rows_per_s", fmt::format(">= {:g}", *ex.min_rows_per_s),
                        "", false, ""};
    if (!run.sizing) {
      r.actual = "no ramp";
      r.detail = "the scenario has no ramp phase (or it did not run)";
    } else if (!run.sizing->sustainable) {
      r.actual = "0";
      r.detail = "no step was sustainable";
    } else {
      double v = run.sizing->steps[*run.sizing->sustainable].rows_per_s;
      r.actual = fmt::format("{:.0f}", v);
      r.passed = v >= *ex.min_rows_per_s;
    }
    out.push_back(r);
  }
  if (run.cutover) {  // a cutover phase always expects a switch and a working application
    const CutoverRecord& c = *run.cutover;
    ExpectationResult r{"cutover", "switch exit 0, no application error on the target", "", false,
                        ""};
    r.actual = fmt::format("switch exit {}, {} application error(s) in {} transactions",
                           c.switch_exit_code, c.target_errors, c.target_committed);
    r.passed = c.switch_exit_code == 0 && c.target_errors == 0 && c.target_committed > 0;
    if (c.target_committed == 0) r.detail = "the application committed nothing on the target";
    out.push_back(r);
  }
  return out;
}

}  // namespace cutover::scenario
