// The Sqlite adapter of the load generator's session (engine/core/load_session.h).
#pragma once

#include <memory>
#include <string>

#include "engine/core/load_session.h"
#include "engine/core/status.h"

namespace cutover::loadgen {

Result<std::unique_ptr<Session>> OpenSqliteSession(const std::string& uri);

}  // namespace cutover::loadgen
