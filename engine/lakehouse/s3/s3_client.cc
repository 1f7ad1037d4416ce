#include "engine/lakehouse/s3/s3_client.h"

#include <chrono>
#include <random>
#include <regex>
#include <thread>

#include "engine/core/markup_escape.h"
#include "engine/lakehouse/s3/s3_xml.h"
#include "engine/lakehouse/s3/sigv4.h"

namespace cutover::lakehouse::s3 {

struct S3Client::Call {
  std::string method;
  std::string key;  // "" = the bucket itself
  std::vector<std::pair<std::string, std::string>> query;
  std::string_view body;
  std::string what;     // "PutObject" (for messages)
  std::string subject;  // what messages name when not the key (a listed prefix)
  std::string Named() const { return subject.empty() ? key : subject; }
};

namespace {

bool Retryable(long status, const std::string& code) {
  return status >= 500 || status == 429 || code == "RequestTimeout" || code == "SlowDown" ||
         code == "InternalError";
}

}  // namespace

Result<S3ClientConfig> ResolveS3Config(const std::string& bucket, const EnvLookup& env) {
  S3ClientConfig c;
  c.bucket = bucket;
  ASSIGN_OR_RETURN(c.credentials, LoadAwsCredentials(env));
  c.region = ResolveRegion(env);
  std::string endpoint = env("AWS_ENDPOINT_URL_S3");
  if (endpoint.empty()) endpoint = env("AWS_ENDPOINT_URL");
  if (!endpoint.empty()) {
    if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0)
      return InvalidArgument("AWS_ENDPOINT_URL(_S3) '" + endpoint +
                             "': expected http://host[:port] or https://host[:port]");
    while (endpoint.size() > 8 && endpoint.back() == '/') endpoint.pop_back();
    c.endpoint = endpoint;
    c.path_style = true;
  } else {
    c.endpoint = "https://s3." + c.region + ".amazonaws.com";
    c.path_style = bucket.find('.') != std::string::npos;
  }
  c.http.ca_bundle = env("AWS_CA_BUNDLE");
  return c;
}

S3Client::S3Client(S3ClientConfig config) : config_(std::move(config)) {
  size_t scheme_end = config_.endpoint.find("://");
  scheme_ = config_.endpoint.substr(0, scheme_end);
  std::string rest = config_.endpoint.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  host_ = rest.substr(0, slash);
  if (slash != std::string::npos) base_path_ = rest.substr(slash);
  if (!config_.path_style) host_ = config_.bucket + "." + host_;
}

S3Client::~S3Client() = default;

std::string S3Client::Where(const std::string& key) const {
  return "s3://" + config_.bucket + "/" + key;
}

std::unique_ptr<HttpClient> S3Client::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return std::make_unique<HttpClient>(config_.http);
}

void S3Client::Release(std::unique_ptr<HttpClient> client) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(client));
}

std::string S3Client::Scrub(std::string message) const {
  auto replace_all = [&](const std::string& secret) {
    if (secret.empty()) return;
    for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at))
      message.replace(at, secret.size(), "[redacted]");
  };
  replace_all(config_.credentials.secret_access_key);
  replace_all(config_.credentials.session_token);
  // Signatures (and any other 64-digit hex, such as a payload hash) are never shown.
  static const std::regex kHex64("[0-9a-fA-F]{64}");
  return std::regex_replace(message, kHex64, "[redacted]");
}

