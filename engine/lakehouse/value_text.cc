#include "engine/lakehouse/value_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/core/civil_time.h"

namespace cutover::lakehouse {
namespace {

void AppendDate(int64_t days, std::string& out) {
  if (days == Value::kInfinity) return out.append("infinity"), void();
  if (days == Value::kMinusInfinity) return out.append("-infinity"), void();
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, y < 0 ? "%05lld-%02u-%02u" : "%04lld-%02u-%02u",
                static_cast<long long>(y), m, d);
  out += buf;
}

void AppendClock(int64_t micros, std::string& out) {  // micros >= 0
  char buf[48];
  long long us = micros % 1000000, s = micros / 1000000;
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  out += buf;
  if (us) {
    std::snprintf(buf, sizeof buf, ".%06lld", us);
    out += buf;
  }
}

void AppendTimestamp(int64_t micros, bool utc, std::string& out) {
  if (micros == Value::kInfinity) return out.append("infinity"), void();
  if (micros == Value::kMinusInfinity) return out.append("-infinity"), void();
  int64_t days = micros / kMicrosPerDay, rest = micros % kMicrosPerDay;
  if (rest < 0) rest += kMicrosPerDay, --days;
  AppendDate(days, out);
  out += ' ';
  AppendClock(rest, out);
  if (utc) out += "+00";
}

bool Digits(std::string_view t, size_t& pos, size_t n, int64_t& v) {
  if (pos + n > t.size()) return false;
  v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = t[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool ParseDate(std::string_view t, size_t& pos, int64_t& days) {
  bool neg = pos < t.size() && t[pos] == '-';
  if (neg) ++pos;
  size_t start = pos;
  while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
  if (pos - start < 4) return false;
  int64_t y = std::atoll(std::string(t.substr(start, pos - start)).c_str()), m, d;
  if (neg) y = -y;
  if (pos >= t.size() || t[pos++] != '-' || !Digits(t, pos, 2, m)) return false;
  if (pos >= t.size() || t[pos++] != '-' || !Digits(t, pos, 2, d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// [-]H+:MM:SS[.f{1,6}] from pos.
bool ParseClock(std::string_view t, size_t& pos, int64_t& micros) {
  bool neg = pos < t.size() && t[pos] == '-';
  if (neg) ++pos;
  size_t start = pos;
  int64_t h = 0, m, s;
  while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') h = h * 10 + (t[pos++] - '0');
  if (pos == start || pos >= t.size() || t[pos++] != ':' || !Digits(t, pos, 2, m)) return false;
  if (pos >= t.size() || t[pos++] != ':' || !Digits(t, pos, 2, s)) return false;
  int64_t us = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (n++ < 6) us = us * 10 + (t[pos] - '0');
      ++pos;
    }
    for (; n < 6; ++n) us *= 10;
  }
  micros = ((h * 60 + m) * 60 + s) * 1000000 + us;
  if (neg) micros = -micros;
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Bad(std::string_view text, const Column& c, const char* expected) {
  std::string shown(text.substr(0, 80));
  return InvalidArgument("column " + c.name + ": '" + shown + "' is not " + expected);
}

}  // namespace

void AppendValueText(const Value& v, std::string& out) {
  switch (v.kind()) {
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      return;
    case ValueKind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case ValueKind::kInt64:
      out += std::to_string(v.as_int64());
      return;
    case ValueKind::kUInt64:
      out += std::to_string(v.as_uint64());
      return;
    case ValueKind::kFloat64: {
      double d = v.as_double();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d > 0 ? "Infinity" : "-Infinity";
      else {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, d);
        out.append(buf, r.ptr);
      }
      return;
    }
    case ValueKind::kBytes: {
      static const char* kHex = "0123456789abcdef";
      for (unsigned char c : v.str()) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return;
    }
    case ValueKind::kDate:
      AppendDate(v.as_micros_or_days(), out);
      return;
    case ValueKind::kTime: {
      int64_t us = v.as_micros_or_days();
      if (us < 0) out += '-', us = -us;
      AppendClock(us, out);
      return;
    }
    case ValueKind::kTimestamp:
      AppendTimestamp(v.as_micros_or_days(), false, out);
      return;
    case ValueKind::kTimestampTz:
      AppendTimestamp(v.as_micros_or_days(), true, out);
      return;
    case ValueKind::kDecimal:
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
    case ValueKind::kOther:
      out += v.str();
      return;
  }
}

Result<Value> ParseValueText(std::string_view t, const Column& c) {
  switch (c.kind) {
    case ValueKind::kBool:
      if (t == "true") return Value::Bool(true);
      if (t == "false") return Value::Bool(false);
      return Bad(t, c, "true or false");
    case ValueKind::kInt64: {
      int64_t x;
      auto r = std::from_chars(t.data(), t.data() + t.size(), x);
      if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return Bad(t, c, "an integer");
      return Value::Int64(x);
    }
    case ValueKind::kUInt64: {
      uint64_t x;
      auto r = std::from_chars(t.data(), t.data() + t.size(), x);
      if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return Bad(t, c, "an integer");
      return Value::UInt64(x);
    }
    case ValueKind::kFloat64: {
      if (t == "NaN") return Value::Float64(std::nan(""));
      if (t == "Infinity") return Value::Float64(HUGE_VAL);
      if (t == "-Infinity") return Value::Float64(-HUGE_VAL);
      double d;
      auto r = std::from_chars(t.data(), t.data() + t.size(), d);
      if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return Bad(t, c, "a number");
      return Value::Float64(d);
    }
    case ValueKind::kBytes: {
      if (t.size() % 2) return Bad(t, c, "hex");
      std::string b;
      b.reserve(t.size() / 2);
      for (size_t i = 0; i < t.size(); i += 2) {
        int hi = HexDigit(t[i]), lo = HexDigit(t[i + 1]);
        if (hi < 0 || lo < 0) return Bad(t, c, "hex");
        b += static_cast<char>(hi * 16 + lo);
      }
      return Value::String(ValueKind::kBytes, std::move(b));
    }
    case ValueKind::kDate: {
      if (t == "infinity") return Value::Date(Value::kInfinity);
      if (t == "-infinity") return Value::Date(Value::kMinusInfinity);
      size_t pos = 0;
      int64_t days;
      if (ParseDate(t, pos, days) && pos == t.size()) return Value::Date(days);
      return Value::String(ValueKind::kOther, std::string(t));  // a zero date, as delivered
    }
    case ValueKind::kTime: {
      size_t pos = 0;
      int64_t us;
      if (ParseClock(t, pos, us) && pos == t.size()) return Value::Time(us);
      return Value::String(ValueKind::kOther, std::string(t));
    }
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      bool tz = c.kind == ValueKind::kTimestampTz;
      auto make = [&](int64_t us) { return tz ? Value::TimestampTz(us) : Value::Timestamp(us); };
      if (t == "infinity") return make(Value::kInfinity);
      if (t == "-infinity") return make(Value::kMinusInfinity);
      size_t pos = 0;
      int64_t days, us;
      std::string_view rest = t;
      if (tz && rest.size() > 3 && rest.substr(rest.size() - 3) == "+00") rest.remove_suffix(3);
      if (ParseDate(rest, pos, days) && pos < rest.size() && rest[pos] == ' ') {
        ++pos;
        if (ParseClock(rest, pos, us) && pos == rest.size()) return make(days * kMicrosPerDay + us);
      }
      return Value::String(ValueKind::kOther, std::string(t));
    }
    case ValueKind::kDecimal:
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
    case ValueKind::kOther:
      return Value::String(c.kind, std::string(t));
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      break;
  }
  return Bad(t, c, "a value of this column");
}

}  // namespace cutover::lakehouse
