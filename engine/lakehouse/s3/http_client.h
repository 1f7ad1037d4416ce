// HttpClient: one HTTP/1.1 connection's worth of requests, over libcurl.
//
// Design: S3 requests are plain HTTP/1.1 with a body in memory (a part is at most the part size),
// so the client is a thin, blocking wrapper of one libcurl easy handle, reused from request to
// request so its connection stays open (keep-alive) and TLS is negotiated once. libcurl (Debian's
// libcurl4-openssl-dev) brings HTTPS with the system's CA store (AWS_CA_BUNDLE overrides it, as in
// the AWS CLI), proxies from the usual variables, and connection reuse done right. A client is
// used by one thread at a time; the store keeps a pool. Transport failures (refused, reset,
// timeout) are kUnavailable and name the host, never a header; a certificate that is not trusted
// is kFailedPrecondition (retrying cannot help) and says how to trust a private CA.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/status.h"

namespace cutover::lakehouse::s3 {

struct HttpRequest {
  std::string method;  // GET PUT POST DELETE HEAD
  std::string url;     // scheme://host[:port]/path?query, already encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct HttpClientOptions {
  long connect_timeout_s = 10;
  // A request that moves fewer than 1 byte/s for this long is abandoned (a hung server).
  long stall_timeout_s = 60;
  std::string ca_bundle;  // "" = the system's
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // A response of any status; kUnavailable when none came; kFailedPrecondition when the
  // server's certificate is not trusted.
  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  HttpClientOptions options_;
  void* curl_;  // CURL*
};

}  // namespace cutover::lakehouse::s3
