// `cutover assess --source URI --target URI [--table-mappings FILE] [--report DIR] [--json]`:
// a premigration assessment, the DMS one and more, in one run (docs/operations.md).
//
// Three groups of named checks: the source's and the target's own (EngineDriver::CheckEndpoint:
// the settings, privileges and headroom test-connection shows), the task's start checks (every
// refusal `replicate` can make before it creates anything: the same code, CheckTaskStart in
// engine/pipeline/start_checks.h, so assess finds each of them first), and what the assessment
// adds as warnings: lossy column mappings (docs/types.md), large-object columns, foreign-key
// actions the source's log does not carry, tables whose names change on the target.
// Creates and changes nothing on either side.
// Exit codes: 0 no check failed; 1 some check failed; 2 could not assess (bad input, a server
// that cannot be reached or asked).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "cli/check_report.h"
#include "cli/command.h"
#include "engine/core/log.h"
#include "engine/core/lossy.h"
#include "engine/core/schema_objects.h"
#include "engine/core/uri.h"
#include "engine/pipeline/endpoints.h"
#include "engine/pipeline/start_checks.h"
#include "engine/registry/registry.h"
#include "engine/task/table_mapping.h"

namespace cutover::cli {
namespace {

// A column whose values may be large objects: unbounded text or bytes, or bounds past 64 KiB.
bool IsLargeObject(const Column& c) {
  switch (c.type.family) {
    case TypeFamily::kText:
    case TypeFamily::kJson:
      return true;
    case TypeFamily::kVarText:
    case TypeFamily::kBytes:
      return c.type.length < 0 || c.type.length > 65535;
    default:
      return false;
  }
}

class AssessCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* cmd = root.add_subcommand(
        "assess",
        "Premigration assessment: every check a task would fail, lossy columns and other "
        "warnings, before the first run");
    cmd->add_option("--source", source_uri_, "Source URI")->required();
    cmd->add_option("--target", target_uri_, "Target URI")->required();
    cmd->add_option("--task", task_, "Task name the checks assume (target state, capture names)")
        ->capture_default_str();
    cmd->add_option("--type", type_, "What the task will run")
        ->check(CLI::IsMember({"full-load", "cdc", "full-load-and-cdc"}))
        ->capture_default_str();
    cmd->add_option("--tables", tables_, "Table pattern schema.table ('%' wildcard; repeatable)");
    cmd->add_option("--exclude-tables", exclude_tables_, "Table pattern left out (repeatable)");
    cmd->add_option("--table-mappings", mappings_file_, "DMS table-mapping JSON (docs/dms.md)");
    cmd->add_option("--table-prep", prep_, "How the task will prepare target tables")
        ->check(CLI::IsMember({"drop-and-create", "truncate", "do-nothing"}))
        ->capture_default_str();
    cmd->add_option("--report", report_dir_,
                    "Write assessment.json and assessment.html into this directory");
    cmd->add_option("--long-transaction-seconds", check_options_.long_transaction_seconds,
                    "Name source transactions open longer than this (pg.long_transactions)")
        ->check(CLI::Range(int64_t{0}, int64_t{86400 * 365}))
        ->capture_default_str();
    cmd->add_flag("--json", json_, "Print the assessment as JSON instead of the summary");
    return cmd;
  }

