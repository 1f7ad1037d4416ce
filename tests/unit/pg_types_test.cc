// Tests for engine/pg/pg_types (PostgreSQL text form <-> Value) and MatchPercentPattern.
//
// Design note: these tests are pure (no server). The contract under test is the one in
// pg_types.h: text that PostgreSQL prints (DateStyle=ISO, TimeZone=UTC, extra_float_digits=3)
// decodes to the expected logical value, and EncodeText of that value gives text PostgreSQL reads
// back to the identical datum. So every case checks three things: the decoded payload against an
// independently computed expectation (days/micros since the Unix epoch, computed outside the code
// under test), the exact encoded text, and that decoding the encoded text gives the same Value.
// Where the engine's output differs from PostgreSQL's own output but is still valid input (e.g.
// "12:00:00.500000" for "12:00:00.5") the test says so. Floats are checked bitwise, and their
// encoded text is parsed back with strtod (the parser PostgreSQL's float8in uses) to prove it
// reads back identically. Malformed input must give InvalidArgument naming the input.
// MatchPercentPattern (engine/core/table_pattern.h) is the table-pattern matcher: '%' is the only
// wildcard; '_' is literal.
#include "engine/pg/pg_types.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/table_pattern.h"

namespace cutover::pg {
namespace {

constexpr int64_t kUsPerSec = 1000000;
constexpr int64_t kUsPerDay = 86400 * kUsPerSec;

Value MustDecode(ValueKind kind, std::string_view text) {
  Value v;
  Status st = DecodeText(kind, text, v);
  EXPECT_TRUE(st.ok()) << "'" << text << "' as " << ValueKindName(kind) << ": " << st.ToString();
  if (st.ok()) {
    EXPECT_EQ(v.kind(), kind) << text;
  }
  return v;
}

std::string Encode(const Value& v) {
  std::string out;
  EncodeText(v, out);
  return out;
}

// Decodes `text`, encodes the result, decodes that again: both decodes must agree. Returns the
// encoded text.
std::string RoundTrip(ValueKind kind, std::string_view text) {
  Value first = MustDecode(kind, text);
  std::string encoded = Encode(first);
  Value second = MustDecode(kind, encoded);
  EXPECT_EQ(first, second) << "'" << text << "' -> '" << encoded << "': " << first.DebugString()
                           << " vs " << second.DebugString();
  return encoded;
}

// Expects DecodeText to fail with InvalidArgument and a message quoting the input.
void ExpectBad(ValueKind kind, std::string_view text) {
  Value v = Value::Int64(12345);
  Status st = DecodeText(kind, text, v);
  ASSERT_FALSE(st.ok()) << "'" << text << "' as " << ValueKindName(kind) << " decoded to "
                        << v.DebugString();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("'" + std::string(text) + "'"), std::string::npos) << st.message();
}

// Days since 1970-01-01 for an astronomical year, computed independently of DaysFromCivil by
// counting whole years and months (slow but obviously right for the small ranges used).
bool IsLeap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
int64_t DaysByCounting(int64_t y, unsigned m, unsigned d) {
  static const int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t days = 0;
  // Shift by whole 400-year cycles (146097 days each) to stay near 1970.
  while (y < 1600) y += 400, days -= 146097;
  while (y > 2400) y -= 400, days += 146097;
  for (int64_t yy = 1970; yy < y; ++yy) days += IsLeap(yy) ? 366 : 365;
  for (int64_t yy = y; yy < 1970; ++yy) days -= IsLeap(yy) ? 366 : 365;
  for (unsigned mm = 1; mm < m; ++mm) days += kMonthDays[mm - 1] + (mm == 2 && IsLeap(y));
  return days + d - 1;
}

// ------------------------------------------------------------------------------------------
// Type OIDs

TEST(PgTypesTest, KindForTypeOid) {
  EXPECT_EQ(KindForTypeOid(kBoolOid), ValueKind::kBool);
  EXPECT_EQ(KindForTypeOid(kByteaOid), ValueKind::kBytes);
  for (uint32_t oid : {kCharOid, kNameOid, kTextOid, kBpcharOid, kVarcharOid}) {
    EXPECT_EQ(KindForTypeOid(oid), ValueKind::kText) << oid;
  }
  for (uint32_t oid : {kInt2Oid, kInt4Oid, kInt8Oid, kOidOid}) {
    EXPECT_EQ(KindForTypeOid(oid), ValueKind::kInt64) << oid;
  }
  EXPECT_EQ(KindForTypeOid(kFloat4Oid), ValueKind::kFloat64);
  EXPECT_EQ(KindForTypeOid(kFloat8Oid), ValueKind::kFloat64);
  EXPECT_EQ(KindForTypeOid(kJsonOid), ValueKind::kJson);
  EXPECT_EQ(KindForTypeOid(kJsonbOid), ValueKind::kJson);
  EXPECT_EQ(KindForTypeOid(kDateOid), ValueKind::kDate);
  EXPECT_EQ(KindForTypeOid(kTimeOid), ValueKind::kTime);
  EXPECT_EQ(KindForTypeOid(kTimestampOid), ValueKind::kTimestamp);
  EXPECT_EQ(KindForTypeOid(kTimestampTzOid), ValueKind::kTimestampTz);
  EXPECT_EQ(KindForTypeOid(kNumericOid), ValueKind::kDecimal);
  EXPECT_EQ(KindForTypeOid(kUuidOid), ValueKind::kUuid);
  // Types without a logical kind: interval (1186), int4[] (1007), inet (869), timetz (1266).
  for (uint32_t oid : {1186u, 1007u, 869u, 1266u, 0u, 999999u}) {
    EXPECT_EQ(KindForTypeOid(oid), ValueKind::kOther) << oid;
  }
}

// ------------------------------------------------------------------------------------------
// Booleans and integers

TEST(PgTypesTest, Booleans) {
  EXPECT_EQ(MustDecode(ValueKind::kBool, "t"), Value::Bool(true));
  EXPECT_EQ(MustDecode(ValueKind::kBool, "f"), Value::Bool(false));
  EXPECT_EQ(RoundTrip(ValueKind::kBool, "t"), "t");
  EXPECT_EQ(RoundTrip(ValueKind::kBool, "f"), "f");
  EXPECT_EQ(Encode(Value::Bool(true)), "t");
  EXPECT_EQ(Encode(Value::Bool(false)), "f");
}

TEST(PgTypesTest, BadBooleans) {
  // PostgreSQL's boolout only ever prints "t" or "f"; anything else is not its output.
  for (std::string_view s : {"t ", " t", "true", "false", "T", "F", "1", "0", "", "tf"}) {
    ExpectBad(ValueKind::kBool, s);
  }
}

TEST(PgTypesTest, Int64Limits) {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(MustDecode(ValueKind::kInt64, "-9223372036854775808"), Value::Int64(kMin));
  EXPECT_EQ(MustDecode(ValueKind::kInt64, "9223372036854775807"), Value::Int64(kMax));
  EXPECT_EQ(RoundTrip(ValueKind::kInt64, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(RoundTrip(ValueKind::kInt64, "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(RoundTrip(ValueKind::kInt64, "0"), "0");
  EXPECT_EQ(RoundTrip(ValueKind::kInt64, "-1"), "-1");
  EXPECT_EQ(RoundTrip(ValueKind::kInt64, "-32768"), "-32768");
  EXPECT_EQ(RoundTrip(ValueKind::kInt64, "4294967295"), "4294967295");  // oid max
}

TEST(PgTypesTest, BadIntegers) {
  for (std::string_view s : {"abc", "", "1.5", "1e3", " 1", "1 ", "12a", "--1", "0x10",
                             "9223372036854775808", "-9223372036854775809"}) {
    ExpectBad(ValueKind::kInt64, s);
  }
}

TEST(PgTypesTest, UInt64) {
  EXPECT_EQ(MustDecode(ValueKind::kUInt64, "18446744073709551615"),
            Value::UInt64(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(RoundTrip(ValueKind::kUInt64, "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(RoundTrip(ValueKind::kUInt64, "0"), "0");
  ExpectBad(ValueKind::kUInt64, "-1");
  ExpectBad(ValueKind::kUInt64, "18446744073709551616");
  ExpectBad(ValueKind::kUInt64, "x");
}

// ------------------------------------------------------------------------------------------
// Floats

uint64_t Bits(double d) {
  return std::bit_cast<uint64_t>(d);
}

// Checks the decoded bits, the exact encoded text, and that strtod (PostgreSQL's parser) reads
// the encoded text back to the identical bits.
void CheckFloat(std::string_view text, double expected, std::string_view expected_text) {
  SCOPED_TRACE(std::string(text));
  Value v = MustDecode(ValueKind::kFloat64, text);
  ASSERT_EQ(v.kind(), ValueKind::kFloat64);
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(v.as_double()));
  } else {
    EXPECT_EQ(Bits(v.as_double()), Bits(expected)) << v.as_double() << " vs " << expected;
  }
  std::string encoded = Encode(v);
  EXPECT_EQ(encoded, expected_text);
  double back = std::strtod(encoded.c_str(), nullptr);  // accepts NaN/Infinity like float8in
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(back)) << encoded;
  } else {
    EXPECT_EQ(Bits(back), Bits(v.as_double())) << encoded;
  }
  EXPECT_EQ(MustDecode(ValueKind::kFloat64, encoded), v);
}

TEST(PgTypesTest, FloatSpecialValues) {
  CheckFloat("NaN", std::numeric_limits<double>::quiet_NaN(), "NaN");
  CheckFloat("Infinity", std::numeric_limits<double>::infinity(), "Infinity");
  CheckFloat("-Infinity", -std::numeric_limits<double>::infinity(), "-Infinity");
  CheckFloat("-0", -0.0, "-0");
  CheckFloat("0", 0.0, "0");
  EXPECT_TRUE(std::signbit(MustDecode(ValueKind::kFloat64, "-0").as_double()));
  EXPECT_FALSE(std::signbit(MustDecode(ValueKind::kFloat64, "0").as_double()));
  EXPECT_NE(MustDecode(ValueKind::kFloat64, "-0"), MustDecode(ValueKind::kFloat64, "0"));
}

TEST(PgTypesTest, FloatExtremes) {
  CheckFloat("1e-300", 1e-300, "1e-300");
  CheckFloat("1.7976931348623157e+308", std::numeric_limits<double>::max(),
             "1.7976931348623157e+308");
  CheckFloat("-1.7976931348623157e+308", std::numeric_limits<double>::lowest(),
             "-1.7976931348623157e+308");
  CheckFloat("5e-324", std::numeric_limits<double>::denorm_min(), "5e-324");
  CheckFloat("2.2250738585072014e-308", std::numeric_limits<double>::min(),
             "2.2250738585072014e-308");
  CheckFloat("0.1", 0.1, "0.1");
  CheckFloat("-1.5", -1.5, "-1.5");
  CheckFloat("123456789012345680", 123456789012345680.0, "123456789012345680");
  CheckFloat("3.141592653589793", 3.141592653589793, "3.141592653589793");
  // float4 values print with float4's shortest digits; read as double and printed again they
  // must still be the text PostgreSQL's float4in rounds to the same float.
  CheckFloat("3.4028235e+38", 3.4028235e+38, "3.4028235e+38");
  CheckFloat("1e-45", 1e-45, "1e-45");
}

TEST(PgTypesTest, FloatRandomBitsRoundTrip) {
  std::mt19937_64 rng(20240229);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    double d = std::bit_cast<double>(rng());
    if (std::isnan(d)) continue;
    std::string encoded = Encode(Value::Float64(d));
    double back = std::strtod(encoded.c_str(), nullptr);
    ASSERT_EQ(Bits(back), Bits(d)) << encoded;
    Value again;
    ASSERT_TRUE(DecodeText(ValueKind::kFloat64, encoded, again).ok()) << encoded;
    ASSERT_EQ(again, Value::Float64(d)) << encoded;
    ++checked;
  }
  EXPECT_GT(checked, 19000);
}

TEST(PgTypesTest, NaNPayloadEncodesAsNaN) {
  double nan_with_payload = std::bit_cast<double>(uint64_t{0xfff8000000000123});
  ASSERT_TRUE(std::isnan(nan_with_payload));
  EXPECT_EQ(Encode(Value::Float64(nan_with_payload)), "NaN");
}

TEST(PgTypesTest, BadFloats) {
  for (std::string_view s : {"abc", "", "1.0x", "1,5", " 1", "1 ", "--1", "1e400"}) {
    ExpectBad(ValueKind::kFloat64, s);
  }
}

// ------------------------------------------------------------------------------------------
// bytea (hex format, PostgreSQL's default bytea_output)

TEST(PgTypesTest, ByteaHex) {
  Value empty = MustDecode(ValueKind::kBytes, "\\x");
  EXPECT_EQ(empty, Value::String(ValueKind::kBytes, ""));
  EXPECT_EQ(RoundTrip(ValueKind::kBytes, "\\x"), "\\x");

  Value v = MustDecode(ValueKind::kBytes, "\\x00ff00");
  EXPECT_EQ(v.str(), std::string("\x00\xff\x00", 3));
  EXPECT_EQ(RoundTrip(ValueKind::kBytes, "\\x00ff00"), "\\x00ff00");

  // Upper-case hex is accepted; output is lower case (what PostgreSQL prints).
  Value upper = MustDecode(ValueKind::kBytes, "\\xDEADbeef");
  EXPECT_EQ(upper.str(), "\xde\xad\xbe\xef");
  EXPECT_EQ(RoundTrip(ValueKind::kBytes, "\\xDEADbeef"), "\\xdeadbeef");
  EXPECT_EQ(Encode(Value::String(ValueKind::kBytes, "\\")), "\\x5c");
}

TEST(PgTypesTest, ByteaAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  std::string encoded = Encode(Value::String(ValueKind::kBytes, all));
  ASSERT_EQ(encoded.size(), 2 + 512u);
  EXPECT_EQ(encoded.substr(0, 10), "\\x00010203");
  EXPECT_EQ(encoded.substr(encoded.size() - 4), "feff");
  EXPECT_EQ(MustDecode(ValueKind::kBytes, encoded).str(), all);
}

TEST(PgTypesTest, BadBytea) {
  for (std::string_view s : {"\\xzz", "\\x0", "\\x0g", "\\xg0", "\\x00f", "\\X00", "x00", "", "\\",
                             "abc", "\\000", "\\x 0"}) {
    ExpectBad(ValueKind::kBytes, s);
  }
}

// ------------------------------------------------------------------------------------------
// date

struct DateCase {
  const char* text;
  int64_t days;
  const char* encoded;
};

TEST(PgTypesTest, Dates) {
  const DateCase cases[] = {
      {"1970-01-01", 0, "1970-01-01"},
      {"1969-12-31", -1, "1969-12-31"},
      {"2024-02-29", 19782, "2024-02-29"},
      {"2000-01-01", 10957, "2000-01-01"},
      {"0001-01-01", -719162, "0001-01-01"},
      {"0001-12-31 BC", -719163, "0001-12-31 BC"},  // year 0 astronomically
      {"0001-01-01 BC", -719528, "0001-01-01 BC"},
      {"4713-01-01 BC", -2440550, "4713-01-01 BC"},  // PostgreSQL's earliest date
      {"9999-12-31", 2932896, "9999-12-31"},
      {"10000-01-01", 2932897, "10000-01-01"},
      {"5874897-12-31", 2145042905, "5874897-12-31"},  // PostgreSQL's latest date
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Value v = MustDecode(ValueKind::kDate, c.text);
    EXPECT_EQ(v, Value::Date(c.days)) << v.DebugString();
    EXPECT_EQ(Encode(v), c.encoded);
    EXPECT_EQ(RoundTrip(ValueKind::kDate, c.text), c.encoded);
  }
}

TEST(PgTypesTest, DateExpectationsAgreeWithIndependentCount) {
  EXPECT_EQ(DaysByCounting(2024, 2, 29), 19782);
  EXPECT_EQ(DaysByCounting(1, 1, 1), -719162);
  EXPECT_EQ(DaysByCounting(0, 12, 31), -719163);
  EXPECT_EQ(DaysByCounting(0, 1, 1), -719528);
  EXPECT_EQ(DaysByCounting(-4712, 1, 1), -2440550);
  EXPECT_EQ(DaysByCounting(9999, 12, 31), 2932896);
}

TEST(PgTypesTest, DateInfinities) {
  EXPECT_EQ(MustDecode(ValueKind::kDate, "infinity"), Value::Date(Value::kInfinity));
  EXPECT_EQ(MustDecode(ValueKind::kDate, "-infinity"), Value::Date(Value::kMinusInfinity));
  EXPECT_EQ(RoundTrip(ValueKind::kDate, "infinity"), "infinity");
  EXPECT_EQ(RoundTrip(ValueKind::kDate, "-infinity"), "-infinity");
}

TEST(PgTypesTest, BadDates) {
  for (std::string_view s : {"2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "abc", "",
                             "2024-01", "2024/01/01", "2024-01-01 AD", "2024-01-01 BC ",
                             "2024-01-01 00:00:00", "Infinity", "-2024-01-01", "2024-001-01"}) {
    ExpectBad(ValueKind::kDate, s);
  }
}

// ------------------------------------------------------------------------------------------
// time (without time zone)

TEST(PgTypesTest, Times) {
  struct Case {
    const char* text;
    int64_t micros;
    const char* encoded;
  };
  const Case cases[] = {
      {"00:00:00", 0, "00:00:00"},
      {"00:00:00.000001", 1, "00:00:00.000001"},
      {"23:59:59.999999", kUsPerDay - 1, "23:59:59.999999"},
      {"24:00:00", kUsPerDay, "24:00:00"},  // PostgreSQL allows 24:00:00
      {"13:14:15", (13 * 3600 + 14 * 60 + 15) * kUsPerSec, "13:14:15"},
      // PostgreSQL prints "12:00:00.5"; the engine pads to six digits, which reads back the same.
      {"12:00:00.5", 43200500000, "12:00:00.500000"},
      {"12:00:00.05", 43200050000, "12:00:00.050000"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Value v = MustDecode(ValueKind::kTime, c.text);
    EXPECT_EQ(v, Value::Time(c.micros)) << v.DebugString();
    EXPECT_EQ(Encode(v), c.encoded);
    EXPECT_EQ(RoundTrip(ValueKind::kTime, c.text), c.encoded);
  }
}

TEST(PgTypesTest, BadTimes) {
  for (std::string_view s : {"12:00", "12", "", "abc", "12:00:00.", "12:00:00.1234567", "12:00:00 ",
                             "12:00:00+00", "12-00-00", "1200:00:00"}) {
    ExpectBad(ValueKind::kTime, s);
  }
}

// ------------------------------------------------------------------------------------------
// timestamp / timestamptz

struct TsCase {
  const char* text;
  int64_t micros;
  const char* encoded;
};

TEST(PgTypesTest, Timestamps) {
  const TsCase cases[] = {
      {"1970-01-01 00:00:00", 0, "1970-01-01 00:00:00"},
      {"1969-12-31 23:59:59.999999", -1, "1969-12-31 23:59:59.999999"},
      {"1970-01-01 00:00:00.000001", 1, "1970-01-01 00:00:00.000001"},
      {"2000-01-01 00:00:00.123456", 946684800123456, "2000-01-01 00:00:00.123456"},
      {"2024-02-29 23:59:59", (19782 + 1) * kUsPerDay - kUsPerSec, "2024-02-29 23:59:59"},
      {"0044-03-15 12:00:00 BC", -735160 * kUsPerDay + 12 * 3600 * kUsPerSec,
       "0044-03-15 12:00:00 BC"},
      {"0001-01-01 00:00:00", -719162 * kUsPerDay, "0001-01-01 00:00:00"},
      {"0001-12-31 23:59:59.5 BC", -719162 * kUsPerDay - kUsPerSec / 2,
       "0001-12-31 23:59:59.500000 BC"},
      // PostgreSQL's earliest timestamp.
      {"4714-11-24 00:00:00 BC", (DaysByCounting(-4713, 11, 24)) * kUsPerDay,
       "4714-11-24 00:00:00 BC"},
      {"9999-12-31 23:59:59.999999", 2932897 * kUsPerDay - 1, "9999-12-31 23:59:59.999999"},
      {"12345-06-07 08:09:10",
       (DaysByCounting(12345, 6, 7)) * kUsPerDay + (8 * 3600 + 9 * 60 + 10) * kUsPerSec,
       "12345-06-07 08:09:10"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Value v = MustDecode(ValueKind::kTimestamp, c.text);
    EXPECT_EQ(v, Value::Timestamp(c.micros)) << v.DebugString();
    EXPECT_EQ(Encode(v), c.encoded);
    EXPECT_EQ(RoundTrip(ValueKind::kTimestamp, c.text), c.encoded);
  }
}

TEST(PgTypesTest, TimestampInfinities) {
  EXPECT_EQ(MustDecode(ValueKind::kTimestamp, "infinity"), Value::Timestamp(Value::kInfinity));
  EXPECT_EQ(MustDecode(ValueKind::kTimestamp, "-infinity"),
            Value::Timestamp(Value::kMinusInfinity));
  EXPECT_EQ(RoundTrip(ValueKind::kTimestamp, "infinity"), "infinity");
  EXPECT_EQ(RoundTrip(ValueKind::kTimestamp, "-infinity"), "-infinity");
  EXPECT_EQ(MustDecode(ValueKind::kTimestampTz, "infinity"), Value::TimestampTz(Value::kInfinity));
  EXPECT_EQ(RoundTrip(ValueKind::kTimestampTz, "infinity"), "infinity");
  EXPECT_EQ(RoundTrip(ValueKind::kTimestampTz, "-infinity"), "-infinity");
}

TEST(PgTypesTest, TimestampTzOffsets) {
  const int64_t noon = 1717243200000000;  // 2024-06-01 12:00:00 UTC
  const TsCase cases[] = {
      {"2024-06-01 12:00:00+00", noon, "2024-06-01 12:00:00+00"},
      {"2024-06-01 12:00:00+05:30", noon - (5 * 3600 + 30 * 60) * kUsPerSec,
       "2024-06-01 06:30:00+00"},
      {"2024-06-01 12:00:00-08", noon + 8 * 3600 * kUsPerSec, "2024-06-01 20:00:00+00"},
      {"2024-06-01 12:00:00+05:30:15", noon - (5 * 3600 + 30 * 60 + 15) * kUsPerSec,
       "2024-06-01 06:29:45+00"},
      {"2024-06-01 12:00:00.25-03:30", noon + (3 * 3600 + 30 * 60) * kUsPerSec + 250000,
       "2024-06-01 15:30:00.250000+00"},
      // Crossing midnight and the epoch.
      {"1970-01-01 02:00:00+03", -3600 * kUsPerSec, "1969-12-31 23:00:00+00"},
      {"1969-12-31 23:00:00-02", 3600 * kUsPerSec, "1970-01-01 01:00:00+00"},
      // BC: PostgreSQL prints the zone before the era.
      {"0044-03-15 12:00:00+00 BC", -735160 * kUsPerDay + 12 * 3600 * kUsPerSec,
       "0044-03-15 12:00:00+00 BC"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Value v = MustDecode(ValueKind::kTimestampTz, c.text);
    EXPECT_EQ(v, Value::TimestampTz(c.micros)) << v.DebugString();
    EXPECT_EQ(Encode(v), c.encoded);
    EXPECT_EQ(RoundTrip(ValueKind::kTimestampTz, c.text), c.encoded);
  }
}

TEST(PgTypesTest, TimestampAndTimestampTzAreDifferentValues) {
  Value a = MustDecode(ValueKind::kTimestamp, "2024-06-01 12:00:00");
  Value b = MustDecode(ValueKind::kTimestampTz, "2024-06-01 12:00:00+00");
  EXPECT_EQ(a.as_micros_or_days(), b.as_micros_or_days());
  EXPECT_NE(a, b);
  EXPECT_EQ(Encode(a), "2024-06-01 12:00:00");
  EXPECT_EQ(Encode(b), "2024-06-01 12:00:00+00");
}

TEST(PgTypesTest, TimestampRandomRoundTrip) {
  // Random instants within PostgreSQL's timestamp range that fit int64 Unix micros
  // (4714-11-24 BC .. 294246 AD): encode, decode, compare.
  const int64_t lo = DaysByCounting(-4713, 11, 24) * kUsPerDay;
  const int64_t hi = DaysByCounting(294246, 12, 31) * kUsPerDay;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int i = 0; i < 20000; ++i) {
    int64_t us = dist(rng);
    for (bool tz : {false, true}) {
      Value v = tz ? Value::TimestampTz(us) : Value::Timestamp(us);
      std::string encoded = Encode(v);
      Value back;
      Status st = DecodeText(v.kind(), encoded, back);
      ASSERT_TRUE(st.ok()) << encoded << ": " << st.ToString();
      ASSERT_EQ(back, v) << encoded;
    }
  }
}

TEST(PgTypesTest, DateRandomRoundTrip) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int64_t> dist(-2440550, 2145042905);
  for (int i = 0; i < 20000; ++i) {
    Value v = Value::Date(dist(rng));
    std::string encoded = Encode(v);
    Value back;
    ASSERT_TRUE(DecodeText(ValueKind::kDate, encoded, back).ok()) << encoded;
    ASSERT_EQ(back, v) << encoded;
  }
}

TEST(PgTypesTest, BadTimestamps) {
  for (ValueKind kind : {ValueKind::kTimestamp, ValueKind::kTimestampTz}) {
    SCOPED_TRACE(ValueKindName(kind));
    for (std::string_view s :
         {"2024-13-01 00:00:00", "2024-01-01", "2024-01-01T00:00:00", "2024-01-01 00:00",
          "2024-01-01 00:00:00 ", "abc", "", "Infinity", "2024-01-01 00:00:00 AD",
          "2024-01-01  00:00:00", "2024-00-01 00:00:00"}) {
      ExpectBad(kind, s);
    }
  }
  // A zone is only accepted on timestamptz.
  ExpectBad(ValueKind::kTimestamp, "2024-06-01 12:00:00+00");
  ExpectBad(ValueKind::kTimestampTz, "2024-06-01 12:00:00+");
  ExpectBad(ValueKind::kTimestampTz, "2024-06-01 12:00:00+05:");
  ExpectBad(ValueKind::kTimestampTz, "2024-06-01 12:00:00+05:30:");
  ExpectBad(ValueKind::kTimestampTz, "2024-06-01 12:00:00 UTC");
  ExpectBad(ValueKind::kTimestampTz, "2024-06-01 12:00:00 BC+00");
}

TEST(PgTypesTest, ErrorMessageTruncatesLongInput) {
  std::string long_text(200, '9');
  long_text += "x";
  Value v;
  Status st = DecodeText(ValueKind::kInt64, long_text, v);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find(std::string(64, '9')), std::string::npos) << st.message();
  EXPECT_LT(st.message().size(), 120u) << st.message();
}

TEST(PgTypesTest, ErrorMessagesNameTheType) {
  Value v;
  Status st = DecodeText(ValueKind::kDate, "2024-13-01", v);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'2024-13-01'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("date"), std::string::npos) << st.message();

  st = DecodeText(ValueKind::kInt64, "abc", v);
  EXPECT_NE(st.message().find("'abc'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("integer"), std::string::npos) << st.message();

  st = DecodeText(ValueKind::kBytes, "\\xzz", v);
  EXPECT_NE(st.message().find("'\\xzz'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("bytea"), std::string::npos) << st.message();

  st = DecodeText(ValueKind::kBool, "t ", v);
  EXPECT_NE(st.message().find("'t '"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("boolean"), std::string::npos) << st.message();
}

TEST(PgTypesTest, FailedDecodeLeavesOutputAlone) {
  Value v = Value::Int64(7);
  ASSERT_FALSE(DecodeText(ValueKind::kDate, "2024-13-01", v).ok());
  EXPECT_EQ(v, Value::Int64(7));
}

TEST(PgTypesTest, NoTextFormForNullOrUnchanged) {
  Value v;
  Status st = DecodeText(ValueKind::kNull, "x", v);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  st = DecodeText(ValueKind::kUnchanged, "x", v);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  // Encoding them appends nothing (callers write NULL / skip the column themselves).
  std::string out = "keep";
  EncodeText(Value::Null(), out);
  EncodeText(Value::Unchanged(), out);
  EXPECT_EQ(out, "keep");
}

TEST(PgTypesTest, EncodeAppends) {
  std::string out = "a,";
  EncodeText(Value::Int64(1), out);
  out += ',';
  EncodeText(Value::Bool(true), out);
  EXPECT_EQ(out, "a,1,t");
}

// ------------------------------------------------------------------------------------------
// Kinds kept verbatim

TEST(PgTypesTest, VerbatimKinds) {
  struct Case {
    ValueKind kind;
    const char* text;
  };
  const Case cases[] = {
      {ValueKind::kDecimal, "-12.340"},
      {ValueKind::kDecimal, "NaN"},
      {ValueKind::kDecimal, "Infinity"},
      {ValueKind::kDecimal, "0.000000000000000000000000000001"},
      {ValueKind::kDecimal, "123456789012345678901234567890.123456789"},
      {ValueKind::kText, ""},
      {ValueKind::kText, "  spaces  "},
      {ValueKind::kText, "tab\tnewline\n\\backslash"},
      {ValueKind::kText, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac"},
      {ValueKind::kJson, "{\"a\": [1, 2.50, null], \"b\": \"\\u00e9\"}"},
      {ValueKind::kJson, "  {\"keep\" :  \"whitespace\"}  "},
      {ValueKind::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
      {ValueKind::kOther, "{1,2,NULL}"},
      {ValueKind::kOther, "1 year 2 mons 3 days 04:05:06"},
      {ValueKind::kOther, "[1,10)"},
      {ValueKind::kOther, "192.168.0.1/24"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Value v = MustDecode(c.kind, c.text);
    EXPECT_EQ(v, Value::String(c.kind, c.text));
    EXPECT_EQ(Encode(v), c.text);
  }
  std::string with_nul("a\0b", 3);
  EXPECT_EQ(Encode(MustDecode(ValueKind::kText, with_nul)), with_nul);
}

// ------------------------------------------------------------------------------------------
// Calendar helpers

TEST(PgTypesTest, DaysFromCivilAnchors) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 1, 1), 10957);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);                           // 2000 is a leap year
  EXPECT_EQ(DaysFromCivil(1900, 3, 1) - DaysFromCivil(1900, 2, 28), 1);  // 1900 is not
  EXPECT_EQ(DaysFromCivil(2024, 2, 29), 19782);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
  EXPECT_EQ(DaysFromCivil(0, 1, 1), -719528);
  EXPECT_EQ(DaysFromCivil(-4712, 1, 1), -2440550);
  EXPECT_EQ(DaysFromCivil(0, 3, 1) - DaysFromCivil(0, 2, 28), 2);  // year 0 (1 BC) is leap
}

TEST(PgTypesTest, DaysFromCivilMatchesIndependentCount) {
  for (int64_t y : {-4713, -401, -400, -101, -1,   0,    1,    4,    99,   100,  1582, 1600,
                    1899,  1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 2400, 9999, 10000}) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d : {1u, 15u, 28u}) {
        ASSERT_EQ(DaysFromCivil(y, m, d), DaysByCounting(y, m, d)) << y << "-" << m << "-" << d;
      }
    }
  }
}

TEST(PgTypesTest, CivilDaysRoundTripWideRange) {
  int64_t prev_y = 0;
  unsigned prev_m = 0, prev_d = 0;
  bool first = true;
  int checked = 0;
  for (int64_t days = -1000000; days <= 1000000; days += 997) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, y, m, d);
    ASSERT_GE(m, 1u) << days;
    ASSERT_LE(m, 12u) << days;
    ASSERT_GE(d, 1u) << days;
    ASSERT_LE(d, 31u) << days;
    ASSERT_EQ(DaysFromCivil(y, m, d), days) << y << "-" << m << "-" << d;
    // Dates are strictly increasing with days.
    if (!first) {
      ASSERT_TRUE(std::tie(prev_y, prev_m, prev_d) < std::tie(y, m, d)) << days;
    }
    prev_y = y, prev_m = m, prev_d = d, first = false;
    ++checked;
  }
  EXPECT_EQ(checked, 2007);
}

TEST(PgTypesTest, CivilDaysConsecutiveDaysAreAdjacentDates) {
  // Every day across several 400-year cycles (including year 0 and negative years): the next
  // day is either d+1 in the same month, or the 1st of the next month / year.
  int64_t y0;
  unsigned m0, d0;
  CivilFromDays(-900000, y0, m0, d0);
  for (int64_t days = -900000 + 1; days <= 120000; ++days) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, y, m, d);
    bool same_month = y == y0 && m == m0 && d == d0 + 1;
    bool next_month = y == y0 && m == m0 + 1 && d == 1;
    bool next_year = y == y0 + 1 && m == 1 && d == 1 && m0 == 12 && d0 == 31;
    ASSERT_TRUE(same_month || next_month || next_year)
        << days << ": " << y0 << "-" << m0 << "-" << d0 << " -> " << y << "-" << m << "-" << d;
    if (next_month) {
      unsigned expected_last = m0 == 2 ? (IsLeap(y0) ? 29 : 28)
                               : (m0 == 4 || m0 == 6 || m0 == 9 || m0 == 11) ? 30
                                                                             : 31;
      ASSERT_EQ(d0, expected_last) << y0 << "-" << m0;
    }
    y0 = y, m0 = m, d0 = d;
  }
}

