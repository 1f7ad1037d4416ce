#include "engine/core/value.h"

#include <cstring>

#include <fmt/format.h>

namespace cutover {

const char* ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kUnchanged:
      return "unchanged";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kInt64:
      return "int64";
    case ValueKind::kUInt64:
      return "uint64";
    case ValueKind::kFloat64:
      return "float64";
    case ValueKind::kDecimal:
      return "decimal";
    case ValueKind::kText:
      return "text";
    case ValueKind::kBytes:
      return "bytes";
    case ValueKind::kDate:
      return "date";
    case ValueKind::kTime:
      return "time";
    case ValueKind::kTimestamp:
      return "timestamp";
    case ValueKind::kTimestampTz:
      return "timestamptz";
    case ValueKind::kJson:
      return "json";
    case ValueKind::kUuid:
      return "uuid";
    case ValueKind::kOther:
      return "other";
  }
  return "?";
}

bool Value::operator==(const Value& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      return true;
    case ValueKind::kFloat64:
      return std::memcmp(&d_, &o.d_, sizeof d_) == 0;
    case ValueKind::kBool:
    case ValueKind::kInt64:
    case ValueKind::kUInt64:
    case ValueKind::kDate:
    case ValueKind::kTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      return i_ == o.i_;
    default:
      return str_ == o.str_;
  }
}

void Value::AppendKeyBytes(std::string& out) const {
  out += static_cast<char>(kind_);
  switch (kind_) {
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      return;
    case ValueKind::kBool:
    case ValueKind::kInt64:
    case ValueKind::kUInt64:
    case ValueKind::kFloat64:
    case ValueKind::kDate:
    case ValueKind::kTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      out.append(reinterpret_cast<const char*>(&u_), sizeof u_);
      return;
    default: {
      uint64_t n = str_.size();
      out.append(reinterpret_cast<const char*>(&n), sizeof n);
      out += str_;
    }
  }
}

std::string Value::DebugString() const {
  switch (kind_) {
    case ValueKind::kNull:
      return "NULL";
    case ValueKind::kUnchanged:
      return "<unchanged>";
    case ValueKind::kBool:
      return i_ ? "true" : "false";
    case ValueKind::kInt64:
      return std::to_string(i_);
    case ValueKind::kUInt64:
      return std::to_string(u_);
    case ValueKind::kFloat64:
      return fmt::format("{}", d_);
    case ValueKind::kBytes: {
      std::string out = "\\x";
      for (unsigned char c : str_) out += fmt::format("{:02x}", c);
      return out;
    }
    case ValueKind::kDate:
    case ValueKind::kTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      return fmt::format("{}({})", ValueKindName(kind_), i_);
    default:
      return fmt::format("{}('{}')", ValueKindName(kind_), str_);
  }
}

}  // namespace cutover
