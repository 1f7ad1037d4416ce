#include "engine/lakehouse/s3/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace cutover::lakehouse::s3 {
namespace {

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<HttpResponse*>(user)->body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  auto* r = static_cast<HttpResponse*>(user);
  if (line.rfind("HTTP/", 0) == 0) r->headers.clear();  // a new response (after 100 Continue)
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
      v.remove_suffix(1);
    r->headers[name] = std::string(v);
  }
  return size * n;
}

// The scheme://host[:port] of a URL (for messages: never the query).
std::string Origin(const std::string& url) {
  size_t start = url.find("://");
  size_t slash = url.find('/', start == std::string::npos ? 0 : start + 3);
  return url.substr(0, slash);
}

}  // namespace

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) return Internal("libcurl could not start a session");
  // Reset keeps the handle's open connections, so the next request reuses them.
  curl_easy_reset(c);
  HttpResponse response;
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_s);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response);
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "DELETE" || !request.body.empty()) {
      // The body is sent from memory as is (POSTFIELDS does not copy it).
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  curl_slist* headers = nullptr;
  bool has_type = false;
  for (const auto& [n, v] : request.headers) {
    headers = curl_slist_append(headers, (n + ": " + v).c_str());
    if (n == "Content-Type" || n == "content-type") has_type = true;
  }
  // No "Expect: 100-continue" round trip; no form content type for bodies.
  headers = curl_slist_append(headers, "Expect:");
  if (!has_type && request.method != "GET" && request.method != "HEAD")
    headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    std::string why = error[0] ? error : curl_easy_strerror(rc);
    std::string text = request.method + " " + Origin(request.url) + ": " + why;
    // A certificate the CA store does not trust (or a CA file that cannot be read) does not get
    // better by retrying: it is said at once, with what to do.
    if (rc == CURLE_PEER_FAILED_VERIFICATION)
      return FailedPrecondition(
          text + (options_.ca_bundle.empty()
                      ? " (a private CA: set AWS_CA_BUNDLE=/path/ca.pem)"
                      : " (not trusted by AWS_CA_BUNDLE " + options_.ca_bundle + ")"));
    if (rc == CURLE_SSL_CACERT_BADFILE)
      return FailedPrecondition(text + " (AWS_CA_BUNDLE " + options_.ca_bundle + ")");
    return Unavailable(text);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace cutover::lakehouse::s3