// ------------------------------------------------------------------------------------------
// MatchPercentPattern

TEST(PatternTest, Exact) {
  EXPECT_TRUE(MatchPercentPattern("orders", "orders"));
  EXPECT_FALSE(MatchPercentPattern("orders", "order"));
  EXPECT_FALSE(MatchPercentPattern("order", "orders"));
  EXPECT_FALSE(MatchPercentPattern("orders", "Orders"));  // case-sensitive
  EXPECT_FALSE(MatchPercentPattern("orders", ""));
}

TEST(PatternTest, EmptyPattern) {
  EXPECT_TRUE(MatchPercentPattern("", ""));
  EXPECT_FALSE(MatchPercentPattern("", "a"));
}

TEST(PatternTest, PercentAlone) {
  EXPECT_TRUE(MatchPercentPattern("%", ""));
  EXPECT_TRUE(MatchPercentPattern("%", "a"));
  EXPECT_TRUE(MatchPercentPattern("%", "anything_at.all%"));
  EXPECT_TRUE(MatchPercentPattern("%%", ""));
  EXPECT_TRUE(MatchPercentPattern("%%%", "xyz"));
}

TEST(PatternTest, PercentAtStart) {
  EXPECT_TRUE(MatchPercentPattern("%_log", "audit_log"));
  EXPECT_TRUE(MatchPercentPattern("%_log", "_log"));
  EXPECT_FALSE(MatchPercentPattern("%_log", "audit_logs"));
  EXPECT_FALSE(MatchPercentPattern("%_log", "log"));
  EXPECT_TRUE(MatchPercentPattern("%log", "loglog"));
}

