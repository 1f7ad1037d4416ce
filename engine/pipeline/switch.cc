#include "engine/pipeline/switch.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/core/log.h"
#include "engine/core/uri.h"
#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/replicate.h"
#include "engine/pipeline/task_control.h"
#include "engine/registry/registry.h"

namespace cutover {

namespace {

using Clock = std::chrono::steady_clock;

std::string UtcNow() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms));
}

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Sleeps `d` unless `stop` is set first.
bool SleepFor(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  auto until = Clock::now() + d;
  while (Clock::now() < until) {
    if (stop.load()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50),
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now())));
  }
  return !stop.load();
}

// One status line redrawn on a terminal (kAuto: stderr is one and CI is unset), nothing else.
class StatusLine {
 public:
  explicit StatusLine(Progress::Mode mode) {
    const char* ci = std::getenv("CI");
    on_ = mode == Progress::Mode::kTerminal ||
          (mode == Progress::Mode::kAuto && isatty(2) && !(ci && *ci));
  }
  ~StatusLine() { Done(); }
  void Show(const std::string& text) {
    if (!on_) return;
    std::fprintf(stderr, "\r%s\x1b[K", text.c_str());
    shown_ = true;
  }
  void Done() {
    if (shown_) std::fputs("\n", stderr);
    shown_ = false;
  }

 private:
  bool on_ = false;
  bool shown_ = false;
};

class Switch {
 public:
  Switch(const SwitchOptions& opt, const std::atomic<bool>& stop)
      : opt_(opt),
        stop_(stop),
        control_(opt.control_dir.empty() ? TaskControl(opt.task, opt.target_uri)
                                         : TaskControl(opt.control_dir)) {}

  Result<SwitchResult> Run() {
    started_ = Clock::now();
    r_.task = opt_.task;
    r_.source = RedactUri(opt_.source_uri);
    r_.target = RedactUri(opt_.target_uri);
    r_.started_at = UtcNow();
    if (auto earlier = control_.Switched()) {
      r_.already_switched = true;
      r_.earlier_report = *earlier;
      return r_;
    }
    ASSIGN_OR_RETURN(src_, EngineForUri(opt_.source_uri, "--source"));
    ASSIGN_OR_RETURN(tgt_, EngineForUri(opt_.target_uri, "--target"));
    ASSIGN_OR_RETURN(std::optional<TaskState> state,
                     tgt_->ReadTaskState(opt_.target_uri, opt_.task));
    if (!state) {
      return NotFound("task " + opt_.task + " has no state on target " + r_.target +
                      ": nothing to switch (was it replicated with this --task and --target?)");
    }
    ASSIGN_OR_RETURN(source_, MakeSource(opt_.source_uri, opt_.source_options));

    RETURN_IF_ERROR(Step("quiet", [&] { return WaitForQuiet(); }));
    Status drained = Step("drain", [&] { return Drain(); });
    if (drained.ok()) drained = Step("stop", [&] { return StopTask(); });
    if (!drained.ok()) {
      control_.ClearStopRequest();  // a task started later must not stop at this position
      return drained;
    }
    RETURN_IF_ERROR(Step("sequences", [&] { return AdvanceSequences(); }));
    RETURN_IF_ERROR(Step("triggers", [&] { return EnableTriggers(); }));
    if (opt_.validate) RETURN_IF_ERROR(Step("validation", [&] { return Validate(); }));
    r_.ready_at = UtcNow();
    r_.window_seconds = Since(started_);
    Status recorded = control_.WriteSwitched(SwitchReportJson(r_));
    if (!recorded.ok()) Log(LogLevel::kWarn, "recording the switch: {}", recorded.message());
    return r_;
  }

 private:
  template <typename F>
  Status Step(const std::string& name, F&& f) {
    auto t = Clock::now();
    detail_.clear();
    Status s = f();
    r_.steps.push_back(SwitchStep{name, Since(t), detail_});
    if (s.ok())
      Log(LogLevel::kInfo, "switch: {} {:.2f} s{}", name, Since(t),
          detail_.empty() ? "" : " (" + detail_ + ")");
    return s;
  }

