// The SQLite driver (engine/core/driver.h): what this folder offers the rest of cutover.
#pragma once

#include "engine/core/driver.h"

namespace cutover::sqlite {

const EngineDriver& Driver();

}  // namespace cutover::sqlite