Result<HttpResponse> S3Client::SendOnce(const Call& call) {
  std::string path = base_path_;
  if (config_.path_style) path += "/" + UriEncode(config_.bucket, false);
  if (!call.key.empty() || !config_.path_style) path += "/" + UriEncode(call.key, true);
  std::string payload_hash = Sha256Hex(call.body);
  std::string amz_date = AmzDate(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  SigV4Request sig;
  sig.method = call.method;
  sig.canonical_uri = path;
  sig.query = call.query;
  sig.headers = {{"Host", host_}, {"x-amz-content-sha256", payload_hash}, {"x-amz-date", amz_date}};
  if (!config_.credentials.session_token.empty())
    sig.headers.emplace_back("x-amz-security-token", config_.credentials.session_token);
  sig.payload_sha256 = payload_hash;
  SigV4Key key{config_.credentials.access_key_id, config_.credentials.secret_access_key,
               config_.region, "s3"};
  HttpRequest request;
  request.method = call.method;
  std::string query = CanonicalQuery(call.query);
  request.url = scheme_ + "://" + host_ + path + (query.empty() ? "" : "?" + query);
  request.headers = sig.headers;
  request.headers.emplace_back("Authorization", AuthorizationHeader(sig, key, amz_date));
  request.body = call.body;
  auto client = Acquire();
  auto r = client->Send(request);
  // A client whose transfer failed may hold a broken connection: it is dropped, not pooled.
  if (r.ok()) Release(std::move(client));
  return r;
}

Status S3Client::ErrorOf(const Call& call, const HttpResponse& r) const {
  std::string code = XmlText(r.body, "Code").value_or("");
  std::string msg = XmlText(r.body, "Message").value_or("");
  std::string text = Where(call.Named()) + ": " + call.what + ": HTTP " + std::to_string(r.status) +
                     (code.empty() ? "" : " " + code) + (msg.empty() ? "" : ": " + msg);
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch")
    text += " (check the credentials from " + config_.credentials.source + ")";
  if (code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect")
    text += " (check the region: AWS_REGION is " + config_.region + ")";
  text = Scrub(text);
  if (r.status == 401 || r.status == 403) return PermissionDenied(text);
  if (r.status == 404) return NotFound(text);
  if (Retryable(r.status, code)) return Unavailable(text);
  return FailedPrecondition(text);
}

Result<HttpResponse> S3Client::Execute(const Call& call) {
  std::chrono::milliseconds backoff = config_.first_backoff;
  static thread_local std::mt19937 rng(std::random_device{}());
  Status last;
  for (int attempt = 1; attempt <= config_.max_attempts; ++attempt) {
    if (attempt > 1) {
      std::uniform_int_distribution<long> jitter(0, backoff.count() / 2);
      std::this_thread::sleep_for(backoff + std::chrono::milliseconds(jitter(rng)));
      backoff *= 2;
    }
    auto r = SendOnce(call);
    if (!r.ok()) {
      last = Status(r.status().code(),
                    Scrub(Where(call.Named()) + ": " + call.what + ": " + r.status().message()));
      if (last.code() != StatusCode::kUnavailable) return last;
      continue;
    }
    if (r->status >= 200 && r->status < 300) return std::move(*r);
    Status s = ErrorOf(call, *r);
    if (s.code() != StatusCode::kUnavailable) return s;
    last = s;
  }
  return Status(last.code(),
                last.message() + " (after " + std::to_string(config_.max_attempts) + " attempts)");
}

Status S3Client::PutObject(const std::string& key, std::string_view body) {
  Call c{"PUT", key, {}, body, "PutObject"};
  return Execute(c).status();
}

Result<std::string> S3Client::GetObject(const std::string& key) {
  Call c{"GET", key, {}, {}, "GetObject"};
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  return std::move(r.body);
}

Result<int64_t> S3Client::HeadObject(const std::string& key) {
  Call c{"HEAD", key, {}, {}, "HeadObject"};
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  auto it = r.headers.find("content-length");
  return it == r.headers.end() ? int64_t{-1} : std::stoll(it->second);
}

Status S3Client::DeleteObject(const std::string& key) {
  Call c{"DELETE", key, {}, {}, "DeleteObject"};
  Status s = Execute(c).status();
  if (s.code() == StatusCode::kNotFound && s.message().find("NoSuchBucket") == std::string::npos)
    return Status::Ok();
  return s;
}

Result<S3ListPage> S3Client::ListObjects(const std::string& prefix,
                                         const std::optional<std::string>& continuation) {
  Call c{"GET", "", {{"list-type", "2"}, {"prefix", prefix}}, {}, "ListObjectsV2", prefix};
  if (continuation) c.query.emplace_back("continuation-token", *continuation);
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  S3ListPage page;
  for (std::string_view contents : XmlElements(r.body, "Contents"))
    if (auto k = XmlText(contents, "Key")) page.keys.push_back(*k);
  if (XmlText(r.body, "IsTruncated").value_or("false") == "true") {
    page.continuation = XmlText(r.body, "NextContinuationToken");
    if (!page.continuation || page.continuation->empty())
      return Internal(Where(prefix) + ": ListObjectsV2: truncated without a continuation token");
  }
  return page;
}

Result<std::string> S3Client::CreateMultipartUpload(const std::string& key) {
  Call c{"POST", key, {{"uploads", ""}}, {}, "CreateMultipartUpload"};
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  auto id = XmlText(r.body, "UploadId");
  if (!id || id->empty())
    return Internal(Where(key) + ": CreateMultipartUpload: the answer has no UploadId");
  return *id;
}

Result<std::string> S3Client::UploadPart(const std::string& key, const std::string& upload_id,
                                         int part_number, std::string_view body) {
  Call c{"PUT",
         key,
         {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}},
         body,
         "UploadPart " + std::to_string(part_number)};
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  auto it = r.headers.find("etag");
  if (it == r.headers.end())
    return Internal(Where(key) + ": UploadPart " + std::to_string(part_number) +
                    ": the answer has no ETag");
  return it->second;
}

Status S3Client::CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                         const std::vector<std::string>& etags,
                                         int64_t total_bytes) {
  std::string body = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i)
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
            MarkupEscape(etags[i]) + "</ETag></Part>";
  body += "</CompleteMultipartUpload>";
  Call c{"POST", key, {{"uploadId", upload_id}}, body, "CompleteMultipartUpload"};
  auto r = Execute(c);
  if (!r.ok()) {
    // A retry after a lost answer finds the upload gone because the first request completed it.
    if (r.status().code() == StatusCode::kNotFound &&
        r.status().message().find("NoSuchUpload") != std::string::npos) {
      auto size = HeadObject(key);
      if (size.ok() && *size == total_bytes) return Status::Ok();
    }
    return r.status();
  }
  // S3 may answer 200 with an <Error> body when the completion failed after it started.
  if (r->body.find("<Error>") != std::string::npos) return ErrorOf(c, *r);
  return Status::Ok();
}

