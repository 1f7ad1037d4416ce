// ProcStats: CPU and memory of a process from /proc, as the scenario runner samples the engine.
//
// Design: CPU is the difference of utime + stime (/proc/PID/stat, clock ticks) between two
// samples divided by the wall time between them, in percent of one core (200% = two cores
// busy); RSS is VmRSS from /proc/PID/status. The parsers are pure functions so they are
// unit-tested on captured text; the /proc comm field may hold spaces and parentheses, so the
// stat line is read from the last ')'.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string_view>

namespace cutover::scenario {

// utime + stime in clock ticks from a /proc/PID/stat line; nullopt if malformed.
std::optional<long long> CpuTicksFromStat(std::string_view stat);
// VmRSS in KiB from /proc/PID/status text; nullopt if absent.
std::optional<long long> RssKbFromStatus(std::string_view status);

// Samples one process; a new pid (engine restarted) starts a new baseline.
class ProcSampler {
 public:
  struct Sample {
    std::optional<double> cpu_pct;  // null on the first sample of a pid
    std::optional<double> rss_mb;
  };
  Sample Take(pid_t pid);

 private:
  pid_t pid_ = -1;
  long long ticks_ = 0;
  std::chrono::steady_clock::time_point at_;
};

}  // namespace cutover::scenario