  Status WaitForQuiet() {
    ASSIGN_OR_RETURN(SourceLogMark before, src_->ReadSourceLogMark(opt_.source_uri));
    auto deadline = Clock::now() + opt_.wait_for_writes.value_or(std::chrono::seconds(0));
    StatusLine line(opt_.progress);
    int windows = 0;
    for (;;) {
      if (!SleepFor(opt_.quiet_window, stop_)) return Aborted("switch interrupted");
      ASSIGN_OR_RETURN(SourceLogMark after, src_->ReadSourceLogMark(opt_.source_uri));
      ++windows;
      if (after.writes == before.writes) {
        mark_ = after;
        break;
      }
      double window_s = std::chrono::duration<double>(opt_.quiet_window).count();
      if (!opt_.wait_for_writes) {
        return FailedPrecondition(fmt::format(
            "source {} still takes writes (transactions committed within {:.1f} s): stop the "
            "application's writes first, or pass --wait-for-writes-to-stop SECONDS",
            r_.source, window_s));
      }
      if (Clock::now() >= deadline) {
        return FailedPrecondition(fmt::format(
            "source {} still takes writes after waiting {} s (--wait-for-writes-to-stop)",
            r_.source, opt_.wait_for_writes->count()));
      }
      line.Show(fmt::format("switch: waiting for writes to stop on the source ({:.0f} s)",
                            Since(started_)));
      before = after;
    }
    r_.position = mark_.end.text;
    detail_ = fmt::format("no write over {} window(s) of {:.1f} s; source fixed at {}", windows,
                          std::chrono::duration<double>(opt_.quiet_window).count(), r_.position);
    return Status::Ok();
  }

  // The task's applied position on the target, parsed; nullopt when it has none yet.
  Result<std::optional<Position>> Checkpoint() {
    ASSIGN_OR_RETURN(std::optional<TaskState> state,
                     tgt_->ReadTaskState(opt_.target_uri, opt_.task));
    if (!state) return std::optional<Position>();
    loaded_.clear();
    for (const auto& [name, load] : state->loaded) loaded_.push_back(name);
    if (!state->applied) return std::optional<Position>();
    ASSIGN_OR_RETURN(Position p, source_->ParsePosition(state->applied->text));
    return std::optional<Position>(p);
  }

  Status Drain() {
    ASSIGN_OR_RETURN(Position target_p, source_->ParsePosition(mark_.end.text));
    RETURN_IF_ERROR(control_.RequestStopAt(mark_.end.text));
    runner_ = control_.RunningPid();
    r_.task_was_running = runner_.has_value();
    auto deadline = Clock::now() + opt_.drain_timeout;
    StatusLine line(opt_.progress);
    for (;;) {
      ASSIGN_OR_RETURN(std::optional<Position> applied, Checkpoint());
      if (applied && *applied >= target_p) {
        r_.checkpoint = applied->text;
        detail_ = fmt::format("target checkpoint {} covers {}{}", applied->text, target_p.text,
                              r_.drained_here       ? "; drained by this process (task was stopped)"
                              : runner_.has_value() ? "; drained by the running task (pid " +
                                                          std::to_string(*runner_) + ")"
                                                    : "");
        return Status::Ok();
      }
      if (!control_.RunningPid() && !r_.drained_here) {
        // Nobody is applying: drain here, exactly as the task would (its tables, its checkpoint).
        RETURN_IF_ERROR(DrainHere(target_p));
        continue;
      }
      if (Clock::now() >= deadline) {
        return FailedPrecondition(
            fmt::format("task {}: the target's checkpoint is at {} after {} s, the source at {} "
                        "(--drain-timeout): is the task stuck? See its log",
                        opt_.task, applied ? applied->text : "(none)", opt_.drain_timeout.count(),
                        target_p.text));
      }
      line.Show(fmt::format("switch: draining: target at {}, source fixed at {} ({:.0f} s)",
                            applied ? applied->text : "-", target_p.text, Since(started_)));
      if (!SleepFor(std::chrono::milliseconds(200), stop_)) return Aborted("switch interrupted");
    }
  }

