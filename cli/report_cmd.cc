// `cutover report render REPORT.json [--out DIR]`: re-renders report.html and report.md from a
// scenario run's report.json (reports/report_render.h), by default next to the JSON file.
// Exit codes: 0 written; 2 the file cannot be read or parsed, or the output cannot be written.
#include <filesystem>
#include <string>

#include "cli/command.h"
#include "engine/core/log.h"
#include "reports/report_render.h"

namespace cutover::cli {
namespace {

class ReportCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* report = root.add_subcommand("report", "Scenario run reports");
    report->require_subcommand(1);
    render_ = report->add_subcommand(
        "render", "Write report.html and report.md from a scenario run's report.json");
    render_->add_option("REPORT", json_path_, "The run's report.json")->required();
    render_->add_option("--out", out_dir_,
                        "Directory to write into (default: the directory of REPORT)");
    return report;
  }

  int Run(const GlobalOptions&) override {
    if (!*render_) return 0;
    auto report = reports::ReadReportJson(json_path_);
    if (!report.ok()) return Fail(report.status());
    std::string dir = out_dir_;
    if (dir.empty()) {
      dir = std::filesystem::path(json_path_).parent_path().string();
      if (dir.empty()) dir = ".";
    }
    if (Status s = reports::WriteRenderedReports(*report, dir); !s.ok()) return Fail(s);
    Log(LogLevel::kInfo, "wrote {}/report.html and {}/report.md", dir, dir);
    return 0;
  }

 private:
  CLI::App* render_ = nullptr;
  std::string json_path_, out_dir_;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<ReportCommand>();
});

}  // namespace
}  // namespace cutover::cli
