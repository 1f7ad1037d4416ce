// The poll loop behind FaultProxy (see fault_proxy.h for the behaviour of each mode).
//
// Each connection has two directions, up (client -> upstream) and down (upstream -> client).
// A direction is a queue of chunks stamped with the time they may be written (read time +
// latency) and ends with an EOF mark once its reader saw end of stream; when the mark is
// written the writer side is shut down (half-close passes through). A connection is closed when
// both directions have delivered their EOF, and reset on both sides when either side fails
// (a reset on one side is passed on as a reset). Control calls from other threads set the
// wanted mode under a mutex, wake the loop through a pipe and wait until it has applied it.
#include "scenarios/proxy/fault_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "engine/core/log.h"

namespace cutover::proxy {

using Clock = std::chrono::steady_clock;

const char* FaultModeName(FaultMode mode) {
  switch (mode) {
    case FaultMode::kPass:
      return "pass";
    case FaultMode::kCut:
      return "cut";
    case FaultMode::kBlackhole:
      return "blackhole";
  }
  return "?";
}

namespace {

constexpr size_t kReadChunk = 64 * 1024;
// How long a control call waits for the loop to apply it (the loop never blocks longer than
// its poll timeout, so this is only reached if the loop thread is gone).
constexpr auto kApplyTimeout = std::chrono::seconds(5);

std::string Errno(const char* what) {
  return fmt::format("{}: {}", what, std::strerror(errno));
}

// Closes `fd` with an RST instead of a FIN.
void ResetAndClose(int fd) {
  if (fd < 0) return;
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

struct Chunk {
  std::string data;  // empty with eof = true: the end-of-stream mark
  size_t offset = 0;
  Clock::time_point due;
  bool eof = false;
};

// One direction of a connection: bytes read from `from`, waiting to be written to `to`.
struct Direction {
  std::deque<Chunk> queue;
  size_t pending = 0;       // bytes in queue not yet written
  bool read_eof = false;    // the reader saw end of stream (an EOF chunk is queued)
  bool write_done = false;  // the EOF chunk was written: `to` is shut down for writing

  bool CanRead() const { return !read_eof && pending < FaultProxy::kMaxPendingBytes; }
  bool Ready(Clock::time_point now) const { return !queue.empty() && queue.front().due <= now; }
};

struct Connection {
  int client = -1;
  int upstream = -1;
  bool connecting = false;  // upstream connect in progress
  Direction up;             // client -> upstream
  Direction down;           // upstream -> client

  bool Finished() const { return up.write_done && down.write_done; }
};

}  // namespace

class FaultProxy::Impl {
 public:
  Impl(int listen_fd, int port, sockaddr_storage upstream, socklen_t upstream_len, int wake_r,
       int wake_w)
      : listen_fd_(listen_fd),
        port_(port),
        upstream_(upstream),
        upstream_len_(upstream_len),
        wake_r_(wake_r),
        wake_w_(wake_w) {
    thread_ = std::thread([this] { Loop(); });
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    Wake();
    thread_.join();
    for (Connection& c : conns_) CloseConnection(c, /*reset=*/false);
    close(listen_fd_);
    close(wake_r_);
    close(wake_w_);
  }

  int port() const { return port_; }

  // Sets the wanted mode/latency and waits until the loop has applied it.
  void Request(FaultMode mode) {
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wanted_mode_ = mode;
      gen = ++requested_gen_;
    }
    public_mode_.store(mode);
    Wake();
    std::unique_lock<std::mutex> lock(mu_);
    applied_cv_.wait_for(lock, kApplyTimeout, [&] { return applied_gen_ >= gen || stop_; });
  }

  void SetLatency(std::chrono::milliseconds ms) {
    latency_ms_.store(std::max<int64_t>(0, ms.count()));
    Wake();  // due times of queued chunks do not change; only the poll timeout is recomputed
  }

  FaultMode mode() const { return public_mode_.load(); }
  std::chrono::milliseconds latency() const {
    return std::chrono::milliseconds(latency_ms_.load());
  }

  Stats stats() const {
    Stats s;
    s.connections = connections_.load();
    s.bytes_up = bytes_up_.load();
    s.bytes_down = bytes_down_.load();
    s.resets = resets_.load();
    return s;
  }