TEST(PatternTest, PercentAtEnd) {
  EXPECT_TRUE(MatchPercentPattern("tmp_%", "tmp_"));
  EXPECT_TRUE(MatchPercentPattern("tmp_%", "tmp_1"));
  EXPECT_FALSE(MatchPercentPattern("tmp_%", "tmp"));
  EXPECT_FALSE(MatchPercentPattern("tmp_%", "xtmp_1"));
}

TEST(PatternTest, PercentInMiddle) {
  EXPECT_TRUE(MatchPercentPattern("a%z", "az"));
  EXPECT_TRUE(MatchPercentPattern("a%z", "abcz"));
  EXPECT_FALSE(MatchPercentPattern("a%z", "abc"));
  EXPECT_FALSE(MatchPercentPattern("a%z", "bz"));
  EXPECT_FALSE(MatchPercentPattern("a%z", "azx"));
  EXPECT_TRUE(MatchPercentPattern("a%z", "azzz"));
}

TEST(PatternTest, MultiplePercents) {
  EXPECT_TRUE(MatchPercentPattern("%a%", "a"));
  EXPECT_TRUE(MatchPercentPattern("%a%", "xxaxx"));
  EXPECT_FALSE(MatchPercentPattern("%a%", "xxx"));
  EXPECT_TRUE(MatchPercentPattern("a%%b", "ab"));
  EXPECT_TRUE(MatchPercentPattern("%sales%2024%", "eu_sales_q1_2024_v2"));
  EXPECT_FALSE(MatchPercentPattern("%sales%2024%", "eu_sales_q1_2023"));
}

