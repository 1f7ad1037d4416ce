// `cutover validate`: proves the target holds exactly the source's rows (validator/validate.h).
// Exit codes: 0 equal; 1 differences found (rows or schema); 2 could not validate (bad input,
// unreachable server, interrupted). `--json` prints the JSON report on stdout; `--report DIR`
// writes validation.json, validation.md and validation.html there. With --task, on a target that
// holds the task's state, each table's verdict is also recorded in the target's control tables
// (Sink::RecordValidation: "Pending records" while it runs, then "Validated" / "Mismatched
// records", or "Error"), which `cutover task stats` shows as DMS's ValidationState.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "engine/core/log.h"
#include "engine/core/progress.h"
#include "engine/pipeline/endpoints.h"
#include "engine/registry/registry.h"
#include "validator/report.h"
#include "validator/task_validation.h"
#include "validator/validate.h"

namespace cutover::cli {
namespace {

class ValidateCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* v = root.add_subcommand(
        "validate",
        "Compare source and target tables row by row (exit 0 equal, 1 differ, 2 error)");
    v->add_option("--source", opt_.source_uri, "Source URI")->required();
    v->add_option("--target", opt_.target_uri, "Target URI")->required();
    v->add_option("--tables", opt_.tables,
                  "Table pattern schema.table, '%' matches any run of characters (repeatable; "
                  "default: all source tables)");
    v->add_option("--table-mappings", mappings_file_,
                  "DMS table-mapping JSON the task was run with: its selection and renames");
    v->add_option("--task", opt_.task,
                  "Validate the tables this replication task loaded (read from the target)");
    v->add_option("--threads", opt_.threads, "Key ranges compared at once")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    v->add_option("--chunk-rows", opt_.chunk_rows, "Rows per key range")
        ->check(CLI::Range(int64_t{100}, int64_t{100000000}))
        ->capture_default_str();
    v->add_option("--recheck", opt_.recheck_seconds,
                  "While CDC runs: re-read differing rows after N seconds; rows that became equal "
                  "are counted as in flight")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    v->add_option("--recheck-rounds", opt_.recheck_rounds,
                  "Re-read differing rows at most this many times")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    v->add_option("--max-listed", opt_.max_listed,
                  "Differing rows listed in detail per table (all are counted)")
        ->check(CLI::Range(size_t{0}, size_t{10000000}))
        ->capture_default_str();
    v->add_flag("--server-hash", opt_.server_hash,
                "Same engine and column types on both sides: let the servers hash each key range "
                "(no rows cross the network; slower than the default on a local machine, see "
                "bench/RESULTS.md)");
    v->add_option("--report", report_dir_,
                  "Write validation.json, validation.md and validation.html into this directory");
    v->add_flag("--json", json_, "Print the result as JSON on stdout");
    return v;
  }

  int Run(const GlobalOptions& global) override {
    if (!opt_.task.empty()) {
      if (Status s = CheckTaskName(opt_.task); !s.ok()) return Fail(s);
    }
    if (global.quiet) opt_.progress = Progress::Mode::kQuiet;
    if (!mappings_file_.empty()) {
      std::vector<std::string> notes;
      auto mapping = task::ReadTableMappingFile(mappings_file_, &notes);
      if (!mapping.ok()) return Fail(mapping.status());
      opt_.mapping = std::make_shared<const task::TableMapping>(std::move(*mapping));
    }
    auto result = validator::ValidateAndRecord(opt_, StopFlag());
    if (!result.ok()) {
      if (result.status().code() == StatusCode::kAborted) {
        std::fprintf(stderr, "cutover: error: %s\n", result.status().message().c_str());
        return 2;
      }
      return Fail(result.status());
    }
    const validator::ValidationResult& r = *result;
    if (!report_dir_.empty()) {
      if (Status s = validator::WriteReports(r, report_dir_); !s.ok()) return Fail(s);
    }
    if (json_) std::fputs(validator::ReportJson(r).c_str(), stdout);
    Log(LogLevel::kInfo, "validation: {} in {:.1f} s",
        r.equal() ? "target equals source" : "differences found", r.seconds);
    return r.equal() ? 0 : 1;
  }

 private:
  validator::ValidateOptions opt_;
  std::string mappings_file_;
  std::string report_dir_;
  bool json_ = false;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<ValidateCommand>();
});

}  // namespace
}  // namespace cutover::cli
