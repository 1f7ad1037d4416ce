#include "engine/registry/registry.h"

#include <vector>

namespace cutover {

// Defined in engine/registry/engines.cc: the list of drivers.
std::vector<const EngineDriver*> RegisteredEngines();

std::span<const EngineDriver* const> Engines() {
  static const std::vector<const EngineDriver*> engines = RegisteredEngines();
  return engines;
}

const EngineDriver* FindEngine(std::string_view name) {
  for (const EngineDriver* d : Engines())
    if (d->name() == name) return d;
  return nullptr;
}

std::string EngineNames() {
  std::string out;
  for (const EngineDriver* d : Engines()) out += (out.empty() ? "" : ", ") + std::string(d->name());
  return out;
}

Result<const EngineDriver*> EngineForUri(std::string_view uri, std::string_view what) {
  auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) {
    // Not echoed: without a scheme we cannot tell where a password would be.
    return InvalidArgument(std::string(what) +
                           " is not a URI (expected postgresql://user@host:port/db)");
  }
  std::string_view scheme = uri.substr(0, scheme_end);
  std::string expected;
  for (const EngineDriver* d : Engines()) {
    for (std::string_view s : d->schemes()) {
      if (s == scheme) return d;
      expected += (expected.empty() ? "" : ", ") + std::string(s) + "://";
    }
  }
  return InvalidArgument(std::string(what) + ": unsupported URI scheme '" + std::string(scheme) +
                         "' (expected one of " + expected + ")");
}

Result<std::unique_ptr<validator::RangeScanner>> OpenRangeScanner(const std::string& uri,
                                                                  std::string_view what) {
  ASSIGN_OR_RETURN(const EngineDriver* d, EngineForUri(uri, std::string("--") + std::string(what)));
  return d->OpenScanner(uri);
}

Result<std::unique_ptr<loadgen::Session>> OpenLoadSession(const std::string& uri) {
  ASSIGN_OR_RETURN(const EngineDriver* d, EngineForUri(uri, "--target"));
  return d->OpenLoadSession(uri);
}

}  // namespace cutover
