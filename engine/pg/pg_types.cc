#include "engine/pg/pg_types.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace cutover::pg {

ColumnType DescribePgColumnType(uint32_t oid, const std::string& type_name, ValueKind kind) {
  std::vector<int> mods = TypeTextNumbers(type_name);
  auto one = [&](int dflt) { return mods.size() == 1 ? mods[0] : dflt; };
  ColumnType t;
  switch (oid) {
    case kBoolOid:
      t.family = TypeFamily::kBool;
      break;
    case kInt2Oid:
      t.family = TypeFamily::kInteger;
      t.bits = 16;
      break;
    case kInt4Oid:
      t.family = TypeFamily::kInteger;
      t.bits = 32;
      break;
    case kOidOid:
      t.family = TypeFamily::kInteger;
      t.bits = 32;
      t.is_unsigned = true;
      break;
    case kInt8Oid:
      t.family = TypeFamily::kInteger;
      t.bits = 64;
      break;
    case kFloat4Oid:
      t.family = TypeFamily::kFloat;
      t.bits = 32;
      break;
    case kFloat8Oid:
      t.family = TypeFamily::kFloat;
      t.bits = 64;
      break;
    case kNumericOid:
      t.family = TypeFamily::kDecimal;
      if (mods.size() == 2) {
        t.precision = mods[0];
        t.scale = mods[1];
      }
      break;
    case kVarcharOid:
      t.family = TypeFamily::kVarText;
      t.length = one(-1);
      break;
    case kBpcharOid:
      t.family = TypeFamily::kFixedText;
      t.length = one(-1);
      break;
    case kTextOid:
    case kNameOid:
    case kCharOid:
      t.family = TypeFamily::kText;
      break;
    case kByteaOid:
      t.family = TypeFamily::kBytes;
      break;
    case kDateOid:
      t.family = TypeFamily::kDate;
      break;
    case kTimeOid:
      t.family = TypeFamily::kTime;
      t.fsp = one(-1);
      break;
    case kTimestampOid:
      t.family = TypeFamily::kTimestamp;
      t.fsp = one(-1);
      break;
    case kTimestampTzOid:
      t.family = TypeFamily::kTimestampTz;
      t.fsp = one(-1);
      break;
    case kJsonOid:
    case kJsonbOid:
      t.family = TypeFamily::kJson;
      break;
    case kUuidOid:
      t.family = TypeFamily::kUuid;
      break;
    default:
      t.family = kind == ValueKind::kOther ? TypeFamily::kOther : TypeFamily::kUnknown;
      break;
  }
  return t;
}

ValueKind KindForTypeOid(uint32_t oid) {
  switch (oid) {
    case kBoolOid:
      return ValueKind::kBool;
    case kByteaOid:
      return ValueKind::kBytes;
    case kCharOid:
    case kNameOid:
    case kTextOid:
    case kBpcharOid:
    case kVarcharOid:
      return ValueKind::kText;
    case kInt8Oid:
    case kInt2Oid:
    case kInt4Oid:
    case kOidOid:
      return ValueKind::kInt64;
    case kJsonOid:
    case kJsonbOid:
      return ValueKind::kJson;
    case kFloat4Oid:
    case kFloat8Oid:
      return ValueKind::kFloat64;
    case kDateOid:
      return ValueKind::kDate;
    case kTimeOid:
      return ValueKind::kTime;
    case kTimestampOid:
      return ValueKind::kTimestamp;
    case kTimestampTzOid:
      return ValueKind::kTimestampTz;
    case kNumericOid:
      return ValueKind::kDecimal;
    case kUuidOid:
      return ValueKind::kUuid;
    default:
      return ValueKind::kOther;
  }
}

namespace {

Status Bad(std::string_view what, std::string_view text) {
  std::string shown(text.substr(0, 64));
  return InvalidArgument(fmt::format("cannot parse '{}' as {}", shown, what));
}

// Reads an unsigned decimal number of at least one digit at text[pos...].
bool ReadNumber(std::string_view t, size_t& pos, int64_t& v, size_t max_digits = 18) {
  size_t start = pos;
  v = 0;
  while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9' && pos - start < max_digits) {
    v = v * 10 + (t[pos] - '0');
    ++pos;
  }
  return pos > start;
}

