#include "engine/core/uri.h"

namespace cutover {

namespace {

// [begin, end) of the password in the user-info part, or npos.
std::pair<size_t, size_t> PasswordSpan(std::string_view uri) {
  size_t start = uri.find("://");
  if (start == std::string_view::npos) return {std::string_view::npos, 0};
  start += 3;
  // Like libpq: the authority ends at the first '/', and a password may contain '?' or '#'.
  size_t auth_end = uri.find('/', start);
  if (auth_end == std::string_view::npos) auth_end = uri.size();
  size_t at = uri.rfind('@', auth_end);
  if (at == std::string_view::npos || at < start) return {std::string_view::npos, 0};
  size_t colon = uri.find(':', start);
  if (colon == std::string_view::npos || colon > at) return {std::string_view::npos, 0};
  return {colon + 1, at};
}

}  // namespace

std::string PasswordOfUri(std::string_view uri) {
  auto [b, e] = PasswordSpan(uri);
  if (b == std::string_view::npos) return "";
  return std::string(uri.substr(b, e - b));
}

std::string RedactUri(std::string_view uri) {
  std::string out(uri);
  auto [b, e] = PasswordSpan(uri);
  if (b != std::string_view::npos) out.replace(b, e - b, "***");
  // password=... in the query string
  size_t q = out.find('?');
  while (q != std::string::npos) {
    size_t p = out.find("password=", q);
    if (p == std::string::npos) break;
    if (p > 0 && out[p - 1] != '?' && out[p - 1] != '&') {
      q = p + 1;
      continue;
    }
    size_t v = p + 9;
    size_t end = out.find('&', v);
    if (end == std::string::npos) end = out.size();
    out.replace(v, end - v, "***");
    q = v + 3;
  }
  return out;
}

std::string RedactSecret(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  size_t p = 0;
  while ((p = text.find(secret, p)) != std::string::npos) {
    text.replace(p, secret.size(), "***");
    p += 3;
  }
  return text;
}

}  // namespace cutover
