// Minimal logging to stderr: one line per event, UTC timestamp, level. Thread-safe.
// The level is set once by the CLI (--quiet / --verbose). Never log a URI unredacted.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace cutover {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, std::string_view message);

template <typename... Args>
void Log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
  if (!LogEnabled(level)) return;
  LogLine(level, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace cutover
