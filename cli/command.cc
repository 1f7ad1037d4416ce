#include "cli/command.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <regex>

#include <fmt/format.h>
#include <xxhash.h>

#include "engine/core/uri.h"

namespace cutover::cli {

std::vector<CommandFactory>& CommandFactories() {
  static std::vector<CommandFactory> factories;
  return factories;
}

std::atomic<bool>& StopFlag() {
  static std::atomic<bool> stop{false};
  return stop;
}

namespace {
void OnSignal(int) {
  if (StopFlag().exchange(true)) _exit(130);  // second signal: leave now
}
}  // namespace

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int Fail(const Status& s) {
  if (s.code() == StatusCode::kAborted) {  // stopped by a signal before completion
    std::fprintf(stderr, "cutover: interrupted: %s (run the same task again to resume)\n",
                 s.message().c_str());
    return 130;
  }
  std::fprintf(stderr, "cutover: error: %s\n", s.message().c_str());
  return 2;
}

Status CheckTaskName(const std::string& task) {
  static const std::regex kTask("[a-z0-9_]{1,48}");
  if (!std::regex_match(task, kTask)) {
    return InvalidArgument("--task '" + task +
                           "': use 1-48 lower-case letters, digits or underscores");
  }
  return Status::Ok();
}

std::string DefaultSpoolDir(const std::string& task, const std::string& source_uri) {
  const char* tmp = std::getenv("TMPDIR");
  std::string redacted = RedactUri(source_uri);
  return fmt::format("{}/cutover-spool-{}-{:08x}", tmp && *tmp ? tmp : "/tmp", task,
                     static_cast<uint32_t>(XXH3_64bits(redacted.data(), redacted.size())));
}

}  // namespace cutover::cli
