#include "engine/pg/pg_binary.h"

#include <bit>
#include <cstring>

#include "engine/core/value.h"
#include "engine/pg/pg_canonical_text.h"
#include "engine/pg/pg_types.h"

namespace cutover::validator {

namespace {

// Network byte order (big-endian) integer at `p`, as T (a 2-, 4- or 8-byte integer).
template <typename T>
T ReadBig(const char* p) {
  static_assert(std::endian::native == std::endian::little, "little-endian hosts only");
  if constexpr (sizeof(T) == 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return static_cast<T>(__builtin_bswap16(v));
  } else if constexpr (sizeof(T) == 4) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return static_cast<T>(__builtin_bswap32(v));
  } else {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return static_cast<T>(__builtin_bswap64(v));
  }
}

Status BadField(const char* what, std::string_view field) {
  return InvalidArgument("binary COPY field of " + std::to_string(field.size()) +
                         " byte(s) is not a valid " + what);
}

bool FixedSize(PgWire w, size_t n) {
  switch (w) {
    case PgWire::kBool:
      return n == 1;
    case PgWire::kInt2:
      return n == 2;
    case PgWire::kInt4:
    case PgWire::kOid:
    case PgWire::kFloat4:
    case PgWire::kDate:
      return n == 4;
    case PgWire::kInt8:
    case PgWire::kFloat8:
    case PgWire::kTime:
    case PgWire::kTimestamp:
      return n == 8;
    case PgWire::kUuid:
      return n == 16;
    default:
      return true;
  }
}

// numeric_send: ndigits, weight, sign, dscale (int16 each), then ndigits base-10000 digits; the
// value is sum(digit[i] * 10000^(weight - i)). Written as decimal text without leading zeros in
// the integer part or trailing zeros in the fraction, i.e. already in AppendNumberText's normal
// form (PostgreSQL stores no -0), so `canonical` reports whether AppendNumberText would leave it
// as is (it still has to round when a rule says so).
bool NumericText(std::string_view f, std::string& out) {
  if (f.size() < 8) return false;
  int ndigits = ReadBig<int16_t>(f.data());
  int weight = ReadBig<int16_t>(f.data() + 2);
  uint16_t sign = ReadBig<uint16_t>(f.data() + 4);
  if (ndigits < 0 || f.size() != 8 + 2 * static_cast<size_t>(ndigits)) return false;
  out.clear();
  switch (sign) {
    case 0xC000:
      return out = "NaN", true;
    case 0xD000:
      return out = "Infinity", true;
    case 0xF000:
      return out = "-Infinity", true;
    case 0x0000:
      break;
    case 0x4000:
      out.push_back('-');
      break;
    default:
      return false;
  }
  char digits[4];
  auto group = [&](int i) {  // the 4 decimal digits of group i (0 beyond the stored ones)
    int d = i >= 0 && i < ndigits ? ReadBig<int16_t>(f.data() + 8 + 2 * i) : 0;
    digits[0] = static_cast<char>('0' + d / 1000);
    digits[1] = static_cast<char>('0' + d / 100 % 10);
    digits[2] = static_cast<char>('0' + d / 10 % 10);
    digits[3] = static_cast<char>('0' + d % 10);
    return d >= 0 && d <= 9999;
  };
  // Integer part: groups 0..weight, leading zeros dropped.
  size_t int_start = out.size();
  for (int i = 0; i <= weight; ++i) {
    if (!group(i)) return false;
    int skip = 0;
    if (out.size() == int_start)
      while (skip < 4 && digits[skip] == '0') ++skip;
    out.append(digits + skip, static_cast<size_t>(4 - skip));
  }
  if (out.size() == int_start) out.push_back('0');
  // Fraction: groups weight+1 .. ndigits-1 (the last stored group is non-zero: numeric_send
  // strips zero groups, but trailing zero digits inside it are trimmed here).
  if (ndigits > weight + 1) {
    out.push_back('.');
    for (int i = weight + 1; i < ndigits; ++i) {
      if (!group(i)) return false;
      out.append(digits, 4);
    }
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return true;
}

void UuidText(std::string_view f, std::string& out) {
  static const char* kHex = "0123456789abcdef";
  out.clear();
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    unsigned char c = static_cast<unsigned char>(f[i]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
}

constexpr int64_t kPgEpochDays = 10957;                         // 2000-01-01 - 1970-01-01
constexpr int64_t kPgEpochMicros = kPgEpochDays * 86400000000;  // the same in µs

}  // namespace

PgWire PgWireFor(const Column& c) {
  switch (c.type_id) {
    case pg::kBoolOid:
      return PgWire::kBool;
    case pg::kInt2Oid:
      return PgWire::kInt2;
    case pg::kInt4Oid:
      return PgWire::kInt4;
    case pg::kInt8Oid:
      return PgWire::kInt8;
    case pg::kOidOid:
      return PgWire::kOid;
    case pg::kFloat4Oid:
      return PgWire::kFloat4;
    case pg::kFloat8Oid:
      return PgWire::kFloat8;
    case pg::kNumericOid:
      return PgWire::kNumeric;
    case pg::kTextOid:
    case pg::kVarcharOid:
    case pg::kBpcharOid:
    case pg::kJsonOid:
      return PgWire::kString;
    case pg::kJsonbOid:
      return PgWire::kJsonb;
    case pg::kByteaOid:
      return PgWire::kBytea;
    case pg::kUuidOid:
      return PgWire::kUuid;
    case pg::kDateOid:
      return PgWire::kDate;
    case pg::kTimeOid:
      return PgWire::kTime;
    case pg::kTimestampOid:
    case pg::kTimestampTzOid:
      return PgWire::kTimestamp;
    default:
      return PgWire::kText;
  }
}

std::string PgBinarySelectExpression(PgWire wire, const std::string& q) {
  if (wire != PgWire::kText) return q;
  return "CASE WHEN " + q + " IS NULL THEN NULL ELSE concat(" + q + ") END";
}

Status AppendPgBinaryCanonical(const Column& c, PgWire wire, const CanonicalRule& rule,
                               std::string_view f, PgBinaryScratch& scratch, std::string& out) {
  std::string& text = scratch.text;
  if (!FixedSize(wire, f.size())) return BadField(c.type_name.c_str(), f);
  const char* p = f.data();
  switch (wire) {
    case PgWire::kText:
    case PgWire::kString:
      return AppendPgCanonical(c, rule, f, scratch.value, out);
    case PgWire::kJsonb:
      if (f.empty() || f[0] != 1) return BadField("jsonb (version 1)", f);
      return AppendPgCanonical(c, rule, f.substr(1), scratch.value, out);
    case PgWire::kUuid:
      UuidText(f, text);
      return AppendPgCanonical(c, rule, text, scratch.value, out);
    case PgWire::kNumeric:
      if (!NumericText(f, text)) return BadField("numeric", f);
      if (rule.round_decimal_scale >= 0)
        canonical::AppendNumberText(text, out, rule.round_decimal_scale);
      else
        canonical::AppendNormalNumber(text, out);
      return Status::Ok();
    case PgWire::kBool:
      canonical::AppendInt64(p[0] ? 1 : 0, out);
      return Status::Ok();
    case PgWire::kInt2:
      canonical::AppendInt64(ReadBig<int16_t>(p), out);
      return Status::Ok();
    case PgWire::kInt4:
      canonical::AppendInt64(ReadBig<int32_t>(p), out);
      return Status::Ok();
    case PgWire::kInt8:
      canonical::AppendInt64(ReadBig<int64_t>(p), out);
      return Status::Ok();
    case PgWire::kOid:
      canonical::AppendInt64(ReadBig<uint32_t>(p), out);
      return Status::Ok();
    case PgWire::kFloat4:  // the stored single, widened exactly (as DecodePgField reads it)
      AppendCanonical(Value::Float64(std::bit_cast<float>(ReadBig<uint32_t>(p))), rule, out);
      return Status::Ok();
    case PgWire::kFloat8:
      AppendCanonical(Value::Float64(std::bit_cast<double>(ReadBig<uint64_t>(p))), rule, out);
      return Status::Ok();
    case PgWire::kBytea:
      canonical::AppendBytes(f, out);
      return Status::Ok();
    case PgWire::kDate: {
      int32_t d = ReadBig<int32_t>(p);  // days since 2000-01-01; INT32_MIN/MAX: ∓infinity
      int64_t days = d == INT32_MAX   ? Value::kInfinity
                     : d == INT32_MIN ? Value::kMinusInfinity
                                      : d + kPgEpochDays;
      canonical::AppendDate(days, out);
      return Status::Ok();
    }
    case PgWire::kTime:
      canonical::AppendTime(ReadBig<int64_t>(p), out);
      return Status::Ok();
    case PgWire::kTimestamp: {
      int64_t us = ReadBig<int64_t>(p);  // µs since 2000-01-01; INT64_MIN/MAX: ∓infinity
      if (us != Value::kInfinity && us != Value::kMinusInfinity &&
          (__builtin_add_overflow(us, kPgEpochMicros, &us) || us == Value::kInfinity))
        return BadField("timestamp within the engine's range (µs since 1970 in 64 bits)", f);
      canonical::AppendTimestamp(us, out);
      return Status::Ok();
    }
  }
  return Internal("AppendPgBinaryCanonical: unknown wire form");
}

Status PgBinaryCopyParser::Next(std::string_view m,
                                std::vector<std::optional<std::string_view>>& fields,
                                bool& is_row) {
  static constexpr std::string_view kSignature("PGCOPY\n\377\r\n\0", 11);
  is_row = false;
  if (!header_seen_) {
    if (m.size() < 19 || m.substr(0, 11) != kSignature)
      return Internal("binary COPY: missing file header");
    uint32_t ext = ReadBig<uint32_t>(m.data() + 15);
    if (m.size() < 19 + static_cast<size_t>(ext)) return Internal("binary COPY: short header");
    m.remove_prefix(19 + ext);
    header_seen_ = true;
    if (m.empty()) return Status::Ok();
  }
  if (m.size() < 2) return Internal("binary COPY: short row");
  int16_t n = ReadBig<int16_t>(m.data());
  m.remove_prefix(2);
  if (n == -1) return Status::Ok();  // trailer
  if (n < 0) return Internal("binary COPY: bad field count");
  fields.resize(static_cast<size_t>(n));
  for (int16_t i = 0; i < n; ++i) {
    if (m.size() < 4) return Internal("binary COPY: short row");
    int32_t len = ReadBig<int32_t>(m.data());
    m.remove_prefix(4);
    if (len == -1) {
      fields[static_cast<size_t>(i)].reset();
      continue;
    }
    if (len < 0 || m.size() < static_cast<size_t>(len)) return Internal("binary COPY: short row");
    fields[static_cast<size_t>(i)] = m.substr(0, static_cast<size_t>(len));
    m.remove_prefix(static_cast<size_t>(len));
  }
  if (!m.empty()) return Internal("binary COPY: trailing bytes after a row");
  is_row = true;
  return Status::Ok();
}

}  // namespace cutover::validator