  int Run(const GlobalOptions&) override {
    if (Status s = CheckTaskName(task_); !s.ok()) return Fail(s);
    ReplicateOptions opt;
    opt.task = task_;
    opt.type = type_ == "full-load" ? ReplicationType::kFullLoad
               : type_ == "cdc"     ? ReplicationType::kCdc
                                    : ReplicationType::kFullLoadAndCdc;
    opt.table_patterns = tables_;
    opt.exclude_patterns = exclude_tables_;
    opt.prep = prep_ == "truncate"     ? TablePrep::kTruncate
               : prep_ == "do-nothing" ? TablePrep::kDoNothing
                                       : TablePrep::kDropAndCreate;
    if (!mappings_file_.empty()) {
      std::vector<std::string> notes;
      auto mapping = task::ReadTableMappingFile(mappings_file_, &notes);
      if (!mapping.ok()) return Fail(mapping.status());
      for (const auto& n : notes) Log(LogLevel::kWarn, "{}", n);
      opt.mapping = std::make_shared<const task::TableMapping>(std::move(*mapping));
    }
    auto source_driver = EngineForUri(source_uri_, "--source");
    if (!source_driver.ok()) return Fail(source_driver.status());
    auto target_driver = EngineForUri(target_uri_, "--target");
    if (!target_driver.ok()) return Fail(target_driver.status());

    std::vector<CheckSection> sections(3);
    CheckSection& src = sections[0];
    CheckSection& dst = sections[1];
    CheckSection& task = sections[2];
    src.title = "source " + RedactUri(source_uri_) + " (" +
                std::string((*source_driver)->display_name()) + ")";
    dst.title = "target " + RedactUri(target_uri_) + " (" +
                std::string((*target_driver)->display_name()) + ")";
    task.title = "task " + task_ + " (" + type_ + ")";
    if (Status s =
            (*source_driver)
                ->CheckEndpoint(source_uri_, EndpointRole::kSource, check_options_, src.checks);
        !s.ok())
      return Fail(s);
    if (Status s =
            (*target_driver)
                ->CheckEndpoint(target_uri_, EndpointRole::kTarget, check_options_, dst.checks);
        !s.ok())
      return Fail(s);
    if ((src.checks.failed() && !Connected(src)) || (dst.checks.failed() && !Connected(dst)))
      return CannotAssess(sections, "an endpoint cannot be reached");

    Status assessed = AssessTask(opt, **target_driver, sections);
    if (!assessed.ok()) return CannotAssess(sections, assessed.message());
    return Output(sections);
  }

 private:
  // Whether a section's endpoint answered: its first check (connect, or the file) passed.
  static bool Connected(const CheckSection& s) {
    for (const ReadinessCheck& c : s.checks.checks()) {
      if (c.id.ends_with(".connect") || c.id == "sqlite.file")
        return c.status != CheckStatus::kFailed;
    }
    return true;
  }

  int CannotAssess(std::vector<CheckSection>& sections, const std::string& why) {
    sections.back().checks.Fail("task.assessed", "the task could be assessed", why,
                                "fix the endpoint checks above and run assess again");
    (void)Output(sections);
    std::fprintf(stderr, "cutover: error: cannot assess: %s\n", why.c_str());
    return 2;
  }

