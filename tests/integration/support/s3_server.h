// An S3-compatible server for the s3:// lakehouse tests: harness::ThrowawayS3Server
// (tests/s3_server/s3_server.cjs: s3rver from npm plus SigV4 verification, ListMultipartUploads /
// AbortMultipartUpload and a request log) with the test key pair, stoppable and restartable on
// the same port and data folder (an outage), over HTTP or HTTPS, and mirrored into a plain folder
// so DuckDB reads the objects as files.
#pragma once

#include <memory>
#include <string>

#include "harness/throwaway_s3_server.h"

namespace cutover::testing {

// Installs the server once per process (scripts/install-s3-server.sh, a no-op when present);
// "" or the failure.
const std::string& S3ServerReady();

class S3Server {
 public:
  static constexpr const char* kAccessKey = "AKIACUTOVERTEST";
  static constexpr const char* kSecret = "cutover-test-secret-Zq93xK";

  // `dir`: a folder of the test's own (data and log go there). With `tls_cert` and `tls_key`
  // (PEM files) the server speaks HTTPS.
  S3Server(std::string dir, std::string bucket, std::string tls_cert = "",
           std::string tls_key = "");
  ~S3Server();  // SIGKILL if running

  // Starts (or restarts after Stop) on the same port and data; "" or why not.
  std::string Start();
  // Kills the server at once (an outage: no goodbye to open connections).
  void Stop();
  // Requests whose "METHOD /path" matches `match` are refused (503 SlowDown, nothing stored) or,
  // with `lose_reply`, done and answered by a dropped connection; until ClearFault. "" or why not.
  std::string SetFault(const std::string& match, bool lose_reply = false);
  std::string ClearFault();
  int port() const { return server_ ? server_->port() : 0; }
  // http(s)://127.0.0.1:PORT
  std::string endpoint() const { return server_ ? server_->endpoint() : ""; }
  // Sets AWS_ENDPOINT_URL, AWS_REGION and the key pair (`secret`: the one to sign with) in this
  // process's environment, which every cutover child inherits.
  void ExportEnvironment(const std::string& secret = kSecret) const;
  // The request log: "METHOD /path?query STATUS" lines.
  std::string Log() const;
  // Copies every object under `prefix` to `to`/<key> (a folder DuckDB can glob); its path.
  std::string Mirror(const std::string& prefix, const std::string& to) const;
  // Incomplete multipart uploads the server holds.
  int IncompleteUploads() const;
  std::string data() const { return options_.dir + "/data"; }
  // `stem` made unique to this server's folder ("zoo" -> "zoo-ab12cd"), for a target prefix: a
  // task's change spool is named by the target URI ($TMPDIR/cutover-task-TASK-HASH), so an
  // s3:// URI another test or an earlier run used would find that one's spool.
  std::string UniquePrefix(const std::string& stem) const;

 private:
  harness::S3ServerOptions options_;
  std::unique_ptr<harness::ThrowawayS3Server> server_;
};

}  // namespace cutover::testing
