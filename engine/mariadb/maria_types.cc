#include "engine/mariadb/maria_types.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/core/civil_time.h"

namespace cutover::mariadb {

namespace {

struct TypeRule {
  const char* data_type;
  ValueKind kind;
  uint32_t type_id;  // MYSQL_TYPE_* as written in the binlog's TABLE_MAP
};

// DATA_TYPE -> kind. Integers are refined by signedness, character types by charset.
constexpr TypeRule kRules[] = {
    {"tinyint", ValueKind::kInt64, type_id::kTiny},
    {"smallint", ValueKind::kInt64, type_id::kShort},
    {"mediumint", ValueKind::kInt64, type_id::kInt24},
    {"int", ValueKind::kInt64, type_id::kLong},
    {"bigint", ValueKind::kInt64, type_id::kLongLong},
    {"decimal", ValueKind::kDecimal, type_id::kNewDecimal},
    {"float", ValueKind::kFloat64, type_id::kFloat},
    {"double", ValueKind::kFloat64, type_id::kDouble},
    {"date", ValueKind::kDate, type_id::kDate},
    {"time", ValueKind::kTime, type_id::kTime2},
    {"datetime", ValueKind::kTimestamp, type_id::kDatetime2},
    {"timestamp", ValueKind::kTimestampTz, type_id::kTimestamp2},
    {"year", ValueKind::kInt64, type_id::kYear},
    {"bit", ValueKind::kUInt64, type_id::kBit},
    {"char", ValueKind::kText, type_id::kString},
    {"varchar", ValueKind::kText, type_id::kVarchar},
    {"tinytext", ValueKind::kText, type_id::kBlob},
    {"text", ValueKind::kText, type_id::kBlob},
    {"mediumtext", ValueKind::kText, type_id::kBlob},
    {"longtext", ValueKind::kText, type_id::kBlob},
    {"binary", ValueKind::kBytes, type_id::kString},
    {"varbinary", ValueKind::kBytes, type_id::kVarchar},
    {"tinyblob", ValueKind::kBytes, type_id::kBlob},
    {"blob", ValueKind::kBytes, type_id::kBlob},
    {"mediumblob", ValueKind::kBytes, type_id::kBlob},
    {"longblob", ValueKind::kBytes, type_id::kBlob},
    {"enum", ValueKind::kText, type_id::kEnum},
    {"set", ValueKind::kText, type_id::kSet},
    {"uuid", ValueKind::kUuid, type_id::kString},
};

bool SupportedCharset(const std::string& cs) {
  return cs.empty() || cs == "utf8mb4" || cs == "utf8mb3" || cs == "utf8" || cs == "ascii" ||
         cs == "latin1" || cs == "binary";
}

// The integer inside the first "(...)" of a column type, e.g. time(6) -> 6; -1 if none.
int FirstParenNumber(const std::string& column_type, int which) {
  size_t open = column_type.find('(');
  if (open == std::string::npos) return -1;
  size_t pos = open + 1;
  for (int i = 0; i < which; ++i) {
    pos = column_type.find(',', pos);
    if (pos == std::string::npos) return -1;
    ++pos;
  }
  int v = 0;
  auto [p, ec] =
      std::from_chars(column_type.data() + pos, column_type.data() + column_type.size(), v);
  return ec == std::errc() ? v : -1;
}

Status Bad(std::string_view what, std::string_view text) {
  return InvalidArgument(fmt::format("cannot parse '{}' as MariaDB {}", text.substr(0, 64), what));
}

bool ReadInt(std::string_view t, size_t& pos, int64_t& v, size_t min_digits, size_t max_digits) {
  size_t start = pos;
  v = 0;
  while (pos < t.size() && pos - start < max_digits && t[pos] >= '0' && t[pos] <= '9') {
    v = v * 10 + (t[pos] - '0');
    ++pos;
  }
  return pos - start >= min_digits;
}

// ".ffffff" (1-6 digits) -> microseconds; absent -> 0.
bool ReadFraction(std::string_view t, size_t& pos, int64_t& micros) {
  micros = 0;
  if (pos >= t.size() || t[pos] != '.') return true;
  ++pos;
  size_t start = pos;
  int64_t scale = 100000;
  while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
    if (pos - start >= 6) return false;
    micros += (t[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  return pos > start;
}

// "YYYY-MM-DD": false when malformed; `zero` when a part is zero (not a real date).
bool ReadDate(std::string_view t, size_t& pos, int64_t& days, bool& zero) {
  int64_t y, m, d;
  if (!ReadInt(t, pos, y, 4, 4) || pos >= t.size() || t[pos++] != '-' ||
      !ReadInt(t, pos, m, 2, 2) || pos >= t.size() || t[pos++] != '-' || !ReadInt(t, pos, d, 2, 2))
    return false;
  zero = m == 0 || d == 0;
  if (!zero) {
    if (m > 12 || d > 31) return false;
    days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  }
  return true;
}

// The labels of "enum('a','b''c')" / "set(...)", unquoted.
std::vector<std::string> EnumLabels(const std::string& column_type) {
  std::vector<std::string> out;
  size_t open = column_type.find('(');
  if (open == std::string::npos) return out;
  std::string cur;
  bool in = false;
  for (size_t i = open + 1; i < column_type.size(); ++i) {
    char ch = column_type[i];
    if (!in) {
      if (ch == '\'')
        in = true;
      else if (ch == ')')
        break;
      continue;
    }
    if (ch == '\'' && i + 1 < column_type.size() && column_type[i + 1] == '\'') {
      cur.push_back('\'');
      ++i;
    } else if (ch == '\'') {
      out.push_back(cur);
      cur.clear();
      in = false;
    } else {
      cur.push_back(ch);
    }
  }
  return out;
}

// The engine-neutral description of a MariaDB column (engine/core/column_type.h).
ColumnType DescribeMariaColumnType(const MariaColumnInfo& info, bool is_unsigned) {
  const std::string& d = info.data_type;
  const std::string& ct = info.column_type;
  ColumnType t;
  auto integer = [&](int bits) {
    t.family = TypeFamily::kInteger;
    t.bits = bits;
    t.is_unsigned = is_unsigned;
  };
  if (info.is_json) {
    t.family = TypeFamily::kJson;
  } else if (d == "tinyint") {
    integer(8);
  } else if (d == "smallint") {
    integer(16);
  } else if (d == "mediumint") {
    integer(24);
  } else if (d == "int") {
    integer(32);
  } else if (d == "bigint") {
    integer(64);
  } else if (d == "decimal") {
    t.family = TypeFamily::kDecimal;
    int p = FirstParenNumber(ct, 0), s = FirstParenNumber(ct, 1);
    t.precision = p < 0 ? 10 : p;
    t.scale = s < 0 ? 0 : s;
  } else if (d == "float" || d == "double") {
    t.family = TypeFamily::kFloat;
    t.bits = d == "float" ? 32 : 64;
  } else if (d == "date") {
    t.family = TypeFamily::kDate;
    t.zero_dates = true;
  } else if (d == "time") {
    t.family = TypeFamily::kTime;
    t.fsp = std::max(0, FirstParenNumber(ct, 0));
    t.extended_range = true;
  } else if (d == "datetime" || d == "timestamp") {
    t.family = d == "datetime" ? TypeFamily::kTimestamp : TypeFamily::kTimestampTz;
    t.fsp = std::max(0, FirstParenNumber(ct, 0));
    t.zero_dates = true;
  } else if (d == "year") {
    t.family = TypeFamily::kYear;
  } else if (d == "bit") {
    t.family = TypeFamily::kBit;
    t.bits = std::max(1, FirstParenNumber(ct, 0));
  } else if (d == "char" || d == "varchar") {
    t.family = d == "char" ? TypeFamily::kFixedText : TypeFamily::kVarText;
    t.length = FirstParenNumber(ct, 0);
  } else if (d == "tinytext" || d == "text" || d == "mediumtext" || d == "longtext") {
    t.family = TypeFamily::kText;
  } else if (d == "binary" || d == "varbinary") {
    t.family = TypeFamily::kBytes;
    t.length = FirstParenNumber(ct, 0);
  } else if (d == "tinyblob" || d == "blob" || d == "mediumblob" || d == "longblob") {
    t.family = TypeFamily::kBytes;
  } else if (d == "enum" || d == "set") {
    t.family = d == "enum" ? TypeFamily::kEnum : TypeFamily::kSet;
    t.labels = EnumLabels(ct);
  } else if (d == "uuid") {
    t.family = TypeFamily::kUuid;
  }
  return t;
}

}  // namespace

Result<Column> MariaColumn(const MariaColumnInfo& info) {
  Column c;
  c.name = info.name;
  c.nullable = info.nullable;
  const TypeRule* rule = nullptr;
  for (const TypeRule& r : kRules) {
    if (info.data_type == r.data_type) rule = &r;
  }
  if (!rule) {
    return FailedPrecondition("column " + info.name + ": MariaDB type " + info.column_type +
                              " is not supported by cutover (see docs/types.md)");
  }
  if (info.column_type.find("mariadb-5.3") != std::string::npos &&
      info.column_type.find('(') != std::string::npos) {
    // Pre-10.0 temporal format *with fractions*: the binlog logs no metadata to size these
    // (without fractions the old layouts are fixed-size and decoded).
    return FailedPrecondition(
        "column " + info.name + ": " + info.column_type +
        " uses the old MariaDB 5.3 temporal format with fractions, whose "
        "binlog rows cannot be decoded; convert it with ALTER TABLE ... FORCE");
  }
  if (!SupportedCharset(info.charset)) {
    return FailedPrecondition("column " + info.name + ": character set " + info.charset +
                              " is not supported (utf8mb4, utf8mb3, ascii, latin1, binary)");
  }
  c.kind = rule->kind;
  c.type_id = rule->type_id;
  c.type_name = info.column_type;
  bool is_unsigned = info.column_type.find("unsigned") != std::string::npos;
  if (is_unsigned && c.kind == ValueKind::kInt64 && info.data_type != "year") {
    c.kind = ValueKind::kUInt64;
  }
  c.type = DescribeMariaColumnType(info, is_unsigned);
  if (info.is_json) {
    c.kind = ValueKind::kJson;
    c.type_name = "json";
  } else if (!info.charset.empty() && !info.collation.empty()) {
    c.type_name += " CHARACTER SET " + info.charset + " COLLATE " + info.collation;
  }
  return c;
}

bool IsUnsigned(const Column& column) {
  return column.kind == ValueKind::kUInt64;
}

int FractionalDigits(const Column& column) {
  if (column.kind != ValueKind::kTime && column.kind != ValueKind::kTimestamp &&
      column.kind != ValueKind::kTimestampTz)
    return 0;
  int n = FirstParenNumber(column.type_name, 0);
  return n < 0 ? 0 : n;
}

std::pair<int, int> DecimalPrecisionScale(const Column& column) {
  if (column.kind != ValueKind::kDecimal) return {0, 0};
  int p = FirstParenNumber(column.type_name, 0), s = FirstParenNumber(column.type_name, 1);
  return {p < 0 ? 10 : p, s < 0 ? 0 : s};
}

std::string MariaSelectExpression(const Column& column) {
  std::string q = "`";
  for (char ch : column.name) {
    if (ch == '`') q.push_back('`');
    q.push_back(ch);
  }
  q.push_back('`');
  if (column.type_id == type_id::kFloat) return "CAST(" + q + " AS DOUBLE)";
  if (column.type_id == type_id::kBit) return "(" + q + "+0)";
  return q;
}

Status DecodeMariaText(const Column& column, std::string_view t, Value& out) {
  switch (column.kind) {
    case ValueKind::kInt64: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size()) return Bad("integer", t);
      out = Value::Int64(v);
      return Status::Ok();
    }
    case ValueKind::kUInt64: {
      uint64_t v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size()) return Bad("unsigned integer", t);
      out = Value::UInt64(v);
      return Status::Ok();
    }
    case ValueKind::kFloat64: {
      double v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size()) return Bad("double", t);
      out = Value::Float64(v);
      return Status::Ok();
    }
    case ValueKind::kDecimal: {
      // MariaDB prints exactly `scale` fraction digits; a negative zero never reaches the
      // binlog, so "-0.00" (not expected from the server) is normalised the same way.
      std::string s(t);
      if (!s.empty() && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos)
        s.erase(0, 1);
      out = Value::String(ValueKind::kDecimal, std::move(s));
      return Status::Ok();
    }
    case ValueKind::kText:
    case ValueKind::kBytes:
    case ValueKind::kJson:
    case ValueKind::kUuid:
      out = Value::String(column.kind, std::string(t));
      return Status::Ok();
    case ValueKind::kDate: {
      size_t pos = 0;
      int64_t days = 0;
      bool zero = false;
      if (!ReadDate(t, pos, days, zero) || pos != t.size()) return Bad("DATE", t);
      out = zero ? Value::String(ValueKind::kOther, std::string(t)) : Value::Date(days);
      return Status::Ok();
    }
    case ValueKind::kTime: {
      size_t pos = 0;
      bool neg = !t.empty() && t[0] == '-';
      if (neg) ++pos;
      int64_t h, m, s, frac;
      if (!ReadInt(t, pos, h, 1, 3) || pos >= t.size() || t[pos++] != ':' ||
          !ReadInt(t, pos, m, 2, 2) || pos >= t.size() || t[pos++] != ':' ||
          !ReadInt(t, pos, s, 2, 2) || !ReadFraction(t, pos, frac) || pos != t.size())
        return Bad("TIME", t);
      int64_t us = ((h * 60 + m) * 60 + s) * kMicrosPerSecond + frac;
      out = Value::Time(neg ? -us : us);
      return Status::Ok();
    }
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      size_t pos = 0;
      int64_t days = 0, h, m, s, frac;
      bool zero = false;
      if (!ReadDate(t, pos, days, zero) || pos >= t.size() || t[pos++] != ' ' ||
          !ReadInt(t, pos, h, 2, 2) || pos >= t.size() || t[pos++] != ':' ||
          !ReadInt(t, pos, m, 2, 2) || pos >= t.size() || t[pos++] != ':' ||
          !ReadInt(t, pos, s, 2, 2) || !ReadFraction(t, pos, frac) || pos != t.size())
        return Bad(column.kind == ValueKind::kTimestamp ? "DATETIME" : "TIMESTAMP", t);
      if (zero) {
        out = Value::String(ValueKind::kOther, std::string(t));
        return Status::Ok();
      }
      int64_t us = days * kMicrosPerDay + ((h * 60 + m) * 60 + s) * kMicrosPerSecond + frac;
      out = column.kind == ValueKind::kTimestamp ? Value::Timestamp(us) : Value::TimestampTz(us);
      return Status::Ok();
    }
    case ValueKind::kBool:
      out = Value::Bool(t != "0");
      return Status::Ok();
    case ValueKind::kOther:
      out = Value::String(ValueKind::kOther, std::string(t));
      return Status::Ok();
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      break;
  }
  return Internal("DecodeMariaText: no text form for kind " +
                  std::string(ValueKindName(column.kind)));
}