  Status AssessTask(const ReplicateOptions& opt, const EngineDriver& target_driver,
                    std::vector<CheckSection>& sections) {
    CheckList& src = sections[0].checks;
    CheckList& task = sections[2].checks;
    ASSIGN_OR_RETURN(auto source,
                     MakeSource(source_uri_, SourceOptions{DefaultSpoolDir(task_, source_uri_)}));
    ASSIGN_OR_RETURN(auto sink, MakeSink(target_uri_));
    StartReport problems;
    ASSIGN_OR_RETURN(TaskStart start, CheckTaskStart(*source, *sink, opt, problems));

    // The start checks: each task-level one passed or failed with its problems; a problem under
    // an engine's own id (the source's capture settings) joins that check of the source.
    std::set<std::string> task_ids;
    for (const TaskStartCheck& c : kTaskStartChecks) task_ids.insert(std::string(c.id));
    std::vector<std::string> capture_ids;
    // (CheckTaskStart names a check for every step, so no problem comes without an id.)
    for (const StartProblem& p : problems.problems()) {
      if (task_ids.count(p.check)) continue;
      std::vector<std::string> objects{p.object};
      if (const ReadinessCheck* c = src.Find(p.check)) {
        src.Fail(p.check, c->title, p.problem, p.remedy, objects);
      } else {
        src.Fail(p.check, p.check, p.problem, p.remedy, objects);
      }
      if (std::find(capture_ids.begin(), capture_ids.end(), p.check) == capture_ids.end())
        capture_ids.push_back(p.check);
    }
    const bool cdc = opt.type != ReplicationType::kFullLoad;
    for (const TaskStartCheck& c : kTaskStartChecks) {
      const std::string id(c.id), title(c.title);
      if (!cdc && (id == "tables.primary_key" || id == "source.change_capture" ||
                   id == "foreign_keys.in_task")) {
        task.NotApplicable(id, title, "a full-load task does not capture changes");
        continue;
      }
      if (id == "foreign_keys.in_task" && source->StreamCarriesForeignKeyActions()) {
        task.NotApplicable(id, title, "the source's change log carries foreign-key actions");
        continue;
      }
      if (id == "source.change_capture") {
        if (capture_ids.empty()) {
          task.Pass(id, title);
        } else {
          std::string list;
          for (const auto& i : capture_ids) list += (list.empty() ? "" : ", ") + i;
          task.Fail(id, title, "see the source's checks " + list, "");
        }
        continue;
      }
      bool any = false;
      for (const StartProblem& p : problems.problems()) {
        if (p.check != id) continue;
        any = true;
        task.Fail(id, title, p.problem, p.remedy, {p.object});
      }
      if (!any)
        task.Pass(
            id, title,
            id == "tables.supported" ? std::to_string(start.tables.size()) + " table(s)" : "");
    }
    if (start.tables.empty() && problems.empty()) {  // replicate's refusal after the report
      task.Fail("tables.supported", "every selected table can be replicated",
                "the selection leaves no table to replicate", "check --tables / --exclude-tables");
    }

    // What the full load will move: each table's size from the source's statistics.
    ASSIGN_OR_RETURN(auto sizes, source->EstimateTableSizes(start.tables));
    std::vector<std::pair<TableSize, std::string>> sized;
    int64_t all_rows = 0, all_bytes = 0;
    for (const auto& t : start.tables) {
      auto it = sizes.find(t->name);
      TableSize s = it == sizes.end() ? TableSize{} : it->second;
      all_rows += std::max<int64_t>(0, s.rows);
      all_bytes += std::max<int64_t>(0, s.bytes);
      sized.push_back({s, "table " + t->name.ToString() + ": " +
                              (s.rows < 0 ? "? rows" : "~" + std::to_string(s.rows) + " rows") +
                              (s.bytes < 0 ? "" : ", " + std::to_string(s.bytes) + " bytes")});
    }
    std::stable_sort(sized.begin(), sized.end(), [](const auto& a, const auto& b) {
      return a.first.bytes != b.first.bytes ? a.first.bytes > b.first.bytes
                                            : a.first.rows > b.first.rows;
    });
    std::vector<std::string> size_objects;
    for (auto& [s, text] : sized) size_objects.push_back(std::move(text));
    task.Add({"tables.size", "the tables to load, largest first (source statistics)",
              CheckStatus::kPassed,
              std::to_string(start.tables.size()) + " table(s), ~" + std::to_string(all_rows) +
                  " rows" + (all_bytes > 0 ? ", " + std::to_string(all_bytes) + " bytes" : ""),
              size_objects, ""});

    // Warnings only the assessment gives.
    // Over every table the task names, those the source refused whole too (as far as it
    // described them): once their refusal is dealt with, these warnings are theirs as well.
    std::vector<std::pair<TableSchemaPtr, TableSchemaPtr>> described;  // source, target
    for (const auto& t : start.tables) {
      auto it = start.transform_of.find(t->name);
      if (it != start.transform_of.end()) described.push_back({t, it->second->target()});
    }
    for (size_t i = 0; i < start.refused.size(); ++i)
      described.push_back({start.refused[i], start.refused_targets[i]});
    std::vector<std::string> lossy, lobs, renamed, actions;
    for (const auto& [source_table, target_table] : described) {
      const TableSchema& t = *target_table;
      const TableSchema& s = *source_table;
      // The target's lossy rules per column (docs/types.md): type-level ones change every
      // value, value-level ones only the values that hit them; representations lose nothing.
      std::vector<ColumnRules> rules = target_driver.TargetRules(t);
      for (size_t k = 0; k < rules.size() && k < t.columns.size(); ++k) {
        std::string every, some;
        for (LossyRule r : rules[k].rules) {
          const LossyRuleSpec& spec = SpecOf(r);
          if (spec.scope == LossyScope::kRepresentation) continue;
          std::string& list = spec.scope == LossyScope::kTypeLevel ? every : some;
          list += (list.empty() ? "" : "; ") + std::string(spec.id) + ", " + LossyRuleEffect(r);
        }
        if (every.empty() && some.empty()) continue;
        std::string text = "table " + t.name.ToString() + ": column " + t.columns[k].name + ": ";
        if (!every.empty())
          text += (rules[k].note.empty() ? every : rules[k].note) + " (every value)";
        if (!some.empty()) text += (every.empty() ? "" : "; ") + some + " (values that hit it)";
        lossy.push_back(std::move(text));
      }
      for (const Column& c : t.columns) {
        if (IsLargeObject(c))
          lobs.push_back("column " + t.name.ToString() + "." + c.name + " (" + c.type_name + ")");
      }
      auto lands = target_driver.TargetTable(t, target_uri_);
      if (lands.ok() && lands->name != s.name.name) {
        renamed.push_back("table " + s.name.ToString() + " lands as " + lands->ToString());
      }
      for (const ForeignKey& fk : s.foreign_keys) {
        if (!fk.HasAction()) continue;
        actions.push_back("foreign key " + fk.name + " of " + s.name.ToString() + " -> " +
                          fk.parent.ToString() + " (ON DELETE " +
                          ReferentialActionSql(fk.on_delete) + ", ON UPDATE " +
                          ReferentialActionSql(fk.on_update) + ")");
      }
    }
    const std::string ltitle = "column types map to the target without loss (docs/types.md)";
    if (lossy.empty()) {
      task.Pass("columns.lossy", ltitle);
    } else {
      task.Warn("columns.lossy", ltitle,
                std::to_string(lossy.size()) + " column(s) may change on the target",
                "accept the rule (docs/types.md, Lossy rules), or pre-create the target column "
                "with a type that keeps it and use --table-prep truncate",
                lossy);
    }
    const std::string btitle = "large-object columns (replicated whole: no LOB mode to tune)";
    if (lobs.empty()) {
      task.Pass("columns.lob", btitle, "none");
    } else {
      task.Warn("columns.lob", btitle,
                std::to_string(lobs.size()) + " column(s) may hold large values",
                "make sure the target's max_allowed_packet (MariaDB) holds the largest row; "
                "each value travels in memory once",
                lobs);
    }
    const std::string ntitle = "tables keep their names on the target";
    if (renamed.empty()) {
      task.Pass("names.changed", ntitle);
    } else {
      task.Warn("names.changed", ntitle,
                std::to_string(renamed.size()) + " table(s) land under another name",
                "point the application at the names shown, or rename with --table-mappings",
                renamed);
    }
    const std::string atitle = "foreign-key actions the source's log does not carry";
    if (!cdc || source->StreamCarriesForeignKeyActions()) {
      task.NotApplicable("foreign_keys.actions", atitle,
                         cdc ? "the source's change log carries them" : "full load only");
    } else if (actions.empty()) {
      task.Pass("foreign_keys.actions", atitle, "no foreign key with an action");
    } else {
      task.Warn("foreign_keys.actions", atitle,
                std::to_string(actions.size()) +
                    " foreign key(s): cutover reproduces their actions on the target",
                "keep both tables of each key in the task (docs/ARCHITECTURE.md, foreign-key "
                "actions)",
                actions);
    }
    return Status::Ok();
  }

