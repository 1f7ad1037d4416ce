#include "engine/pipeline/task_control.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <xxhash.h>

#include "engine/core/uri.h"

namespace cutover {

namespace {

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Written to a temporary name then renamed, so a reader never sees half a file.
Status WriteWhole(const std::string& dir, const std::string& name, const std::string& text) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Internal("creating " + dir + ": " + std::strerror(errno));
  std::string tmp = dir + "/." + name + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Internal("writing " + tmp + ": " + std::strerror(errno));
    out << text;
    if (!out.flush()) return Internal("writing " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0)
    return Internal("renaming " + tmp + ": " + std::strerror(errno));
  return Status::Ok();
}

// Field 22 of /proc/PID/stat (start time in clock ticks) and its state; "" if gone.
std::string ProcessIdentity(pid_t pid, char* state) {
  auto stat = ReadWhole("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return "";
  size_t close = stat->rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return "";
  std::istringstream rest(stat->substr(close + 2));
  std::string field;
  rest >> field;
  if (state) *state = field.empty() ? '?' : field[0];
  for (int i = 4; i <= 22 && rest >> field; ++i) {
  }
  return field;
}

}  // namespace

TaskControl::TaskControl(const std::string& task, const std::string& target_uri) {
  const char* tmp = std::getenv("TMPDIR");
  std::string redacted = RedactUri(target_uri);
  dir_ = fmt::format("{}/cutover-task-{}-{:08x}", tmp && *tmp ? tmp : "/tmp", task,
                     static_cast<uint32_t>(XXH3_64bits(redacted.data(), redacted.size())));
}

Status TaskControl::MarkRunning() const {
  pid_t pid = getpid();
  return WriteWhole(dir_, "run", fmt::format("{} {}\n", pid, ProcessIdentity(pid, nullptr)));
}

void TaskControl::MarkStopped() const {
  std::remove((dir_ + "/run").c_str());
}

std::optional<pid_t> TaskControl::RunningPid() const {
  auto text = ReadWhole(dir_ + "/run");
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  long pid = 0;
  std::string started;
  if (!(in >> pid >> started) || pid <= 0) return std::nullopt;
  char state = '?';
  if (ProcessIdentity(static_cast<pid_t>(pid), &state) != started) return std::nullopt;
  if (state == 'Z' || state == 'X') return std::nullopt;  // exited, not yet reaped
  return static_cast<pid_t>(pid);
}

Status TaskControl::RequestStopAt(const std::string& position_text) const {
  return WriteWhole(dir_, "stop-at", position_text + "\n");
}

std::optional<std::string> TaskControl::StopRequest() const {
  auto text = ReadWhole(dir_ + "/stop-at");
  if (!text) return std::nullopt;
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  if (text->empty()) return std::nullopt;
  return text;
}

void TaskControl::ClearStopRequest() const {
  std::remove((dir_ + "/stop-at").c_str());
}

Status TaskControl::WriteSwitched(const std::string& report_json) const {
  return WriteWhole(dir_, "switched", report_json);
}

std::optional<std::string> TaskControl::Switched() const {
  return ReadWhole(dir_ + "/switched");
}

void TaskControl::Forget() const {
  for (const char* name : {"run", "stop-at", "switched"}) std::remove((dir_ + "/" + name).c_str());
  std::error_code ec;
  std::filesystem::remove_all(ChangeSpoolDir(), ec);
  rmdir(dir_.c_str());
}

}  // namespace cutover