Status S3Client::AbortMultipartUpload(const std::string& key, const std::string& upload_id) {
  Call c{"DELETE", key, {{"uploadId", upload_id}}, {}, "AbortMultipartUpload"};
  Status s = Execute(c).status();
  if (s.code() == StatusCode::kNotFound) return Status::Ok();
  return s;
}

Result<S3UploadsPage> S3Client::ListMultipartUploads(
    const std::string& prefix, const std::optional<std::pair<std::string, std::string>>& from) {
  Call c{"GET", "", {{"uploads", ""}, {"prefix", prefix}}, {}, "ListMultipartUploads", prefix};
  if (from) {
    c.query.emplace_back("key-marker", from->first);
    c.query.emplace_back("upload-id-marker", from->second);
  }
  ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  S3UploadsPage page;
  for (std::string_view u : XmlElements(r.body, "Upload")) {
    auto k = XmlText(u, "Key");
    auto id = XmlText(u, "UploadId");
    if (k && id) page.uploads.push_back({*k, *id});
  }
  if (XmlText(r.body, "IsTruncated").value_or("false") == "true")
    page.next = std::make_pair(XmlText(r.body, "NextKeyMarker").value_or(""),
                               XmlText(r.body, "NextUploadIdMarker").value_or(""));
  return page;
}

}  // namespace cutover::lakehouse::s3
