// Endpoint URIs for the fault proxy: the host and port a URI reaches, and the URI rewritten to
// go through a proxy. (Server versions and heartbeat SQL are the engine driver's:
// engine/core/driver.h.)
#pragma once

#include <string>
#include <string_view>

#include "engine/core/status.h"
#include "engine/core/uri.h"

namespace cutover::scenario {

// The host and port of a network engine's URI (the engine's default port when it has none),
// for starting a proxy in front of it.
struct HostPort {
  std::string host;
  int port = 0;
};
Result<HostPort> HostPortOfUri(std::string_view uri);

// `uri` with its host:port replaced by 127.0.0.1:`port` (user, password, path, query kept).
Result<std::string> UriWithPort(std::string_view uri, int port);

}  // namespace cutover::scenario
