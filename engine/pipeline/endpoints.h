// Endpoint factory: turns a URI into the engine's Source or Sink. The only place that knows
// which engines exist; the pipeline works on the interfaces.
#pragma once

#include <memory>
#include <string>

#include "engine/core/endpoint.h"
#include "engine/core/target_session.h"

namespace cutover {

struct SourceOptions {
  std::string spool_dir;  // where the source may spool large in-progress transactions
  // Connections a snapshot opens up front for parallel readers (MariaDB cannot share one
  // snapshot between connections: they are aligned once, at the start). The full load's
  // --parallel.
  int snapshot_connections = 4;
};

Result<std::unique_ptr<Source>> MakeSource(const std::string& uri, const SourceOptions& options);
Result<std::unique_ptr<Sink>> MakeSink(const std::string& uri, const SinkOptions& options = {});

}  // namespace cutover
