#include "engine/mariadb/maria_target_types.h"

#include <charconv>
#include <cmath>
#include <vector>

#include "engine/core/civil_time.h"
#include "engine/mariadb/maria_types.h"

namespace cutover::mariadb {

namespace {

constexpr const char* kTextCollation = " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin";
constexpr size_t kKeyChars = 768;   // 768 utf8mb4 characters = InnoDB's 3072-byte key limit
constexpr size_t kKeyBytes = 3072;  // same limit for binary keys
constexpr int kDecimalMaxPrecision = 65;
constexpr int kDecimalMaxScale = 30;
constexpr int64_t kMaxTimeMicros = (838LL * 3600 + 59 * 60 + 59) * 1000000 + 999999;

// "TIME(3)": the fraction digits the source keeps, 6 when unknown.
std::string Fsp(const std::string& base, const ColumnType& t) {
  int fsp = t.fsp >= 0 && t.fsp <= 6 ? t.fsp : 6;
  return base + "(" + std::to_string(fsp) + ")";
}

void SetText(MariaTargetColumn& tc, bool is_key, const std::string& what) {
  if (is_key) {
    tc.ddl_type = "VARCHAR(768)" + std::string(kTextCollation);
    tc.max_chars = kKeyChars;
    tc.rules.Add(LossyRule::kL10BoundedKey);
    tc.rules.note = what + " as a key column -> VARCHAR(768): L10, longer values stop the task";
  } else {
    tc.ddl_type = "LONGTEXT" + std::string(kTextCollation);
  }
}

// A DECIMAL(p,s) target holds values of at most p-s integer and s fraction digits: more
// fraction digits are refused (R8; MariaDB would round them with only a Note), more integer
// digits too (R8; LOAD DATA would clip them with a warning).
void SetFixedDecimal(MariaTargetColumn& tc, int p, int s) {
  tc.fixed_scale = s;
  tc.max_int_digits = p - s;
}

void SetDecimal(MariaTargetColumn& tc, const std::vector<int>& mods) {
  if (mods.size() == 2 && mods[0] >= 1 && mods[0] <= kDecimalMaxPrecision && mods[1] >= 0 &&
      mods[1] <= kDecimalMaxScale && mods[1] <= mods[0]) {
    tc.ddl_type = "DECIMAL(" + std::to_string(mods[0]) + "," + std::to_string(mods[1]) + ")";
    SetFixedDecimal(tc, mods[0], mods[1]);
    return;
  }
  // L5, a value-level rule: reported by EncodeForMaria for the values it rounds.
  tc.ddl_type = "DECIMAL(65,30)";
  tc.round_scale = kDecimalMaxScale;
  tc.max_int_digits = kDecimalMaxPrecision - kDecimalMaxScale;
}

// Another engine's column, from its neutral description (engine/core/column_type.h);
// leaves `ddl_type` empty when the description does not decide (the caller maps by kind).
MariaTargetColumn PlanFromType(const Column& c, bool is_key) {
  MariaTargetColumn tc;
  const ColumnType& t = c.type;
  switch (t.family) {
    case TypeFamily::kBool:
      tc.ddl_type = "BOOLEAN";
      return tc;
    case TypeFamily::kInteger:
      if (t.bits <= 8)
        tc.ddl_type = "TINYINT";
      else if (t.bits <= 16)
        tc.ddl_type = "SMALLINT";
      else if (t.bits <= 24)
        tc.ddl_type = "MEDIUMINT";
      else if (t.bits <= 32)
        tc.ddl_type = "INT";
      else
        tc.ddl_type = "BIGINT";
      if (t.is_unsigned) tc.ddl_type += " UNSIGNED";
      return tc;
    case TypeFamily::kFloat:
      tc.ddl_type = t.bits == 32 ? "FLOAT" : "DOUBLE";
      tc.special_floats_to_null = true;  // L2, L4: value-level
      tc.is_float32 = t.bits == 32;
      return tc;
    case TypeFamily::kDecimal:
      // A declared precision is used even unenforced (SQLite): values that do not fit it stop
      // the task (R8) rather than being rounded.
      SetDecimal(tc, t.precision >= 0 ? std::vector<int>{t.precision, t.scale < 0 ? 0 : t.scale}
                                      : std::vector<int>{});
      return tc;
    case TypeFamily::kVarText:
      if (t.enforced && t.length >= 0 && t.length <= static_cast<int64_t>(kKeyChars)) {
        tc.ddl_type = "VARCHAR(" + std::to_string(t.length) + ")" + kTextCollation;
        tc.max_chars = static_cast<size_t>(t.length);
      } else {
        SetText(tc, is_key, c.type_name.empty() ? "text" : c.type_name);
      }
      return tc;
    case TypeFamily::kFixedText:
      if (t.enforced && t.length >= 0 && t.length <= 255) {
        tc.ddl_type = "CHAR(" + std::to_string(t.length) + ")" + kTextCollation;
        tc.max_chars = static_cast<size_t>(t.length);
        tc.strips_trailing_spaces = true;  // L1: value-level
      } else {
        SetText(tc, is_key, c.type_name.empty() ? "text" : c.type_name);
      }
      return tc;
    case TypeFamily::kText:
      SetText(tc, is_key, c.type_name.empty() ? "text" : c.type_name);
      return tc;
    case TypeFamily::kBytes:
      if (is_key) {
        tc.ddl_type = "VARBINARY(3072)";
        tc.max_bytes = kKeyBytes;
        tc.rules.Add(LossyRule::kL10BoundedKey);
        tc.rules.note = (c.type_name.empty() ? std::string("bytes") : c.type_name) +
                        " as a key column -> VARBINARY(3072): L10, longer values stop the task";
      } else {
        tc.ddl_type = "LONGBLOB";
      }
      return tc;
    case TypeFamily::kDate:
      tc.ddl_type = "DATE";
      return tc;
    case TypeFamily::kTime:
      tc.ddl_type = Fsp("TIME", t);
      return tc;
    case TypeFamily::kTimestamp:
      tc.ddl_type = Fsp("DATETIME", t);
      return tc;
    case TypeFamily::kTimestampTz:
      tc.ddl_type = Fsp("DATETIME", t);
      tc.rules.Add(LossyRule::kL6UtcWallTime);
      tc.rules.note =
          (c.type_name.empty() ? std::string("timestamp with time zone") : c.type_name) + " -> " +
          tc.ddl_type + ": L6, the instant is kept as UTC wall time, without a zone";
      return tc;
    case TypeFamily::kJson:
      if (is_key)
        SetText(tc, is_key, c.type_name.empty() ? "json" : c.type_name);
      else
        tc.ddl_type = "JSON";
      return tc;
    case TypeFamily::kUuid:
      tc.ddl_type = "UUID";
      return tc;
    case TypeFamily::kOther:
      SetText(tc, is_key, c.type_name);
      tc.rules.Add(LossyRule::kL8SourceText);
      if (tc.rules.note.empty())
        tc.rules.note = c.type_name + " -> LONGTEXT: L8, stored as the source's text form";
      else
        tc.rules.note += " (L8: stored as the source's text form)";
      return tc;
    default:  // kYear, kBit, kEnum, kSet come only from MariaDB itself; kUnknown: by kind
      return tc;
  }
}

// Any other source: by logical kind.
void PlanFromKind(const Column& c, bool is_key, MariaTargetColumn& tc) {
  switch (c.kind) {
    case ValueKind::kBool:
      tc.ddl_type = "BOOLEAN";
      break;
    case ValueKind::kInt64:
      tc.ddl_type = "BIGINT";
      break;
    case ValueKind::kUInt64:
      tc.ddl_type = "BIGINT UNSIGNED";
      break;
    case ValueKind::kFloat64:
      tc.ddl_type = "DOUBLE";
      tc.special_floats_to_null = true;  // L2, L4: value-level
      break;
    case ValueKind::kDecimal:
      SetDecimal(tc, TypeTextNumbers(c.type_name));
      break;
    case ValueKind::kBytes:
      tc.ddl_type = is_key ? "VARBINARY(3072)" : "LONGBLOB";
      if (is_key) tc.max_bytes = kKeyBytes;
      break;
    case ValueKind::kDate:
      tc.ddl_type = "DATE";
      break;
    case ValueKind::kTime:
      tc.ddl_type = "TIME(6)";
      break;
    case ValueKind::kTimestamp:
      tc.ddl_type = "DATETIME(6)";
      break;
    case ValueKind::kTimestampTz:
      tc.ddl_type = "DATETIME(6)";
      tc.rules.Add(LossyRule::kL6UtcWallTime);
      tc.rules.note = "timestamp with time zone -> DATETIME(6): L6, kept as UTC wall time";
      break;
    case ValueKind::kJson:
      tc.ddl_type = "JSON";
      break;
    case ValueKind::kUuid:
      tc.ddl_type = "UUID";
      break;
    default:
      SetText(tc, is_key, c.type_name.empty() ? "text" : c.type_name);
      break;
  }
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

Status Unstorable(const MariaTargetColumn& tc, const Value& v, const std::string& why) {
  std::string shown = ShowValue(v);
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  return InvalidArgument("column " + tc.name + ": value " + shown + " cannot be stored in " +
                         tc.ddl_type.substr(0, tc.ddl_type.find(' ')) + ": " + why);
}

size_t Utf8Chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

// Whether `days` falls in years 1-9999, the range of MariaDB DATE and DATETIME.
bool InMariaDateRange(int64_t days) {
  if (days == Value::kInfinity || days == Value::kMinusInfinity) return false;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  return y >= 1 && y <= 9999;
}

}  // namespace

MariaTargetColumn PlanMariaColumn(const Column& c, const std::string& source_engine, bool is_key) {
  MariaTargetColumn tc;
  if (source_engine == "mariadb" && !c.type_name.empty()) {
    tc.ddl_type = c.type_name;  // "json" for MariaDB's JSON alias: it brings its own CHECK
    tc.is_year = c.type_name.rfind("year", 0) == 0;
    tc.is_bit = c.type_name.rfind("bit", 0) == 0;
    tc.is_float32 = c.type_name.rfind("float", 0) == 0;
    if (c.kind == ValueKind::kDecimal) {
      std::vector<int> mods = TypeTextNumbers(c.type_name);
      if (mods.size() == 2) SetFixedDecimal(tc, mods[0], mods[1]);
    }
    if (c.type_name.rfind("enum(", 0) == 0) {
      const std::string& t = c.type_name;
      bool empty_label = false;
      for (const char* label : {"('',", "('')", ",'',", ",'')"})
        empty_label = empty_label || t.find(label) != std::string::npos;
      tc.refuses_empty_enum = !empty_label;
    }
  } else {
    tc = PlanFromType(c, is_key);
    if (tc.ddl_type.empty()) PlanFromKind(c, is_key, tc);
  }
  tc.name = c.name;
  tc.kind = c.kind;
  // The value-level rules the encoder applies, from the checks planned above.
  if (tc.strips_trailing_spaces) tc.rules.Add(LossyRule::kL1CharTrailingSpaces);
  if (tc.special_floats_to_null) {
    tc.rules.Add(LossyRule::kL2NonFiniteToNull);
    tc.rules.Add(LossyRule::kL4MinusZero);
  }
  if (tc.round_scale >= 0) {
    tc.rules.Add(LossyRule::kL5Rounded30);
    tc.rules.round_scale = tc.round_scale;
  }
  return tc;
}

namespace {

// Bytes a key column of this kind takes in an InnoDB index entry (upper bounds).
size_t FixedKeyBytes(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool:
      return 1;
    case ValueKind::kDate:
      return 3;
    case ValueKind::kTime:
      return 6;
    case ValueKind::kUuid:
      return 16;
    case ValueKind::kDecimal:
      return 30;
    default:
      return 8;
  }
}

bool IsVariableKey(const MariaTargetColumn& tc) {
  return tc.ddl_type.rfind("VARCHAR(", 0) == 0 || tc.ddl_type.rfind("CHAR(", 0) == 0 ||
         tc.ddl_type.rfind("VARBINARY(", 0) == 0;
}

}  // namespace

std::vector<MariaTargetColumn> PlanMariaTable(const TableSchema& t) {
  std::vector<MariaTargetColumn> cols;
  for (size_t i = 0; i < t.columns.size(); ++i)
    cols.push_back(PlanMariaColumn(t.columns[i], t.engine, t.IsKeyColumn(i)));
  if (t.engine == "mariadb") return cols;  // the source's own key already fits
  size_t fixed = 0, variable = 0, nvariable = 0;
  for (size_t k : t.key) {
    const MariaTargetColumn& tc = cols[k];
    if (!IsVariableKey(tc)) {
      fixed += FixedKeyBytes(tc.kind);
      continue;
    }
    std::vector<int> mods = TypeTextNumbers(tc.ddl_type);
    size_t n = mods.empty() ? 0 : static_cast<size_t>(mods[0]);
    variable += tc.ddl_type.rfind("VARBINARY(", 0) == 0 ? n : n * 4;
    ++nvariable;
  }
  if (nvariable == 0 || fixed + variable <= kKeyBytes || fixed >= kKeyBytes) return cols;
  size_t share = (kKeyBytes - fixed) / nvariable;  // bytes per variable key column
  for (size_t k : t.key) {
    MariaTargetColumn& tc = cols[k];
    if (!IsVariableKey(tc)) continue;
    bool binary = tc.ddl_type.rfind("VARBINARY(", 0) == 0;
    std::vector<int> mods = TypeTextNumbers(tc.ddl_type);
    size_t n = mods.empty() ? 0 : static_cast<size_t>(mods[0]);
    size_t limit = binary ? share : share / 4;
    if (n <= limit) continue;
    std::string type = binary ? "VARBINARY(" + std::to_string(limit) + ")"
                              : "VARCHAR(" + std::to_string(limit) + ")" + kTextCollation;
    tc.ddl_type = type;
    (binary ? tc.max_bytes : tc.max_chars) = limit;
    tc.rules.Add(LossyRule::kL10BoundedKey);
    tc.rules.note = t.columns[k].type_name + " in a " + std::to_string(t.key.size()) +
                    "-column key -> " + type.substr(0, type.find(' ')) +
                    " (InnoDB keys hold 3072 bytes): L10, longer values stop the task";
  }
  return cols;
}

std::string RoundDecimalText(const std::string& text, int scale) {
  size_t dot = text.find('.');
  if (dot == std::string::npos || static_cast<int>(text.size() - dot - 1) <= scale) return text;
  bool negative = !text.empty() && text[0] == '-';
  size_t start = negative || (!text.empty() && text[0] == '+') ? 1 : 0;
  // Digits kept (integer part and `scale` fraction digits), rounded by the first digit dropped.
  std::string digits = text.substr(start, dot - start) + text.substr(dot + 1, scale);
  size_t int_len = dot - start;
  if (text[dot + 1 + scale] >= '5') {
    int i = static_cast<int>(digits.size()) - 1;
    for (; i >= 0; --i) {
      if (digits[i] == '9') {
        digits[i] = '0';
      } else {
        ++digits[i];
        break;
      }
    }
    if (i < 0) {
      digits.insert(digits.begin(), '1');
      ++int_len;
    }
  }
  std::string out = digits.substr(0, int_len);
  if (out.empty()) out = "0";
  if (scale > 0) out += "." + digits.substr(int_len);
  bool zero = out.find_first_not_of("0.") == std::string::npos;
  return negative && !zero ? "-" + out : out;
}

Result<MariaText> EncodeForMaria(const MariaTargetColumn& tc, const Value& v, std::string& out,
                                 LossyRule& applied) {
  out.clear();
  applied = LossyRule::kNone;
  switch (v.kind()) {
    case ValueKind::kNull:
      return MariaText::kNull;
    case ValueKind::kUnchanged:
      return Internal("column " + tc.name + ": an unchanged (TOAST) value reached the encoder");
    case ValueKind::kBool:
    case ValueKind::kInt64:
    case ValueKind::kUInt64:
      // YEAR 0000 travels as 0; LOAD DATA would read the text "0" as the year 2000.
      if (tc.is_year && v.kind() == ValueKind::kInt64 && v.as_int64() == 0) {
        out = "0000";
        return MariaText::kString;
      }
      out = EncodeMariaText(v);
      return MariaText::kBare;
    case ValueKind::kFloat64: {
      double d = v.as_double();
      if (std::isnan(d) || std::isinf(d)) {
        if (!tc.special_floats_to_null) return Unstorable(tc, v, "MariaDB has no NaN or Infinity");
        applied = LossyRule::kL2NonFiniteToNull;
        return MariaText::kNull;
      }
      if (d == 0 && std::signbit(d)) applied = LossyRule::kL4MinusZero;  // MariaDB stores +0
      // A single-precision value may arrive as the nearest double to its decimal text
      // (3.40282347e+38 > FLT_MAX), which MariaDB's FLOAT range check refuses: send the float.
      if (tc.is_float32) d = static_cast<double>(static_cast<float>(d));
      out = EncodeMariaText(Value::Float64(d));
      return MariaText::kString;
    }
    case ValueKind::kDecimal: {
      const std::string& s = v.str();
      if (s == "NaN" || s == "Infinity" || s == "-Infinity")
        return Unstorable(tc, v, "MariaDB DECIMAL has no NaN or Infinity");
      out = s;
      size_t dot = out.find('.');
      if (tc.fixed_scale >= 0 && dot != std::string::npos) {
        // Fraction digits past the scale: zeros are dropped (exact), anything else is refused.
        size_t keep = dot + 1 + static_cast<size_t>(tc.fixed_scale);
        if (keep < out.size()) {
          if (out.find_first_not_of('0', keep) != std::string::npos) {
            return Unstorable(tc, v,
                              "more than " + std::to_string(tc.fixed_scale) +
                                  " fraction digits (MariaDB would round it)");
          }
          out.resize(tc.fixed_scale == 0 ? dot : keep);
        }
      }
      if (tc.round_scale >= 0) {
        out = RoundDecimalText(s, tc.round_scale);
        if (dot != std::string::npos &&
            s.find_first_not_of('0', dot + 1 + static_cast<size_t>(tc.round_scale)) !=
                std::string::npos)
          applied = LossyRule::kL5Rounded30;
      }
      if (tc.max_int_digits >= 0) {
        size_t start = !out.empty() && (out[0] == '-' || out[0] == '+') ? 1 : 0;
        size_t int_end = out.find('.');
        if (int_end == std::string::npos) int_end = out.size();
        size_t first = out.find_first_not_of('0', start);
        size_t int_digits = first == std::string::npos || first >= int_end ? 0 : int_end - first;
        if (int_digits > static_cast<size_t>(tc.max_int_digits))
          return Unstorable(tc, v,
                            "more than " + std::to_string(tc.max_int_digits) + " integer digits");
      }
      return MariaText::kBare;  // an exact DECIMAL literal (at most 65 digits), also in WHERE
    }
    case ValueKind::kBytes:
      if (tc.max_bytes && v.str().size() > tc.max_bytes)
        return Unstorable(tc, v, "longer than " + std::to_string(tc.max_bytes) + " bytes");
      out = v.str();
      return MariaText::kBinary;
    case ValueKind::kDate:
      if (!InMariaDateRange(v.as_micros_or_days()))
        return Unstorable(tc, v, "dates must be in years 1-9999");
      out = EncodeMariaText(v);
      return MariaText::kString;
    case ValueKind::kTime:
      // A SQLite TIME may pass MariaDB's range; MariaDB would clip it (LOAD DATA: a warning).
      if (v.as_micros_or_days() > kMaxTimeMicros || v.as_micros_or_days() < -kMaxTimeMicros)
        return Unstorable(tc, v, "MariaDB TIME holds -838:59:59.999999 to 838:59:59.999999");
      out = EncodeMariaText(v);
      return MariaText::kString;
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      int64_t us = v.as_micros_or_days();
      if (us == Value::kInfinity || us == Value::kMinusInfinity ||
          !InMariaDateRange(FloorDiv(us, kMicrosPerDay)))
        return Unstorable(tc, v, "timestamps must be in years 1-9999");
      out = EncodeMariaText(v);
      return MariaText::kString;
    }
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
    case ValueKind::kOther:
      if (tc.max_chars && Utf8Chars(v.str()) > tc.max_chars)
        return Unstorable(tc, v, "longer than " + std::to_string(tc.max_chars) + " characters");
      out = v.str();
      if (tc.refuses_empty_enum && out.empty())
        return Unstorable(tc, v,
                          "the invalid ENUM value (index 0, only insertable in non-strict mode) "
                          "cannot be written in strict mode");
      if (tc.strips_trailing_spaces && !out.empty() && out.back() == ' ')
        applied = LossyRule::kL1CharTrailingSpaces;
      if (tc.is_bit) return MariaText::kBare;
      return MariaText::kString;
  }
  return Internal("column " + tc.name + ": unknown value kind");
}

}  // namespace cutover::mariadb
