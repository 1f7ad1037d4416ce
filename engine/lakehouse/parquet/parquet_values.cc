// Values <-> PLAIN bytes (see parquet_values.h for the design).
#include "engine/lakehouse/parquet/parquet_values.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace cutover::parquet {

namespace {

template <typename T>
void PutLE(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian hosts only (x86-64, aarch64)
  out.append(b, sizeof(T));
}

template <typename T>
T GetLE(std::string_view s) {
  T v;
  std::memcpy(&v, s.data(), sizeof(T));
  return v;
}

Status Mismatch(const ParquetColumn& c, const Value& v, std::string_view why = {}) {
  return InvalidArgument(fmt::format("value {} cannot be stored in a Parquet {} column{}{}",
                                     v.DebugString(), DescribeColumnType(c),
                                     why.empty() ? "" : ": ", why));
}

void AppendByteArray(std::string& out, std::string_view s) {
  PutLE<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

Status AppendInt(const ParquetColumn& c, const Value& v, std::string& out) {
  // The value as a signed 128-bit number, then a range check for the annotated width.
  __int128 x;
  if (v.kind() == ValueKind::kInt64) {
    x = v.as_int64();
  } else if (v.kind() == ValueKind::kUInt64) {
    x = v.as_uint64();
  } else if (v.kind() == ValueKind::kBool) {
    x = v.as_bool() ? 1 : 0;
  } else {
    return Mismatch(c, v);
  }
  __int128 lo = c.int_signed ? -(static_cast<__int128>(1) << (c.int_bits - 1)) : 0;
  __int128 hi = c.int_signed ? (static_cast<__int128>(1) << (c.int_bits - 1)) - 1
                             : (static_cast<__int128>(1) << c.int_bits) - 1;
  if (x < lo || x > hi) return Mismatch(c, v, "out of range");
  // Unsigned values are stored as the same bits in the signed physical type.
  if (c.int_bits <= 32) {
    PutLE<uint32_t>(out, static_cast<uint32_t>(static_cast<uint64_t>(x)));
  } else {
    PutLE<uint64_t>(out, static_cast<uint64_t>(x));
  }
  return Status::Ok();
}

}  // namespace

Result<__int128> ParseDecimal(std::string_view text, int precision, int scale) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument(
        fmt::format("decimal '{}' does not fit DECIMAL({},{}): {}", text, precision, scale, why));
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  __int128 v = 0;
  int int_digits = 0, frac_digits = 0;
  bool seen_point = false, any_digit = false;
  for (; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (ch < '0' || ch > '9') return bad("not a plain decimal number");
    any_digit = true;
    if (seen_point) {
      if (frac_digits == scale) {
        if (ch != '0') return bad("more fractional digits than the scale");
        continue;  // trailing zeros beyond the scale lose nothing
      }
      ++frac_digits;
    } else {
      if (int_digits == 0 && ch == '0') continue;  // leading zeros
      ++int_digits;
      if (int_digits > precision - scale) return bad("too many integer digits");
    }
    v = v * 10 + (ch - '0');
  }
  if (!any_digit) return bad("no digits");
  for (; frac_digits < scale; ++frac_digits) v *= 10;
  return negative ? -v : v;
}

std::string FormatDecimal(__int128 unscaled, int scale) {
  bool negative = unscaled < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(unscaled)
                                 : static_cast<unsigned __int128>(unscaled);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u);
  while (static_cast<int>(digits.size()) <= scale) digits.push_back('0');
  std::string out = negative ? "-" : "";
  for (size_t k = digits.size(); k-- > 0;) {
    out.push_back(digits[k]);
    if (scale > 0 && k == static_cast<size_t>(scale)) out.push_back('.');
  }
  return out;
}

