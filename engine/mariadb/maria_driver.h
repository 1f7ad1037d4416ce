// The MariaDB driver (engine/core/driver.h): what this folder offers the rest of cutover.
#pragma once

#include "engine/core/driver.h"

namespace cutover::mariadb {

const EngineDriver& Driver();

}  // namespace cutover::mariadb