  int Output(const std::vector<CheckSection>& sections) {
    bool failed = false;
    for (const CheckSection& s : sections) failed |= s.checks.failed();
    if (!report_dir_.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(report_dir_, ec);
      const std::string json_path = report_dir_ + "/assessment.json";
      const std::string html_path = report_dir_ + "/assessment.html";
      std::ofstream(json_path) << ChecksJson(sections).dump(2) << "\n";
      std::ofstream html(html_path);
      html << ChecksHtml("cutover assessment: task " + task_, sections);
      if (ec || !html) {
        std::fprintf(stderr, "cutover: error: cannot write the report into %s\n",
                     report_dir_.c_str());
        return 2;
      }
    }
    if (json_) {
      std::printf("%s\n", ChecksJson(sections).dump(2).c_str());
    } else {
      std::printf("%s%s: %s\n", ChecksText(sections, /*all=*/false).c_str(),
                  failed ? "FAILED" : "OK", ChecksSummary(sections).c_str());
    }
    return failed ? 1 : 0;
  }

  std::string source_uri_, target_uri_, task_ = "assess", type_ = "full-load-and-cdc";
  std::string prep_ = "drop-and-create", mappings_file_, report_dir_;
  std::vector<std::string> tables_, exclude_tables_;
  EndpointCheckOptions check_options_;
  bool json_ = false;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<AssessCommand>();
});

}  // namespace
}  // namespace cutover::cli
