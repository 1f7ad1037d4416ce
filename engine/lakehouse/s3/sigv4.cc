#include "engine/lakehouse/s3/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>

namespace cutover::lakehouse::s3 {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Leading/trailing spaces removed, runs of spaces collapsed to one (SigV4's header rule).
std::string TrimValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SortedHeaders(const SigV4Request& r) {
  std::vector<std::pair<std::string, std::string>> h;
  for (const auto& [n, v] : r.headers) h.emplace_back(Lower(n), TrimValue(v));
  std::stable_sort(h.begin(), h.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // Repeated names join their values with ',' in order.
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [n, v] : h) {
    if (!out.empty() && out.back().first == n)
      out.back().second += "," + v;
    else
      out.emplace_back(n, v);
  }
  return out;
}

std::string SignedHeaderNames(const SigV4Request& r) {
  std::string out;
  for (const auto& [n, v] : SortedHeaders(r)) out += (out.empty() ? "" : ";") + n;
  return out;
}

std::string Scope(const SigV4Key& k, const std::string& amz_date) {
  return amz_date.substr(0, 8) + "/" + k.region + "/" + k.service + "/aws4_request";
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  return Hex(md, n);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n);
  return std::string(reinterpret_cast<const char*>(md), n);
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [n, v] : query) q.emplace_back(UriEncode(n, false), UriEncode(v, false));
  std::sort(q.begin(), q.end());
  std::string out;
  for (const auto& [n, v] : q) out += (out.empty() ? "" : "&") + n + "=" + v;
  return out;
}

std::string CanonicalRequest(const SigV4Request& r) {
  std::string out = r.method + "\n" + (r.canonical_uri.empty() ? "/" : r.canonical_uri) + "\n" +
                    CanonicalQuery(r.query) + "\n";
  for (const auto& [n, v] : SortedHeaders(r)) out += n + ":" + v + "\n";
  out += "\n" + SignedHeaderNames(r) + "\n" + r.payload_sha256;
  return out;
}

std::string StringToSign(const SigV4Request& r, const SigV4Key& k, const std::string& amz_date) {
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + Scope(k, amz_date) + "\n" +
         Sha256Hex(CanonicalRequest(r));
}

std::string Signature(const SigV4Request& r, const SigV4Key& k, const std::string& amz_date) {
  std::string key = HmacSha256("AWS4" + k.secret_access_key, amz_date.substr(0, 8));
  key = HmacSha256(key, k.region);
  key = HmacSha256(key, k.service);
  key = HmacSha256(key, "aws4_request");
  std::string sig = HmacSha256(key, StringToSign(r, k, amz_date));
  return Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::string AuthorizationHeader(const SigV4Request& r, const SigV4Key& k,
                                const std::string& amz_date) {
  return "AWS4-HMAC-SHA256 Credential=" + k.access_key_id + "/" + Scope(k, amz_date) +
         ", SignedHeaders=" + SignedHeaderNames(r) + ", Signature=" + Signature(r, k, amz_date);
}

std::string AmzDate(long long unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace cutover::lakehouse::s3