TEST(PatternTest, UnderscoreIsLiteral) {
  EXPECT_TRUE(MatchPercentPattern("a_c", "a_c"));
  EXPECT_FALSE(MatchPercentPattern("a_c", "abc"));
  EXPECT_FALSE(MatchPercentPattern("_", "x"));
  EXPECT_FALSE(MatchPercentPattern("%_", "abc"));
  EXPECT_TRUE(MatchPercentPattern("%_", "abc_"));
  // Other regex/glob characters are literal too.
  EXPECT_FALSE(MatchPercentPattern("a*", "abc"));
  EXPECT_TRUE(MatchPercentPattern("a*", "a*"));
  EXPECT_FALSE(MatchPercentPattern("a?", "ab"));
  EXPECT_FALSE(MatchPercentPattern("a.c", "abc"));
}

TEST(PatternTest, Backtracking) {
  EXPECT_TRUE(MatchPercentPattern("a%b%c", "aXbYbZc"));
  EXPECT_TRUE(MatchPercentPattern("a%b%c", "abc"));
  EXPECT_TRUE(MatchPercentPattern("a%b%c", "abbbcc"));
  EXPECT_FALSE(MatchPercentPattern("a%b%c", "aXbYbZ"));
  EXPECT_FALSE(MatchPercentPattern("a%b%c", "acb"));
  EXPECT_TRUE(MatchPercentPattern("%ab", "aab"));
  EXPECT_TRUE(MatchPercentPattern("%aab", "aaab"));
  EXPECT_TRUE(MatchPercentPattern("%abc%abd", "abcabcabd"));
  EXPECT_TRUE(MatchPercentPattern("%a%a%a", "aaa"));
  EXPECT_FALSE(MatchPercentPattern("%a%a%a", "aa"));
  EXPECT_TRUE(MatchPercentPattern("ab%ab", "abab"));
  EXPECT_FALSE(MatchPercentPattern("ab%ab", "aba"));
}

