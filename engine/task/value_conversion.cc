#include "engine/task/value_conversion.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "engine/core/civil_time.h"

namespace cutover::task {

namespace {

using Int128 = __int128;
using Refusal = ValueConversion::Refusal;

std::optional<Refusal> Refuse(std::string reason, bool truncation = false) {
  return Refusal{truncation, std::move(reason)};
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool IsTextKind(ValueKind k) {
  return k == ValueKind::kText || k == ValueKind::kJson || k == ValueKind::kUuid ||
         k == ValueKind::kOther;
}

bool IsIntegerKind(ValueKind k) {
  return k == ValueKind::kInt64 || k == ValueKind::kUInt64;
}

// The integer range of `bits` (signed or not).
struct Range {
  Int128 min, max;
};
Range IntegerRange(int bits, bool is_unsigned) {
  if (bits <= 0 || bits > 64) bits = 64;
  if (is_unsigned) return {0, (static_cast<Int128>(1) << bits) - 1};
  return {-(static_cast<Int128>(1) << (bits - 1)), (static_cast<Int128>(1) << (bits - 1)) - 1};
}

std::string Int128Text(Int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string out;
  while (u > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + out : out;
}

// The most characters a decimal integer of the range takes ("-2147483648": 11).
size_t IntegerWidth(const Range& r) {
  return std::max(Int128Text(r.min).size(), Int128Text(r.max).size());
}

// A decimal number as sign, integer digits (no leading zeros) and fraction digits (as written).
struct Decimal {
  bool negative = false;
  std::string whole, fraction;
  bool IsZero() const {
    return whole.empty() && fraction.find_first_not_of('0') == std::string::npos;
  }
};

// Parses "[+-]digits[.digits][e[+-]digits]" (at least one digit; `exponent` allows the e part).
// Nothing else: no whitespace (trimmed by the caller), separators, hex, NaN or infinities.
std::optional<Decimal> ParseDecimal(std::string_view s, bool exponent) {
  Decimal d;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) d.negative = s[i++] == '-';
  std::string digits;  // all mantissa digits
  size_t point = std::string::npos;
  for (; i < s.size(); ++i) {
    if (IsDigit(s[i])) {
      digits += s[i];
    } else if (s[i] == '.' && point == std::string::npos) {
      point = digits.size();
    } else {
      break;
    }
  }
  if (digits.empty()) return std::nullopt;
  if (point == std::string::npos) point = digits.size();
  long exp = 0;
  if (i < s.size() && exponent && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) {
      if (exp < 100000) exp = exp * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start) return std::nullopt;
    if (exp > 4000) return std::nullopt;  // beyond any engine's numeric
    if (neg) exp = -exp;
  }
  if (i != s.size()) return std::nullopt;
  long p = static_cast<long>(point) + exp;  // the point's place in `digits` after the exponent
  if (p < 0) {
    digits.insert(0, static_cast<size_t>(-p), '0');
    p = 0;
  } else if (p > static_cast<long>(digits.size())) {
    digits.append(static_cast<size_t>(p) - digits.size(), '0');
  }
  d.whole = digits.substr(0, static_cast<size_t>(p));
  d.fraction = digits.substr(static_cast<size_t>(p));
  d.whole.erase(0, std::min(d.whole.find_first_not_of('0'), d.whole.size()));
  return d;
}

// The integer a decimal holds when it has no fraction and fits 39 digits.
std::optional<Int128> WholeValue(const Decimal& d) {
  if (d.fraction.find_first_not_of('0') != std::string::npos) return std::nullopt;
  if (d.whole.size() > 38) return std::nullopt;
  Int128 v = 0;
  for (char c : d.whole) v = v * 10 + (c - '0');
  return d.negative ? -v : v;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string Fraction(int64_t micros) {  // ".5", ".000123", "" (no trailing zeros)
  if (micros == 0) return "";
  std::string f = fmt::format("{:06d}", micros);
  while (f.back() == '0') f.pop_back();
  return "." + f;
}

std::optional<std::string> DateText(int64_t days) {
  if (days == Value::kInfinity || days == Value::kMinusInfinity) return std::nullopt;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  if (y < 0 || y > 9999) return std::nullopt;
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

std::string TimeText(int64_t micros) {
  std::string sign = micros < 0 ? "-" : "";
  uint64_t u =
      micros < 0 ? static_cast<uint64_t>(-(micros + 1)) + 1 : static_cast<uint64_t>(micros);
  uint64_t s = u / kMicrosPerSecond;
  return sign + fmt::format("{:02d}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60) +
         Fraction(static_cast<int64_t>(u % kMicrosPerSecond));
}

std::optional<std::string> TimestampText(int64_t micros) {
  if (micros == Value::kInfinity || micros == Value::kMinusInfinity) return std::nullopt;
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  auto date = DateText(days);
  if (!date) return std::nullopt;
  return *date + " " + TimeText(micros - days * kMicrosPerDay);
}

std::string FloatText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// "YYYY-MM-DD" at the start of `s` (4-digit year, a real calendar date): days, and `s` advanced.
std::optional<int64_t> TakeDate(std::string_view& s) {
  auto num = [&](size_t at, size_t n) -> int {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (!IsDigit(s[i])) return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  s.remove_prefix(10);
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

// "HH:MM[:SS[.f...]]" at the start of `s`, a time of day: microseconds, `s` advanced. `fsp`:
// fraction digits the target keeps; a digit past them that is not 0 is `rounds`.
std::optional<int64_t> TakeTime(std::string_view& s, int fsp, bool& rounds) {
  auto two = [&](size_t at) -> int {
    if (s.size() < at + 2 || !IsDigit(s[at]) || !IsDigit(s[at + 1])) return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  int h = two(0);
  if (h < 0 || s.size() < 5 || s[2] != ':') return std::nullopt;
  int m = two(3), sec = 0;
  if (m < 0) return std::nullopt;
  size_t i = 5;
  int64_t frac = 0;
  if (i < s.size() && s[i] == ':') {
    sec = two(i + 1);
    if (sec < 0) return std::nullopt;
    i += 3;
    if (i < s.size() && s[i] == '.') {
      ++i;
      size_t start = i;
      int n = 0;
      for (; i < s.size() && IsDigit(s[i]); ++i, ++n) {
        if (n < 6) frac = frac * 10 + (s[i] - '0');
        if (n >= std::min(fsp, 6) && s[i] != '0') rounds = true;
      }
      if (i == start) return std::nullopt;
      for (; n < 6; ++n) frac *= 10;
    }
  }
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  s.remove_prefix(i);
  return ((h * 60LL + m) * 60 + sec) * kMicrosPerSecond + frac;
}

std::string TypeText(const ColumnType& t) {
  switch (t.family) {
    case TypeFamily::kInteger:
      return std::string(t.is_unsigned ? "uint" : "int") + std::to_string((t.bits + 7) / 8);
    case TypeFamily::kFloat:
      return t.bits == 32 ? "real4" : "real8";
    case TypeFamily::kDecimal:
      return t.precision > 0 ? fmt::format("numeric({},{})", t.precision, std::max(t.scale, 0))
                             : "numeric";
    case TypeFamily::kBool:
      return "boolean";
    case TypeFamily::kDate:
      return "date";
    case TypeFamily::kTime:
      return "time";
    case TypeFamily::kTimestamp:
      return "datetime";
    default:
      return t.length >= 0 ? fmt::format("string({})", t.length) : "string";
  }
}

}  // namespace

std::string ValueConversion::KindText(const Value& v) {
  return KindText(v.kind());
}

std::string ValueConversion::KindText(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool:
      return "a boolean value";
    case ValueKind::kInt64:
    case ValueKind::kUInt64:
      return "an integer value";
    case ValueKind::kFloat64:
      return "a floating-point value";
    case ValueKind::kDecimal:
      return "a numeric value";
    case ValueKind::kDate:
      return "a date value";
    case ValueKind::kTime:
      return "a time value";
    case ValueKind::kTimestamp:
      return "a datetime value";
    case ValueKind::kTimestampTz:
      return "a timestamp with time zone value";
    case ValueKind::kBytes:
      return "a binary value";
    default:
      return "a text value";
  }
}

std::optional<ValueConversion> ValueConversion::Plan(const Column& source, const ColumnType& to,
                                                     ValueKind to_kind, std::string& why) {
  ValueConversion c;
  c.type_ = to;
  c.to_kind_ = to_kind;
  c.type_text_ = TypeText(to);
  const ValueKind from = source.kind;
  const ColumnType& f = source.type;
  const bool integer = IsIntegerKind(from), text = IsTextKind(from);
  const Range from_range =
      IntegerRange(f.family == TypeFamily::kInteger || f.family == TypeFamily::kBit ? f.bits : 64,
                   f.is_unsigned || f.family == TypeFamily::kBit || from == ValueKind::kUInt64);
  bool ok = false;
  switch (to.family) {
    case TypeFamily::kFixedText:
    case TypeFamily::kVarText:
    case TypeFamily::kText: {
      c.to_ = To::kText;
      ok = from != ValueKind::kBytes;
      if (!ok) why = "binary values are not text (their character encoding is unknown)";
      size_t width = SIZE_MAX;  // the longest text a source value gives
      if (from == ValueKind::kBool) width = 5;
      if (integer) width = IntegerWidth(from_range);
      if (from == ValueKind::kFloat64) width = 24;
      if (from == ValueKind::kDecimal && f.precision > 0 && f.enforced)
        width = static_cast<size_t>(f.precision) + 3;
      if (from == ValueKind::kTime) width = f.extended_range ? 17 : 15;
      if (text && f.length > 0 && f.enforced) width = static_cast<size_t>(f.length);
      c.exact_ = ok && from != ValueKind::kDate && from != ValueKind::kTimestamp &&
                 from != ValueKind::kTimestampTz &&
                 (to.length < 0 || to.family == TypeFamily::kText ||
                  (width != SIZE_MAX && width <= static_cast<size_t>(to.length)));
      break;
    }
    case TypeFamily::kInteger:
      c.to_ = To::kInteger;
      ok = from == ValueKind::kBool || from == ValueKind::kDecimal || from == ValueKind::kFloat64 ||
           from == ValueKind::kText;
      c.exact_ = from == ValueKind::kBool;
      break;
    case TypeFamily::kDecimal: {
      c.to_ = To::kDecimal;
      ok = from == ValueKind::kBool || integer || from == ValueKind::kText;
      if (from == ValueKind::kFloat64)
        why =
            "a float's binary value rarely has a short exact decimal form (change it to real8, "
            "or to string for its shortest form)";
      int whole = to.precision > 0 ? to.precision - std::max(to.scale, 0) : INT32_MAX;
      c.exact_ = (from == ValueKind::kBool && whole >= 1) ||
                 (integer && static_cast<size_t>(whole) >=
                                 IntegerWidth(from_range) - (from_range.min < 0 ? 1 : 0));
      break;
    }
    case TypeFamily::kFloat: {
      c.to_ = To::kFloat;
      ok = from == ValueKind::kBool || integer;
      if (from == ValueKind::kDecimal || from == ValueKind::kText)
        why = "decimal values are rarely exact in binary floating point (change it to numeric)";
      int mantissa = to.bits == 32 ? 24 : 53;
      int bits = f.family == TypeFamily::kInteger || f.family == TypeFamily::kBit ? f.bits : 64;
      if (bits <= 0) bits = 64;
      c.exact_ = from == ValueKind::kBool || (integer && bits <= mantissa);
      break;
    }
    case TypeFamily::kBool:
      c.to_ = To::kBool;
      ok = integer || from == ValueKind::kText;
      break;
    case TypeFamily::kDate:
      c.to_ = To::kDate;
      ok = from == ValueKind::kText || from == ValueKind::kTimestamp;
      break;
    case TypeFamily::kTime:
      c.to_ = To::kTime;
      ok = from == ValueKind::kText;
      break;
    case TypeFamily::kTimestamp:
      c.to_ = To::kTimestamp;
      ok = from == ValueKind::kText || from == ValueKind::kDate;
      c.exact_ = from == ValueKind::kDate;
      if (from == ValueKind::kTimestampTz)
        why = "the source values are instants with a time zone, a datetime has none";
      break;
    default:
      break;
  }
  if (!ok) {
    if (why.empty())
      why = "cutover has no exact conversion of " + KindText(from) + " to " + c.type_text_;
    return std::nullopt;
  }
  return c;
}

std::optional<Refusal> ValueConversion::Convert(Value& v) const {
  if (v.is_null() || v.is_unchanged()) return std::nullopt;
  switch (to_) {
    case To::kText:
      return ToText(v);
    case To::kInteger:
      return ToInteger(v);
    case To::kDecimal:
      return ToDecimal(v);
    case To::kFloat:
      return ToFloat(v);
    case To::kBool:
      return ToBool(v);
    case To::kDate:
      return ToDate(v);
    case To::kTime:
      return ToTime(v);
    case To::kTimestamp:
      return ToTimestamp(v);
  }
  return Refuse("no conversion");
}

std::optional<Refusal> ValueConversion::ToText(Value& v) const {
  std::string out;
  switch (v.kind()) {
    case ValueKind::kBool:
      out = v.as_bool() ? "true" : "false";
      break;
    case ValueKind::kInt64:
      out = std::to_string(v.as_int64());
      break;
    case ValueKind::kUInt64:
      out = std::to_string(v.as_uint64());
      break;
    case ValueKind::kFloat64:
      out = FloatText(v.as_double());
      break;
    case ValueKind::kDate: {
      auto t = DateText(v.as_micros_or_days());
      if (!t)
        return Refuse("the date has no YYYY-MM-DD form (a year outside 0000-9999, or infinity)");
      out = std::move(*t);
      break;
    }
    case ValueKind::kTime:
      out = TimeText(v.as_micros_or_days());
      break;
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      auto t = TimestampText(v.as_micros_or_days());
      if (!t)
        return Refuse(
            "the datetime has no YYYY-MM-DD HH:MM:SS form (a year outside 0000-9999, or "
            "infinity)");
      out = std::move(*t) + (v.kind() == ValueKind::kTimestampTz ? "+00:00" : "");
      break;
    }
    case ValueKind::kBytes:
      return Refuse("binary values are not text");
    default:
      out = v.str();  // numeric text as the source printed it, JSON, UUID, engine text
      break;
  }
  if (type_.length >= 0 && type_.family != TypeFamily::kText) {
    size_t n = Utf8Length(out);
    if (n > static_cast<size_t>(type_.length))
      return Refuse(
          fmt::format("its text form has {} characters, more than {} holds", n, type_text_),
          /*truncation=*/true);
  }
  v = Value::String(ValueKind::kText, std::move(out));
  return std::nullopt;
}

std::optional<Refusal> ValueConversion::ToInteger(Value& v) const {
  Int128 x = 0;
  switch (v.kind()) {
    case ValueKind::kBool:
      x = v.as_bool() ? 1 : 0;
      break;
    case ValueKind::kFloat64: {
      double d = v.as_double();
      if (!std::isfinite(d)) return Refuse("it is not a finite number");
      if (std::trunc(d) != d) return Refuse("it has a fraction");
      if (d < -1.8446744073709552e19 || d > 1.8446744073709552e19)
        return Refuse("it is out of range for " + type_text_);
      x = static_cast<Int128>(d);
      break;
    }
    case ValueKind::kDecimal:
    case ValueKind::kText: {
      bool text = v.kind() == ValueKind::kText;
      std::string_view s = text ? Trim(v.str()) : std::string_view(v.str());
      auto d = ParseDecimal(s, text);
      if (!d) return Refuse(text ? "it is not an integer literal" : "it is not a finite number");
      if (text && s.find_first_of(".eE") != std::string_view::npos)
        return Refuse("it is not an integer literal (no '.' or exponent allowed)");
      if (d->fraction.find_first_not_of('0') != std::string::npos)
        return Refuse("it has a fraction");
      auto w = WholeValue(*d);
      if (!w) return Refuse("it is out of range for " + type_text_);
      x = *w;
      break;
    }
    default:
      return Refuse("no integer conversion of " + KindText(v));
  }
  Range r = IntegerRange(type_.bits, type_.is_unsigned);
  if (x < r.min || x > r.max) return Refuse("it is out of range for " + type_text_);
  v = to_kind_ == ValueKind::kUInt64 ? Value::UInt64(static_cast<uint64_t>(x))
                                     : Value::Int64(static_cast<int64_t>(x));
  return std::nullopt;
}

std::optional<Refusal> ValueConversion::ToDecimal(Value& v) const {
  Decimal d;
  switch (v.kind()) {
    case ValueKind::kBool:
      d.whole = v.as_bool() ? "1" : "";
      break;
    case ValueKind::kInt64:
    case ValueKind::kUInt64: {
      std::string t = v.kind() == ValueKind::kInt64 ? std::to_string(v.as_int64())
                                                    : std::to_string(v.as_uint64());
      d = *ParseDecimal(t, false);
      break;
    }
    case ValueKind::kText: {
      auto p = ParseDecimal(Trim(v.str()), true);
      if (!p) return Refuse("it is not a decimal literal");
      d = std::move(*p);
      break;
    }
    default:
      return Refuse("no numeric conversion of " + KindText(v));
  }
  if (type_.precision > 0) {
    size_t scale = static_cast<size_t>(std::max(type_.scale, 0));
    if (d.fraction.size() > scale) {
      if (d.fraction.find_first_not_of('0', scale) != std::string::npos)
        return Refuse(fmt::format("it has more than {} fraction digits ({} would round it)", scale,
                                  type_text_));
      d.fraction.resize(scale);
    }
    if (d.whole.size() > static_cast<size_t>(type_.precision) - scale)
      return Refuse("it is out of range for " + type_text_);
  }
  bool zero = d.IsZero();
  std::string out = (d.negative && !zero ? "-" : "") + (d.whole.empty() ? "0" : d.whole);
  if (!d.fraction.empty()) out += "." + d.fraction;
  v = Value::String(ValueKind::kDecimal, std::move(out));
  return std::nullopt;
}

std::optional<Refusal> ValueConversion::ToFloat(Value& v) const {
  double d = 0;
  switch (v.kind()) {
    case ValueKind::kBool:
      d = v.as_bool() ? 1 : 0;
      break;
    case ValueKind::kInt64: {
      int64_t x = v.as_int64();
      d = static_cast<double>(x);
      if (d >= 9.2233720368547758e18 || static_cast<int64_t>(d) != x)
        return Refuse("it has no exact " + type_text_ + " value");
      break;
    }
    case ValueKind::kUInt64: {
      uint64_t x = v.as_uint64();
      d = static_cast<double>(x);
      if (d >= 1.8446744073709552e19 || static_cast<uint64_t>(d) != x)
        return Refuse("it has no exact " + type_text_ + " value");
      break;
    }
    default:
      return Refuse("no floating-point conversion of " + KindText(v));
  }
  if (type_.bits == 32 && static_cast<double>(static_cast<float>(d)) != d)
    return Refuse("it has no exact " + type_text_ + " value");
  v = Value::Float64(d);
  return std::nullopt;
}

std::optional<Refusal> ValueConversion::ToBool(Value& v) const {
  bool b = false;
  if (v.kind() == ValueKind::kInt64 || v.kind() == ValueKind::kUInt64) {
    uint64_t x =
        v.kind() == ValueKind::kInt64 ? static_cast<uint64_t>(v.as_int64()) : v.as_uint64();
    if (x > 1) return Refuse("only 0 and 1 are booleans");
    b = x == 1;
  } else if (v.kind() == ValueKind::kText) {
    std::string s(Trim(v.str()));
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "on" || s == "1") {
      b = true;
    } else if (s == "false" || s == "f" || s == "no" || s == "n" || s == "off" || s == "0") {
      b = false;
    } else {
      return Refuse("it is not a boolean literal (true/false, t/f, yes/no, y/n, on/off, 1/0)");
    }
  } else {
    return Refuse("no boolean conversion of " + KindText(v));
  }
  v = Value::Bool(b);
  return std::nullopt;
}

std::optional<Refusal> ValueConversion::ToDate(Value& v) const {
  if (v.kind() == ValueKind::kTimestamp) {
    int64_t t = v.as_micros_or_days();
    if (t == Value::kInfinity || t == Value::kMinusInfinity) {
      v = Value::Date(t);
      return std::nullopt;
    }
    if (t % kMicrosPerDay != 0) return Refuse("it is not at midnight (a date has no time of day)");
    v = Value::Date(FloorDiv(t, kMicrosPerDay));
    return std::nullopt;
  }
  if (v.kind() != ValueKind::kText) return Refuse("no date conversion of " + KindText(v));
  std::string_view s = Trim(v.str());
  auto days = TakeDate(s);
  if (!days || !s.empty()) return Refuse("it is not a date YYYY-MM-DD");
  v = Value::Date(*days);
  return std::nullopt;
}

std::optional<Refusal> ValueConversion::ToTime(Value& v) const {
  if (v.kind() != ValueKind::kText) return Refuse("no time conversion of " + KindText(v));
  std::string_view s = Trim(v.str());
  bool rounds = false;
  auto t = TakeTime(s, type_.fsp < 0 ? 6 : type_.fsp, rounds);
  if (!t || !s.empty()) return Refuse("it is not a time of day HH:MM[:SS[.fraction]]");
  if (rounds) return Refuse("it has more fraction digits than " + type_text_ + " keeps");
  v = Value::Time(*t);
  return std::nullopt;
}

std::optional<Refusal> ValueConversion::ToTimestamp(Value& v) const {
  if (v.kind() == ValueKind::kDate) {
    int64_t d = v.as_micros_or_days();
    v = Value::Timestamp(d == Value::kInfinity || d == Value::kMinusInfinity ? d
                                                                             : d * kMicrosPerDay);
    return std::nullopt;
  }
  if (v.kind() != ValueKind::kText) return Refuse("no datetime conversion of " + KindText(v));
  std::string_view s = Trim(v.str());
  auto days = TakeDate(s);
  if (!days) return Refuse("it is not a datetime YYYY-MM-DD[ HH:MM[:SS[.fraction]]]");
  int64_t micros = 0;
  bool rounds = false;
  if (!s.empty() && (s[0] == ' ' || s[0] == 'T' || s[0] == 't')) {
    s.remove_prefix(1);
    auto t = TakeTime(s, type_.fsp < 0 ? 6 : type_.fsp, rounds);
    if (!t) return Refuse("it is not a datetime YYYY-MM-DD[ HH:MM[:SS[.fraction]]]");
    micros = *t;
  }
  if (!s.empty() && (s[0] == 'Z' || s[0] == 'z' || s[0] == '+' || s[0] == '-'))
    return Refuse(
        "it carries a time zone offset (a datetime has no zone; cutover does not shift it)");
  if (!s.empty()) return Refuse("it is not a datetime YYYY-MM-DD[ HH:MM[:SS[.fraction]]]");
  if (rounds) return Refuse("it has more fraction digits than " + type_text_ + " keeps");
  v = Value::Timestamp(*days * kMicrosPerDay + micros);
  return std::nullopt;
}

}  // namespace cutover::task
