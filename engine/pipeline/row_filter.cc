#include "engine/pipeline/row_filter.h"

#include <charconv>
#include <cstdlib>
#include <optional>

#include "engine/core/civil_time.h"

namespace cutover {

namespace {

using Operand = RowFilter::Operand;

bool IsNumeric(ValueKind k) {
  return k == ValueKind::kInt64 || k == ValueKind::kUInt64 || k == ValueKind::kFloat64 ||
         k == ValueKind::kDecimal;
}

bool IsInteger(ValueKind k) {
  return k == ValueKind::kBool || k == ValueKind::kDate || k == ValueKind::kTime ||
         k == ValueKind::kTimestamp || k == ValueKind::kTimestampTz;
}

// Reads `n` digits at s[i], advancing i.
std::optional<int64_t> Digits(const std::string& s, size_t& i, size_t n) {
  if (i + n > s.size()) return std::nullopt;
  int64_t v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  i += n;
  return v;
}

bool Expect(const std::string& s, size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

std::optional<int64_t> ParseDate(const std::string& s, size_t& i) {
  auto y = Digits(s, i, 4);
  if (!y || !Expect(s, i, '-')) return std::nullopt;
  auto m = Digits(s, i, 2);
  if (!m || !Expect(s, i, '-')) return std::nullopt;
  auto d = Digits(s, i, 2);
  if (!d || *m < 1 || *m > 12 || *d < 1 || *d > 31) return std::nullopt;
  return DaysFromCivil(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
}

std::optional<int64_t> ParseTime(const std::string& s, size_t& i) {
  auto h = Digits(s, i, 2);
  if (!h || !Expect(s, i, ':')) return std::nullopt;
  auto m = Digits(s, i, 2);
  if (!m) return std::nullopt;
  int64_t sec = 0, micros = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    auto v = Digits(s, i, 2);
    if (!v) return std::nullopt;
    sec = *v;
    if (i < s.size() && s[i] == '.') {
      ++i;
      int64_t scale = 100000;
      size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (scale > 0) micros += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i == start) return std::nullopt;
    }
  }
  if (*h > 23 || *m > 59 || sec > 60) return std::nullopt;
  return ((*h * 60 + *m) * 60 + sec) * kMicrosPerSecond + micros;
}

// The filter value `text` read as a value of `kind`; nullopt when it is not one.
std::optional<Operand> ParseOperand(ValueKind kind, const std::string& text) {
  Operand o;
  if (IsNumeric(kind)) {
    char* end = nullptr;
    o.kind = Operand::Kind::kNumber;
    o.number = std::strtold(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
    return o;
  }
  o.kind = Operand::Kind::kInteger;
  size_t i = 0;
  switch (kind) {
    case ValueKind::kBool:
      if (text == "true" || text == "1" || text == "t")
        o.integer = 1;
      else if (text == "false" || text == "0" || text == "f")
        o.integer = 0;
      else
        return std::nullopt;
      return o;
    case ValueKind::kDate: {
      auto d = ParseDate(text, i);
      if (!d || i != text.size()) return std::nullopt;
      o.integer = *d;
      return o;
    }
    case ValueKind::kTime: {
      auto t = ParseTime(text, i);
      if (!t || i != text.size()) return std::nullopt;
      o.integer = *t;
      return o;
    }
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      auto d = ParseDate(text, i);
      if (!d) return std::nullopt;
      int64_t micros = 0;
      if (i < text.size()) {
        if (text[i] != ' ' && text[i] != 'T') return std::nullopt;
        ++i;
        auto t = ParseTime(text, i);
        if (!t) return std::nullopt;
        micros = *t;
      }
      if (i != text.size()) return std::nullopt;
      o.integer = *d * kMicrosPerDay + micros;
      return o;
    }
    default:
      o.kind = Operand::Kind::kText;
      o.text = text;
      return o;
  }
}

Operand FromValue(const Value& v) {
  Operand o;
  switch (v.kind()) {
    case ValueKind::kInt64:
      o.kind = Operand::Kind::kNumber;
      o.number = static_cast<long double>(v.as_int64());
      break;
    case ValueKind::kUInt64:
      o.kind = Operand::Kind::kNumber;
      o.number = static_cast<long double>(v.as_uint64());
      break;
    case ValueKind::kFloat64:
      o.kind = Operand::Kind::kNumber;
      o.number = v.as_double();
      break;
    case ValueKind::kDecimal:
      o.kind = Operand::Kind::kNumber;
      o.number = std::strtold(v.str().c_str(), nullptr);
      break;
    case ValueKind::kBool:
      o.kind = Operand::Kind::kInteger;
      o.integer = v.as_bool() ? 1 : 0;
      break;
    default:
      if (IsInteger(v.kind())) {
        o.kind = Operand::Kind::kInteger;
        o.integer = v.as_micros_or_days();
      } else {
        o.kind = Operand::Kind::kText;
        o.text = v.str();
      }
  }
  return o;
}

// <0, 0, >0; both sides have the column's kind, so the same Operand kind.
int Compare(const Operand& a, const Operand& b) {
  switch (a.kind) {
    case Operand::Kind::kNumber:
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case Operand::Kind::kInteger:
      return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
    default:
      return a.text.compare(b.text);
  }
}

// The filter value `text` as a Value of `col`'s kind that SQL compares exactly as Compare does;
// nullopt with `why` set when there is none (the filter is then judged by cutover alone).
std::optional<Value> PushedOperand(const Column& col, const std::string& text, std::string& why) {
  auto year_ok = [](int64_t days) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, y, m, d);
    return y >= 1 && y <= 9999;
  };
  const char* b = text.data();
  const char* e = text.data() + text.size();
  switch (col.kind) {
    case ValueKind::kInt64: {
      int64_t v;
      auto [p, ec] = std::from_chars(b, e, v);
      if (ec == std::errc() && p == e && !text.empty()) return Value::Int64(v);
      why = "value \"" + text + "\" is not an integer";
      return std::nullopt;
    }
    case ValueKind::kUInt64: {
      uint64_t v;
      auto [p, ec] = std::from_chars(b, e, v);
      if (ec == std::errc() && p == e && !text.empty()) return Value::UInt64(v);
      why = "value \"" + text + "\" is not an unsigned integer";
      return std::nullopt;
    }
    case ValueKind::kDecimal: {
      // Compare reads both sides as long double: exact for at most 18 significant digits.
      int p = col.type.precision;
      if (col.type.family != TypeFamily::kDecimal || p < 1 || p > 18 || !col.type.enforced) {
        why = "a decimal column of more than 18 digits";
        return std::nullopt;
      }
      size_t i = text.size() > 0 && text[0] == '-' ? 1 : 0, digits = 0, lead = 0, dots = 0;
      bool seen = false, ok = i < text.size();
      for (size_t k = i; k < text.size() && ok; ++k) {
        char c = text[k];
        if (c == '.') {
          ok = ++dots == 1 && k > i && k + 1 < text.size();
        } else if (c >= '0' && c <= '9') {
          if (c != '0') seen = true;
          (seen ? digits : lead)++;
        } else {
          ok = false;
        }
      }
      if (!ok || digits > 18) {
        why = "value \"" + text + "\" is not a plain decimal of at most 18 digits";
        return std::nullopt;
      }
      return Value::String(ValueKind::kDecimal, text);
    }
    case ValueKind::kFloat64:
      why = "a floating-point column";
      return std::nullopt;
    case ValueKind::kText:
      return Value::String(ValueKind::kText, text);
    default:
      break;
  }
  auto o = ParseOperand(col.kind, text);
  if (!o || o->kind != Operand::Kind::kInteger) {
    why = std::string("a ") + ValueKindName(col.kind) + " column";
    return std::nullopt;
  }
  switch (col.kind) {
    case ValueKind::kBool:
      return Value::Bool(o->integer != 0);
    case ValueKind::kDate:
      if (year_ok(o->integer)) return Value::Date(o->integer);
      break;
    case ValueKind::kTime:
      if (o->integer < kMicrosPerDay) return Value::Time(o->integer);
      break;
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      int64_t days = o->integer / kMicrosPerDay;
      if (o->integer >= 0 && year_ok(days))
        return col.kind == ValueKind::kTimestamp ? Value::Timestamp(o->integer)
                                                 : Value::TimestampTz(o->integer);
      break;
    }
    default:
      break;
  }
  why = "value \"" + text + "\" is out of the pushed range";
  return std::nullopt;
}

