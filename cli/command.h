// Command: how a subcommand of `cutover` plugs into the single binary.
//
// Each subcommand lives in its own file (replicate_cmd.cc, task_cmd.cc, ...) and registers a
// factory with a static CommandRegistration, so adding a subcommand never edits main.cc. main.cc
// parses the command line, then runs the one command whose subcommand was chosen.
//
// Contract for Run(): returns the process exit code; errors go through Fail() (one line on
// stderr, "cutover: error: ...", no password) and return 2 unless the command documents others.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/core/status.h"

namespace cutover::cli {

struct GlobalOptions {
  bool verbose = false;
  bool quiet = false;
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand (and its options, bound to members) to `root`; returns it.
  virtual CLI::App* Setup(CLI::App& root) = 0;
  // Runs after a successful parse when this subcommand was chosen.
  virtual int Run(const GlobalOptions& global) = 0;
};

using CommandFactory = std::unique_ptr<Command> (*)();
std::vector<CommandFactory>& CommandFactories();

struct CommandRegistration {
  explicit CommandRegistration(CommandFactory f) { CommandFactories().push_back(f); }
};

// Set by SIGINT/SIGTERM (a second signal exits at once with 130).
std::atomic<bool>& StopFlag();
void InstallSignalHandlers();

// Prints "cutover: error: <message>" and returns 2; a kAborted status (stopped by a signal)
// prints "cutover: interrupted: ..." and returns 130.
int Fail(const Status& s);

// Task names: 1-48 of [a-z0-9_] (they become slot, publication and file names).
Status CheckTaskName(const std::string& task);

// $TMPDIR/cutover-spool-TASK-HASH (or /tmp/...), HASH naming the source (its URI without the
// password), so that tasks of the same name on different sources never share a directory.
std::string DefaultSpoolDir(const std::string& task, const std::string& source_uri);

}  // namespace cutover::cli
