#include "engine/core/error_policy.h"

namespace cutover {

const char* ErrorPolicyName(ErrorPolicy p) {
  switch (p) {
    case ErrorPolicy::kStopTask:
      return "STOP_TASK";
    case ErrorPolicy::kLogError:
      return "LOG_ERROR";
    case ErrorPolicy::kIgnoreRecord:
      return "IGNORE_RECORD";
    case ErrorPolicy::kSuspendTable:
      return "SUSPEND_TABLE";
    case ErrorPolicy::kInsertRecord:
      return "INSERT_RECORD";
    case ErrorPolicy::kUpdateRecord:
      return "UPDATE_RECORD";
  }
  return "?";
}

}  // namespace cutover
