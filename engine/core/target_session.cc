#include "engine/core/target_session.h"

namespace cutover {

bool TriggersSurvive(TablePrep prep) {
  return prep != TablePrep::kDropAndCreate;
}

void RefuseTriggers(const std::vector<TargetTrigger>& triggers, std::string_view engine,
                    StartReport& problems) {
  for (const TargetTrigger& t : triggers) {
    problems.Refuse(
        "trigger " + t.name + " on target table " + t.table.ToString(),
        "fires " + t.event +
            " on the rows cutover writes and would change what the source "
            "wrote; " +
            std::string(engine) + " cannot switch triggers off for one session",
        "keep its definition (" + t.show_definition +
            "), drop it on the target while replicating and recreate it at cutover; or let "
            "the load recreate the table without it (--table-prep drop-and-create)");
  }
}

Status LockWaitTimedOut(const Status& s, std::string_view object,
                        const std::vector<std::string>& holders, std::chrono::seconds bound) {
  std::string msg = s.message() + "; waited " + std::to_string(bound.count()) +
                    " s (--lock-timeout) for a lock on " + std::string(object) + " held by ";
  if (holders.empty()) {
    msg += "another session (the server does not say which)";
  } else {
    for (size_t i = 0; i < holders.size(); ++i) msg += (i ? "; " : "") + holders[i];
  }
  return Status(StatusCode::kUnavailable, std::move(msg));
}

}  // namespace cutover
