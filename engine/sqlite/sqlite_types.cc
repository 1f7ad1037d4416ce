#include "engine/sqlite/sqlite_types.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "engine/core/civil_time.h"

namespace cutover::sqlite {

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool Contains(const std::string& s, const char* part) {
  return s.find(part) != std::string::npos;
}

bool StartsWith(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// The declared type without its "(...)" part, upper case, single spaces, trimmed.
std::string BaseTypeName(std::string_view declared) {
  std::string up = Upper(declared.substr(0, declared.find('(')));
  std::string out;
  for (char c : up) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// The stored value for error messages: 42, 1.5, 'text', X'00ff' (long values cut).
std::string DescribeStored(SqliteStmt& st, int col) {
  constexpr size_t kMax = 80;
  switch (sqlite3_column_type(st.raw(), col)) {
    case SQLITE_INTEGER:
      return std::to_string(st.column_int64(col)) + " (INTEGER)";
    case SQLITE_FLOAT:
      return ShortestDecimalText(st.column_double(col)) + " (REAL)";
    case SQLITE_TEXT: {
      std::string_view t = st.column_text(col);
      return "'" + std::string(t.substr(0, kMax)) + (t.size() > kMax ? "...'" : "'") + " (TEXT)";
    }
    case SQLITE_BLOB: {
      std::string_view b = st.column_blob(col);
      return "X'" + Hex(b.substr(0, kMax / 2)) + (b.size() > kMax / 2 ? "...'" : "'") + " (BLOB)";
    }
    default:
      return "NULL";
  }
}

Status Unconvertible(const Column& c, SqliteStmt& st, int col, std::string_view expected) {
  return InvalidArgument("column " + c.name + " (" +
                         (c.type_name.empty() ? "untyped" : c.type_name) + "): stored value " +
                         DescribeStored(st, col) + " is not " + std::string(expected));
}

bool ParseInt64Text(std::string_view t, int64_t& out) {
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  if (t.empty()) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && p == t.data() + t.size();
}

// Plain decimal text: [-+]digits[.digits] (at least one digit), or NaN / Infinity / -Infinity.
// Writes the text without a leading '+'.
bool NormalizeDecimalText(std::string_view t, std::string& out) {
  if (t == "NaN" || t == "Infinity" || t == "-Infinity") {
    out.assign(t);
    return true;
  }
  if (t == "+Infinity") {
    out = "Infinity";
    return true;
  }
  std::string_view body = t;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
  size_t digits = 0, dots = 0;
  for (char c : body) {
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '.' && ++dots == 1)
      continue;
    else
      return false;
  }
  if (digits == 0) return false;
  out.assign(t[0] == '+' ? t.substr(1) : t);
  return true;
}

// A double holding exactly the integer `v`, if there is one.
bool ExactDouble(int64_t v, double& out) {
  double d = static_cast<double>(v);
  if (d >= 9223372036854775808.0 || static_cast<int64_t>(d) != v) return false;
  out = d;
  return true;
}

bool ExactInt(double d, int64_t& out) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::floor(d) != d)
    return false;
  out = static_cast<int64_t>(d);
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 36-character (dashed) or 32-character hex UUID text -> canonical lower case with dashes.
bool CanonicalUuid(std::string_view t, std::string& out) {
  std::string hex;
  if (t.size() == 36) {
    for (size_t i = 0; i < t.size(); ++i) {
      bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash != (t[i] == '-')) return false;
      if (!dash) hex.push_back(t[i]);
    }
  } else if (t.size() == 32) {
    hex.assign(t);
  } else {
    return false;
  }
  out.clear();
  for (size_t i = 0; i < hex.size(); ++i) {
    int d = HexDigit(hex[i]);
    if (d < 0) return false;
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back("0123456789abcdef"[d]);
  }
  return true;
}

// ---------------------------------------------------------------- temporal text

// Reads exactly `n` digits.
bool Digits(std::string_view& t, size_t n, int64_t& out) {
  if (t.size() < n) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    out = out * 10 + (t[i] - '0');
  }
  t.remove_prefix(n);
  return true;
}

// Reads one or more digits (at most 18).
bool SomeDigits(std::string_view& t, int64_t& out) {
  size_t n = 0;
  while (n < t.size() && n < 18 && t[n] >= '0' && t[n] <= '9') ++n;
  return n > 0 && Digits(t, n, out);
}

