// Fuzz target: the scenario file parser (scenarios/runner/scenario.h): TOML a user writes.
// Any text must give a Scenario or one error line, never a crash.
#include <string>

#include "scenarios/runner/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto s = cutover::scenario::ParseScenario(text, "fuzz.toml");
  if (!s.ok() && s.status().message().empty()) __builtin_trap();
  return 0;
}
