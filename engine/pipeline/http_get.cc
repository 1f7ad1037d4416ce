#include "engine/pipeline/http_get.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace cutover {

Result<HttpReply> HttpGet(const std::string& host_port, const std::string& path,
                          std::chrono::milliseconds timeout) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return InvalidArgument("metrics address '" + host_port +
                           "': use HOST:PORT, e.g. 127.0.0.1:9187");
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const int port = std::atoi(host_port.c_str() + colon + 1);
  if (port <= 0 || port > 65535)
    return InvalidArgument("metrics address '" + host_port + "': the port must be 1-65535");
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v6);
  } else {
    return InvalidArgument("metrics address '" + host_port + "': HOST must be a numeric address");
  }
  const int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    Status s = Unavailable("nothing answers on " + host_port + " (" + what + ")");
    close(fd);
    return s;
  };
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) return fail(std::strerror(errno));
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host_port + "\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size()))
    return fail("sending the request failed");
  std::string raw;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0) return fail(std::strerror(errno));
    if (n == 0) break;
    raw.append(buf, static_cast<size_t>(n));
    if (raw.size() > (16u << 20)) return fail("reply over 16 MiB");
  }
  close(fd);
  HttpReply reply;
  const size_t sp = raw.find(' ');
  const size_t body = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/", 0) != 0 || sp == std::string::npos || body == std::string::npos)
    return Unavailable("the reply from " + host_port + " is not HTTP");
  reply.status = std::atoi(raw.c_str() + sp + 1);
  reply.body = raw.substr(body + 4);
  return reply;
}

}  // namespace cutover
