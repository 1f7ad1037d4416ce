// Value: one SQL value in the engine-neutral vocabulary shared by every endpoint.
//
// Each engine maps its own types to and from these kinds once (engine/pg/pg_types.h, ...).
// The set is deliberately small; a value whose type has no faithful logical kind (PostgreSQL
// arrays, intervals, ranges, inet, ...) travels as kOther: the source engine's own text form plus
// the source type name, so a same-engine target reproduces it exactly and a cross-engine target
// can store it as text and say so at task start.
//
// kUnchanged is not a SQL value: it marks a column whose new value the source did not send
// (PostgreSQL's unchanged TOAST datum). A sink must leave such a column as it is on the target.
//
// Storage: scalars in a union, everything textual or binary in `str_`. Copying a Value copies its
// string; changes move their values.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace cutover {

enum class ValueKind : uint8_t {
  kNull,
  kUnchanged,
  kBool,
  kInt64,
  kUInt64,
  kFloat64,
  kDecimal,      // str_: plain decimal text "-12.340", or "NaN"/"Infinity"/"-Infinity"
  kText,         // str_: UTF-8 text
  kBytes,        // str_: raw bytes
  kDate,         // i_: days since 1970-01-01 (proleptic Gregorian); kInfinity/-kInfinity
  kTime,         // i_: microseconds since midnight
  kTimestamp,    // i_: microseconds since 1970-01-01 00:00:00, no zone
  kTimestampTz,  // i_: microseconds since 1970-01-01 00:00:00 UTC
  kJson,         // str_: JSON text as the source printed it
  kUuid,         // str_: canonical lower-case 8-4-4-4-12 text
  kOther,        // str_: the source engine's text form; type name in the column schema
};

const char* ValueKindName(ValueKind kind);

class Value {
 public:
  // Timestamps and dates use these for PostgreSQL's 'infinity' and '-infinity'.
  static constexpr int64_t kInfinity = std::numeric_limits<int64_t>::max();
  static constexpr int64_t kMinusInfinity = std::numeric_limits<int64_t>::min();

  Value() = default;  // NULL
  static Value Null() { return Value(); }
  static Value Unchanged() { return Value(ValueKind::kUnchanged); }
  static Value Bool(bool b) {
    Value v(ValueKind::kBool);
    v.i_ = b ? 1 : 0;
    return v;
  }
  static Value Int64(int64_t x) {
    Value v(ValueKind::kInt64);
    v.i_ = x;
    return v;
  }
  static Value UInt64(uint64_t x) {
    Value v(ValueKind::kUInt64);
    v.u_ = x;
    return v;
  }
  static Value Float64(double x) {
    Value v(ValueKind::kFloat64);
    v.d_ = x;
    return v;
  }
  static Value Date(int64_t days) {
    Value v(ValueKind::kDate);
    v.i_ = days;
    return v;
  }
  static Value Time(int64_t micros) {
    Value v(ValueKind::kTime);
    v.i_ = micros;
    return v;
  }
  static Value Timestamp(int64_t micros) {
    Value v(ValueKind::kTimestamp);
    v.i_ = micros;
    return v;
  }
  static Value TimestampTz(int64_t micros) {
    Value v(ValueKind::kTimestampTz);
    v.i_ = micros;
    return v;
  }
  // Kinds whose payload is a string: kDecimal, kText, kBytes, kJson, kUuid, kOther.
  static Value String(ValueKind kind, std::string s) {
    Value v(kind);
    v.str_ = std::move(s);
    return v;
  }

  ValueKind kind() const { return kind_; }
  bool is_null() const { return kind_ == ValueKind::kNull; }
  bool is_unchanged() const { return kind_ == ValueKind::kUnchanged; }

  bool as_bool() const { return i_ != 0; }
  int64_t as_int64() const { return i_; }
  uint64_t as_uint64() const { return u_; }
  double as_double() const { return d_; }
  // Integer payload of kDate, kTime, kTimestamp, kTimestampTz.
  int64_t as_micros_or_days() const { return i_; }
  const std::string& str() const { return str_; }

  // Exact equality of kind and payload (floats compared bitwise, so NaN == NaN and -0 != +0).
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

  // Appends an injective byte form of kind and payload (length-prefixed), so concatenations of
  // several values can key a hash map. Not the canonical cross-engine encoding.
  void AppendKeyBytes(std::string& out) const;

  // For logs and test failures; never used for data transfer.
  std::string DebugString() const;

 private:
  explicit Value(ValueKind kind) : kind_(kind) {}

  ValueKind kind_ = ValueKind::kNull;
  union {
    int64_t i_ = 0;
    uint64_t u_;
    double d_;
  };
  std::string str_;
};

}  // namespace cutover
