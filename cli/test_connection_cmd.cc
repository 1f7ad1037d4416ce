// `cutover test-connection --source URI | --target URI [--json]`: checks an endpoint the way
// DMS's test-connection does, and more: reachable, login accepted, server version, and what a
// task needs from it as a source (change capture settings, privileges, slot and sender
// headroom) or as a target (privileges, settings for loading and applying). Each check is one
// line with what was found and, when it did not pass, what to do (docs/operations.md).
// Creates and changes nothing on either endpoint.
// Exit codes: 0 no check failed (warnings allowed); 2 a check failed or the input is bad.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/check_report.h"
#include "cli/command.h"
#include "engine/core/uri.h"
#include "engine/registry/registry.h"

namespace cutover::cli {
namespace {

class TestConnectionCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& root) override {
    auto* cmd = root.add_subcommand(
        "test-connection",
        "Check a source or target endpoint: reachable, login, version, what a task needs");
    cmd->add_option("--source", source_uri_, "Source URI to check as a task's source");
    cmd->add_option("--target", target_uri_, "Target URI to check as a task's target");
    cmd->add_option("--long-transaction-seconds", check_options_.long_transaction_seconds,
                    "Name source transactions open longer than this (pg.long_transactions)")
        ->check(CLI::Range(int64_t{0}, int64_t{86400 * 365}))
        ->capture_default_str();
    cmd->add_flag("--json", json_, "Print the checks as JSON");
    return cmd;
  }

  int Run(const GlobalOptions&) override {
    if (source_uri_.empty() && target_uri_.empty())
      return Fail(InvalidArgument("give --source URI, --target URI or both"));
    std::vector<CheckSection> sections;
    for (auto [uri, role, what] : {std::tuple{&source_uri_, EndpointRole::kSource, "source"},
                                   std::tuple{&target_uri_, EndpointRole::kTarget, "target"}}) {
      if (uri->empty()) continue;
      auto driver = EngineForUri(*uri, std::string("--") + what);
      if (!driver.ok()) return Fail(driver.status());
      CheckSection section{std::string(what) + " " + RedactUri(*uri) + " (" +
                               std::string((*driver)->display_name()) + ")",
                           {}};
      if (Status s = (*driver)->CheckEndpoint(*uri, role, check_options_, section.checks); !s.ok())
        return Fail(s);
      sections.push_back(std::move(section));
    }
    bool failed = false;
    for (const CheckSection& s : sections) failed |= s.checks.failed();
    if (json_) {
      std::printf("%s\n", ChecksJson(sections).dump(2).c_str());
    } else {
      std::printf("%s%s: %s\n", ChecksText(sections, /*all=*/true).c_str(),
                  failed ? "FAILED" : "OK", ChecksSummary(sections).c_str());
    }
    return failed ? 2 : 0;
  }

 private:
  std::string source_uri_, target_uri_;
  EndpointCheckOptions check_options_;
  bool json_ = false;
};

const CommandRegistration kRegistration([]() -> std::unique_ptr<Command> {
  return std::make_unique<TestConnectionCommand>();
});

}  // namespace
}  // namespace cutover::cli
