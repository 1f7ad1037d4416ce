#include "engine/pipeline/endpoints.h"

#include "engine/registry/registry.h"

namespace cutover {

Result<std::unique_ptr<Source>> MakeSource(const std::string& uri, const SourceOptions& options) {
  ASSIGN_OR_RETURN(const EngineDriver* driver, EngineForUri(uri, "--source"));
  if (!driver->capabilities().source && !driver->capabilities().readable)
    return InvalidArgument("--source: " + std::string(driver->display_name()) +
                           " cannot be a source");
  return driver->OpenSource(uri, options);
}

Result<std::unique_ptr<Sink>> MakeSink(const std::string& uri, const SinkOptions& options) {
  ASSIGN_OR_RETURN(const EngineDriver* driver, EngineForUri(uri, "--target"));
  if (!driver->capabilities().target)
    return InvalidArgument("--target: " + std::string(driver->display_name()) +
                           " cannot be a target");
  if (!options.load_change_log && !driver->capabilities().load_without_change_log)
    return InvalidArgument("--target-load-binlog off: a " + std::string(driver->display_name()) +
                           " target has no binary log to switch off for the load (MariaDB and "
                           "MySQL targets only)");
  return driver->OpenSink(uri, options);
}

}  // namespace cutover
