// FaultProxy on loopback, no database: a small TCP server in the test (echo, or "stamp": note
// when the first byte arrives and answer one byte) sits behind the proxy. Every wait is bounded.
#include "scenarios/proxy/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cutover::proxy {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A TCP server on 127.0.0.1 running `handler` on each accepted connection in its own thread.
class TestServer {
 public:
  using Handler = std::function<void(TestServer&, int fd)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 64), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~TestServer() {
    stop_ = true;
    acceptor_.join();
    for (std::thread& t : workers_) t.join();
    close(fd_);
  }

  int port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  int resets_seen() const { return resets_seen_.load(); }
  std::atomic<int> resets_seen_{0};
  std::atomic<bool> stop_{false};

  // Echo until EOF (then half-close back) or an error.
  static void Echo(TestServer& server, int fd) {
    char buf[64 * 1024];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) == 0) {
        if (server.stop_) break;
        continue;
      }
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == ECONNRESET) server.resets_seen_++;
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
        if (w <= 0) return;
        off += w;
      }
    }
    shutdown(fd, SHUT_WR);
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      accepted_++;
      workers_.emplace_back([this, c] {
        handler_(*this, c);
        close(c);
      });
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> workers_;  // only touched by the acceptor, joined after it
};

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  for (size_t off = 0; off < data.size();) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// One read with a deadline. Returns bytes read (appended to `out`), 0 at EOF, -1 with errno on
// error, and -2 if nothing arrived in `timeout`.
ssize_t ReadSome(int fd, std::string& out, milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  int r = poll(&p, 1, static_cast<int>(timeout.count()));
  if (r == 0) return -2;
  char buf[64 * 1024];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n > 0) out.append(buf, static_cast<size_t>(n));
  return n;
}

// Reads until `want` bytes are in `out`, EOF, error or `timeout`; true if `want` arrived.
bool ReadExactly(int fd, std::string& out, size_t want, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (out.size() < want) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (ReadSome(fd, out, left) <= 0) return false;
  }
  return true;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Ping through the proxy on a fresh connection; true if the echo came back.
bool PingThrough(int port) {
  int fd = Connect(port);
  if (fd < 0) return false;
  std::string got;
  bool ok = SendAll(fd, "ping") && ReadExactly(fd, got, 4, milliseconds(3000)) && got == "ping";
  close(fd);
  return ok;
}

std::unique_ptr<FaultProxy> StartProxy(int upstream_port) {
  auto p = FaultProxy::Start("127.0.0.1", upstream_port);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

// An echo server behind a fresh proxy.
class FaultProxyEchoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    proxy_ = StartProxy(echo_.port());
    ASSERT_TRUE(proxy_);
  }
  // A connection through the proxy that has carried one round trip; -1 on failure.
  int OpenWarmConnection() {
    int fd = Connect(proxy_->port());
    std::string got;
    if (fd >= 0 && SendAll(fd, "warm") && ReadExactly(fd, got, 4, milliseconds(3000))) return fd;
    if (fd >= 0) close(fd);
    return -1;
  }

  TestServer echo_{TestServer::Echo};
  std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(FaultProxyEchoTest, PassesTenMegabytesEachWayByteExactWithHalfClose) {
  EXPECT_NE(proxy_->port(), echo_.port());
  EXPECT_EQ(proxy_->mode(), FaultMode::kPass);

  int fd = Connect(proxy_->port());
  ASSERT_GE(fd, 0);
  const std::string data = RandomBytes(10 << 20, 7);
  std::thread writer([&] {
    EXPECT_TRUE(SendAll(fd, data));
    shutdown(fd, SHUT_WR);  // the EOF must reach the echo server through the proxy
  });
  std::string got;
  bool complete = ReadExactly(fd, got, data.size(), milliseconds(30000));
  writer.join();
  ASSERT_TRUE(complete) << "received " << got.size() << " of " << data.size();
  EXPECT_TRUE(got == data) << "bytes differ";
  // The echo server saw our EOF and closed its side: the proxy passes that EOF back.
  std::string rest;
  EXPECT_EQ(ReadSome(fd, rest, milliseconds(3000)), 0) << "expected EOF after the echo";
  close(fd);

  FaultProxy::Stats s = proxy_->stats();
  EXPECT_EQ(s.connections, 1);
  EXPECT_EQ(s.bytes_up, static_cast<int64_t>(data.size()));
  EXPECT_EQ(s.bytes_down, static_cast<int64_t>(data.size()));
  EXPECT_EQ(s.resets, 0);
}

