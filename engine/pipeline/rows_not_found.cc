#include "engine/pipeline/rows_not_found.h"

#include "engine/core/log.h"

namespace cutover {

std::string RowsNotFoundLog::Describe(const RowsNotFound& r) {
  const std::string why = " (the target differs from the source)";
  if (!r.key.empty()) {
    std::string s = std::string(ChangeOpName(r.op)) + " on " + r.table.ToString() + " key (";
    for (size_t i = 0; i < r.key.size(); ++i) s += (i ? ", " : "") + r.key[i].DebugString();
    return s + "): target row not found" + why +
           (r.inserted ? "; inserted it with the columns the change carries" : "");
  }
  return std::string(ChangeOpName(r.op)) + " of " + std::to_string(r.expected) + " row(s) of " +
         r.table.ToString() + ": " + std::to_string(r.missing) + " target row(s) not found" + why +
         (r.inserted ? "; inserted them with the columns the changes carry" : "");
}

void RowsNotFoundLog::Report(const RowsNotFound& r) {
  rows_ += r.missing;
  ++reports_;
  if (reports_ <= kLogged) Log(LogLevel::kWarn, "{}", Describe(r));
  if (reports_ == kLogged)
    Log(LogLevel::kWarn, "further target rows not found are counted, not logged one by one");
}

}  // namespace cutover
