// ThrowawayS3Server: an S3-compatible object store on a free 127.0.0.1 port that lives as long
// as the C++ object that started it, for the s3:// lakehouse tests and scenarios.
//
// Design: Debian packages no S3 server, so this runs tests/s3_server/s3_server.cjs (npm's s3rver
// plus SigV4 verification and the multipart calls it lacks; installed by
// scripts/install-s3-server.sh, which Start runs first and which does nothing when installed) with
// node. One bucket, one key pair; the secret reaches the server through its environment, never
// argv. Halt kills it at once (an outage: open connections just break) keeping its port and data;
// Resume starts it again on the same port, so the endpoint stays valid. With a certificate and
// key (PEM files), it serves HTTPS instead of HTTP. Found through harness::SourceDir().
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/status.h"

namespace cutover::harness {

struct S3ServerOptions {
  std::string dir;  // the server's own folder: data/ (the objects), requests.log, server.out
  std::string bucket;
  std::string access_key;
  std::string secret;
  std::string tls_cert, tls_key;  // PEM files: serve HTTPS ("" = HTTP)
};

class ThrowawayS3Server {
 public:
  // Installs the server if needed, picks a free port and starts it (the folder is created).
  static Result<std::unique_ptr<ThrowawayS3Server>> Start(S3ServerOptions options);
  ~ThrowawayS3Server();  // SIGKILL if running
  ThrowawayS3Server(const ThrowawayS3Server&) = delete;
  ThrowawayS3Server& operator=(const ThrowawayS3Server&) = delete;

  // An outage: Halt kills the server at once; Resume starts it again on the same port and data
  // (and does nothing when it runs).
  Status Halt();
  Status Resume();
  bool running() const { return pid_ > 0; }
  // A fault on requests whose "METHOD /path" matches `match` (ECMAScript regex), until
  // ClearFault: kRefuse answers 503 SlowDown and stores nothing; kLoseReply does the request,
  // then drops the connection instead of answering. Takes effect at the next request.
  enum class Fault { kRefuse, kLoseReply };
  Status SetFault(const std::string& match, Fault fault);
  Status ClearFault();

  int port() const { return port_; }
  // http(s)://127.0.0.1:PORT
  std::string endpoint() const;
  const S3ServerOptions& options() const { return options_; }
  std::string data_dir() const { return options_.dir + "/data"; }
  std::string log_file() const { return options_.dir + "/requests.log"; }
  std::string faults_file() const { return options_.dir + "/faults.json"; }
  // The AWS environment a client needs to reach this server (AWS_ENDPOINT_URL, AWS_REGION, the
  // key pair), as name/value pairs.
  std::vector<std::pair<std::string, std::string>> ClientEnvironment() const;

 private:
  explicit ThrowawayS3Server(S3ServerOptions options) : options_(std::move(options)) {}
  S3ServerOptions options_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace cutover::harness
