#include "engine/core/trigger_creation.h"

namespace cutover {

Result<std::vector<TriggerOutcome>> CreateTriggersAtSwitch(
    const std::vector<TableTriggers>& tables,
    const std::function<Result<bool>(const std::string& trigger_name, const std::string& what)>&
        exists,
    const std::function<Status(const std::string& definition, const std::string& what)>& create) {
  std::vector<TriggerOutcome> out;
  for (const TableTriggers& tt : tables) {
    for (const Trigger& tr : tt.triggers) {
      TriggerOutcome o;
      o.name = tt.table.ToString() + "." + tr.name;
      ASSIGN_OR_RETURN(bool there, exists(tr.name, "looking up trigger " + o.name));
      if (there) {
        o.action = "already enabled";
      } else if (tr.definition.empty()) {
        o.problem = "the source did not show its definition";
      } else if (Status s = create(tr.definition, "creating trigger " + o.name); !s.ok()) {
        o.problem = s.message();
      } else {
        o.action = "created";
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace cutover
