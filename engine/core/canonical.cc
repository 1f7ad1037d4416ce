#include "engine/core/canonical.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <xxhash.h>

#include <fmt/format.h>

namespace cutover {
namespace canonical {
namespace {

void AppendI64(char tag, int64_t v, std::string& out) {
  char b[9];
  b[0] = tag;
  std::memcpy(b + 1, &v, 8);
  out.append(b, 9);
}

// `tag`, the u32 length, then `s`. Short payloads (every number, most strings) are assembled on
// the stack and appended once: resize() would zero-fill first, and separate appends each check
// the capacity; this is the validator's innermost loop.
void AppendTagged(char tag, std::string_view s, std::string& out) {
  uint32_t n = static_cast<uint32_t>(s.size());
  char head[64];
  head[0] = tag;
  std::memcpy(head + 1, &n, 4);  // little-endian hosts only (x86-64, aarch64)
  if (s.size() <= sizeof head - 5) {
    if (!s.empty()) std::memcpy(head + 5, s.data(), s.size());
    out.append(head, 5 + s.size());
    return;
  }
  out.append(head, 5);
  out.append(s);
}

// An integer's decimal digits written behind the tag and length slots, appended once.
template <typename T>
void AppendInteger(T v, std::string& out) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf + 5, buf + sizeof buf, v);
  uint32_t n = static_cast<uint32_t>(p - (buf + 5));
  buf[0] = kNumberTag;
  std::memcpy(buf + 1, &n, 4);
  out.append(buf, 5 + n);
}

bool AllDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

void AppendNull(std::string& out) {
  out += static_cast<char>(kNullTag);
}

// True if `t` is already canonical integer text: "0", or an optional '-' then a non-zero digit
// then digits. Integers as PostgreSQL and MariaDB print them always are.
bool IsCanonicalInteger(std::string_view t) {
  size_t i = !t.empty() && t[0] == '-' ? 1 : 0;
  if (i == t.size()) return false;
  if (t[i] == '0') return t.size() == 1;
  for (; i < t.size(); ++i)
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

void AppendNumberText(std::string_view t, std::string& out, int round_scale) {
  if (IsCanonicalInteger(t)) return AppendTagged(kNumberTag, t, out);  // the common case
  if (t == "NaN" || t == "Infinity" || t == "-Infinity") return AppendTagged(kNumberTag, t, out);
  std::string_view body = t;
  bool neg = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  size_t dot = body.find('.');
  std::string_view ip = body.substr(0, dot);
  std::string_view fp = dot == std::string_view::npos ? std::string_view() : body.substr(dot + 1);
  if ((ip.empty() && fp.empty()) || !AllDigits(ip) || !AllDigits(fp))
    return AppendTagged(kNumberTag, t, out);  // not decimal text: equal only to itself
  while (!ip.empty() && ip[0] == '0') ip.remove_prefix(1);

  // Digits of the result (integer part then fraction), built only when rounding needs it.
  std::string rounded;
  size_t int_len = ip.size();
  if (round_scale >= 0 && fp.size() > static_cast<size_t>(round_scale)) {
    bool up = fp[static_cast<size_t>(round_scale)] >= '5';
    rounded.assign(ip);
    rounded.append(fp.substr(0, static_cast<size_t>(round_scale)));
    if (up) {
      size_t i = rounded.size();
      while (i > 0 && rounded[i - 1] == '9') rounded[--i] = '0';
      if (i == 0) {
        rounded.insert(rounded.begin(), '1');
        ++int_len;
      } else {
        ++rounded[i - 1];
      }
    }
    ip = std::string_view(rounded).substr(0, int_len);
    fp = std::string_view(rounded).substr(int_len);
  }
  while (!fp.empty() && fp.back() == '0') fp.remove_suffix(1);
  while (!ip.empty() && ip[0] == '0') ip.remove_prefix(1);
  if (ip.empty() && fp.empty()) neg = false;  // -0, -0.000 -> 0

  size_t len = (neg ? 1 : 0) + (ip.empty() ? 1 : ip.size()) + (fp.empty() ? 0 : fp.size() + 1);
  char small[64];  // short numbers are assembled on the stack and appended once
  size_t at = out.size();
  if (len + 5 > sizeof small) out.resize(at + 5 + len);
  char* const start = len + 5 > sizeof small ? out.data() + at : small;
  char* p = start;
  *p++ = kNumberTag;
  uint32_t len32 = static_cast<uint32_t>(len);
  std::memcpy(p, &len32, 4);
  p += 4;
  if (neg) *p++ = '-';
  if (ip.empty()) {
    *p++ = '0';
  } else {
    std::memcpy(p, ip.data(), ip.size());
    p += ip.size();
  }
  if (!fp.empty()) {
    *p++ = '.';
    std::memcpy(p, fp.data(), fp.size());
  }
  if (start == small) out.append(small, 5 + len);
}

void AppendNormalNumber(std::string_view text, std::string& out) {
  AppendTagged(kNumberTag, text, out);
}

void AppendInt64(int64_t v, std::string& out) {
  AppendInteger(v, out);
}
void AppendUInt64(uint64_t v, std::string& out) {
  AppendInteger(v, out);
}

void AppendFloat(double v, std::string& out) {
  if (std::isnan(v)) return AppendTagged(kFloatTag, "NaN", out);
  if (std::isinf(v)) return AppendTagged(kFloatTag, v > 0 ? "Infinity" : "-Infinity", out);
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  AppendTagged(kFloatTag, std::string_view(buf, static_cast<size_t>(p - buf)), out);
}

void AppendString(std::string_view s, std::string& out) {
  AppendTagged(kStringTag, s, out);
}

void AppendText(std::string_view s, const CanonicalRule& rule, std::string& out) {
  if (rule.strip_trailing_spaces)  // L1
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  AppendString(s, out);
}
void AppendBytes(std::string_view b, std::string& out) {
  AppendTagged(kBytesTag, b, out);
}
void AppendDate(int64_t days, std::string& out) {
  AppendI64(kDateTag, days, out);
}
void AppendTime(int64_t micros, std::string& out) {
  AppendI64(kTimeTag, micros, out);
}
void AppendTimestamp(int64_t micros, std::string& out) {
  AppendI64(kTimestampTag, micros, out);
}

bool ParseIntervalMicros(std::string_view t, int64_t& micros) {
  int64_t total = 0;
  bool any = false;
  while (!t.empty()) {
    size_t sp = t.find(' ');
    std::string_view tok = t.substr(0, sp);
    t = sp == std::string_view::npos ? std::string_view() : t.substr(sp + 1);
    if (tok.empty()) continue;
    bool neg = tok[0] == '-';
    if (tok[0] == '-' || tok[0] == '+') tok.remove_prefix(1);
    if (tok.find(':') == std::string_view::npos) {  // "N day(s)"
      size_t sp2 = t.find(' ');
      std::string_view unit = t.substr(0, sp2);
      t = sp2 == std::string_view::npos ? std::string_view() : t.substr(sp2 + 1);
      if (unit != "day" && unit != "days") return false;  // years/months have no fixed length
      int64_t days;
      auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), days);
      if (ec != std::errc() || p != tok.data() + tok.size()) return false;
      total += (neg ? -days : days) * 86400LL * 1000000;
      any = true;
      continue;
    }
    // [H]H:MM:SS[.ffffff], hours unbounded.
    int64_t h = 0, m = 0, s = 0, frac = 0;
    size_t c1 = tok.find(':'), c2 = tok.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return false;
    std::string_view hs = tok.substr(0, c1), ms = tok.substr(c1 + 1, c2 - c1 - 1),
                     ss = tok.substr(c2 + 1);
    size_t dot = ss.find('.');
    std::string_view fs = dot == std::string_view::npos ? std::string_view() : ss.substr(dot + 1);
    ss = ss.substr(0, dot);
    if (hs.empty() || ms.size() != 2 || ss.size() != 2 || fs.size() > 6 || !AllDigits(hs) ||
        !AllDigits(ms) || !AllDigits(ss) || !AllDigits(fs))
      return false;
    std::from_chars(hs.data(), hs.data() + hs.size(), h);
    std::from_chars(ms.data(), ms.data() + ms.size(), m);
    std::from_chars(ss.data(), ss.data() + ss.size(), s);
    for (size_t i = 0; i < 6; ++i) frac = frac * 10 + (i < fs.size() ? fs[i] - '0' : 0);
    int64_t us = ((h * 60 + m) * 60 + s) * 1000000 + frac;
    total += neg ? -us : us;
    any = true;
  }
  if (!any) return false;
  micros = total;
  return true;
}

}  // namespace canonical