Status AppendPlain(const ParquetColumn& c, TimeUnit timestamp_unit, const Value& v,
                   std::string& out) {
  switch (c.kind) {
    case LogicalKind::kBoolean:
      if (v.kind() != ValueKind::kBool) return Mismatch(c, v);
      out.push_back(v.as_bool() ? 1 : 0);
      return Status::Ok();
    case LogicalKind::kInt:
      return AppendInt(c, v, out);
    case LogicalKind::kFloat:
    case LogicalKind::kDouble: {
      if (v.kind() != ValueKind::kFloat64) return Mismatch(c, v);
      double d = v.as_double();
      if (c.kind == LogicalKind::kFloat) {
        float f = static_cast<float>(d);
        if (static_cast<double>(f) != d && !std::isnan(d)) {
          return Mismatch(c, v, "not exactly representable as a 32-bit float");
        }
        PutLE<float>(out, f);
      } else {
        PutLE<double>(out, d);
      }
      return Status::Ok();
    }
    case LogicalKind::kDecimal: {
      std::string text;
      if (v.kind() == ValueKind::kDecimal) {
        text = v.str();
      } else if (v.kind() == ValueKind::kInt64) {
        text = std::to_string(v.as_int64());
      } else if (v.kind() == ValueKind::kUInt64) {
        text = std::to_string(v.as_uint64());
      } else {
        return Mismatch(c, v);
      }
      auto unscaled = ParseDecimal(text, c.precision, c.scale);
      if (!unscaled.ok()) return Mismatch(c, v, unscaled.status().message());
      __int128 x = unscaled.value();
      switch (PhysicalTypeOf(c)) {
        case PhysicalType::kInt32:
          PutLE<int32_t>(out, static_cast<int32_t>(x));
          return Status::Ok();
        case PhysicalType::kInt64:
          PutLE<int64_t>(out, static_cast<int64_t>(x));
          return Status::Ok();
        default: {
          // Big-endian two's complement in FixedLengthOf bytes.
          int n = FixedLengthOf(c);
          for (int k = n - 1; k >= 0; --k) {
            int shift = 8 * k;
            out.push_back(static_cast<char>(shift >= 128 ? (x < 0 ? 0xff : 0)
                                                         : static_cast<int>((x >> shift) & 0xff)));
          }
          return Status::Ok();
        }
      }
    }
    case LogicalKind::kString:
    case LogicalKind::kJson:
      switch (v.kind()) {
        case ValueKind::kText:
        case ValueKind::kJson:
        case ValueKind::kUuid:
        case ValueKind::kDecimal:
        case ValueKind::kOther:
          AppendByteArray(out, v.str());
          return Status::Ok();
        default:
          return Mismatch(c, v);
      }
    case LogicalKind::kBinary:
      if (v.kind() != ValueKind::kBytes && v.kind() != ValueKind::kText) return Mismatch(c, v);
      AppendByteArray(out, v.str());
      return Status::Ok();
    case LogicalKind::kDate: {
      if (v.kind() != ValueKind::kDate) return Mismatch(c, v);
      int64_t days = v.as_micros_or_days();
      if (days < INT32_MIN || days > INT32_MAX) return Mismatch(c, v, "out of range");
      PutLE<int32_t>(out, static_cast<int32_t>(days));
      return Status::Ok();
    }
    case LogicalKind::kTime:
      if (v.kind() != ValueKind::kTime) return Mismatch(c, v);
      PutLE<int64_t>(out, v.as_micros_or_days());
      return Status::Ok();
    case LogicalKind::kTimestamp: {
      if (v.kind() != ValueKind::kTimestamp && v.kind() != ValueKind::kTimestampTz) {
        return Mismatch(c, v);
      }
      int64_t us = v.as_micros_or_days();
      if (us == Value::kInfinity || us == Value::kMinusInfinity) {
        return Mismatch(c, v, "infinity has no Parquet timestamp");
      }
      if (timestamp_unit == TimeUnit::kMillis) {
        if (us % 1000 != 0) return Mismatch(c, v, "sub-millisecond digits in a millisecond file");
        us /= 1000;
      }
      PutLE<int64_t>(out, us);
      return Status::Ok();
    }
    case LogicalKind::kUuid:
      return Mismatch(c, v, "UUID columns are written as STRING");
  }
  return Mismatch(c, v);
}

