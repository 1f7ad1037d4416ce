// change-data-type rules that change the kind of value (task/value_conversion.h): what converts
// exactly, what is refused one value at a time (and why), and what is refused at task start.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/civil_time.h"
#include "engine/task/dms_data_type.h"
#include "engine/task/value_conversion.h"

namespace cutover::task {
namespace {

Column Col(ValueKind kind, TypeFamily family, int bits = 0, int64_t length = -1, int precision = -1,
           int scale = -1) {
  Column c;
  c.name = "c";
  c.kind = kind;
  c.type = ColumnType::Of(family);
  c.type.bits = bits;
  c.type.length = length;
  c.type.precision = precision;
  c.type.scale = scale;
  c.type.fsp = 6;
  c.type_name = "source type";
  return c;
}

TypeChange To(const std::string& type, int64_t length = -1, int precision = -1, int scale = -1) {
  TypeChange t;
  t.rule_id = "7";
  t.type = type;
  t.length = length;
  t.precision = precision;
  t.scale = scale;
  return t;
}

const Column kInt4 = Col(ValueKind::kInt64, TypeFamily::kInteger, 32);
const Column kInt8 = Col(ValueKind::kInt64, TypeFamily::kInteger, 64);
const Column kUInt8 = [] {
  Column c = Col(ValueKind::kUInt64, TypeFamily::kInteger, 64);
  c.type.is_unsigned = true;
  return c;
}();
const Column kText = Col(ValueKind::kText, TypeFamily::kText);
const Column kNumeric = Col(ValueKind::kDecimal, TypeFamily::kDecimal, 0, -1, 10, 3);
const Column kReal8 = Col(ValueKind::kFloat64, TypeFamily::kFloat, 64);
const Column kBool = Col(ValueKind::kBool, TypeFamily::kBool);
const Column kDate = Col(ValueKind::kDate, TypeFamily::kDate);
const Column kTime = Col(ValueKind::kTime, TypeFamily::kTime);
const Column kDatetime = Col(ValueKind::kTimestamp, TypeFamily::kTimestamp);
const Column kInstant = Col(ValueKind::kTimestampTz, TypeFamily::kTimestampTz);
const Column kBytes = Col(ValueKind::kBytes, TypeFamily::kBytes);

ValueConversion Plan(const Column& from, const TypeChange& to) {
  auto plan = PlanTypeChange(from, to);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan.ok() && plan->conversion.has_value()) << to.type;
  return *plan->conversion;
}

// The converted value, or the refusal's reason prefixed with "refused: " ("truncated: ").
std::string Conv(const ValueConversion& c, Value v) {
  auto refused = c.Convert(v);
  if (refused) return (refused->truncation ? "truncated: " : "refused: ") + refused->reason;
  return v.DebugString();
}
Value Text(const std::string& s) {
  return Value::String(ValueKind::kText, s);
}
Value Dec(const std::string& s) {
  return Value::String(ValueKind::kDecimal, s);
}

TEST(ValueConversion, IntegersToTextAreExactWhenTheLengthHoldsEveryValue) {
  ValueConversion wide = Plan(kInt4, To("string", 11));
  EXPECT_TRUE(wide.exact());
  EXPECT_EQ(Conv(wide, Value::Int64(42)), Text("42").DebugString());
  EXPECT_EQ(Conv(wide, Value::Int64(-2147483648LL)), Text("-2147483648").DebugString());
  EXPECT_EQ(Conv(wide, Value::Null()), Value::Null().DebugString());
  EXPECT_EQ(Conv(wide, Value::Unchanged()), Value::Unchanged().DebugString());
  EXPECT_FALSE(Plan(kInt4, To("string", 10)).exact());  // "-2147483648" is 11 characters
  EXPECT_TRUE(Plan(kInt8, To("clob")).exact());
  ValueConversion narrow = Plan(kInt4, To("string", 5));
  EXPECT_EQ(Conv(narrow, Value::Int64(12345)), Text("12345").DebugString());
  EXPECT_EQ(Conv(narrow, Value::Int64(-12345)),
            "truncated: its text form has 6 characters, more than string(5) holds");
  EXPECT_EQ(Conv(Plan(kUInt8, To("wstring", 20)), Value::UInt64(18446744073709551615ULL)),
            Text("18446744073709551615").DebugString());
  EXPECT_EQ(Conv(Plan(kBool, To("string", 5)), Value::Bool(false)), Text("false").DebugString());
}

TEST(ValueConversion, NumericsFloatsAndTimesToTextKeepTheirExactForm) {
  ValueConversion n = Plan(kNumeric, To("string", 13));
  EXPECT_TRUE(n.exact());  // numeric(10,3): "-1234567.890" at most
  EXPECT_EQ(Conv(n, Dec("12.340")), Text("12.340").DebugString());  // the scale as printed
  EXPECT_EQ(Conv(Plan(kNumeric, To("string", 6)), Dec("-1234.500")),
            "truncated: its text form has 9 characters, more than string(6) holds");
  ValueConversion f = Plan(kReal8, To("string"));
  EXPECT_EQ(Conv(f, Value::Float64(0.1)), Text("0.1").DebugString());
  EXPECT_EQ(Conv(f, Value::Float64(std::nan(""))), Text("NaN").DebugString());
  EXPECT_EQ(Conv(f, Value::Float64(-std::numeric_limits<double>::infinity())),
            Text("-Infinity").DebugString());

  ValueConversion d = Plan(kDate, To("string", 10));
  EXPECT_EQ(Conv(d, Value::Date(DaysFromCivil(2024, 2, 29))), Text("2024-02-29").DebugString());
  EXPECT_EQ(Conv(d, Value::Date(DaysFromCivil(10000, 1, 1))),
            "refused: the date has no YYYY-MM-DD form (a year outside 0000-9999, or infinity)");
  EXPECT_EQ(Conv(d, Value::Date(Value::kInfinity)).substr(0, 8), "refused:");
  ValueConversion t = Plan(kTime, To("string"));
  EXPECT_EQ(Conv(t, Value::Time(0)), Text("00:00:00").DebugString());
  EXPECT_EQ(Conv(t, Value::Time((12 * 3600 + 5) * kMicrosPerSecond + 500000)),
            Text("12:00:05.5").DebugString());
  EXPECT_EQ(Conv(t, Value::Time(-(838 * 3600LL + 59 * 60 + 59) * kMicrosPerSecond)),
            Text("-838:59:59").DebugString());  // a MariaDB duration
  ValueConversion ts = Plan(kDatetime, To("string", 26));
  int64_t noon = DaysFromCivil(2024, 1, 2) * kMicrosPerDay + (3 * 3600 + 4 * 60 + 5) * 1000000LL;
  EXPECT_EQ(Conv(ts, Value::Timestamp(noon + 123456)),
            Text("2024-01-02 03:04:05.123456").DebugString());
  EXPECT_EQ(Conv(ts, Value::Timestamp(-kMicrosPerSecond)),
            Text("1969-12-31 23:59:59").DebugString());
  EXPECT_EQ(Conv(Plan(kInstant, To("string")), Value::TimestampTz(noon)),
            Text("2024-01-02 03:04:05+00:00").DebugString());
}

TEST(ValueConversion, TextToIntegersTakesIntegerLiteralsOnly) {
  ValueConversion c = Plan(kText, To("int4"));
  EXPECT_FALSE(c.exact());
  EXPECT_EQ(Conv(c, Text("42")), Value::Int64(42).DebugString());
  EXPECT_EQ(Conv(c, Text(" \t42 ")), Value::Int64(42).DebugString());  // surrounding whitespace
  EXPECT_EQ(Conv(c, Text("+7")), Value::Int64(7).DebugString());
  EXPECT_EQ(Conv(c, Text("007")), Value::Int64(7).DebugString());  // leading zeros
  EXPECT_EQ(Conv(c, Text("-0")), Value::Int64(0).DebugString());
  EXPECT_EQ(Conv(c, Text("-2147483648")), Value::Int64(-2147483648LL).DebugString());
  EXPECT_EQ(Conv(c, Text("2147483648")), "refused: it is out of range for int4");
  EXPECT_EQ(Conv(c, Text("99999999999999999999999999999999999999999")),
            "refused: it is out of range for int4");
  EXPECT_EQ(Conv(c, Text("1e3")),
            "refused: it is not an integer literal (no '.' or exponent allowed)");
  EXPECT_EQ(Conv(c, Text("12.0")),
            "refused: it is not an integer literal (no '.' or exponent allowed)");
  for (const char* bad : {"", " ", "1 2", "0x10", "1,000", "--1", "+", "12a", "NaN"})
    EXPECT_EQ(Conv(c, Text(bad)), "refused: it is not an integer literal") << bad;
  ValueConversion u = Plan(kText, To("uint8"));
  EXPECT_EQ(Conv(u, Text("18446744073709551615")),
            Value::UInt64(18446744073709551615ULL).DebugString());
  EXPECT_EQ(Conv(u, Text("-1")), "refused: it is out of range for uint8");
}

TEST(ValueConversion, NumericsAndFloatsToIntegersNeedNoFractionAndTheRange) {
  ValueConversion n = Plan(kNumeric, To("int4"));
  EXPECT_EQ(Conv(n, Dec("12.000")), Value::Int64(12).DebugString());
  EXPECT_EQ(Conv(n, Dec("-0.000")), Value::Int64(0).DebugString());
  EXPECT_EQ(Conv(n, Dec("12.500")), "refused: it has a fraction");
  EXPECT_EQ(Conv(n, Dec("3000000000.000")), "refused: it is out of range for int4");
  EXPECT_EQ(Conv(n, Dec("NaN")), "refused: it is not a finite number");
  ValueConversion f = Plan(kReal8, To("int8"));
  EXPECT_EQ(Conv(f, Value::Float64(3.0)), Value::Int64(3).DebugString());
  EXPECT_EQ(Conv(f, Value::Float64(-3.5)), "refused: it has a fraction");
  EXPECT_EQ(Conv(f, Value::Float64(std::numeric_limits<double>::infinity())),
            "refused: it is not a finite number");
  EXPECT_EQ(Conv(f, Value::Float64(9223372036854775808.0)), "refused: it is out of range for int8");
  EXPECT_EQ(Conv(Plan(kBool, To("int2")), Value::Bool(true)), Value::Int64(1).DebugString());
}

TEST(ValueConversion, TextToNumericFitsPrecisionAndScaleWithoutRounding) {
  ValueConversion c = Plan(kText, To("numeric", -1, 10, 2));
  EXPECT_EQ(Conv(c, Text("12.340")), Dec("12.34").DebugString());  // a zero past the scale
  EXPECT_EQ(Conv(c, Text("12.345")),
            "refused: it has more than 2 fraction digits (numeric(10,2) would round it)");
  EXPECT_EQ(Conv(c, Text("1.5e3")), Dec("1500").DebugString());
  EXPECT_EQ(Conv(c, Text("1E-2")), Dec("0.01").DebugString());
  EXPECT_EQ(Conv(c, Text("  -0.50 ")), Dec("-0.50").DebugString());
  EXPECT_EQ(Conv(c, Text("-0")), Dec("0").DebugString());
  EXPECT_EQ(Conv(c, Text("00012345678.9")), Dec("12345678.9").DebugString());
  EXPECT_EQ(Conv(c, Text("123456789")), "refused: it is out of range for numeric(10,2)");
  EXPECT_EQ(Conv(c, Text(".5")), Dec("0.5").DebugString());
  for (const char* bad : {"abc", "NaN", "Infinity", "1e", "1.2.3", "", "1 000"})
    EXPECT_EQ(Conv(c, Text(bad)), "refused: it is not a decimal literal") << bad;
  ValueConversion unbounded = Plan(kText, To("numeric"));
  EXPECT_EQ(Conv(unbounded, Text("123456789012345678901234567890.000000001")),
            Dec("123456789012345678901234567890.000000001").DebugString());
  // Integers: exact when the integer digits hold every value.
  EXPECT_TRUE(Plan(kInt4, To("numeric", -1, 10, 0)).exact());
  ValueConversion small = Plan(kInt8, To("numeric", -1, 10, 0));
  EXPECT_FALSE(small.exact());
  EXPECT_EQ(Conv(small, Value::Int64(-1234567890)), Dec("-1234567890").DebugString());
  EXPECT_EQ(Conv(small, Value::Int64(12345678901)),
            "refused: it is out of range for numeric(10,0)");
}

TEST(ValueConversion, IntegersToFloatsOnlyWhenTheFloatHoldsTheValue) {
  EXPECT_TRUE(Plan(kInt4, To("real8")).exact());
  ValueConversion big = Plan(kInt8, To("real8"));
  EXPECT_FALSE(big.exact());
  EXPECT_EQ(Conv(big, Value::Int64(1LL << 53)), Value::Float64(9007199254740992.0).DebugString());
  EXPECT_EQ(Conv(big, Value::Int64((1LL << 53) + 1)), "refused: it has no exact real8 value");
  EXPECT_EQ(Conv(big, Value::Int64(std::numeric_limits<int64_t>::max())),
            "refused: it has no exact real8 value");
  ValueConversion single = Plan(kInt4, To("real4"));
  EXPECT_FALSE(single.exact());
  EXPECT_EQ(Conv(single, Value::Int64(16777216)), Value::Float64(16777216.0).DebugString());
  EXPECT_EQ(Conv(single, Value::Int64(16777217)), "refused: it has no exact real4 value");
}

TEST(ValueConversion, TextToDatesTimesAndDatetimesIsStrictAboutFormFractionAndZone) {
  ValueConversion d = Plan(kText, To("date"));
  EXPECT_EQ(Conv(d, Text(" 2024-02-29 ")), Value::Date(DaysFromCivil(2024, 2, 29)).DebugString());
  for (const char* bad : {"2023-02-29", "2024-1-5", "2024-13-01", "20240101", "2024-01-01x"})
    EXPECT_EQ(Conv(d, Text(bad)), "refused: it is not a date YYYY-MM-DD") << bad;
  ValueConversion t = Plan(kText, To("time", -1, -1, 3));
  EXPECT_EQ(Conv(t, Text("12:34")),
            Value::Time((12 * 60 + 34) * 60 * kMicrosPerSecond).DebugString());
  EXPECT_EQ(Conv(t, Text("23:59:59.9990")),
            Value::Time((86400 - 1) * kMicrosPerSecond + 999000).DebugString());
  EXPECT_EQ(Conv(t, Text("23:59:59.9991")), "refused: it has more fraction digits than time keeps");
  EXPECT_EQ(Conv(t, Text("24:00:00")), "refused: it is not a time of day HH:MM[:SS[.fraction]]");
  ValueConversion ts = Plan(kText, To("datetime"));
  int64_t day = DaysFromCivil(2024, 1, 2) * kMicrosPerDay;
  int64_t at = day + (3 * 3600 + 4 * 60 + 5) * kMicrosPerSecond;
  EXPECT_EQ(Conv(ts, Text("2024-01-02 03:04:05.5")), Value::Timestamp(at + 500000).DebugString());
  EXPECT_EQ(Conv(ts, Text("2024-01-02T03:04:05")), Value::Timestamp(at).DebugString());
  EXPECT_EQ(Conv(ts, Text("2024-01-02")), Value::Timestamp(day).DebugString());
  for (const char* zoned :
       {"2024-01-02 03:04:05+02:00", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05-05"})
    EXPECT_EQ(Conv(ts, Text(zoned)),
              "refused: it carries a time zone offset (a datetime has no zone; cutover does not "
              "shift it)")
        << zoned;
  EXPECT_EQ(Conv(ts, Text("2024-01-02 3:04:05")),
            "refused: it is not a datetime YYYY-MM-DD[ HH:MM[:SS[.fraction]]]");
  EXPECT_EQ(Conv(Plan(kText, To("datetime", -1, -1, 0)), Text("2024-01-02 03:04:05.1")),
            "refused: it has more fraction digits than datetime keeps");
  EXPECT_EQ(Conv(Plan(kDate, To("datetime")), Value::Date(DaysFromCivil(2024, 1, 2))),
            Value::Timestamp(day).DebugString());
  ValueConversion to_date = Plan(kDatetime, To("date"));
  EXPECT_EQ(Conv(to_date, Value::Timestamp(day)),
            Value::Date(DaysFromCivil(2024, 1, 2)).DebugString());
  EXPECT_EQ(Conv(to_date, Value::Timestamp(at)),
            "refused: it is not at midnight (a date has no time of day)");
}

TEST(ValueConversion, Booleans) {
  ValueConversion t = Plan(kText, To("boolean"));
  EXPECT_EQ(Conv(t, Text(" Yes")), Value::Bool(true).DebugString());
  EXPECT_EQ(Conv(t, Text("f")), Value::Bool(false).DebugString());
  EXPECT_EQ(Conv(t, Text("maybe")).substr(0, 40), "refused: it is not a boolean literal (tr");
  ValueConversion i = Plan(kInt4, To("boolean"));
  EXPECT_EQ(Conv(i, Value::Int64(1)), Value::Bool(true).DebugString());
  EXPECT_EQ(Conv(i, Value::Int64(2)), "refused: only 0 and 1 are booleans");
}

TEST(ValueConversion, PairsWithoutAnyExactConversionAreRefusedAtStartNamingTheRule) {
  for (auto [from, to, why] : std::vector<std::tuple<Column, TypeChange, std::string>>{
           {kBytes, To("string"), "binary values are not text"},
           {kReal8, To("numeric", -1, 10, 2), "a float's binary value rarely has a short exact"},
           {kNumeric, To("real8"), "decimal values are rarely exact in binary floating point"},
           {kDate, To("int4"), "cutover has no exact conversion of a date value to int4"},
           {kInstant, To("datetime"), "the source values are instants with a time zone"},
           {kInt4, To("int2"), "a 32-bit integer does not fit in 16 bits"}}) {
    auto r = PlanTypeChange(from, to);
    ASSERT_FALSE(r.ok()) << to.type;
    EXPECT_NE(r.status().message().find("table mapping rule 7 (change-data-type " + to.type +
                                        ") on column c (source type): " + why),
              std::string::npos)
        << r.status().message();
  }
  // The target column takes the new kind of value; a same-kind widening converts nothing.
  auto p = PlanTypeChange(kInt4, To("string", 20));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->column.kind, ValueKind::kText);
  EXPECT_EQ(p->column.type.family, TypeFamily::kVarText);
  auto w = PlanTypeChange(kInt4, To("int8"));
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->conversion.has_value());
}

}  // namespace
}  // namespace cutover::task
