// CreateTriggersAtSwitch: the part of `cutover switch` that creates a target's triggers from
// their source definitions, for target engines that cannot hold a trigger disabled (MariaDB,
// SQLite: the triggers are created at the switch instead of during the load).
//
// Why here: the walk (one outcome per trigger, an existing trigger of that name left alone, a
// missing definition or a refused statement reported instead of stopping the others) is the
// same for every such engine; only the two statements differ, so each engine passes them in.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/core/driver.h"
#include "engine/core/status.h"

namespace cutover {

// `exists(trigger_name, what)`: whether the target already has a trigger of that name (an
// error stops the walk: the target cannot be read). `create(definition, what)`: runs the
// source's definition on the target (an error becomes that trigger's problem). `what` names
// the trigger for error context. Outcomes in the order of `tables` and their triggers.
Result<std::vector<TriggerOutcome>> CreateTriggersAtSwitch(
    const std::vector<TableTriggers>& tables,
    const std::function<Result<bool>(const std::string& trigger_name, const std::string& what)>&
        exists,
    const std::function<Status(const std::string& definition, const std::string& what)>& create);

}  // namespace cutover
