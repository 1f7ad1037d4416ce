#include "scenarios/runner/endpoints.h"

#include <cstdlib>

#include "engine/registry/registry.h"

namespace cutover::scenario {

namespace {

// Splits "scheme://[userinfo@]host[:port][/rest]" into the authority's span.
struct Authority {
  size_t host_begin = 0, end = 0;  // [host_begin, end) is host[:port]
};
Result<Authority> FindAuthority(std::string_view uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos)
    return InvalidArgument("URI '" + RedactUri(uri) + "' has no scheme://");
  size_t begin = scheme + 3;
  size_t end = uri.find_first_of("/?", begin);
  if (end == std::string_view::npos) end = uri.size();
  size_t at = uri.rfind('@', end);
  Authority a;
  a.host_begin = (at != std::string_view::npos && at >= begin) ? at + 1 : begin;
  a.end = end;
  return a;
}

}  // namespace

Result<HostPort> HostPortOfUri(std::string_view uri) {
  ASSIGN_OR_RETURN(Authority a, FindAuthority(uri));
  std::string_view hp = uri.substr(a.host_begin, a.end - a.host_begin);
  HostPort out;
  size_t colon = hp.rfind(':');
  if (colon != std::string_view::npos && hp.find(']', colon) == std::string_view::npos) {
    out.host = std::string(hp.substr(0, colon));
    out.port = std::atoi(std::string(hp.substr(colon + 1)).c_str());
  } else {
    out.host = std::string(hp);
    ASSIGN_OR_RETURN(const EngineDriver* engine, EngineForUri(uri, "endpoint"));
    out.port = engine->default_port();
  }
  if (out.host.empty()) out.host = "127.0.0.1";
  if (out.host.front() == '[') out.host = out.host.substr(1, out.host.size() - 2);
  if (out.port <= 0 || out.port > 65535)
    return InvalidArgument("URI '" + RedactUri(uri) + "': bad port");
  return out;
}

Result<std::string> UriWithPort(std::string_view uri, int port) {
  ASSIGN_OR_RETURN(Authority a, FindAuthority(uri));
  return std::string(uri.substr(0, a.host_begin)) + "127.0.0.1:" + std::to_string(port) +
         std::string(uri.substr(a.end));
}

}  // namespace cutover::scenario
