// cutover: the single command-line entry point. Subcommands register themselves (command.h);
// run `cutover --help` for the list.
// Exit codes: 0 success; 2 error (bad input, unreachable server, failure); others as documented
// by each subcommand (e.g. 130: interrupted by a signal, 1: validation found differences).
// Errors are one line on stderr, prefixed "cutover: error: ", never containing a password.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "engine/core/log.h"

int main(int argc, char** argv) {
  using namespace cutover;
  using namespace cutover::cli;
  CLI::App app{"cutover: database replication with full load, CDC and proof of equality"};
  app.set_version_flag("--version", std::string("cutover ") + CUTOVER_VERSION);
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_flag("-v,--verbose", global.verbose, "Log debug details");
  app.add_flag("-q,--quiet", global.quiet, "Log warnings and errors only");

  std::vector<std::unique_ptr<Command>> commands;
  std::vector<CLI::App*> subcommands;
  for (CommandFactory make : CommandFactories()) {
    commands.push_back(make());
    subcommands.push_back(commands.back()->Setup(app));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "cutover: error: %s (see cutover --help)\n", e.what());
    return 2;
  }
  SetLogLevel(global.verbose ? LogLevel::kDebug : global.quiet ? LogLevel::kWarn : LogLevel::kInfo);
  InstallSignalHandlers();

  for (size_t i = 0; i < commands.size(); ++i) {
    if (*subcommands[i]) return commands[i]->Run(global);
  }
  return 0;
}
