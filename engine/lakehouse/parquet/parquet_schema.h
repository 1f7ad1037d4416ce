// The column vocabulary of cutover's Parquet files: what a caller asks the writer for and what
// the reader reports back.
//
// Design: a caller describes each column by its logical meaning (an 8-bit unsigned integer, a
// DECIMAL(20,4), a timestamp adjusted to UTC) and the writer derives the physical storage from
// it once (`PhysicalTypeOf`): the caller never chooses between INT32, INT64 and
// FIXED_LEN_BYTE_ARRAY and cannot pick a combination the format forbids. The numeric enum
// values of PhysicalType, Compression and Encoding are the ones parquet.thrift assigns, so they
// go to the file as they are.
#pragma once

#include <cstdint>
#include <string>

namespace cutover::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class Compression : int32_t { kNone = 0, kSnappy = 1, kGzip = 2, kZstd = 6 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class LogicalKind : uint8_t {
  kBoolean,
  kInt,        // int_bits 8/16/32/64, int_signed
  kFloat,      // 32-bit IEEE
  kDouble,     // 64-bit IEEE
  kDecimal,    // precision 1..38, scale 0..precision
  kString,     // UTF-8 BYTE_ARRAY (also JSON and UUID text, as DMS writes them)
  kBinary,     // BYTE_ARRAY without annotation
  kDate,       // days since 1970-01-01, INT32
  kTime,       // time of day, INT64 microseconds (the reader also accepts INT32 millis)
  kTimestamp,  // INT64 millis or micros since the epoch; adjusted_to_utc
  kUuid,       // reader only: FIXED_LEN_BYTE_ARRAY(16) with the UUID annotation
  kJson,       // reader only: BYTE_ARRAY with the JSON annotation
};

enum class TimeUnit : uint8_t { kMillis, kMicros };

struct ParquetColumn {
  std::string name;
  LogicalKind kind = LogicalKind::kString;
  bool nullable = true;
  // kInt
  int int_bits = 64;
  bool int_signed = true;
  // kDecimal
  int precision = 0;
  int scale = 0;
  // kTime, kTimestamp. The writer stores timestamps in WriterOptions::timestamp_unit and
  // times in micros, whatever `unit` says; the reader reports the unit it found.
  bool adjusted_to_utc = false;
  TimeUnit unit = TimeUnit::kMicros;
};

// Physical storage of a column (as the writer chooses it) and, for FIXED_LEN_BYTE_ARRAY, its
// length in bytes (0 otherwise).
PhysicalType PhysicalTypeOf(const ParquetColumn& column);
int FixedLengthOf(const ParquetColumn& column);
// Bytes of the smallest two's complement integer holding any unscaled value of `precision`
// decimal digits.
int DecimalBytesForPrecision(int precision);

// "INT(8, unsigned)", "DECIMAL(20,4)", "TIMESTAMP(MICROS, UTC)": for error messages.
std::string DescribeColumnType(const ParquetColumn& column);

}  // namespace cutover::parquet
