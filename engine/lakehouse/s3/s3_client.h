// S3Client: the S3 REST operations an s3:// lakehouse target needs, signed, retried, and with
// errors that say what failed where.
//
// Design: each operation is one signed HTTP request (sigv4.h) sent on a pooled keep-alive
// connection (http_client.h), so threads (parallel table loads) never share a connection.
// Requests that fail for a reason worth retrying (no connection, a reset, HTTP 5xx, 429 SlowDown,
// 400 RequestTimeout) are retried with exponential backoff (200 ms doubling, `max_attempts` in
// all, a few seconds), then fail kUnavailable, so a longer outage ends the run and the
// supervisor (engine/pipeline/supervise.h) resumes from the manifest as after a restart. Every
// error names the bucket and key, the HTTP status and S3's error code and message; the secret,
// the session token and any signature are scrubbed from it. HTTP 401/403 are
// kPermissionDenied, 404 kNotFound.
//
// Addressing: virtual-hosted (https://bucket.s3.REGION.amazonaws.com/key) on AWS, path-style
// (ENDPOINT/bucket/key) when an endpoint override is set (S3-compatible stores) or the bucket
// name has a dot (TLS certificates do not cover it).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/status.h"
#include "engine/lakehouse/s3/aws_credentials.h"
#include "engine/lakehouse/s3/http_client.h"

namespace cutover::lakehouse::s3 {

struct S3ClientConfig {
  std::string bucket;
  // scheme://host[:port][/base path] requests go to (path-style), or the AWS regional endpoint.
  std::string endpoint;
  bool path_style = false;
  std::string region;
  AwsCredentials credentials;
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{200};
  HttpClientOptions http;
};

// The configuration of `bucket` from the environment: credentials (aws_credentials.h), region,
// endpoint override AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (as the AWS SDKs read them),
// AWS_CA_BUNDLE.
Result<S3ClientConfig> ResolveS3Config(const std::string& bucket, const EnvLookup& env);

struct S3ListPage {
  std::vector<std::string> keys;
  std::optional<std::string> continuation;  // set when more keys follow
};

struct S3MultipartUpload {
  std::string key;
  std::string upload_id;
};

struct S3UploadsPage {
  std::vector<S3MultipartUpload> uploads;
  std::optional<std::pair<std::string, std::string>> next;  // key marker, upload id marker
};

class S3Client {
 public:
  explicit S3Client(S3ClientConfig config);
  ~S3Client();

  const S3ClientConfig& config() const { return config_; }

  Status PutObject(const std::string& key, std::string_view body);
  // kNotFound when absent.
  Result<std::string> GetObject(const std::string& key);
  // Missing keys are not an error.
  Status DeleteObject(const std::string& key);
  // ListObjectsV2: one page of keys starting with `prefix`.
  Result<S3ListPage> ListObjects(const std::string& prefix,
                                 const std::optional<std::string>& continuation);
  Result<std::string> CreateMultipartUpload(const std::string& key);
  // The part's ETag.
  Result<std::string> UploadPart(const std::string& key, const std::string& upload_id,
                                 int part_number, std::string_view body);
  // `etags[i]` is part i+1's. Completing an upload that a lost response already completed
  // succeeds when the object is there with `total_bytes`.
  Status CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                 const std::vector<std::string>& etags, int64_t total_bytes);
  // An upload already gone is not an error.
  Status AbortMultipartUpload(const std::string& key, const std::string& upload_id);
  Result<S3UploadsPage> ListMultipartUploads(
      const std::string& prefix, const std::optional<std::pair<std::string, std::string>>& from);
  // The object's size; kNotFound when absent.
  Result<int64_t> HeadObject(const std::string& key);

  // "s3://bucket/key" (for messages).
  std::string Where(const std::string& key) const;

 private:
  struct Call;
  Result<HttpResponse> Execute(const Call& call);
  Result<HttpResponse> SendOnce(const Call& call);
  Status ErrorOf(const Call& call, const HttpResponse& r) const;
  std::string Scrub(std::string message) const;
  std::unique_ptr<HttpClient> Acquire();
  void Release(std::unique_ptr<HttpClient> client);

  S3ClientConfig config_;
  std::string scheme_, host_, base_path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpClient>> idle_;
};

}  // namespace cutover::lakehouse::s3