 private:
  void Wake() {
    char b = 1;
    // A full pipe already guarantees a wake-up; nothing to do on EAGAIN.
    [[maybe_unused]] ssize_t n = write(wake_w_, &b, 1);
  }

  void DrainWake() {
    char buf[64];
    while (read(wake_r_, buf, sizeof buf) > 0) {
    }
  }

  // Applies a mode change requested by another thread.
  void ApplyRequests() {
    FaultMode wanted;
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wanted = wanted_mode_;
      gen = requested_gen_;
    }
    if (wanted != mode_) {
      Log(LogLevel::kDebug, "fault proxy :{}: {} -> {}", port_, FaultModeName(mode_),
          FaultModeName(wanted));
      mode_ = wanted;
      if (mode_ == FaultMode::kCut) {
        for (Connection& c : conns_) {
          resets_.fetch_add(1);  // counted before the peer can see it (stats() never lags)
          CloseConnection(c, /*reset=*/true);
        }
        conns_.clear();
      } else if (mode_ == FaultMode::kPass) {
        // Connections accepted during a blackhole connect now.
        for (auto it = conns_.begin(); it != conns_.end();) {
          if (it->upstream < 0 && !StartUpstream(*it)) {
            CloseConnection(*it, /*reset=*/true);
            it = conns_.erase(it);
          } else {
            ++it;
          }
        }
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      applied_gen_ = gen;
    }
    applied_cv_.notify_all();
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }

  void Loop() {
    std::vector<pollfd> fds;
    std::vector<Connection*> owners;  // owners[i]: the connection of fds[i] (null for fixed fds)
    while (!Stopping()) {
      ApplyRequests();
      Clock::time_point now = Clock::now();
      fds.clear();
      owners.clear();
      fds.push_back({wake_r_, POLLIN, 0});
      fds.push_back({listen_fd_, POLLIN, 0});
      owners.push_back(nullptr);
      owners.push_back(nullptr);
      // Poll timeout: the earliest due time of a chunk not yet due (latency), else 1 s.
      auto next_due = now + std::chrono::seconds(1);
      if (mode_ == FaultMode::kPass) {
        for (Connection& c : conns_) {
          short ce = 0, ue = 0;
          if (c.up.CanRead()) ce |= POLLIN;
          if (c.connecting) {
            ue |= POLLOUT;
          } else {
            if (c.down.CanRead()) ue |= POLLIN;
            if (c.up.Ready(now)) ue |= POLLOUT;
          }
          if (c.down.Ready(now)) ce |= POLLOUT;
          for (const Direction* d : {&c.up, &c.down}) {
            if (!d->queue.empty() && d->queue.front().due > now)
              next_due = std::min(next_due, d->queue.front().due);
          }
          // A side that is done both ways is left out (it would report POLLHUP forever).
          if (!(c.up.read_eof && c.down.write_done)) {
            fds.push_back({c.client, ce, 0});
            owners.push_back(&c);
          }
          if (!(c.down.read_eof && c.up.write_done)) {
            fds.push_back({c.upstream, ue, 0});
            owners.push_back(&c);
          }
        }
      }
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_due - now);
      int timeout_ms = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, 1000));
      int n = poll(fds.data(), fds.size(), timeout_ms);
      if (n < 0) {
        if (errno == EINTR) continue;
        Log(LogLevel::kError, "fault proxy :{}: {}", port_, Errno("poll"));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      if (fds[0].revents) DrainWake();
      // A request may have arrived while polling: apply it before moving any byte.
      ApplyRequests();
      if (fds[1].revents & POLLIN) Accept();
      if (mode_ != FaultMode::kPass) continue;
      now = Clock::now();
      // Each connection is serviced once per round whatever fds reported for it; failed ones
      // are removed afterwards.
      std::vector<std::pair<Connection*, bool>> seen;  // (connection, a socket error)
      for (size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        bool error = (fds[i].revents & POLLERR) != 0;
        auto it = std::find_if(seen.begin(), seen.end(),
                               [&](const auto& p) { return p.first == owners[i]; });
        if (it == seen.end())
          seen.emplace_back(owners[i], error);
        else
          it->second = it->second || error;
      }
      for (auto [c, error] : seen) Service(*c, now, error);
      // Chunks that became due without any socket event are written by the next round's POLLOUT.
      for (auto it = conns_.begin(); it != conns_.end();) {
        if (it->client < 0 || it->Finished()) {
          CloseConnection(*it, /*reset=*/false);
          it = conns_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  void Accept() {
    for (;;) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
          Log(LogLevel::kWarn, "fault proxy :{}: {}", port_, Errno("accept"));
        return;
      }
      connections_.fetch_add(1);
      if (mode_ == FaultMode::kCut) {
        resets_.fetch_add(1);  // counted before the client can see the reset
        ResetAndClose(fd);
        continue;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      conns_.emplace_back();
      Connection& c = conns_.back();
      c.client = fd;
      if (mode_ == FaultMode::kPass && !StartUpstream(c)) {
        CloseConnection(c, /*reset=*/true);
        conns_.pop_back();
      }
    }
  }

  // Starts the non-blocking connect to the upstream; false if it failed at once.
  bool StartUpstream(Connection& c) {
    int fd = socket(upstream_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      Log(LogLevel::kWarn, "fault proxy :{}: {}", port_, Errno("socket"));
      return false;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.upstream = fd;
    if (connect(fd, reinterpret_cast<const sockaddr*>(&upstream_), upstream_len_) == 0) {
      c.connecting = false;
      return true;
    }
    if (errno == EINPROGRESS) {
      c.connecting = true;
      return true;
    }
    Log(LogLevel::kDebug, "fault proxy :{}: {}", port_, Errno("connect to upstream"));
    return false;
  }

  // Reads, writes and connect completion for one connection. On failure the connection is
  // reset on both sides and marked for removal (client = -1).
  void Service(Connection& c, Clock::time_point now, bool socket_error) {
    if (c.connecting) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c.upstream, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) {
        // Still in progress unless writable; a zero SO_ERROR and no POLLOUT means keep waiting.
        pollfd p{c.upstream, POLLOUT, 0};
        if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) c.connecting = false;
      }
      if (err != 0) {
        Log(LogLevel::kDebug, "fault proxy :{}: connect to upstream: {}", port_,
            std::strerror(err));
        return Fail(c);
      }
    }
    // A reset or error on a socket (possibly one not being read: backpressure, after its EOF):
    // pass it on as a reset.
    if (socket_error) return Fail(c);
    if (!ReadSide(c.client, c.up, now)) return Fail(c);
    if (!c.connecting) {
      if (!ReadSide(c.upstream, c.down, now)) return Fail(c);
      if (!WriteSide(c.upstream, c.up, now, bytes_up_)) return Fail(c);
    }
    if (!WriteSide(c.client, c.down, now, bytes_down_)) return Fail(c);
  }