// Reference matcher (plain recursion) to cross-check on many generated cases.
bool RefMatch(std::string_view p, std::string_view t) {
  if (p.empty()) return t.empty();
  if (p[0] == '%') {
    for (size_t i = 0; i <= t.size(); ++i) {
      if (RefMatch(p.substr(1), t.substr(i))) return true;
    }
    return false;
  }
  return !t.empty() && p[0] == t[0] && RefMatch(p.substr(1), t.substr(1));
}

TEST(PatternTest, AgreesWithReferenceMatcher) {
  std::mt19937 rng(42);
  const char pat_alpha[] = {'a', 'b', '%', '_'};
  const char txt_alpha[] = {'a', 'b', '_'};
  for (int i = 0; i < 50000; ++i) {
    std::string p, t;
    int pl = rng() % 7, tl = rng() % 9;
    for (int j = 0; j < pl; ++j) p += pat_alpha[rng() % 4];
    for (int j = 0; j < tl; ++j) t += txt_alpha[rng() % 3];
    ASSERT_EQ(MatchPercentPattern(p, t), RefMatch(p, t)) << "'" << p << "' vs '" << t << "'";
  }
}

}  // namespace
}  // namespace cutover::pg

namespace cutover::pg {
namespace {

// Regression: timestamps beyond int64 microseconds since 1970 (PostgreSQL allows up to
// 294276 AD) wrapped around silently; they must be refused with a clear error instead.
TEST(PgTypesTest, TimestampsBeyondTheSupportedRangeAreRefused) {
  for (ValueKind kind : {ValueKind::kTimestamp, ValueKind::kTimestampTz}) {
    Value v;
    std::string text = kind == ValueKind::kTimestamp ? "294276-12-31 23:59:59.999999"
                                                     : "294276-12-31 23:59:59.999999+00";
    Status s = DecodeText(kind, text, v);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("outside the supported range"), std::string::npos) << s.message();
    // The value that would collide with the 'infinity' sentinel is refused too.
    EXPECT_FALSE(DecodeText(ValueKind::kTimestamp, "294247-01-10 04:00:54.775807", v).ok());
  }
  Value v;
  ASSERT_TRUE(DecodeText(ValueKind::kTimestamp, "294246-12-31 23:59:59.999999", v).ok());
  std::string out;
  EncodeText(v, out);
  EXPECT_EQ(out, "294246-12-31 23:59:59.999999");
}

}  // namespace
}  // namespace cutover::pg

