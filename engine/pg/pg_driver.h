// The PostgreSQL driver (engine/core/driver.h): what this folder offers the rest of cutover.
#pragma once

#include "engine/core/driver.h"

namespace cutover::pg {

const EngineDriver& Driver();

}  // namespace cutover::pg
