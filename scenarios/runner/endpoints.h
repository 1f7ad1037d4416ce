// What the scenario runner needs to know about an endpoint beyond the engine's own interfaces:
// its server version (for the report), how to read the replicated heartbeat on it (lag), and
// its URI rewritten to go through a fault proxy.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/status.h"
#include "engine/core/uri.h"

namespace cutover::scenario {

// "PostgreSQL 15.18", "MariaDB 10.11.6", "SQLite 3.40.1". Errors name the redacted URI.
Result<std::string> ServerVersion(const std::string& uri);

// SQL returning cutover_heartbeat.source_time as µs since the Unix epoch (one integer), for a
// table replicated onto an endpoint of this engine.
std::string HeartbeatMicrosSql(EngineKind engine);

// The host and port of a postgresql:// or mariadb:// URI, for starting a proxy in front of it.
struct HostPort {
  std::string host;
  int port = 0;
};
Result<HostPort> HostPortOfUri(std::string_view uri);

// `uri` with its host:port replaced by 127.0.0.1:`port` (user, password, path, query kept).
Result<std::string> UriWithPort(std::string_view uri, int port);

}  // namespace cutover::scenario