namespace cutover::pg {
namespace {

// A `real` column's text is read as the stored single widened exactly, not as the double nearest
// its (shortest, 9-digit) text: FLT_MAX prints as 3.4028235e+38, a double just above FLT_MAX.
TEST(PgTypesColumnTest, RealIsTheStoredSingleWidened) {
  Column real{"r", ValueKind::kFloat64, true, "real", kFloat4Oid};
  Value v;
  ASSERT_TRUE(DecodeColumnText(real, "3.4028235e+38", v).ok());
  EXPECT_EQ(v, Value::Float64(static_cast<double>(std::numeric_limits<float>::max())));
  ASSERT_TRUE(DecodeColumnText(real, "1.2345678", v).ok());
  EXPECT_EQ(v, Value::Float64(static_cast<double>(1.2345678f)));
  ASSERT_TRUE(DecodeColumnText(real, "NaN", v).ok());
  EXPECT_TRUE(std::isnan(v.as_double()));
  Column dbl{"d", ValueKind::kFloat64, true, "double precision", kFloat8Oid};
  ASSERT_TRUE(DecodeColumnText(dbl, "0.1", v).ok());
  EXPECT_EQ(v, Value::Float64(0.1));
}

// Found by fuzz/copy_text_fuzz: a year of many digits overflowed the day arithmetic (UB).
TEST(PgTypesFuzzRegression, HugeYearsAreBadValuesNotOverflows) {
  Value v;
  EXPECT_FALSE(DecodeText(ValueKind::kDate, "99999999999999-01-01", v).ok());
  EXPECT_FALSE(DecodeText(ValueKind::kTimestamp, "2500000000000000-02-29 23:59:59.9 BC", v).ok());
  EXPECT_FALSE(DecodeText(ValueKind::kTimestampTz, "99999999-01-01 00:00:00+00", v).ok());
  ASSERT_TRUE(DecodeText(ValueKind::kDate, "5874897-12-31", v).ok());
}

}  // namespace
}  // namespace cutover::pg