ReadFilterOp PushedOp(task::FilterOp op) {
  switch (op) {
    case task::FilterOp::kEq:
      return ReadFilterOp::kEq;
    case task::FilterOp::kNotEq:
      return ReadFilterOp::kNotEq;
    case task::FilterOp::kLte:
      return ReadFilterOp::kLte;
    case task::FilterOp::kGte:
      return ReadFilterOp::kGte;
    case task::FilterOp::kBetween:
      return ReadFilterOp::kBetween;
    case task::FilterOp::kNotBetween:
      return ReadFilterOp::kNotBetween;
    case task::FilterOp::kNull:
      return ReadFilterOp::kNull;
    case task::FilterOp::kNotNull:
      break;
  }
  return ReadFilterOp::kNotNull;
}

// The ReadFilter term of `f` on `col`; nullopt with `why` when it cannot be pushed.
std::optional<ReadFilter::Term> PushedTerm(size_t column, const Column& col,
                                           const task::SourceFilter& f, std::string& why) {
  ReadFilter::Term term;
  term.column = column;
  for (const auto& c : f.conditions) {
    ReadFilter::Condition rc;
    rc.op = PushedOp(c.op);
    if (c.op == task::FilterOp::kBetween || c.op == task::FilterOp::kNotBetween) {
      auto a = PushedOperand(col, c.start, why);
      auto b = a ? PushedOperand(col, c.end, why) : std::nullopt;
      if (!b) return std::nullopt;
      rc.a = std::move(*a);
      rc.b = std::move(*b);
    } else if (c.op != task::FilterOp::kNull && c.op != task::FilterOp::kNotNull) {
      auto a = PushedOperand(col, c.value, why);
      if (!a) return std::nullopt;
      rc.a = std::move(*a);
    }
    term.any_of.push_back(std::move(rc));
  }
  return term;
}

}  // namespace