void AppendCanonical(const Value& v, const CanonicalRule& rule, std::string& out) {
  using namespace canonical;
  switch (v.kind()) {
    case ValueKind::kNull:
      return AppendNull(out);
    case ValueKind::kUnchanged:
      out += static_cast<char>(0xFF);
      return;
    case ValueKind::kBool:
      return AppendInt64(v.as_bool() ? 1 : 0, out);
    case ValueKind::kInt64:
      return AppendInt64(v.as_int64(), out);
    case ValueKind::kUInt64:
      return AppendUInt64(v.as_uint64(), out);
    case ValueKind::kFloat64:
      if (rule.non_finite_float_as_null && !std::isfinite(v.as_double())) return AppendNull(out);
      if (rule.nan_float_as_null && std::isnan(v.as_double())) return AppendNull(out);
      if (rule.negative_zero_as_zero && v.as_double() == 0) return AppendFloat(0.0, out);
      return AppendFloat(v.as_double(), out);
    case ValueKind::kDecimal:
      return AppendNumberText(v.str(), out, rule.round_decimal_scale);
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
    case ValueKind::kOther: {
      std::string_view s = v.str();
      if (v.kind() == ValueKind::kOther) {
        if (rule.zero_date_as_null) return AppendNull(out);
        int64_t us;
        if (rule.interval_as_time && ParseIntervalMicros(s, us)) return AppendTime(us, out);
      }
      return AppendText(s, rule, out);
    }
    case ValueKind::kBytes:
      return AppendBytes(v.str(), out);
    case ValueKind::kDate:
      return AppendDate(v.as_micros_or_days(), out);
    case ValueKind::kTime:
      return AppendTime(v.as_micros_or_days(), out);
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      return AppendTimestamp(v.as_micros_or_days(), out);
  }
}

RowHash HashCanonicalRow(std::string_view encoded_row) {
  XXH128_hash_t h = XXH3_128bits(encoded_row.data(), encoded_row.size());
  return RowHash{h.low64, h.high64};
}

std::string RowHashSum::SumHex() const {
  return fmt::format("{:016x}{:016x}", static_cast<uint64_t>(sum >> 64),
                     static_cast<uint64_t>(sum));
}

}  // namespace cutover