  // Runs the task's CDC in this process until it has applied everything up to `p`.
  Status DrainHere(const Position& p) {
    r_.drained_here = true;
    Log(LogLevel::kInfo, "task {} is not running: draining it here up to {}", opt_.task, p.text);
    ReplicateOptions ro;
    ro.task = opt_.task;
    ro.type = ReplicationType::kCdc;
    ro.prep = TablePrep::kDoNothing;
    ro.progress = Progress::Mode::kQuiet;
    if (loaded_.empty()) {
      // A CDC-only task: its target state does not say which tables it has, and a guess could
      // widen its capture (a PostgreSQL publication) to tables it never had.
      return FailedPrecondition("task " + opt_.task +
                                " is not running and its target state "
                                "does not list its tables: start it (cutover replicate) and run "
                                "the switch again");
    }
    for (const TableName& n : std::set<TableName>(loaded_.begin(), loaded_.end()))
      ro.table_patterns.push_back(n.ToString());
    const TaskControl& control = control_;
    ro.stop_at = [&control] { return control.StopRequest(); };
    // Transactions the task spooled (and confirmed to the source) but had not applied are only
    // in its change spool: the drain applies from it.
    if (std::filesystem::is_directory(control_.ChangeSpoolDir()))
      ro.change_spool.dir = control_.ChangeSpoolDir();
    ASSIGN_OR_RETURN(auto source, MakeSource(opt_.source_uri, opt_.source_options));
    ASSIGN_OR_RETURN(auto sink, MakeSink(opt_.target_uri));
    RETURN_IF_ERROR(control_.MarkRunning());
    ReplicateStats stats;
    Status s = RunReplication(*source, *sink, ro, stop_, &stats);
    control_.MarkStopped();
    if (!s.ok()) return s.WithContext("draining task " + opt_.task + " in the switch");
    if (stats.stopped_at.empty()) return Aborted("switch interrupted while draining");
    return Status::Ok();
  }

  Status StopTask() {
    auto deadline = Clock::now() + opt_.stop_timeout;
    while (auto pid = control_.RunningPid()) {
      if (Clock::now() >= deadline) {
        return FailedPrecondition(fmt::format(
            "task {} (pid {}) drained but has not exited after {} s: stop it (kill {}) and "
            "run the switch again",
            opt_.task, *pid, opt_.stop_timeout.count(), *pid));
      }
      if (!SleepFor(std::chrono::milliseconds(100), stop_)) return Aborted("switch interrupted");
    }
    control_.ClearStopRequest();
    // A write after P would be missing from the target: the application is not stopped.
    ASSIGN_OR_RETURN(SourceLogMark now, src_->ReadSourceLogMark(opt_.source_uri));
    if (now.writes != mark_.writes) {
      return FailedPrecondition(
          "source " + r_.source + " took writes during the switch (after " + mark_.end.text +
          "): the application is still writing; nothing was switched. Stop it, start the task "
          "again and rerun the switch");
    }
    detail_ = r_.task_was_running ? "task process exited" : "no task process was running";
    return Status::Ok();
  }

  // The task's source tables with their schemas (TargetTable needs them).
  Result<std::vector<TableSchemaPtr>> TaskTables() {
    std::set<TableName> names(loaded_.begin(), loaded_.end());
    TableSelection sel;
    if (!names.empty()) sel.rules = [names](const TableName& n) { return names.count(n) > 0; };
    return source_->DiscoverTablesOrFail(sel);
  }

  Status AdvanceSequences() {
    ASSIGN_OR_RETURN(tables_, TaskTables());
    std::vector<TableName> names;
    std::map<TableName, TableName> target_of;
    for (const auto& t : tables_) {
      names.push_back(t->name);
      ASSIGN_OR_RETURN(TableName tn, tgt_->TargetTable(*t, opt_.target_uri));
      target_of[t->name] = tn;
      target_names_.push_back(tn);
    }
    ASSIGN_OR_RETURN(std::vector<KeyGenerator> gens,
                     src_->ReadKeyGenerators(opt_.source_uri, names));
    std::vector<KeyGeneratorFloor> floors;
    for (const TableName& tn : target_names_) floors.push_back(KeyGeneratorFloor{tn, "", "", 1});
    for (const KeyGenerator& g : gens) {
      if (g.table.name.empty()) {
        floors.push_back(KeyGeneratorFloor{{}, "", g.sequence, g.next});
      } else if (auto it = target_of.find(g.table); it != target_of.end()) {
        floors.push_back(KeyGeneratorFloor{it->second, g.column, g.sequence, g.next});
      }
    }
    ASSIGN_OR_RETURN(r_.key_generators, tgt_->AdvanceKeyGenerators(opt_.target_uri, floors));
    std::set<std::string> carried;
    for (const auto& s : r_.key_generators) carried.insert(s.generator);
    for (const KeyGenerator& g : gens) {
      if (g.table.name.empty() && !carried.count(g.sequence)) {
        r_.sequences_not_on_target.push_back(g.sequence);
        Log(LogLevel::kWarn,
            "sequence {} of the source has no counterpart on the target: create "
            "it there before the application uses it (next value {})",
            g.sequence, g.next);
      }
    }
    int moved = 0;
    for (const auto& s : r_.key_generators) moved += s.next > s.before ? 1 : 0;
    detail_ = fmt::format("{} key generator(s) on the target, {} moved; {} on the source",
                          r_.key_generators.size(), moved, gens.size());
    return Status::Ok();
  }

