#include "engine/lakehouse/parquet_types.h"

#include "engine/lakehouse/value_text.h"

namespace cutover::lakehouse {

using parquet::LogicalKind;
using parquet::ParquetColumn;

namespace {

// Integer width and signedness from the column's description: DMS's INT1..INT8 and UINT1..UINT8
// (INT(8/16/32/64, signed or not)); MariaDB MEDIUMINT (24 bits) in 32; YEAR in 16 (DMS: INT2).
void IntegerOf(const ColumnType& t, ParquetColumn& pc) {
  pc.kind = LogicalKind::kInt;
  pc.int_bits = 64;
  pc.int_signed = true;
  if (t.family == TypeFamily::kInteger) {
    pc.int_bits = t.bits <= 8 ? 8 : t.bits <= 16 ? 16 : t.bits <= 32 ? 32 : 64;
    pc.int_signed = !t.is_unsigned;
  } else if (t.family == TypeFamily::kYear) {
    pc.int_bits = 16;
  } else if (t.family == TypeFamily::kBit) {
    pc.int_signed = false;
  }
}

}  // namespace

ParquetColumn ParquetColumnFor(const Column& c) {
  ParquetColumn pc;
  pc.name = c.name;
  pc.nullable = true;  // a delete of a key-only image carries NULL in every other column
  pc.kind = LogicalKind::kString;
  const ColumnType& t = c.type;
  switch (c.kind) {
    case ValueKind::kBool:
      pc.kind = LogicalKind::kBoolean;
      break;
    case ValueKind::kInt64:
    case ValueKind::kUInt64:
      IntegerOf(t, pc);
      if (c.kind == ValueKind::kUInt64 && t.family != TypeFamily::kInteger) pc.int_signed = false;
      break;
    case ValueKind::kFloat64:
      pc.kind = t.family == TypeFamily::kFloat && t.bits == 32 ? LogicalKind::kFloat
                                                               : LogicalKind::kDouble;
      break;
    case ValueKind::kDecimal:
      // DECIMAL(p,s) only when every value the source accepts fits it exactly.
      if (t.family == TypeFamily::kDecimal && t.enforced && t.precision >= 1 && t.precision <= 38 &&
          t.scale >= 0 && t.scale <= t.precision) {
        pc.kind = LogicalKind::kDecimal;
        pc.precision = t.precision;
        pc.scale = t.scale;
      }
      break;
    case ValueKind::kBytes:
      pc.kind = LogicalKind::kBinary;
      break;
    case ValueKind::kDate:
      if (!t.zero_dates) pc.kind = LogicalKind::kDate;
      break;
    case ValueKind::kTime:
      if (!t.extended_range) pc.kind = LogicalKind::kTime;
      break;
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      if (!t.zero_dates) {
        pc.kind = LogicalKind::kTimestamp;
        pc.adjusted_to_utc = c.kind == ValueKind::kTimestampTz;
      }
      break;
    default:  // text, JSON, UUID, and types without a kind (their text): STRING
      break;
  }
  return pc;
}

const Value& ParquetValueFor(const ParquetColumn& pc, const Value& v, Value& scratch) {
  if (pc.kind != LogicalKind::kString || v.is_null()) return v;
  switch (v.kind()) {
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
    case ValueKind::kDecimal:
    case ValueKind::kOther:
      return v;
    default: {
      std::string text;
      AppendValueText(v, text);
      scratch = Value::String(ValueKind::kText, std::move(text));
      return scratch;
    }
  }
}

Result<Value> ColumnValueFromParquet(Value v, const Column& c) {
  if (v.is_null()) return v;
  if (v.kind() == ValueKind::kText && c.kind != ValueKind::kText) return ParseValueText(v.str(), c);
  if (v.kind() == ValueKind::kInt64 && c.kind == ValueKind::kUInt64)
    return Value::UInt64(static_cast<uint64_t>(v.as_int64()));
  return v;
}

}  // namespace cutover::lakehouse
