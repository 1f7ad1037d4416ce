#include "scenarios/runner/proc_stats.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace cutover::scenario {

std::optional<long long> CpuTicksFromStat(std::string_view stat) {
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // After ") ": field 3 (state) is index 0; utime is field 14, stime field 15.
  std::istringstream in{std::string(stat.substr(close + 1))};
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) {
    if (!(in >> field)) return std::nullopt;
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  return utime + stime;
}

std::optional<long long> RssKbFromStatus(std::string_view status) {
  size_t at = status.find("VmRSS:");
  if (at == std::string_view::npos) return std::nullopt;
  return std::atoll(std::string(status.substr(at + 6, 32)).c_str());
}

namespace {
std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

ProcSampler::Sample ProcSampler::Take(pid_t pid) {
  Sample s;
  std::string dir = "/proc/" + std::to_string(pid);
  auto ticks = CpuTicksFromStat(ReadAll(dir + "/stat"));
  auto rss = RssKbFromStatus(ReadAll(dir + "/status"));
  auto now = std::chrono::steady_clock::now();
  if (rss) s.rss_mb = static_cast<double>(*rss) / 1024.0;
  if (!ticks) return s;
  if (pid == pid_) {
    double secs = std::chrono::duration<double>(now - at_).count();
    if (secs > 0.05) {
      s.cpu_pct = 100.0 * static_cast<double>(*ticks - ticks_) /
                  static_cast<double>(sysconf(_SC_CLK_TCK)) / secs;
    }
  }
  pid_ = pid;
  ticks_ = *ticks;
  at_ = now;
  return s;
}

}  // namespace cutover::scenario