  // The source's triggers of the task's tables, on a target of the same engine only (a
  // trigger's body is the source engine's SQL: docs/types.md, "Views, functions and triggers").
  Status EnableTriggers() {
    if (src_->name() != tgt_->name()) {
      detail_ = "none: triggers are carried between servers of the same engine only";
      return Status::Ok();
    }
    std::vector<TableTriggers> want;
    size_t n = 0;
    for (size_t i = 0; i < tables_.size() && i < target_names_.size(); ++i) {
      if (tables_[i]->triggers.empty()) continue;
      want.push_back(TableTriggers{target_names_[i], tables_[i]->triggers});
      n += tables_[i]->triggers.size();
    }
    if (n == 0) {
      detail_ = "the task's tables have no triggers on the source";
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(std::vector<TriggerOutcome> outcomes,
                     tgt_->EnableTargetTriggers(opt_.target_uri, want));
    size_t already = 0;
    for (const TriggerOutcome& o : outcomes) {
      if (o.action == "enabled" || o.action == "created") {
        r_.triggers_enabled.push_back(o.name);
      } else if (!o.problem.empty()) {
        r_.triggers_not_enabled.push_back(o.name + ": " + o.problem);
        Log(LogLevel::kWarn, "switch: trigger {} is not enabled on the target: {}", o.name,
            o.problem);
      } else {
        ++already;
      }
    }
    detail_ = fmt::format("{} trigger(s) enabled or created, {} as they were, {} failed",
                          r_.triggers_enabled.size(), already, r_.triggers_not_enabled.size());
    return Status::Ok();
  }

  Status Validate() {
    ASSIGN_OR_RETURN(SwitchValidation v, opt_.validate(stop_));
    detail_ = fmt::format(
        "{}: {} table(s), {}", v.mode, v.tables,
        v.equal ? "target equals source" : std::to_string(v.differences.size()) + " differ");
    for (const std::string& d : v.differences) Log(LogLevel::kWarn, "switch: validation: {}", d);
    r_.validation = std::move(v);
    return Status::Ok();
  }

  const SwitchOptions& opt_;
  const std::atomic<bool>& stop_;
  TaskControl control_;
  Clock::time_point started_;
  SwitchResult r_;
  std::string detail_;
  const EngineDriver* src_ = nullptr;
  const EngineDriver* tgt_ = nullptr;
  std::unique_ptr<Source> source_;
  SourceLogMark mark_;
  std::optional<pid_t> runner_;
  std::vector<TableName> loaded_;
  std::vector<TableSchemaPtr> tables_;
  std::vector<TableName> target_names_;
};

}  // namespace

Result<SwitchResult> RunSwitch(const SwitchOptions& options, const std::atomic<bool>& stop) {
  if (options.task.empty()) return InvalidArgument("--task is required");
  Switch s(options, stop);
  return s.Run();
}

std::string SwitchReportJson(const SwitchResult& r) {
  if (r.already_switched) return r.earlier_report;
  using nlohmann::json;
  json j;
  j["task"] = r.task;
  j["source"] = r.source;
  j["target"] = r.target;
  j["started_at"] = r.started_at;
  j["ready_at"] = r.ready_at;
  j["window_seconds"] = r.window_seconds;
  json steps = json::array();
  for (const SwitchStep& s : r.steps)
    steps.push_back({{"name", s.name}, {"seconds", s.seconds}, {"detail", s.detail}});
  j["steps"] = steps;
  j["position"] = r.position;
  j["checkpoint"] = r.checkpoint;
  j["task_was_running"] = r.task_was_running;
  j["drained_here"] = r.drained_here;
  json gens = json::array();
  for (const KeyGeneratorSet& g : r.key_generators) {
    gens.push_back({{"table", g.table.name.empty() ? "" : g.table.ToString()},
                    {"column", g.column},
                    {"generator", g.generator},
                    {"before", g.before},
                    {"next", g.next}});
  }
  j["key_generators"] = gens;
  j["sequences_not_on_target"] = r.sequences_not_on_target;
  j["triggers_enabled"] = r.triggers_enabled;
  j["triggers_not_enabled"] = r.triggers_not_enabled;
  if (r.validation) {
    j["validation"] = {{"mode", r.validation->mode},
                       {"equal", r.validation->equal},
                       {"tables", r.validation->tables},
                       {"source_rows", r.validation->source_rows},
                       {"target_rows", r.validation->target_rows},
                       {"differences", r.validation->differences}};
  } else {
    j["validation"] = nullptr;
  }
  return j.dump(2) + "\n";
}

}  // namespace cutover
