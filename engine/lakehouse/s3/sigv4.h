// AWS Signature Version 4: the signature every S3 request carries.
//
// Design: the signing is a pure function of the request's parts, the credentials and the time, so
// it is unit-tested against AWS's published test vectors (tests/unit/s3_sigv4_test.cc) without a
// server. S3's flavour: the canonical URI is the path as sent (each segment URI-encoded once, not
// normalised), the payload's SHA-256 is sent in x-amz-content-sha256 and signed. Hashing and HMAC
// come from OpenSSL's libcrypto (Debian's libssl-dev). The secret never leaves this file except
// as the derived signing key inside a signature.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cutover::lakehouse::s3 {

// Lower-case hex of SHA-256(bytes).
std::string Sha256Hex(std::string_view bytes);
// HMAC-SHA256(key, data), raw 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);
// RFC 3986 percent-encoding as SigV4 wants it: A-Z a-z 0-9 - . _ ~ kept, every other byte %XX
// (upper-case hex); '/' kept when `keep_slash` (object keys in a path).
std::string UriEncode(std::string_view s, bool keep_slash);

struct SigV4Request {
  std::string method;         // "GET"
  std::string canonical_uri;  // the path as sent, already encoded ("/bucket/a%20b")
  // Raw (not encoded) query parameters; order does not matter.
  std::vector<std::pair<std::string, std::string>> query;
  // Every header to sign (must include host); names in any case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_sha256;  // hex, or "UNSIGNED-PAYLOAD"
};

struct SigV4Key {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;   // "us-east-1"
  std::string service;  // "s3"
};

// The canonical query string: encoded name=value pairs sorted by name then value, joined by '&'.
// The request must send exactly this string.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);
std::string CanonicalRequest(const SigV4Request& r);
// `amz_date`: "20150830T123600Z".
std::string StringToSign(const SigV4Request& r, const SigV4Key& k, const std::string& amz_date);
// Lower-case hex signature.
std::string Signature(const SigV4Request& r, const SigV4Key& k, const std::string& amz_date);
// The Authorization header's value.
std::string AuthorizationHeader(const SigV4Request& r, const SigV4Key& k,
                                const std::string& amz_date);
// "20150830T123600Z" of a Unix time (UTC).
std::string AmzDate(long long unix_seconds);

}  // namespace cutover::lakehouse::s3
