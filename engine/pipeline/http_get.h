// A minimal HTTP/1.0 GET over TCP, to read a running `replicate`'s /healthz and /metrics
// (engine/pipeline/metrics_endpoint.h): `cutover task status --metrics HOST:PORT` and the
// scenario runner, which scrapes the engine it runs every second.
// HOST is numeric (IPv4 or IPv6), as --metrics-listen takes it; no TLS, no redirects.
#pragma once

#include <chrono>
#include <string>

#include "engine/core/status.h"

namespace cutover {

struct HttpReply {
  int status = 0;  // 200, 503...
  std::string body;
};

// kUnavailable when nothing answers on `host_port` within `timeout`; kInvalidArgument when
// `host_port` is not HOST:PORT.
Result<HttpReply> HttpGet(const std::string& host_port, const std::string& path,
                          std::chrono::milliseconds timeout);

}  // namespace cutover
