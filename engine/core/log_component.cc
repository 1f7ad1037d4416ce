#include "engine/core/log_component.h"

#include <atomic>

namespace cutover {

namespace {
constexpr int kUnset = -1;
std::atomic<int> g_levels[static_cast<int>(LogComponent::kCount)] = {kUnset, kUnset, kUnset, kUnset,
                                                                     kUnset, kUnset, kUnset};
thread_local LogComponent t_current = LogComponent::kTaskManager;
}  // namespace

const char* LogComponentId(LogComponent c) {
  switch (c) {
    case LogComponent::kTaskManager:
      return "TASK_MANAGER";
    case LogComponent::kSourceUnload:
      return "SOURCE_UNLOAD";
    case LogComponent::kTargetLoad:
      return "TARGET_LOAD";
    case LogComponent::kSourceCapture:
      return "SOURCE_CAPTURE";
    case LogComponent::kTargetApply:
      return "TARGET_APPLY";
    case LogComponent::kTransformation:
      return "TRANSFORMATION";
    case LogComponent::kValidator:
      return "VALIDATOR_EXT";
    case LogComponent::kCount:
      break;
  }
  return "";
}

void SetComponentLogLevel(LogComponent c, std::optional<LogLevel> level) {
  g_levels[static_cast<int>(c)] = level ? static_cast<int>(*level) : kUnset;
}

void ResetComponentLogLevels() {
  for (auto& l : g_levels) l = kUnset;
}

LogComponent CurrentLogComponent() {
  return t_current;
}

ScopedLogComponent::ScopedLogComponent(LogComponent c) : previous_(t_current) {
  t_current = c;
}
ScopedLogComponent::~ScopedLogComponent() {
  t_current = previous_;
}

std::optional<LogLevel> ComponentLogLevel(LogComponent c) {
  int l = g_levels[static_cast<int>(c)].load(std::memory_order_relaxed);
  if (l == kUnset) return std::nullopt;
  return static_cast<LogLevel>(l);
}

}  // namespace cutover