bool Eat(std::string_view& t, char c) {
  if (t.empty() || t[0] != c) return false;
  t.remove_prefix(1);
  return true;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// [+-]YYYY-MM-DD -> days since 1970-01-01.
bool ParseDatePart(std::string_view& t, int64_t& days) {
  bool neg = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) neg = t[0] == '-', t.remove_prefix(1);
  size_t n = 0;
  while (n < t.size() && t[n] >= '0' && t[n] <= '9') ++n;
  int64_t y = 0, m = 0, d = 0;
  if (n < 4 || n > 7 || !Digits(t, n, y)) return false;
  if (!Eat(t, '-') || !Digits(t, 2, m) || !Eat(t, '-') || !Digits(t, 2, d)) return false;
  if (neg) y = -y;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(m))) return false;
  days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// HH:MM[:SS[.f{1,6}]] -> µs. `max_hours` bounds HH.
bool ParseTimePart(std::string_view& t, int64_t max_hours, int64_t& micros) {
  int64_t h = 0, mi = 0, s = 0, frac = 0;
  if (!SomeDigits(t, h) || h > max_hours || !Eat(t, ':') || !Digits(t, 2, mi) || mi > 59)
    return false;
  if (Eat(t, ':')) {
    if (!Digits(t, 2, s) || s > 59) return false;
    if (Eat(t, '.')) {
      size_t n = 0;
      while (n < t.size() && t[n] >= '0' && t[n] <= '9') ++n;
      if (n == 0 || n > 6 || !Digits(t, n, frac)) return false;
      for (size_t i = n; i < 6; ++i) frac *= 10;
    }
  }
  micros = ((h * 60 + mi) * 60 + s) * kMicrosPerSecond + frac;
  return true;
}

void AppendDate(int64_t days, std::string& out) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  if (y >= 0 && y <= 9999)
    out += fmt::format("{:04}-{:02}-{:02}", y, m, d);
  else if (y > 9999)
    out += fmt::format("+{}-{:02}-{:02}", y, m, d);
  else
    out += fmt::format("-{:04}-{:02}-{:02}", -y, m, d);
}

void AppendTime(int64_t micros, std::string& out) {
  if (micros < 0) {
    out.push_back('-');
    micros = -micros;
  }
  int64_t secs = micros / kMicrosPerSecond, frac = micros % kMicrosPerSecond;
  out += fmt::format("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
  if (frac) {
    std::string f = fmt::format(".{:06}", frac);
    while (f.back() == '0') f.pop_back();  // as PostgreSQL prints it: 12:00:00.5
    out += f;
  }
}

}  // namespace

// ---------------------------------------------------------------- declared types

Affinity AffinityOfDeclaredType(std::string_view declared) {
  std::string up = Upper(declared);
  if (Contains(up, "INT")) return Affinity::kInteger;
  if (Contains(up, "CHAR") || Contains(up, "CLOB") || Contains(up, "TEXT")) return Affinity::kText;
  if (Contains(up, "BLOB") || BaseTypeName(declared).empty()) return Affinity::kBlob;
  if (Contains(up, "REAL") || Contains(up, "FLOA") || Contains(up, "DOUB")) return Affinity::kReal;
  return Affinity::kNumeric;
}

ValueKind SqliteKindForDeclaredType(std::string_view declared) {
  std::string base = BaseTypeName(declared);
  if (Contains(base, "BOOL")) return ValueKind::kBool;
  if (base == "DATE") return ValueKind::kDate;
  if (StartsWith(base, "TIMESTAMP") || StartsWith(base, "DATETIME")) {
    bool tz = Contains(base, "WITH TIME ZONE") || (base.size() > 2 && base.ends_with("TZ"));
    return tz ? ValueKind::kTimestampTz : ValueKind::kTimestamp;
  }
  if (base == "TIME" || base == "TIME WITHOUT TIME ZONE") return ValueKind::kTime;
  if (StartsWith(base, "JSON")) return ValueKind::kJson;
  if (base == "UUID" || base == "GUID") return ValueKind::kUuid;
  if (Contains(base, "DECIMAL") || Contains(base, "NUMERIC")) return ValueKind::kDecimal;
  if (base.empty() || base == "ANY") return ValueKind::kText;  // untyped: see docs/types.md
  switch (AffinityOfDeclaredType(declared)) {
    case Affinity::kInteger:
      return ValueKind::kInt64;
    case Affinity::kText:
      return ValueKind::kText;
    case Affinity::kBlob:
      return ValueKind::kBytes;
    case Affinity::kReal:
      return ValueKind::kFloat64;
    case Affinity::kNumeric:
      return ValueKind::kDecimal;
  }
  return ValueKind::kText;
}

std::string ShortestDecimalText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[400];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  if (ec != std::errc()) return fmt::format("{}", d);
  return std::string(buf, p);
}