Result<Value> ValueFromPlain(const ParquetColumn& c, PhysicalType phys, std::string_view p) {
  auto byte_array = [&]() { return p.substr(phys == PhysicalType::kByteArray ? 4 : 0); };
  switch (c.kind) {
    case LogicalKind::kBoolean:
      return Value::Bool(p[0] != 0);
    case LogicalKind::kInt:
      if (phys == PhysicalType::kInt32) {
        int32_t x = GetLE<int32_t>(p);
        if (!c.int_signed) return Value::Int64(static_cast<uint32_t>(x));
        return Value::Int64(x);
      } else {
        int64_t x = GetLE<int64_t>(p);
        if (!c.int_signed) return Value::UInt64(static_cast<uint64_t>(x));
        return Value::Int64(x);
      }
    case LogicalKind::kFloat:
      return Value::Float64(GetLE<float>(p));
    case LogicalKind::kDouble:
      return Value::Float64(GetLE<double>(p));
    case LogicalKind::kDecimal: {
      __int128 x = 0;
      if (phys == PhysicalType::kInt32) {
        x = GetLE<int32_t>(p);
      } else if (phys == PhysicalType::kInt64) {
        x = GetLE<int64_t>(p);
      } else {
        std::string_view b = byte_array();
        if (b.size() > 16) {
          // Wider than 128 bits: only sign extension may sit above the low 16 bytes.
          for (size_t k = 0; k + 16 < b.size(); ++k) {
            if (static_cast<uint8_t>(b[k]) != ((b[b.size() - 16] & 0x80) ? 0xff : 0)) {
              return FailedPrecondition(
                  fmt::format("DECIMAL value of {} bytes exceeds 38 digits", b.size()));
            }
          }
          b = b.substr(b.size() - 16);
        }
        unsigned __int128 u =
            (!b.empty() && (b[0] & 0x80)) ? ~static_cast<unsigned __int128>(0) : 0;
        for (char ch : b) u = (u << 8) | static_cast<uint8_t>(ch);
        x = static_cast<__int128>(u);
      }
      return Value::String(ValueKind::kDecimal, FormatDecimal(x, c.scale));
    }
    case LogicalKind::kString:
      return Value::String(ValueKind::kText, std::string(byte_array()));
    case LogicalKind::kJson:
      return Value::String(ValueKind::kJson, std::string(byte_array()));
    case LogicalKind::kBinary:
      return Value::String(ValueKind::kBytes, std::string(byte_array()));
    case LogicalKind::kUuid: {
      std::string_view b = byte_array();
      std::string s;
      static const char* kHex = "0123456789abcdef";
      for (size_t k = 0; k < b.size(); ++k) {
        if (k == 4 || k == 6 || k == 8 || k == 10) s.push_back('-');
        s.push_back(kHex[static_cast<uint8_t>(b[k]) >> 4]);
        s.push_back(kHex[static_cast<uint8_t>(b[k]) & 15]);
      }
      return Value::String(ValueKind::kUuid, std::move(s));
    }
    case LogicalKind::kDate:
      return Value::Date(GetLE<int32_t>(p));
    case LogicalKind::kTime:
      if (phys == PhysicalType::kInt32) return Value::Time(int64_t{GetLE<int32_t>(p)} * 1000);
      return Value::Time(GetLE<int64_t>(p));
    case LogicalKind::kTimestamp: {
      int64_t x = GetLE<int64_t>(p);
      if (c.unit == TimeUnit::kMillis) x *= 1000;
      return c.adjusted_to_utc ? Value::TimestampTz(x) : Value::Timestamp(x);
    }
  }
  return Internal("unknown logical kind");
}

std::string_view StatBytes(const ParquetColumn& c, std::string_view plain) {
  return PhysicalTypeOf(c) == PhysicalType::kByteArray ? plain.substr(4) : plain;
}

int CompareStat(const ParquetColumn& c, std::string_view a, std::string_view b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  bool unsigned_int = c.kind == LogicalKind::kInt && !c.int_signed;
  switch (PhysicalTypeOf(c)) {
    case PhysicalType::kBoolean:
      return cmp(a[0], b[0]);
    case PhysicalType::kInt32:
      return unsigned_int ? cmp(GetLE<uint32_t>(a), GetLE<uint32_t>(b))
                          : cmp(GetLE<int32_t>(a), GetLE<int32_t>(b));
    case PhysicalType::kInt64:
      return unsigned_int ? cmp(GetLE<uint64_t>(a), GetLE<uint64_t>(b))
                          : cmp(GetLE<int64_t>(a), GetLE<int64_t>(b));
    case PhysicalType::kFloat:
      return cmp(GetLE<float>(a), GetLE<float>(b));
    case PhysicalType::kDouble:
      return cmp(GetLE<double>(a), GetLE<double>(b));
    case PhysicalType::kFixedLenByteArray:
      if (c.kind == LogicalKind::kDecimal && !a.empty() && !b.empty()) {
        // Signed big-endian: the sign byte decides first, then unsigned bytes.
        bool na = a[0] & 0x80, nb = b[0] & 0x80;
        if (na != nb) return na ? -1 : 1;
      }
      [[fallthrough]];
    default: {
      int r = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
      if (r != 0) return r < 0 ? -1 : 1;
      return cmp(a.size(), b.size());
    }
  }
}

}  // namespace cutover::parquet
