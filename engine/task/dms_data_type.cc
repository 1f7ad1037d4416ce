#include "engine/task/dms_data_type.h"

#include <algorithm>

namespace cutover::task {

namespace {

struct Described {
  ColumnType type;
  ValueKind kind = ValueKind::kText;
};

Described Describe(const TypeChange& c) {
  Described d;
  auto integer = [&](int bits, bool is_unsigned) {
    d.type = ColumnType::Of(TypeFamily::kInteger);
    d.type.bits = bits;
    d.type.is_unsigned = is_unsigned;
    d.kind = is_unsigned && bits == 64 ? ValueKind::kUInt64 : ValueKind::kInt64;
  };
  const std::string& t = c.type;
  if (t == "boolean") {
    d.type = ColumnType::Of(TypeFamily::kBool);
    d.kind = ValueKind::kBool;
  } else if (t == "int1" || t == "int2" || t == "int4" || t == "int8") {
    integer(8 * (t[3] - '0'), false);
  } else if (t == "uint1" || t == "uint2" || t == "uint4" || t == "uint8") {
    integer(8 * (t[4] - '0'), true);
  } else if (t == "real4" || t == "real8") {
    d.type = ColumnType::Of(TypeFamily::kFloat);
    d.type.bits = t == "real4" ? 32 : 64;
    d.kind = ValueKind::kFloat64;
  } else if (t == "numeric") {
    d.type = ColumnType::Of(TypeFamily::kDecimal);
    d.type.precision = c.precision;
    d.type.scale = c.precision > 0 ? std::max(c.scale, 0) : -1;
    d.kind = ValueKind::kDecimal;
  } else if (t == "string" || t == "wstring") {
    d.type = ColumnType::Of(c.length > 0 ? TypeFamily::kVarText : TypeFamily::kText);
    d.type.length = c.length > 0 ? c.length : -1;
  } else if (t == "clob" || t == "nclob") {
    d.type = ColumnType::Of(TypeFamily::kText);
  } else if (t == "bytes" || t == "blob") {
    d.type = ColumnType::Of(TypeFamily::kBytes);
    d.type.length = t == "bytes" && c.length > 0 ? c.length : -1;
    d.kind = ValueKind::kBytes;
  } else if (t == "date") {
    d.type = ColumnType::Of(TypeFamily::kDate);
    d.kind = ValueKind::kDate;
  } else if (t == "time") {
    d.type = ColumnType::Of(TypeFamily::kTime);
    d.type.fsp = c.scale >= 0 ? std::min(c.scale, 6) : 6;
    d.kind = ValueKind::kTime;
  } else if (t == "datetime") {
    d.type = ColumnType::Of(TypeFamily::kTimestamp);
    d.type.fsp = c.scale >= 0 ? std::min(c.scale, 6) : 6;
    d.kind = ValueKind::kTimestamp;
  }
  return d;
}

bool IsText(TypeFamily f) {
  return f == TypeFamily::kFixedText || f == TypeFamily::kVarText || f == TypeFamily::kText;
}

// Why `to` cannot hold every value of `from` (same kind assumed); "" when it can.
std::string Narrowing(const Column& from, const ColumnType& to) {
  const ColumnType& f = from.type;
  switch (to.family) {
    case TypeFamily::kInteger: {
      if (f.family == TypeFamily::kBit && to.is_unsigned && f.bits <= to.bits) return "";
      if (f.family != TypeFamily::kInteger && f.family != TypeFamily::kYear)
        return "the source values are not integers";
      int bits = f.family == TypeFamily::kYear ? 16 : f.bits;
      if (bits <= 0) bits = 64;  // undescribed: any 64-bit integer
      bool fits = f.is_unsigned ? (to.is_unsigned ? to.bits >= bits : to.bits > bits)
                                : (!to.is_unsigned && to.bits >= bits);
      if (fits || (f.family == TypeFamily::kYear && to.bits >= 16)) return "";
      return "a " + std::to_string(bits) + "-bit " + (f.is_unsigned ? "unsigned " : "") +
             "integer does not fit in " + std::to_string(to.bits) + " bits" +
             (to.is_unsigned ? " unsigned" : "");
    }
    case TypeFamily::kFloat:
      if (f.family != TypeFamily::kFloat) return "the source values are not floating point";
      if (to.bits < (f.bits > 0 ? f.bits : 64)) return "real4 would round double precision values";
      return "";
    case TypeFamily::kDecimal: {
      if (f.family != TypeFamily::kDecimal) return "the source values are not decimals";
      if (to.precision <= 0) return "";  // unconstrained holds everything
      if (f.precision <= 0 || !f.enforced)
        return "the source column's decimals are not bounded (numeric(" +
               std::to_string(to.precision) + "," + std::to_string(to.scale) +
               ") could round or refuse them)";
      int from_scale = std::max(f.scale, 0);
      if (to.scale < from_scale)
        return "scale " + std::to_string(to.scale) + " would round values of scale " +
               std::to_string(from_scale);
      if (to.precision - to.scale < f.precision - from_scale)
        return std::to_string(to.precision - to.scale) + " integer digits cannot hold " +
               std::to_string(f.precision - from_scale);
      return "";
    }
    case TypeFamily::kVarText:
    case TypeFamily::kText:
      if (!IsText(f.family) && f.family != TypeFamily::kEnum && f.family != TypeFamily::kSet &&
          f.family != TypeFamily::kUnknown)
        return "the source values are not text";
      if (to.length < 0) return "";
      if (f.family == TypeFamily::kText || f.family == TypeFamily::kUnknown || f.length < 0 ||
          !f.enforced)
        return "the source column's text is not bounded (string(" + std::to_string(to.length) +
               ") would refuse longer values)";
      if (to.length < f.length)
        return "length " + std::to_string(to.length) + " is shorter than the source's " +
               std::to_string(f.length);
      return "";
    case TypeFamily::kBytes:
      if (f.family != TypeFamily::kBytes) return "the source values are not bytes";
      if (to.length < 0) return "";
      if (f.length < 0 || !f.enforced) return "the source column's bytes are not bounded";
      if (to.length < f.length)
        return "length " + std::to_string(to.length) + " is shorter than the source's " +
               std::to_string(f.length);
      return "";
    case TypeFamily::kTime:
      if (f.family != TypeFamily::kTime) return "the source values are not times of day";
      if (f.extended_range) return "the source column holds durations past 24 hours";
      if (to.fsp < (f.fsp < 0 ? 6 : f.fsp)) return "fewer fraction digits would round values";
      return "";
    case TypeFamily::kTimestamp:
      if (f.family != TypeFamily::kTimestamp)
        return "the source values are not timestamps without time zone";
      if (to.fsp < (f.fsp < 0 ? 6 : f.fsp)) return "fewer fraction digits would round values";
      return "";
    case TypeFamily::kDate:
      return f.family == TypeFamily::kDate ? "" : "the source values are not dates";
    case TypeFamily::kBool:
      return f.family == TypeFamily::kBool ? "" : "the source values are not booleans";
    default:
      return "not a type cutover can change to";
  }
}

}  // namespace

const std::vector<std::string>& DmsDataTypes() {
  static const std::vector<std::string> kTypes = {
      "boolean", "bytes", "date",    "time",    "datetime", "int1",   "int2",
      "int4",    "int8",  "numeric", "real4",   "real8",    "string", "uint1",
      "uint2",   "uint4", "uint8",   "wstring", "blob",     "nclob",  "clob"};
  return kTypes;
}

Result<TypeChangePlan> PlanTypeChange(const Column& source, const TypeChange& change) {
  Described d = Describe(change);
  std::string why;
  auto integer_kind = [](ValueKind k) { return k == ValueKind::kInt64 || k == ValueKind::kUInt64; };
  bool same_kind = d.kind == source.kind || (integer_kind(d.kind) && integer_kind(source.kind));
  std::optional<ValueConversion> conversion;
  if (d.type.family == TypeFamily::kUnknown) {
    why = "cutover cannot change a column to " + change.type;
  } else if (same_kind) {
    why = Narrowing(source, d.type);  // values travel as they are: the type must hold them all
  } else {
    conversion = ValueConversion::Plan(source, d.type, d.kind, why);  // another kind of value
    if (!conversion && why.empty()) why = "no conversion";
  }
  if (!why.empty())
    return InvalidArgument("table mapping rule " + change.rule_id + " (change-data-type " +
                           change.type + ") on column " + source.name + " (" + source.type_name +
                           "): " + why + "; the change would lose data");
  TypeChangePlan plan;
  plan.column = source;
  plan.column.type = d.type;
  plan.column.kind = conversion ? d.kind : source.kind;
  plan.column.type_name.clear();  // every target maps the neutral type, its own engine's too
  plan.column.type_id = 0;
  plan.column.type_mod = -1;
  plan.column.user_type.reset();
  plan.conversion = std::move(conversion);
  return plan;
}

Result<Column> ChangeColumnType(const Column& source, const TypeChange& change) {
  ASSIGN_OR_RETURN(TypeChangePlan plan, PlanTypeChange(source, change));
  return plan.column;
}

std::string DmsTypeName(const Column& c) {
  const ColumnType& t = c.type;
  switch (t.family) {
    case TypeFamily::kBool:
      return "boolean";
    case TypeFamily::kInteger: {
      int bits = t.bits <= 8 ? 1 : t.bits <= 16 ? 2 : t.bits <= 32 ? 4 : 8;
      return std::string(t.is_unsigned ? "uint" : "int") + std::to_string(bits);
    }
    case TypeFamily::kFloat:
      return t.bits == 32 ? "real4" : "real8";
    case TypeFamily::kDecimal:
      return "numeric";
    case TypeFamily::kFixedText:
    case TypeFamily::kVarText:
      return "string";
    case TypeFamily::kText:
      return "clob";
    case TypeFamily::kBytes:
      return t.length >= 0 ? "bytes" : "blob";
    case TypeFamily::kDate:
      return "date";
    case TypeFamily::kTime:
      return "time";
    case TypeFamily::kTimestamp:
    case TypeFamily::kTimestampTz:
      return "datetime";
    default:
      return "";
  }
}

}  // namespace cutover::task
