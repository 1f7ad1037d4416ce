#include "engine/core/log.h"

#include "engine/core/log_component.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace cutover {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mu;
}  // namespace

void SetLogLevel(LogLevel level) {
  g_level = static_cast<int>(level);
}
bool LogEnabled(LogLevel level) {
  // The running part's own severity (Logging.LogComponents), else the global level.
  if (auto own = ComponentLogLevel(CurrentLogComponent()))
    return static_cast<int>(level) >= static_cast<int>(*own);
  return static_cast<int>(level) >= g_level.load();
}

void LogLine(LogLevel level, std::string_view message) {
  static const char* kNames[] = {"debug", "info", "warn", "error"};
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm;
  gmtime_r(&t, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%H:%M:%S", &tm);
  std::lock_guard<std::mutex> lock(g_mu);
  std::fprintf(stderr, "%s.%03dZ %-5s %.*s\n", ts, ms, kNames[static_cast<int>(level)],
               static_cast<int>(message.size()), message.data());
}

}  // namespace cutover