TEST_F(FaultProxyEchoTest, ManyConnectionsAtOnce) {
  constexpr int kConns = 20;
  std::vector<int> fds;
  for (int i = 0; i < kConns; ++i) fds.push_back(Connect(proxy_->port()));
  for (int i = 0; i < kConns; ++i) {
    ASSERT_GE(fds[i], 0);
    ASSERT_TRUE(SendAll(fds[i], "conn " + std::to_string(i)));
  }
  for (int i = 0; i < kConns; ++i) {
    std::string want = "conn " + std::to_string(i), got;
    EXPECT_TRUE(ReadExactly(fds[i], got, want.size(), milliseconds(3000)));
    EXPECT_EQ(got, want);
    close(fds[i]);
  }
  EXPECT_EQ(proxy_->stats().connections, kConns);
}

TEST_F(FaultProxyEchoTest, CutResetsOpenConnectionsAndNewOnesUntilPass) {
  int fd = OpenWarmConnection();
  ASSERT_GE(fd, 0);

  proxy_->Cut();
  EXPECT_EQ(proxy_->mode(), FaultMode::kCut);
  // The open connection is reset: the client's next read fails with ECONNRESET.
  std::string rest;
  ssize_t n = ReadSome(fd, rest, milliseconds(3000));
  int err = errno;
  EXPECT_EQ(n, -1) << "expected a reset, got " << n;
  EXPECT_EQ(err, ECONNRESET) << std::strerror(err);
  close(fd);
  // ... and so is the upstream side.
  auto deadline = Clock::now() + std::chrono::seconds(3);
  while (echo_.resets_seen() < 1 && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(echo_.resets_seen(), 1);

  // New connections during the cut are reset before any byte moves.
  for (int i = 0; i < 3; ++i) {
    int c = Connect(proxy_->port());
    if (c < 0) continue;  // refused outright is also a cut
    std::string none;
    SendAll(c, "x");
    ssize_t r = ReadSome(c, none, milliseconds(3000));
    EXPECT_TRUE(r == 0 || (r == -1 && errno == ECONNRESET)) << "read returned " << r;
    EXPECT_TRUE(none.empty());
    close(c);
  }
  EXPECT_EQ(echo_.accepted(), 1) << "no connection may reach the upstream during a cut";
  FaultProxy::Stats s = proxy_->stats();
  EXPECT_EQ(s.resets, 4);  // the open one and three refused
  EXPECT_EQ(s.connections, 4);

  proxy_->Pass();
  EXPECT_EQ(proxy_->mode(), FaultMode::kPass);
  EXPECT_TRUE(PingThrough(proxy_->port()));
}

TEST_F(FaultProxyEchoTest, BlackholeStallsEveryConnectionThenPassDeliversInOrder) {
  int fd = OpenWarmConnection();
  ASSERT_GE(fd, 0);
  std::string got;

  proxy_->Blackhole();
  EXPECT_EQ(proxy_->mode(), FaultMode::kBlackhole);
  // 256 KiB sent into the blackhole: the sends complete (kernel buffers), nothing comes back.
  const std::string held = RandomBytes(256 << 10, 11);
  std::thread writer([&] { EXPECT_TRUE(SendAll(fd, held)); });
  EXPECT_EQ(ReadSome(fd, got, milliseconds(300)), -2) << "bytes moved during a blackhole";
  EXPECT_TRUE(got.empty());

  // A new connection is accepted by the proxy, but nothing reaches the upstream, not even the
  // connection itself.
  int late = Connect(proxy_->port());
  ASSERT_GE(late, 0);
  ASSERT_TRUE(SendAll(late, "late"));
  std::string late_got;
  EXPECT_EQ(ReadSome(late, late_got, milliseconds(300)), -2);
  EXPECT_EQ(echo_.accepted(), 1);
  int64_t up_before = proxy_->stats().bytes_up;

  proxy_->Pass();
  writer.join();
  EXPECT_TRUE(ReadExactly(fd, got, held.size(), milliseconds(10000)))
      << "received " << got.size() << " of " << held.size();
  EXPECT_TRUE(got == held) << "held bytes not delivered in order";
  EXPECT_TRUE(ReadExactly(late, late_got, 4, milliseconds(3000)));
  EXPECT_EQ(late_got, "late");
  EXPECT_EQ(echo_.accepted(), 2);
  EXPECT_EQ(proxy_->stats().resets, 0);
  EXPECT_GE(proxy_->stats().bytes_up, up_before + static_cast<int64_t>(held.size()));
  close(fd);
  close(late);
}

TEST(FaultProxyTest, LatencyDelaysEachDirection) {
  // "Stamp" server: notes when the first byte arrives, answers one byte at once.
  std::mutex mu;
  Clock::time_point arrived;
  TestServer stamp([&](TestServer&, int fd) {
    for (;;) {
      std::string b;
      ssize_t n = ReadSome(fd, b, milliseconds(5000));
      if (n <= 0) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        arrived = Clock::now();
      }
      if (!SendAll(fd, "!")) return;
    }
  });
  auto proxy = StartProxy(stamp.port());
  ASSERT_TRUE(proxy);
  proxy->SetLatency(milliseconds(100));
  EXPECT_EQ(proxy->latency(), milliseconds(100));
  int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  for (int round = 0; round < 3; ++round) {
    auto sent = Clock::now();
    ASSERT_TRUE(SendAll(fd, "?"));
    std::string got;
    ASSERT_TRUE(ReadExactly(fd, got, 1, milliseconds(3000)));
    auto back = Clock::now();
    Clock::time_point at;
    {
      std::lock_guard<std::mutex> lock(mu);
      at = arrived;
    }
    auto up = std::chrono::duration_cast<milliseconds>(at - sent);
    auto down = std::chrono::duration_cast<milliseconds>(back - at);
    auto rtt = std::chrono::duration_cast<milliseconds>(back - sent);
    EXPECT_GE(up.count(), 100) << "round " << round;
    EXPECT_GE(down.count(), 100) << "round " << round;
    EXPECT_GE(rtt.count(), 200);
    EXPECT_LT(rtt.count(), 600);
  }
  // Back to no latency: a round trip is fast again.
  proxy->SetLatency(milliseconds(0));
  auto sent = Clock::now();
  ASSERT_TRUE(SendAll(fd, "?"));
  std::string got;
  ASSERT_TRUE(ReadExactly(fd, got, 1, milliseconds(3000)));
  EXPECT_LT(std::chrono::duration_cast<milliseconds>(Clock::now() - sent).count(), 100);
  close(fd);
}

