// An S3-compatible server for the s3:// lakehouse tests: tests/s3_server/s3_server.cjs (s3rver
// from npm plus SigV4 verification, ListMultipartUploads / AbortMultipartUpload and a request
// log), started on a free loopback port with one bucket and one key pair, stoppable and
// restartable on the same port and data folder (an outage), and mirrored into a plain folder so
// DuckDB reads the objects as files.
#pragma once

#include <sys/types.h>

#include <string>

namespace cutover::testing {

// Installs the server once per process (scripts/install-s3-server.sh, a no-op when present);
// "" or the failure.
const std::string& S3ServerReady();

class S3Server {
 public:
  static constexpr const char* kAccessKey = "AKIACUTOVERTEST";
  static constexpr const char* kSecret = "cutover-test-secret-Zq93xK";

  // `dir`: a folder of the test's own (data and log go there).
  S3Server(std::string dir, std::string bucket);
  ~S3Server();  // SIGKILL if running

  // Starts (or restarts after Stop) on the same port and data; "" or why not.
  std::string Start();
  // Kills the server at once (an outage: no goodbye to open connections).
  void Stop();
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Sets AWS_ENDPOINT_URL, AWS_REGION and the key pair (`secret`: the one to sign with) in this
  // process's environment, which every cutover child inherits.
  void ExportEnvironment(const std::string& secret = kSecret) const;
  // The request log: "METHOD /path?query STATUS" lines.
  std::string Log() const;
  // Copies every object under `prefix` to `to`/<key> (a folder DuckDB can glob); its path.
  std::string Mirror(const std::string& prefix, const std::string& to) const;
  // Incomplete multipart uploads the server holds.
  int IncompleteUploads() const;
  std::string data() const { return dir_ + "/data"; }

 private:
  std::string dir_, bucket_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace cutover::testing