// ---------------------------------------------------------------- temporal text

std::string FormatSqliteTemporal(const Value& v) {
  std::string out;
  int64_t x = v.as_micros_or_days();
  if (v.kind() != ValueKind::kTime && (x == Value::kInfinity || x == Value::kMinusInfinity))
    return x == Value::kInfinity ? "infinity" : "-infinity";
  switch (v.kind()) {
    case ValueKind::kDate:
      AppendDate(x, out);
      break;
    case ValueKind::kTime:
      AppendTime(x, out);
      break;
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      int64_t days = x >= 0 ? x / kMicrosPerDay : -((-x + kMicrosPerDay - 1) / kMicrosPerDay);
      AppendDate(days, out);
      out.push_back(' ');
      AppendTime(x - days * kMicrosPerDay, out);
      if (v.kind() == ValueKind::kTimestampTz) out += "+00:00";
      break;
    }
    default:
      break;
  }
  return out;
}

bool ParseSqliteTemporal(ValueKind kind, std::string_view t, Value& out) {
  if (kind != ValueKind::kTime && (t == "infinity" || t == "-infinity")) {
    int64_t x = t[0] == '-' ? Value::kMinusInfinity : Value::kInfinity;
    out = kind == ValueKind::kDate        ? Value::Date(x)
          : kind == ValueKind::kTimestamp ? Value::Timestamp(x)
                                          : Value::TimestampTz(x);
    return true;
  }
  switch (kind) {
    case ValueKind::kDate: {
      int64_t days;
      if (!ParseDatePart(t, days) || !t.empty()) return false;
      out = Value::Date(days);
      return true;
    }
    case ValueKind::kTime: {
      bool neg = Eat(t, '-');
      int64_t micros;
      if (!ParseTimePart(t, 999, micros) || !t.empty()) return false;
      out = Value::Time(neg ? -micros : micros);
      return true;
    }
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      int64_t days, micros = 0;
      if (!ParseDatePart(t, days)) return false;
      if (!t.empty() && (t[0] == ' ' || t[0] == 'T')) {
        t.remove_prefix(1);
        if (!ParseTimePart(t, 23, micros)) return false;
      }
      int64_t offset = 0;  // seconds east of UTC
      if (!t.empty()) {
        if (kind != ValueKind::kTimestampTz) return false;
        if (t == "Z") {
          t.remove_prefix(1);
        } else {
          bool neg = t[0] == '-';
          if (t[0] != '+' && t[0] != '-') return false;
          t.remove_prefix(1);
          int64_t oh = 0, om = 0;
          if (!Digits(t, 2, oh) || oh > 15) return false;
          Eat(t, ':');
          if (!t.empty() && (!Digits(t, 2, om) || om > 59)) return false;
          offset = (oh * 60 + om) * 60 * (neg ? -1 : 1);
        }
        if (!t.empty()) return false;
      }
      int64_t v = days * kMicrosPerDay + micros - offset * kMicrosPerSecond;
      out = kind == ValueKind::kTimestamp ? Value::Timestamp(v) : Value::TimestampTz(v);
      return true;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------- decoding

Status DecodeSqliteColumn(const Column& c, SqliteStmt& st, int col, Value& out) {
  int type = sqlite3_column_type(st.raw(), col);
  if (type == SQLITE_NULL) {
    out = Value::Null();
    return Status::Ok();
  }
  switch (c.kind) {
    case ValueKind::kInt64: {
      int64_t v;
      if (type == SQLITE_INTEGER) {
        out = Value::Int64(st.column_int64(col));
        return Status::Ok();
      }
      if ((type == SQLITE_FLOAT && ExactInt(st.column_double(col), v)) ||
          (type == SQLITE_TEXT && ParseInt64Text(st.column_text(col), v))) {
        out = Value::Int64(v);
        return Status::Ok();
      }
      return Unconvertible(c, st, col, "a 64-bit integer");
    }
    case ValueKind::kBool: {
      int64_t v = -1;
      if (type == SQLITE_INTEGER) v = st.column_int64(col);
      if (type == SQLITE_FLOAT) ExactInt(st.column_double(col), v);
      if (type == SQLITE_TEXT) {
        std::string t = Upper(st.column_text(col));
        v = t == "TRUE" || t == "1" ? 1 : t == "FALSE" || t == "0" ? 0 : -1;
      }
      if (v != 0 && v != 1) return Unconvertible(c, st, col, "a boolean (0 or 1)");
      out = Value::Bool(v == 1);
      return Status::Ok();
    }
    case ValueKind::kFloat64: {
      double d;
      if (type == SQLITE_FLOAT) {
        out = Value::Float64(st.column_double(col));
        return Status::Ok();
      }
      if (type == SQLITE_INTEGER && ExactDouble(st.column_int64(col), d)) {
        out = Value::Float64(d);
        return Status::Ok();
      }
      if (type == SQLITE_TEXT) {
        std::string_view t = st.column_text(col);
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
        if (!t.empty() && ec == std::errc() && p == t.data() + t.size()) {
          out = Value::Float64(d);
          return Status::Ok();
        }
      }
      return Unconvertible(c, st, col, "a double");
    }
    case ValueKind::kDecimal: {
      std::string text;
      if (type == SQLITE_INTEGER) {
        text = std::to_string(st.column_int64(col));
      } else if (type == SQLITE_FLOAT) {
        text = ShortestDecimalText(st.column_double(col));
      } else if (type != SQLITE_TEXT || !NormalizeDecimalText(st.column_text(col), text)) {
        return Unconvertible(c, st, col, "a decimal number");
      }
      out = Value::String(ValueKind::kDecimal, std::move(text));
      return Status::Ok();
    }
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kOther:
      if (type == SQLITE_TEXT) {
        out = Value::String(c.kind, std::string(st.column_text(col)));
      } else if (type == SQLITE_INTEGER) {
        out = Value::String(c.kind, std::to_string(st.column_int64(col)));
      } else if (type == SQLITE_FLOAT) {
        out = Value::String(c.kind, ShortestDecimalText(st.column_double(col)));
      } else {
        return Unconvertible(c, st, col, "text (declare the column BLOB to carry bytes)");
      }
      return Status::Ok();
    case ValueKind::kBytes:
      if (type == SQLITE_BLOB) {
        out = Value::String(ValueKind::kBytes, std::string(st.column_blob(col)));
      } else if (type == SQLITE_TEXT) {
        out = Value::String(ValueKind::kBytes, std::string(st.column_text(col)));
      } else {
        return Unconvertible(c, st, col, "a BLOB or text");
      }
      return Status::Ok();
    case ValueKind::kUuid: {
      std::string u;
      if (type == SQLITE_BLOB && st.column_blob(col).size() == 16) {
        CanonicalUuid(Hex(st.column_blob(col)), u);
      } else if (type != SQLITE_TEXT || !CanonicalUuid(st.column_text(col), u)) {
        return Unconvertible(c, st, col, "a UUID (36-character text or a 16-byte BLOB)");
      }
      out = Value::String(ValueKind::kUuid, std::move(u));
      return Status::Ok();
    }
    case ValueKind::kDate:
    case ValueKind::kTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      if (type == SQLITE_TEXT && ParseSqliteTemporal(c.kind, st.column_text(col), out))
        return Status::Ok();
      const char* expected =
          c.kind == ValueKind::kDate   ? "an ISO date (YYYY-MM-DD)"
          : c.kind == ValueKind::kTime ? "an ISO time (HH:MM:SS[.ffffff])"
          : c.kind == ValueKind::kTimestamp
              ? "an ISO timestamp without time zone (YYYY-MM-DD HH:MM:SS[.ffffff])"
              : "an ISO timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][Z|+HH:MM])";
      return Unconvertible(c, st, col, expected);
    }
    case ValueKind::kUInt64:
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      break;
  }
  return Internal("column " + c.name + ": no SQLite decoding for kind " + ValueKindName(c.kind));
}

// ---------------------------------------------------------------- target

SqliteTargetColumn PlanSqliteColumn(const Column& c, const std::string& source_engine) {
  SqliteTargetColumn tc;
  auto set = [&](std::string declared) {
    tc.declared = std::move(declared);
    tc.affinity = AffinityOfDeclaredType(tc.declared);
  };
  if (source_engine == "sqlite") {
    set(c.type_name);
    return tc;
  }
  // Decided from the source's neutral description (engine/core/column_type.h), then the kind.
  const ColumnType& type = c.type;
  std::string parens;  // "(p,s)" of a decimal
  if (type.family == TypeFamily::kDecimal && type.precision >= 0)
    parens =
        "(" + std::to_string(type.precision) + "," + std::to_string(std::max(type.scale, 0)) + ")";
  switch (c.kind) {
    case ValueKind::kBool:
      set("BOOLEAN");
      break;
    case ValueKind::kInt64:
      set("INTEGER");
      break;
    case ValueKind::kUInt64:
      // Only BIGINT UNSIGNED and BIT(64) can pass INT64_MAX; SQLite's INTEGER is signed 64-bit.
      set((type.family == TypeFamily::kInteger || type.family == TypeFamily::kBit) &&
                  type.bits >= 64
              ? "DECIMAL TEXT(20,0)"
              : "INTEGER");
      break;
    case ValueKind::kFloat64:
      set("REAL");  // NaN (L3) and -0 (L4) are value-level: reported when written
      break;
    case ValueKind::kDecimal:
      set("DECIMAL TEXT" + parens);  // TEXT affinity: the digits are kept exactly
      break;
    case ValueKind::kBytes:
      set("BLOB");
      break;
    case ValueKind::kDate:
      set("DATE");
      break;
    case ValueKind::kTime:
      set("TIME");
      break;
    case ValueKind::kTimestamp:
      set("DATETIME");
      break;
    case ValueKind::kTimestampTz:
      set("TIMESTAMPTZ");
      break;
    case ValueKind::kJson:
      set("JSON TEXT");  // NUMERIC affinity (plain JSON) would store '1.50' as the REAL 1.5
      break;
    case ValueKind::kUuid:
      set("UUID");
      break;
    case ValueKind::kOther:
      set("TEXT");
      tc.warning = "column " + c.name + " (" + c.type_name +
                   " -> TEXT): L8, stored as the source's text form";
      break;
    default:
      set("TEXT");
      break;
  }
  if (type.zero_dates && (c.kind == ValueKind::kDate || c.kind == ValueKind::kTimestamp ||
                          c.kind == ValueKind::kTimestampTz)) {
    tc.other_as_null = true;  // L7, value-level: reported when a zero date is written
    tc.nullable = c.nullable;
  }
  return tc;
}

Status BindForSqlite(const SqliteTargetColumn& tc, const std::string& column_name, const Value& v,
                     SqliteStmt& st, int i, LossyRule& applied) {
  applied = LossyRule::kNone;
  switch (v.kind()) {
    case ValueKind::kNull:
      return st.BindNull(i);
    case ValueKind::kBool:
      return st.BindInt64(i, v.as_bool() ? 1 : 0);
    case ValueKind::kInt64:
      return st.BindInt64(i, v.as_int64());
    case ValueKind::kUInt64:
      if (v.as_uint64() <= static_cast<uint64_t>(INT64_MAX))
        return st.BindInt64(i, static_cast<int64_t>(v.as_uint64()));
      if (tc.affinity != Affinity::kText && tc.affinity != Affinity::kBlob)
        return InvalidArgument("column " + column_name + ": value " +
                               std::to_string(v.as_uint64()) + " does not fit SQLite's " +
                               tc.declared + " (a signed 64-bit integer)");
      return st.BindText(i, std::to_string(v.as_uint64()));
    case ValueKind::kFloat64:
      if (std::isnan(v.as_double())) {  // SQLite has no NaN
        applied = LossyRule::kL3NaNToNull;
        return st.BindNull(i);
      }
      if (v.as_double() == 0 && std::signbit(v.as_double()))
        applied = LossyRule::kL4MinusZero;  // SQLite stores -0.0 as 0
      return st.BindDouble(i, v.as_double());
    case ValueKind::kDecimal:
      // A SQLite NUMERIC column (SQLite -> SQLite) held an INTEGER or REAL: store that again.
      if (tc.affinity == Affinity::kNumeric || tc.affinity == Affinity::kInteger ||
          tc.affinity == Affinity::kReal) {
        const std::string& t = v.str();
        int64_t n;
        if (ParseInt64Text(t, n)) return st.BindInt64(i, n);
        double d;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
        if (ec == std::errc() && p == t.data() + t.size() && ShortestDecimalText(d) == t)
          return st.BindDouble(i, d);
      }
      return st.BindText(i, v.str());
    case ValueKind::kBytes:
      return st.BindBlob(i, v.str());
    case ValueKind::kDate:
    case ValueKind::kTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      return st.BindText(i, FormatSqliteTemporal(v));
    case ValueKind::kOther:
      if (tc.other_as_null) {
        if (!tc.nullable) {
          return InvalidArgument("column " + column_name + ": value '" + v.str() +
                                 "' (a MariaDB zero date) would be written as NULL (L7), but the "
                                 "column is NOT NULL");
        }
        applied = LossyRule::kL7ZeroDateToNull;
        return st.BindNull(i);
      }
      return st.BindText(i, v.str());
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
      return st.BindText(i, v.str());
    case ValueKind::kUnchanged:
      break;
  }
  return Internal("column " + column_name + ": cannot bind " + v.DebugString());
}

}  // namespace cutover::sqlite