namespace {

void AppendDate(int64_t days, std::string& out) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  fmt::format_to(std::back_inserter(out), "{:04d}-{:02d}-{:02d}", y, m, d);
}

void AppendTimeOfDay(int64_t us, std::string& out) {
  int64_t s = us / kMicrosPerSecond, frac = us % kMicrosPerSecond;
  fmt::format_to(std::back_inserter(out), "{:02d}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60);
  if (frac) fmt::format_to(std::back_inserter(out), ".{:06d}", frac);
}

}  // namespace

std::string EncodeMariaText(const Value& v) {
  std::string out;
  switch (v.kind()) {
    case ValueKind::kBool:
      return v.as_bool() ? "1" : "0";
    case ValueKind::kInt64:
      return fmt::format("{}", v.as_int64());
    case ValueKind::kUInt64:
      return fmt::format("{}", v.as_uint64());
    case ValueKind::kFloat64:
      return fmt::format("{}", v.as_double());  // shortest round-trip form
    case ValueKind::kDate:
      AppendDate(v.as_micros_or_days(), out);
      return out;
    case ValueKind::kTime: {
      int64_t us = v.as_micros_or_days();
      if (us < 0) {
        out += '-';
        us = -us;
      }
      AppendTimeOfDay(us, out);  // hours may exceed 24 for MariaDB TIME
      return out;
    }
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      int64_t us = v.as_micros_or_days();
      int64_t days = us >= 0 ? us / kMicrosPerDay : -((-us + kMicrosPerDay - 1) / kMicrosPerDay);
      AppendDate(days, out);
      out += ' ';
      AppendTimeOfDay(us - days * kMicrosPerDay, out);
      return out;
    }
    case ValueKind::kDecimal:
    case ValueKind::kText:
    case ValueKind::kBytes:
    case ValueKind::kJson:
    case ValueKind::kUuid:
    case ValueKind::kOther:
      return v.str();
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      break;
  }
  return out;
}

}  // namespace cutover::mariadb
