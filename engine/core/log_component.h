// Log components: the part of a task a log line comes from, each with its own severity.
//
// Design: DMS users set severities per component (task settings Logging.LogComponents:
// SOURCE_UNLOAD, TARGET_LOAD, SOURCE_CAPTURE, TARGET_APPLY, TASK_MANAGER...). cutover's parts
// run on threads of their own or in stretches of one thread (a full-load worker reads from the
// source, then writes to the target), so the component is a property of the running thread:
// each part marks where it runs with a ScopedLogComponent and every Log() call in it, however
// deep, is judged by that component's severity. No log call names its component, and a
// component without a severity of its own follows the global level (--verbose / --quiet).
#pragma once

#include <optional>
#include <string_view>

#include "engine/core/log.h"

namespace cutover {

enum class LogComponent : int {
  kTaskManager = 0,  // the task's own thread: start, checks, state (the default)
  kSourceUnload,     // full load: reading the source's tables
  kTargetLoad,       // full load: writing the target's tables
  kSourceCapture,    // CDC: reading the source's log
  kTargetApply,      // CDC: applying changes to the target
  kTransformation,   // the table mapping stage between source and sink
  kValidator,        // validation
  kCount
};

// DMS's id of a component ("TARGET_APPLY").
const char* LogComponentId(LogComponent c);

// Sets (or, with nullopt, clears) `c`'s own severity. Call before the task starts.
void SetComponentLogLevel(LogComponent c, std::optional<LogLevel> level);
// Clears every component's own severity.
void ResetComponentLogLevels();

// The component the calling thread runs as (kTaskManager unless a scope says otherwise).
LogComponent CurrentLogComponent();

// Marks the calling thread as running `c` until the scope ends (restores the previous one).
class ScopedLogComponent {
 public:
  explicit ScopedLogComponent(LogComponent c);
  ~ScopedLogComponent();
  ScopedLogComponent(const ScopedLogComponent&) = delete;
  ScopedLogComponent& operator=(const ScopedLogComponent&) = delete;

 private:
  LogComponent previous_;
};

// The level a log line of `c` needs to be written, or nullopt when `c` follows the global one.
std::optional<LogLevel> ComponentLogLevel(LogComponent c);

}  // namespace cutover