bool Expect(std::string_view t, size_t& pos, char c) {
  if (pos < t.size() && t[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// "YYYY-MM-DD" at pos (year may have more than 4 digits); returns astronomical days later.
// PostgreSQL's years have at most 7 digits (dates reach 5874897 AD); more would overflow the
// day arithmetic (found by fuzz/copy_text_fuzz), so they are not a date.
bool ReadDate(std::string_view t, size_t& pos, int64_t& y, int64_t& m, int64_t& d) {
  return ReadNumber(t, pos, y, 7) && Expect(t, pos, '-') && ReadNumber(t, pos, m, 2) &&
         Expect(t, pos, '-') && ReadNumber(t, pos, d, 2) && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

// "HH:MM:SS[.ffffff]" at pos -> micros.
bool ReadTime(std::string_view t, size_t& pos, int64_t& micros) {
  int64_t h, mi, s;
  if (!(ReadNumber(t, pos, h, 2) && Expect(t, pos, ':') && ReadNumber(t, pos, mi, 2) &&
        Expect(t, pos, ':') && ReadNumber(t, pos, s, 2)))
    return false;
  int64_t frac = 0;
  if (Expect(t, pos, '.')) {
    size_t start = pos;
    int64_t digits;
    if (!ReadNumber(t, pos, digits, 6)) return false;
    frac = digits;
    for (size_t n = pos - start; n < 6; ++n) frac *= 10;
  }
  micros = ((h * 60 + mi) * 60 + s) * 1000000 + frac;
  return true;
}

// Trailing " BC" turns year y into astronomical 1 - y.
bool ReadEra(std::string_view t, size_t& pos, int64_t& y) {
  if (t.substr(pos) == " BC") {
    y = 1 - y;
    pos += 3;
  }
  return true;
}

Status DecodeTimestamp(std::string_view t, bool with_zone, Value& out) {
  auto make = [&](int64_t us) { out = with_zone ? Value::TimestampTz(us) : Value::Timestamp(us); };
  if (t == "infinity") return make(Value::kInfinity), Status::Ok();
  if (t == "-infinity") return make(Value::kMinusInfinity), Status::Ok();
  size_t pos = 0;
  int64_t y, m, d, tod;
  const char* what = with_zone ? "timestamptz" : "timestamp";
  if (!ReadDate(t, pos, y, m, d) || !Expect(t, pos, ' ') || !ReadTime(t, pos, tod))
    return Bad(what, t);
  int64_t offset_s = 0;
  if (with_zone && pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int sign = t[pos] == '-' ? -1 : 1;
    ++pos;
    int64_t oh = 0, om = 0, os = 0;
    if (!ReadNumber(t, pos, oh, 2)) return Bad(what, t);
    if (Expect(t, pos, ':') && !ReadNumber(t, pos, om, 2)) return Bad(what, t);
    if (Expect(t, pos, ':') && !ReadNumber(t, pos, os, 2)) return Bad(what, t);
    offset_s = sign * (oh * 3600 + om * 60 + os);
  }
  ReadEra(t, pos, y);
  if (pos != t.size()) return Bad(what, t);
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  // PostgreSQL counts from 2000 and reaches 294276 AD; counted from 1970 in int64 microseconds
  // the last ~30 years of its range do not fit. Refuse them rather than wrap around.
  int64_t us;
  if (__builtin_mul_overflow(days, kMicrosPerDay, &us) ||
      __builtin_add_overflow(us, tod - offset_s * 1000000, &us) || us == Value::kInfinity ||
      us == Value::kMinusInfinity) {
    return InvalidArgument(
        fmt::format("{} '{}' is outside the supported range (years 4713 BC to "
                    "294246 AD)",
                    what, t.substr(0, 64)));
  }
  make(us);
  return Status::Ok();
}

void AppendDate(int64_t days, std::string& out) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  bool bc = y <= 0;
  fmt::format_to(std::back_inserter(out), "{:04d}-{:02d}-{:02d}", bc ? 1 - y : y, m, d);
  if (bc) out += " BC";  // caller appends the time before the era for timestamps
}

// Also a duration (MariaDB TIME into an interval column): negative, or 24 h and more.
void AppendTime(int64_t micros, std::string& out) {
  if (micros < 0) {
    out += '-';
    micros = -micros;
  }
  int64_t s = micros / 1000000, frac = micros % 1000000;
  fmt::format_to(std::back_inserter(out), "{:02d}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60);
  if (frac) fmt::format_to(std::back_inserter(out), ".{:06d}", frac);
}

void AppendTimestamp(int64_t us, bool with_zone, std::string& out) {
  if (us == Value::kInfinity) return void(out += "infinity");
  if (us == Value::kMinusInfinity) return void(out += "-infinity");
  int64_t days = us >= 0 ? us / kMicrosPerDay : -((-us + kMicrosPerDay - 1) / kMicrosPerDay);
  int64_t tod = us - days * kMicrosPerDay;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  bool bc = y <= 0;
  fmt::format_to(std::back_inserter(out), "{:04d}-{:02d}-{:02d} ", bc ? 1 - y : y, m, d);
  AppendTime(tod, out);
  if (with_zone) out += "+00";
  if (bc) out += " BC";
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Status DecodeText(ValueKind kind, std::string_view t, Value& out) {
  switch (kind) {
    case ValueKind::kBool:
      if (t == "t")
        out = Value::Bool(true);
      else if (t == "f")
        out = Value::Bool(false);
      else
        return Bad("boolean", t);
      return Status::Ok();
    case ValueKind::kInt64: {
      int64_t v;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size()) return Bad("integer", t);
      out = Value::Int64(v);
      return Status::Ok();
    }
    case ValueKind::kFloat64: {
      double v;
      if (t == "NaN")
        v = std::nan("");
      else if (t == "Infinity")
        v = HUGE_VAL;
      else if (t == "-Infinity")
        v = -HUGE_VAL;
      else {
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || p != t.data() + t.size()) return Bad("float", t);
      }
      out = Value::Float64(v);
      return Status::Ok();
    }
    case ValueKind::kBytes: {
      if (t.size() < 2 || t[0] != '\\' || t[1] != 'x' || t.size() % 2 != 0)
        return Bad("bytea (hex format)", t);
      std::string bytes;
      bytes.resize((t.size() - 2) / 2);
      for (size_t i = 0; i < bytes.size(); ++i) {
        int hi = HexVal(t[2 + 2 * i]), lo = HexVal(t[3 + 2 * i]);
        if (hi < 0 || lo < 0) return Bad("bytea (hex format)", t);
        bytes[i] = static_cast<char>(hi * 16 + lo);
      }
      out = Value::String(ValueKind::kBytes, std::move(bytes));
      return Status::Ok();
    }
    case ValueKind::kDate: {
      if (t == "infinity") return out = Value::Date(Value::kInfinity), Status::Ok();
      if (t == "-infinity") return out = Value::Date(Value::kMinusInfinity), Status::Ok();
      size_t pos = 0;
      int64_t y, m, d;
      if (!ReadDate(t, pos, y, m, d)) return Bad("date", t);
      ReadEra(t, pos, y);
      if (pos != t.size()) return Bad("date", t);
      out = Value::Date(DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
      return Status::Ok();
    }
    case ValueKind::kTime: {
      size_t pos = 0;
      int64_t us;
      if (!ReadTime(t, pos, us) || pos != t.size()) return Bad("time", t);
      out = Value::Time(us);
      return Status::Ok();
    }
    case ValueKind::kTimestamp:
      return DecodeTimestamp(t, false, out);
    case ValueKind::kTimestampTz:
      return DecodeTimestamp(t, true, out);
    case ValueKind::kDecimal:
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
    case ValueKind::kOther:
      out = Value::String(kind, std::string(t));
      return Status::Ok();
    case ValueKind::kUInt64: {
      uint64_t v;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size()) return Bad("unsigned integer", t);
      out = Value::UInt64(v);
      return Status::Ok();
    }
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      break;
  }
  return Internal("DecodeText: no text form for kind " + std::string(ValueKindName(kind)));
}

Status DecodeColumnText(const Column& column, std::string_view text, Value& out) {
  if (column.type_id == kFloat4Oid && text != "NaN" && text != "Infinity" && text != "-Infinity") {
    float f;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), f);
    if (ec == std::errc() && p == text.data() + text.size()) {
      out = Value::Float64(static_cast<double>(f));  // the stored single, widened exactly
      return Status::Ok();
    }
  }
  return DecodeText(column.kind, text, out);
}

void EncodeText(const Value& v, std::string& out) {
  switch (v.kind()) {
    case ValueKind::kBool:
      out += v.as_bool() ? 't' : 'f';
      return;
    case ValueKind::kInt64: {
      char buf[24];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v.as_int64());
      out.append(buf, p);
      return;
    }
    case ValueKind::kUInt64: {
      char buf[24];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v.as_uint64());
      out.append(buf, p);
      return;
    }
    case ValueKind::kFloat64: {
      double d = v.as_double();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d > 0 ? "Infinity" : "-Infinity";
      else {
        char buf[32];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
        out.append(buf, p);
      }
      return;
    }
    case ValueKind::kBytes: {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      for (unsigned char c : v.str()) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return;
    }
    case ValueKind::kDate: {
      int64_t days = v.as_micros_or_days();
      if (days == Value::kInfinity)
        out += "infinity";
      else if (days == Value::kMinusInfinity)
        out += "-infinity";
      else
        AppendDate(days, out);
      return;
    }
    case ValueKind::kTime:
      AppendTime(v.as_micros_or_days(), out);
      return;
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
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      return;  // callers handle these
  }
}

}  // namespace cutover::pg