TEST_F(FaultProxyEchoTest, LatencyKeepsBulkBytesInOrder) {
  proxy_->SetLatency(milliseconds(30));
  int fd = Connect(proxy_->port());
  ASSERT_GE(fd, 0);
  const std::string data = RandomBytes(2 << 20, 3);
  std::thread writer([&] { EXPECT_TRUE(SendAll(fd, data)); });
  std::string got;
  EXPECT_TRUE(ReadExactly(fd, got, data.size(), milliseconds(20000)));
  writer.join();
  EXPECT_TRUE(got == data);
  close(fd);
}

TEST(FaultProxyTest, UpstreamDownResetsTheClient) {
  int dead_port;
  {
    TestServer gone(TestServer::Echo);  // take a free port, then release it
    dead_port = gone.port();
  }
  auto proxy = StartProxy(dead_port);
  ASSERT_TRUE(proxy);
  int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  std::string got;
  ssize_t n = ReadSome(fd, got, milliseconds(3000));
  EXPECT_TRUE(n == 0 || (n == -1 && errno == ECONNRESET)) << "read returned " << n;
  close(fd);
}

TEST(FaultProxyTest, BoundedBufferingWhenTheUpstreamDoesNotRead) {
  // The upstream accepts and never reads: the proxy must stop reading the client (backpressure)
  // instead of buffering everything it is sent.
  std::atomic<bool> release{false};
  TestServer lazy([&](TestServer& s, int) {
    while (!release && !s.stop_) std::this_thread::sleep_for(milliseconds(10));
  });
  auto proxy = StartProxy(lazy.port());
  ASSERT_TRUE(proxy);
  int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  int flags = MSG_NOSIGNAL | MSG_DONTWAIT;
  const std::string block(1 << 20, 'x');
  int64_t sent = 0;
  auto deadline = Clock::now() + std::chrono::seconds(10);
  auto last_progress = Clock::now();
  while (Clock::now() < deadline && sent < (int64_t{256} << 20)) {
    ssize_t n = send(fd, block.data(), block.size(), flags);
    if (n > 0) {
      sent += n;
      last_progress = Clock::now();
    } else if (Clock::now() - last_progress > milliseconds(500)) {
      break;  // stalled: everything in between is full
    } else {
      std::this_thread::sleep_for(milliseconds(5));
    }
  }
  // Kernel buffers on loopback (client send, proxy receive/send, server receive) can hold a few
  // MiB each; the proxy itself at most kMaxPendingBytes plus one read.
  EXPECT_LT(sent, int64_t{64} << 20) << "the proxy kept reading a side it cannot forward";
  EXPECT_GT(sent, 0);
  release = true;
  close(fd);
}

TEST(FaultProxyTest, StartRejectsBadArguments) {
  EXPECT_FALSE(FaultProxy::Start("127.0.0.1", 0).ok());
  EXPECT_FALSE(FaultProxy::Start("127.0.0.1", 70000).ok());
  EXPECT_FALSE(FaultProxy::Start("127.0.0.1", 5432, -1).ok());
  EXPECT_FALSE(FaultProxy::Start("", 5432).ok());
  // The listening port is taken: a clear error.
  TestServer holder(TestServer::Echo);
  auto taken = FaultProxy::Start("127.0.0.1", 5432, holder.port());
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.status().message().find(std::to_string(holder.port())), std::string::npos);
}

}  // namespace
}  // namespace cutover::proxy
