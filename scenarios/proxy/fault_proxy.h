// FaultProxy: a loopback TCP proxy that the scenario runner puts between the engine and an
// endpoint (PostgreSQL, MariaDB) to inject network faults on demand.
//
// Design: one thread runs a poll() loop over every connection (client side and upstream side,
// non-blocking), so a fault is a change of what that loop polls, not a race between threads:
//  - kPass: bytes are forwarded; with a latency L each chunk read at time t is written at t + L,
//    per direction, order preserved (the pipe behaves like a long wire, not a slow one).
//  - kCut: every open connection is reset on both sides (SO_LINGER 0 -> RST, as a dropped
//    route or a firewall reject), pending bytes are dropped, and new connections are accepted
//    and reset at once until Pass().
//  - kBlackhole: connections are simply not polled: no byte moves and no FIN or RST is passed
//    on; what the proxy already read is held and the peers' kernels hold the rest, as TCP
//    retransmission would, so after Pass() everything arrives in order. New connections are
//    accepted and their upstream connect is deferred until Pass() (a SYN would be lost too).
// Memory is bounded: a side is no longer read while more than kMaxPendingBytes wait to be
// written to the other side (backpressure reaches the sender through TCP).
// Mode changes are synchronous: when Cut() returns, the open connections are reset.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/status.h"

namespace cutover::proxy {

enum class FaultMode { kPass, kCut, kBlackhole };

const char* FaultModeName(FaultMode mode);  // "pass", "cut", "blackhole"

class FaultProxy {
 public:
  // Bytes queued per direction of a connection before that direction's sender stops being read.
  static constexpr size_t kMaxPendingBytes = 4 << 20;

  // Listens on 127.0.0.1:listen_port (0 = a free port) and forwards each accepted connection to
  // upstream_host:upstream_port (resolved once, here). Runs its own thread until destroyed.
  static Result<std::unique_ptr<FaultProxy>> Start(const std::string& upstream_host,
                                                   int upstream_port, int listen_port = 0);
  ~FaultProxy();  // closes everything, joins the thread

  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const;  // the listening port

  void Pass();       // normal forwarding (also: end of a blackhole or cut)
  void Cut();        // resets every open connection, resets new ones until Pass()
  void Blackhole();  // stalls every connection, old and new, holding their bytes
  // Added delay per direction, 0 = none; applies to bytes read from now on, in every mode.
  void SetLatency(std::chrono::milliseconds one_way);

  FaultMode mode() const;
  std::chrono::milliseconds latency() const;

  struct Stats {
    int64_t connections = 0;  // accepted since Start
    int64_t bytes_up = 0;     // written to the upstream
    int64_t bytes_down = 0;   // written back to clients
    int64_t resets = 0;       // connections reset by a cut (open ones and refused new ones)
  };
  Stats stats() const;

  class Impl;  // the poll loop (fault_proxy.cc)

 private:
  explicit FaultProxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cutover::proxy
