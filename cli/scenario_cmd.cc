// `cutover scenario run|check|list`: rehearse a migration described by a scenario file
// (scenarios/*.toml, docs/scenarios.md) on real servers and write its report.
// Exit codes: run: 0 every expectation held, 1 one failed, 2 error, 130 interrupted;
// check: 0 valid, 2 not (one line naming file, line and key); list: 0.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "harness/throwaway_server.h"
#include "scenarios/runner/runner.h"
#include "scenarios/runner/scenario.h"

namespace cutover::cli {
namespace {

// A second Ctrl-C must not skip the cleanup of servers and children: every signal only sets
// the stop flag, and the runner's cleanup is bounded in time.
void OnScenarioSignal(int) {
  StopFlag().store(true);
}

class ScenarioCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* sc = root.add_subcommand(
        "scenario", "Rehearse a migration from a scenario file: run, check or list scenarios");
    sc->require_subcommand(1);
    run_ = sc->add_subcommand("run", "Run a scenario on real servers and write its report");
    run_->add_option("file", file_, "Scenario file (TOML), e.g. scenarios/quickstart.toml")
        ->required();
    run_->add_option("--out", out_, "Output directory (default reports/out/<UTC time>-<name>)");
    run_->add_flag("--keep-servers", keep_,
                   "Leave the throwaway servers running at the end and print their URIs");
    check_ = sc->add_subcommand("check", "Validate scenario files without running them");
    check_->add_option("files", files_, "Scenario files")->required();
    list_ = sc->add_subcommand("list", "List the shipped scenarios with their description");
    return sc;
  }

  int Run(const GlobalOptions& global) override {
    if (list_->parsed()) return List();
    if (check_->parsed()) return Check();
    auto sc = scenario::LoadScenarioFile(file_);
    if (!sc.ok()) return Fail(sc.status());
    struct sigaction sa {};
    sa.sa_handler = OnScenarioSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    scenario::RunOptions opt;
    opt.out_dir = out_;
    opt.keep_servers = keep_;
    if (global.quiet) opt.progress = Progress::Mode::kQuiet;
    auto outcome = scenario::RunScenario(*sc, opt, StopFlag());
    return outcome.exit_code;
  }

 private:
  int Check() {
    int rc = 0;
    for (const auto& f : files_) {
      auto sc = scenario::LoadScenarioFile(f);
      if (!sc.ok()) {
        std::fprintf(stderr, "%s\n", sc.status().message().c_str());
        rc = 2;
        continue;
      }
      std::printf("%s: ok (%s -> %s, %zu phase(s), about %.0f s of phases)\n", f.c_str(),
                  std::string(sc->source.engine->name()).c_str(),
                  std::string(sc->target.engine->name()).c_str(), sc->phases.size(),
                  sc->planned_seconds());
    }
    return rc;
  }

  int List() {
    namespace fs = std::filesystem;
    std::string dir = harness::SourceDir() + "/scenarios";
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".toml") files.push_back(e.path());
    if (ec) return Fail(NotFound("scenario directory " + dir + ": " + ec.message()));
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      auto sc = scenario::LoadScenarioFile(f.string());
      if (!sc.ok()) {
        std::printf("%-34s (invalid: %s)\n", f.stem().c_str(), sc.status().message().c_str());
        continue;
      }
      std::printf("%-34s %s -> %s  %s\n", sc->name.c_str(),
                  std::string(sc->source.engine->name()).c_str(),
                  std::string(sc->target.engine->name()).c_str(), sc->description.c_str());
    }
    std::printf("\nrun one: cutover scenario run %s/NAME.toml\n", dir.c_str());
    return 0;
  }

  CLI::App *run_ = nullptr, *check_ = nullptr, *list_ = nullptr;
  std::string file_, out_;
  std::vector<std::string> files_;
  bool keep_ = false;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<ScenarioCommand>();
});

}  // namespace
}  // namespace cutover::cli