Result<RowFilter> RowFilter::Compile(const TableSchema& table,
                                     const std::vector<task::SourceFilter>& filters) {
  RowFilter out;
  ReadFilter pushed;
  for (const auto& f : filters) {
    std::string where =
        "table mapping rule " + f.rule_id + ": filter on " + table.name.ToString() + "." + f.column;
    Filter compiled;
    bool found = false;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i].name == f.column) {
        compiled.column = i;
        found = true;
      }
    }
    if (!found) return InvalidArgument(where + ": the table has no such column");
    const Column& col = table.columns[compiled.column];
    compiled.is_key = table.IsKeyColumn(compiled.column);
    if (!compiled.is_key) out.only_key_columns_ = false;
    auto operand = [&](const std::string& text) -> Result<Operand> {
      auto o = ParseOperand(col.kind, text);
      if (!o)
        return InvalidArgument(where + ": value \"" + text + "\" is not a " +
                               ValueKindName(col.kind) +
                               " (dates: YYYY-MM-DD, timestamps: YYYY-MM-DD HH:MM:SS[.ffffff], "
                               "times: HH:MM:SS)");
      return *o;
    };
    for (const auto& c : f.conditions) {
      Condition cc{c.op, {}, {}};
      switch (c.op) {
        case task::FilterOp::kBetween:
        case task::FilterOp::kNotBetween: {
          ASSIGN_OR_RETURN(cc.a, operand(c.start));
          ASSIGN_OR_RETURN(cc.b, operand(c.end));
          break;
        }
        case task::FilterOp::kNull:
        case task::FilterOp::kNotNull:
          break;
        default: {
          ASSIGN_OR_RETURN(cc.a, operand(c.value));
        }
      }
      compiled.conditions.push_back(std::move(cc));
    }
    std::string why;
    if (auto term = PushedTerm(compiled.column, col, f, why))
      pushed.all_of.push_back(std::move(*term));
    else
      pushed.kept.push_back(col.name + " (rule " + f.rule_id + "): " + why);
    out.filters_.push_back(std::move(compiled));
  }
  if (!out.filters_.empty())
    out.read_filter_ = std::make_shared<const ReadFilter>(std::move(pushed));
  return out;
}

FilterVerdict RowFilter::Evaluate(const std::vector<Value>& row, bool key_only) const {
  bool unknown = false;
  for (const Filter& f : filters_) {
    if (f.column >= row.size() || row[f.column].is_unchanged() || (key_only && !f.is_key)) {
      unknown = true;
      continue;
    }
    const Value& v = row[f.column];
    Operand x;
    if (!v.is_null()) x = FromValue(v);
    bool any = false;
    for (const Condition& c : f.conditions) {
      bool holds = false;
      switch (c.op) {
        case task::FilterOp::kNull:
          holds = v.is_null();
          break;
        case task::FilterOp::kNotNull:
          holds = !v.is_null();
          break;
        case task::FilterOp::kEq:
          holds = !v.is_null() && Compare(x, c.a) == 0;
          break;
        case task::FilterOp::kNotEq:
          holds = !v.is_null() && Compare(x, c.a) != 0;
          break;
        case task::FilterOp::kLte:
          holds = !v.is_null() && Compare(x, c.a) <= 0;
          break;
        case task::FilterOp::kGte:
          holds = !v.is_null() && Compare(x, c.a) >= 0;
          break;
        case task::FilterOp::kBetween:
          holds = !v.is_null() && Compare(x, c.a) >= 0 && Compare(x, c.b) <= 0;
          break;
        case task::FilterOp::kNotBetween:
          holds = !v.is_null() && (Compare(x, c.a) < 0 || Compare(x, c.b) > 0);
          break;
      }
      if (holds) {
        any = true;
        break;
      }
    }
    if (!any) return FilterVerdict::kFail;  // one failing filter decides, known or not
  }
  return unknown ? FilterVerdict::kUnknown : FilterVerdict::kPass;
}

}  // namespace cutover