  void Fail(Connection& c) {
    CloseConnection(c, /*reset=*/true);  // sets client = -1: removed by the loop
  }

  // Reads what is available from `fd` into `d` (bounded by kMaxPendingBytes). False on error.
  bool ReadSide(int fd, Direction& d, Clock::time_point now) {
    auto due = now + std::chrono::milliseconds(latency_ms_.load());
    while (d.CanRead()) {
      size_t want = std::min(kReadChunk, FaultProxy::kMaxPendingBytes - d.pending);
      std::string buf(want, '\0');
      ssize_t n = recv(fd, buf.data(), want, 0);
      if (n > 0) {
        buf.resize(static_cast<size_t>(n));
        d.pending += buf.size();
        d.queue.push_back(Chunk{std::move(buf), 0, due, false});
        if (static_cast<size_t>(n) < want) return true;  // drained for now
        continue;
      }
      if (n == 0) {
        d.read_eof = true;
        d.queue.push_back(Chunk{std::string(), 0, due, true});
        return true;
      }
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    return true;
  }

  // Writes the due chunks of `d` to `fd`. False on error.
  bool WriteSide(int fd, Direction& d, Clock::time_point now, std::atomic<int64_t>& counter) {
    while (d.Ready(now)) {
      Chunk& ch = d.queue.front();
      if (ch.eof) {
        shutdown(fd, SHUT_WR);
        d.write_done = true;
        d.queue.pop_front();
        return true;
      }
      ssize_t n = send(fd, ch.data.data() + ch.offset, ch.data.size() - ch.offset, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
      }
      ch.offset += static_cast<size_t>(n);
      d.pending -= static_cast<size_t>(n);
      counter.fetch_add(n);
      if (ch.offset == ch.data.size()) d.queue.pop_front();
    }
    return true;
  }

  void CloseConnection(Connection& c, bool reset) {
    if (reset) {
      ResetAndClose(c.client);
      ResetAndClose(c.upstream);
    } else {
      if (c.client >= 0) close(c.client);
      if (c.upstream >= 0) close(c.upstream);
    }
    c.client = c.upstream = -1;
    c.up = Direction();
    c.down = Direction();
  }

  const int listen_fd_;
  const int port_;
  const sockaddr_storage upstream_;
  const socklen_t upstream_len_;
  const int wake_r_, wake_w_;

  // Shared with control threads.
  std::mutex mu_;
  std::condition_variable applied_cv_;
  bool stop_ = false;
  FaultMode wanted_mode_ = FaultMode::kPass;
  uint64_t requested_gen_ = 0;
  uint64_t applied_gen_ = 0;
  std::atomic<FaultMode> public_mode_{FaultMode::kPass};
  std::atomic<int64_t> latency_ms_{0};
  std::atomic<int64_t> connections_{0}, bytes_up_{0}, bytes_down_{0}, resets_{0};

  // Loop thread only.
  FaultMode mode_ = FaultMode::kPass;
  std::list<Connection> conns_;  // stable addresses while a round holds pointers
  std::thread thread_;
};

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(const std::string& upstream_host,
                                                      int upstream_port, int listen_port) {
  std::string where = fmt::format("fault proxy to {}:{}", upstream_host, upstream_port);
  if (upstream_host.empty()) return InvalidArgument(fmt::format("{}: empty upstream host", where));
  if (upstream_port <= 0 || upstream_port > 65535)
    return InvalidArgument(fmt::format("{}: upstream port out of range", where));
  if (listen_port < 0 || listen_port > 65535)
    return InvalidArgument(fmt::format("{}: listen port {} out of range", where, listen_port));

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(upstream_port);
  if (int rc = getaddrinfo(upstream_host.c_str(), port_text.c_str(), &hints, &res); rc != 0)
    return Unavailable(fmt::format("{}: cannot resolve host: {}", where, gai_strerror(rc)));
  sockaddr_storage upstream{};
  socklen_t upstream_len = static_cast<socklen_t>(res->ai_addrlen);
  std::memcpy(&upstream, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) return Unavailable(fmt::format("{}: {}", where, Errno("socket")));
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(listen_port));
  if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(lfd, 128) != 0) {
    Status s = Unavailable(
        fmt::format("{}: listen on 127.0.0.1:{}: {}", where, listen_port, std::strerror(errno)));
    close(lfd);
    return s;
  }
  socklen_t alen = sizeof addr;
  getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &alen);
  int port = ntohs(addr.sin_port);

  int pipefd[2];
  if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC) != 0) {
    Status s = Unavailable(fmt::format("{}: {}", where, Errno("pipe")));
    close(lfd);
    return s;
  }
  auto impl = std::make_unique<Impl>(lfd, port, upstream, upstream_len, pipefd[0], pipefd[1]);
  Log(LogLevel::kDebug, "{}: listening on 127.0.0.1:{}", where, port);
  return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(impl)));
}

FaultProxy::FaultProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaultProxy::~FaultProxy() = default;

int FaultProxy::port() const {
  return impl_->port();
}
void FaultProxy::Pass() {
  impl_->Request(FaultMode::kPass);
}
void FaultProxy::Cut() {
  impl_->Request(FaultMode::kCut);
}
void FaultProxy::Blackhole() {
  impl_->Request(FaultMode::kBlackhole);
}
void FaultProxy::SetLatency(std::chrono::milliseconds one_way) {
  impl_->SetLatency(one_way);
}
FaultMode FaultProxy::mode() const {
  return impl_->mode();
}
std::chrono::milliseconds FaultProxy::latency() const {
  return impl_->latency();
}
FaultProxy::Stats FaultProxy::stats() const {
  return impl_->stats();
}

}  // namespace cutover::proxy
