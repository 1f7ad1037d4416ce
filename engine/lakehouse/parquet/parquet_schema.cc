// Column vocabulary (see parquet_schema.h).
#include "engine/lakehouse/parquet/parquet_schema.h"

#include <fmt/format.h>

namespace cutover::parquet {

int DecimalBytesForPrecision(int precision) {
  // Smallest n with 2^(8n-1) > 10^precision, i.e. 8n-1 >= precision * log2(10).
  for (int n = 1; n <= 32; ++n) {
    if (static_cast<double>(8 * n - 1) >= precision * 3.321928094887362) return n;
  }
  return 32;
}

PhysicalType PhysicalTypeOf(const ParquetColumn& c) {
  switch (c.kind) {
    case LogicalKind::kBoolean:
      return PhysicalType::kBoolean;
    case LogicalKind::kInt:
      return c.int_bits <= 32 ? PhysicalType::kInt32 : PhysicalType::kInt64;
    case LogicalKind::kFloat:
      return PhysicalType::kFloat;
    case LogicalKind::kDouble:
      return PhysicalType::kDouble;
    case LogicalKind::kDecimal:
      if (c.precision <= 9) return PhysicalType::kInt32;
      if (c.precision <= 18) return PhysicalType::kInt64;
      return PhysicalType::kFixedLenByteArray;
    case LogicalKind::kString:
    case LogicalKind::kBinary:
    case LogicalKind::kJson:
      return PhysicalType::kByteArray;
    case LogicalKind::kDate:
      return PhysicalType::kInt32;
    case LogicalKind::kTime:
      return c.unit == TimeUnit::kMillis ? PhysicalType::kInt32 : PhysicalType::kInt64;
    case LogicalKind::kTimestamp:
      return PhysicalType::kInt64;
    case LogicalKind::kUuid:
      return PhysicalType::kFixedLenByteArray;
  }
  return PhysicalType::kByteArray;
}

int FixedLengthOf(const ParquetColumn& c) {
  if (c.kind == LogicalKind::kUuid) return 16;
  if (c.kind == LogicalKind::kDecimal && c.precision > 18) {
    return DecimalBytesForPrecision(c.precision);
  }
  return 0;
}

std::string DescribeColumnType(const ParquetColumn& c) {
  const char* unit = c.unit == TimeUnit::kMillis ? "MILLIS" : "MICROS";
  switch (c.kind) {
    case LogicalKind::kBoolean:
      return "BOOLEAN";
    case LogicalKind::kInt:
      return fmt::format("INT({}, {})", c.int_bits, c.int_signed ? "signed" : "unsigned");
    case LogicalKind::kFloat:
      return "FLOAT";
    case LogicalKind::kDouble:
      return "DOUBLE";
    case LogicalKind::kDecimal:
      return fmt::format("DECIMAL({},{})", c.precision, c.scale);
    case LogicalKind::kString:
      return "STRING";
    case LogicalKind::kBinary:
      return "BINARY";
    case LogicalKind::kDate:
      return "DATE";
    case LogicalKind::kTime:
      return fmt::format("TIME({})", unit);
    case LogicalKind::kTimestamp:
      return fmt::format("TIMESTAMP({}{})", unit, c.adjusted_to_utc ? ", UTC" : "");
    case LogicalKind::kUuid:
      return "UUID";
    case LogicalKind::kJson:
      return "JSON";
  }
  return "?";
}

}  // namespace cutover::parquet
