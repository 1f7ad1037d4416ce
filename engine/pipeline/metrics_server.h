// MetricsServer: the small HTTP/1.1 server behind `replicate --metrics-listen HOST:PORT`,
// answering GET (and HEAD) with whatever its handler returns for the path (/metrics, /healthz).
//
// Why our own and not a library: Debian bookworm has no maintained Prometheus C++ client, and
// cpp-httplib (libcpp-httplib-dev 0.11) is an 8,000-line header with a thread pool, keep-alive,
// TLS and multipart parsing, none of which a scrape endpoint needs, compiled into every
// translation unit that includes it. What is needed here is small enough to read in one sitting:
// one thread, one connection at a time, a request head of at most 8 KiB read with a 2-second
// timeout, `Connection: close` on every response, no request body. Nothing a client sends is
// interpreted beyond the method and the path, so the attack surface is that parser. It binds a
// numeric address only (no name lookup); loopback is the intended use, since the endpoint has no
// authentication (it carries no secrets either: see metrics_exposition.h).
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "engine/core/status.h"

namespace cutover {

struct HttpResponse {
  int status = 200;  // 200, 404, 405, 503...
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// A parsed `HOST:PORT`: HOST a numeric IPv4 address, `[IPv6]`, or `localhost` (127.0.0.1);
// PORT 0-65535 (0: any free port). `what` names the option in errors.
struct ListenAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string text;  // as given
};
Result<ListenAddress> ParseListenAddress(const std::string& text, const std::string& what);

class MetricsServer {
 public:
  // Called on the server's thread for each GET/HEAD, with the path (query string removed).
  using Handler = std::function<HttpResponse(const std::string& path)>;

  // Binds and listens (errors: address in use, permission, named with the address), then serves
  // on its own thread until Stop().
  static Result<std::unique_ptr<MetricsServer>> Start(const ListenAddress& address,
                                                      Handler handler);
  ~MetricsServer();  // Stop()
  // Stops accepting and joins the thread (at most ~2.5 s when a client is mid-request).
  void Stop();
  // The bound port (the chosen one when the address asked for port 0).
  uint16_t port() const { return port_; }

 private:
  MetricsServer(int fd, uint16_t port, Handler handler)
      : fd_(fd), port_(port), handler_(std::move(handler)) {}
  void Run();
  void Serve(int conn);

  int fd_;
  uint16_t port_;
  Handler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cutover
