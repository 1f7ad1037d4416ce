// `cutover switch`: the cutover itself (engine/pipeline/switch.h). Once the application has
// stopped writing to the source: fix the source's position, let the task drain to it and stop,
// move the target's key generators past the source's, enable target triggers, validate, and
// print and record the cutover window with its parts.
// Exit codes: 0 target ready (and equal, when validated); 1 target ready but validation found
// differences (named in the log and the report); 2 refused (the source still takes writes, no
// such task) or failed; 130 interrupted. A second run after a completed switch prints the first
// one's facts and exits 0.
#include <cstdio>
#include <fstream>
#include <string>

#include "cli/command.h"
#include "engine/core/log.h"
#include "engine/pipeline/switch.h"
#include "validator/validate.h"

namespace cutover::cli {
namespace {

class SwitchCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* sw = root.add_subcommand(
        "switch",
        "Cut over: drain a task to the source's final position, stop it, make the target ready "
        "for the application (sequences, triggers), validate, and measure the window");
    sw->add_option("--source", source_uri_, "Source URI (as given to replicate)")->required();
    sw->add_option("--target", target_uri_, "Target URI (as given to replicate)")->required();
    sw->add_option("--task", task_, "The replication task to switch")->required();
    wait_opt_ = sw->add_option("--wait-for-writes-to-stop", wait_s_,
                               "While the source still takes writes, wait up to this many "
                               "seconds for them to stop instead of refusing at once")
                    ->check(CLI::Range(int64_t{1}, int64_t{24} * 3600));
    sw->add_option("--validate", validate_,
                   "fast: every table, chunk summaries, the first 10 differing rows per table "
                   "named; full: every differing row named (up to 1000 per table); none")
        ->check(CLI::IsMember({"fast", "full", "none"}))
        ->capture_default_str();
    sw->add_option("--report", report_file_, "Write the switch's JSON report to this file");
    sw->add_option("--quiet-seconds", quiet_s_,
                   "The source is quiet when no write commits over this window")
        ->check(CLI::Range(0.2, 600.0))
        ->capture_default_str();
    sw->add_option("--drain-timeout", drain_timeout_s_,
                   "Longest wait for the target to catch up with the source's fixed position")
        ->check(CLI::Range(int64_t{1}, int64_t{7} * 24 * 3600))
        ->capture_default_str();
    sw->add_option("--stop-timeout", stop_timeout_s_,
                   "Longest wait for the task's process to exit once drained")
        ->check(CLI::Range(int64_t{1}, int64_t{24} * 3600))
        ->capture_default_str();
    return sw;
  }

  int Run(const GlobalOptions& global) override {
    if (Status s = CheckTaskName(task_); !s.ok()) return Fail(s);
    SwitchOptions opt;
    opt.source_uri = source_uri_;
    opt.target_uri = target_uri_;
    opt.task = task_;
    opt.source_options.spool_dir = DefaultSpoolDir(task_, source_uri_);
    opt.quiet_window = std::chrono::milliseconds(static_cast<int64_t>(quiet_s_ * 1000));
    if (wait_opt_->count() > 0) opt.wait_for_writes = std::chrono::seconds(wait_s_);
    opt.drain_timeout = std::chrono::seconds(drain_timeout_s_);
    opt.stop_timeout = std::chrono::seconds(stop_timeout_s_);
    if (global.quiet) opt.progress = Progress::Mode::kQuiet;
    if (validate_ != "none")
      opt.validate = [this, &opt](const std::atomic<bool>& stop) {
        return RunValidation(opt, stop);
      };
    auto result = RunSwitch(opt, StopFlag());
    if (!result.ok()) return Fail(result.status());
    const SwitchResult& r = *result;
    std::string json = SwitchReportJson(r);
    if (!report_file_.empty()) {
      std::ofstream out(report_file_, std::ios::trunc);
      if (!(out << json) || !out.flush())
        return Fail(Internal("writing the report " + report_file_));
    }
    if (r.already_switched) {
      std::printf("task %s was already switched: nothing done. Its report:\n%s", task_.c_str(),
                  json.c_str());
      return 0;
    }
    std::printf("cutover window: %.2f s (%s -> %s, target ready)\n", r.window_seconds,
                r.started_at.c_str(), r.ready_at.c_str());
    for (const SwitchStep& s : r.steps)
      std::printf("  %-10s %7.2f s  %s\n", s.name.c_str(), s.seconds, s.detail.c_str());
    for (const KeyGeneratorSet& g : r.key_generators) {
      std::string what = g.table.name.empty()
                             ? "sequence " + g.generator
                             : g.table.ToString() + "." + g.column + " (" + g.generator + ")";
      std::printf("  next key   %s: %lld (was %lld)\n", what.c_str(),
                  static_cast<long long>(g.next), static_cast<long long>(g.before));
    }
    if (!r.target_equal()) {
      std::printf("target ready, but validation found differences (see above)\n");
      return 1;
    }
    return 0;
  }

 private:
  Result<SwitchValidation> RunValidation(const SwitchOptions& opt, const std::atomic<bool>& stop) {
    validator::ValidateOptions v;
    v.source_uri = opt.source_uri;
    v.target_uri = opt.target_uri;
    v.task = opt.task;
    v.threads = 2;
    v.max_listed = validate_ == "full" ? 1000 : 10;
    v.progress = opt.progress;
    ASSIGN_OR_RETURN(validator::ValidationResult vr, validator::Validate(v, stop));
    SwitchValidation out;
    out.mode = validate_;
    out.equal = vr.equal();
    out.tables = static_cast<int64_t>(vr.tables.size());
    out.source_rows = vr.source_rows;
    out.target_rows = vr.target_rows;
    for (const auto& t : vr.tables) {
      if (t.equal()) continue;
      std::string line = t.source_name.ToString() + " -> " + t.target_name.ToString() + ": " +
                         std::to_string(t.source_rows) + " source rows, " +
                         std::to_string(t.target_rows) + " target rows, " +
                         std::to_string(t.differing_rows) + " differing";
      for (const std::string& d : t.schema_differences) line += "; " + d;
      for (const auto& d : t.differences) {
        line += std::string("; ") + validator::DiffKindName(d.kind) + " key";
        for (const auto& [col, val] : d.key) line += " " + col + "=" + val;
      }
      out.differences.push_back(std::move(line));
    }
    return out;
  }

  std::string source_uri_, target_uri_, task_, validate_ = "fast", report_file_;
  CLI::Option* wait_opt_ = nullptr;
  int64_t wait_s_ = 0;
  double quiet_s_ = 2.0;
  int64_t drain_timeout_s_ = 600, stop_timeout_s_ = 120;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<SwitchCommand>();
});

}  // namespace
}  // namespace cutover::cli
