#include "engine/core/column_type.h"

namespace cutover {

namespace {
const char* FamilyName(TypeFamily f) {
  switch (f) {
    case TypeFamily::kUnknown:
      return "unknown";
    case TypeFamily::kBool:
      return "bool";
    case TypeFamily::kInteger:
      return "integer";
    case TypeFamily::kFloat:
      return "float";
    case TypeFamily::kDecimal:
      return "decimal";
    case TypeFamily::kFixedText:
      return "fixedtext";
    case TypeFamily::kVarText:
      return "vartext";
    case TypeFamily::kText:
      return "text";
    case TypeFamily::kBytes:
      return "bytes";
    case TypeFamily::kDate:
      return "date";
    case TypeFamily::kTime:
      return "time";
    case TypeFamily::kTimestamp:
      return "timestamp";
    case TypeFamily::kTimestampTz:
      return "timestamptz";
    case TypeFamily::kYear:
      return "year";
    case TypeFamily::kBit:
      return "bit";
    case TypeFamily::kEnum:
      return "enum";
    case TypeFamily::kSet:
      return "set";
    case TypeFamily::kJson:
      return "json";
    case TypeFamily::kUuid:
      return "uuid";
    case TypeFamily::kOther:
      return "other";
  }
  return "?";
}
}  // namespace

std::string DescribeColumnType(const ColumnType& t) {
  std::string out = FamilyName(t.family);
  switch (t.family) {
    case TypeFamily::kInteger:
    case TypeFamily::kFloat:
    case TypeFamily::kBit:
      out += "(" + std::to_string(t.bits) + ")" + (t.is_unsigned ? " unsigned" : "");
      break;
    case TypeFamily::kDecimal:
      if (t.precision >= 0)
        out += "(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
      break;
    case TypeFamily::kFixedText:
    case TypeFamily::kVarText:
    case TypeFamily::kBytes:
      if (t.length >= 0) out += "(" + std::to_string(t.length) + ")";
      break;
    case TypeFamily::kTime:
    case TypeFamily::kTimestamp:
    case TypeFamily::kTimestampTz:
      if (t.fsp >= 0) out += "(" + std::to_string(t.fsp) + ")";
      if (t.extended_range) out += " extended";
      break;
    case TypeFamily::kEnum:
    case TypeFamily::kSet:
      out += "(" + std::to_string(t.labels.size()) + " labels)";
      break;
    default:
      break;
  }
  if (!t.enforced) out += " unenforced";
  if (t.zero_dates) out += " zero-dates";
  return out;
}

}  // namespace cutover
