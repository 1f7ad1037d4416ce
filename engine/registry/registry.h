// The engine registry: which engines this build of cutover has, found by name or URI scheme.
//
// Everything outside the engine folders reaches an engine through here (engine/core/driver.h
// explains the design). The list itself is engine/registry/engines.cc, the only file outside
// engine/<x>/ that includes engine/<x>/ headers.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "engine/core/driver.h"
#include "engine/core/status.h"

namespace cutover {

// Every registered driver, in registration order.
std::span<const EngineDriver* const> Engines();

// The driver named `name` ("postgresql"), or nullptr.
const EngineDriver* FindEngine(std::string_view name);

// The driver of the URI's scheme. `what` names the option in errors ("--source"); the URI is
// never echoed without its scheme (a password could be anywhere in it).
Result<const EngineDriver*> EngineForUri(std::string_view uri, std::string_view what);

// "postgresql, mariadb, sqlite": the registered names, for messages and help texts.
std::string EngineNames();

// Shorthands that find the URI's driver and call it (`what` names the side in errors).
Result<std::unique_ptr<validator::RangeScanner>> OpenRangeScanner(const std::string& uri,
                                                                  std::string_view what);
Result<std::unique_ptr<loadgen::Session>> OpenLoadSession(const std::string& uri);

}  // namespace cutover
