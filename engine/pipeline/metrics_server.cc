#include "engine/pipeline/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace cutover {

namespace {

constexpr size_t kMaxRequestHead = 8192;
constexpr int kClientTimeoutSeconds = 2;

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away or timed out: nothing to do about it
    off += static_cast<size_t>(n);
  }
}

}  // namespace

Result<ListenAddress> ParseListenAddress(const std::string& text, const std::string& what) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument(what + " '" + text + "': " + why +
                           " (expected HOST:PORT with a numeric address, e.g. 127.0.0.1:9187)");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("no port");
  std::string host = text.substr(0, colon), port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535)
    return bad("port must be a number from 0 to 65535");
  ListenAddress a;
  a.text = text;
  if (host == "localhost") host = "127.0.0.1";
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.addr);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &in6->sin6_addr) != 1)
      return bad("not an IPv6 address");
    a.len = sizeof(sockaddr_in6);
    return a;
  }
  auto* in4 = reinterpret_cast<sockaddr_in*>(&a.addr);
  in4->sin_family = AF_INET;
  in4->sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) != 1)
    return bad("'" + host + "' is not a numeric IPv4 address, [IPv6 address] or localhost");
  a.len = sizeof(sockaddr_in);
  return a;
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const ListenAddress& address,
                                                            Handler handler) {
  int fd = ::socket(address.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal("--metrics-listen: socket: " + std::string(std::strerror(errno)));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // not past a live listener
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address.addr), address.len) != 0 ||
      ::listen(fd, 16) != 0) {
    int err = errno;
    ::close(fd);
    return InvalidArgument("--metrics-listen " + address.text +
                           ": cannot listen: " + std::strerror(err));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  uint16_t port = 0;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
    port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  std::unique_ptr<MetricsServer> s(new MetricsServer(fd, port, std::move(handler)));
  s->thread_ = std::thread([p = s.get()] { p->Run(); });
  return s;
}

MetricsServer::~MetricsServer() {
  Stop();
}

void MetricsServer::Stop() {
  if (stop_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

void MetricsServer::Run() {
  while (!stop_.load()) {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, 200);  // wakes to notice Stop()
    if (r <= 0) continue;
    int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    timeval tv{kClientTimeoutSeconds, 0};
    ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    Serve(conn);
    ::close(conn);
  }
}

void MetricsServer::Serve(int conn) {
  // Read the request head: up to the blank line, bounded in size and time.
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
    if (head.size() > kMaxRequestHead) return;
    ssize_t n = ::recv(conn, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  // Request line: METHOD SP TARGET SP VERSION
  std::string line = head.substr(0, head.find_first_of("\r\n"));
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  HttpResponse resp;
  bool head_only = false;
  if (sp1 == std::string::npos || sp2 == sp1 || line.compare(sp2 + 1, 5, "HTTP/") != 0) {
    resp = {400, "text/plain; charset=utf-8", "bad request\n"};
  } else {
    std::string method = line.substr(0, sp1);
    std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    path = path.substr(0, path.find('?'));
    head_only = method == "HEAD";
    if (method != "GET" && !head_only) {
      resp = {405, "text/plain; charset=utf-8", "only GET and HEAD\n"};
    } else {
      resp = handler_(path);
    }
  }
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: "
      "no-store\r\nConnection: close\r\n\r\n",
      resp.status, ReasonPhrase(resp.status), resp.content_type, resp.body.size());
  if (!head_only) out += resp.body;
  SendAll(conn, out);
}

}  // namespace cutover
