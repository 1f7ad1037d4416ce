// Endpoint factory: turns a URI into its engine's Source or Sink, through the engine registry
// (engine/registry/registry.h); the pipeline works on the interfaces only.
#pragma once

#include <memory>
#include <string>

#include "engine/core/driver.h"
#include "engine/core/endpoint.h"
#include "engine/core/target_session.h"

namespace cutover {

// Errors: an unknown scheme or an engine that cannot be a source / target (kInvalidArgument,
// naming the option), then whatever the engine's constructor reports.
Result<std::unique_ptr<Source>> MakeSource(const std::string& uri, const SourceOptions& options);
Result<std::unique_ptr<Sink>> MakeSink(const std::string& uri, const SinkOptions& options = {});

}  // namespace cutover
