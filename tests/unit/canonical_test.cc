// Tests of the canonical row encoding (engine/core/canonical.h): values the mapping rules make
// equal encode equally, and the near misses the validator must catch (1 µs, a double's last
// digit, NULL vs '', a trailing space, -0) encode differently.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/canonical.h"

namespace cutover {
namespace {

std::string Enc(const Value& v, const CanonicalRule& rule = {}) {
  std::string out;
  AppendCanonical(v, rule, out);
  return out;
}

Value Dec(const char* s) {
  return Value::String(ValueKind::kDecimal, s);
}
Value Text(const char* s) {
  return Value::String(ValueKind::kText, s);
}

TEST(CanonicalTest, NullDiffersFromEveryEmptyValue) {
  EXPECT_NE(Enc(Value::Null()), Enc(Text("")));
  EXPECT_NE(Enc(Value::Null()), Enc(Value::String(ValueKind::kBytes, "")));
  EXPECT_NE(Enc(Value::Null()), Enc(Value::Int64(0)));
  EXPECT_NE(Enc(Text("")), Enc(Value::String(ValueKind::kBytes, "")));
}

TEST(CanonicalTest, NumbersNormaliseAcrossKinds) {
  EXPECT_EQ(Enc(Dec("1.50")), Enc(Dec("1.5")));
  EXPECT_EQ(Enc(Dec("007.000")), Enc(Value::Int64(7)));
  EXPECT_EQ(Enc(Dec("-0.000")), Enc(Value::Int64(0)));
  EXPECT_EQ(Enc(Dec("+12")), Enc(Value::Int64(12)));
  EXPECT_EQ(Enc(Dec(".5")), Enc(Dec("0.50")));
  EXPECT_EQ(Enc(Value::UInt64(18446744073709551615ULL)), Enc(Dec("18446744073709551615")));
  EXPECT_EQ(Enc(Value::Bool(true)), Enc(Value::Int64(1)));  // boolean -> TINYINT(1)
  EXPECT_EQ(Enc(Value::Bool(false)), Enc(Value::Int64(0)));
  EXPECT_NE(Enc(Dec("1.5")), Enc(Dec("1.51")));
  EXPECT_NE(Enc(Dec("-1.5")), Enc(Dec("1.5")));
  EXPECT_NE(Enc(Dec("10")), Enc(Dec("1")));
  EXPECT_NE(Enc(Dec("NaN")), Enc(Dec("0")));
  EXPECT_EQ(Enc(Dec("-Infinity")), Enc(Dec("-Infinity")));
  EXPECT_NE(Enc(Value::Int64(-5)), Enc(Value::Int64(5)));
}

TEST(CanonicalTest, DecimalRoundingHalfAwayFromZero) {
  CanonicalRule r;
  r.round_decimal_scale = 2;
  EXPECT_EQ(Enc(Dec("1.005"), r), Enc(Dec("1.01")));
  EXPECT_EQ(Enc(Dec("-1.005"), r), Enc(Dec("-1.01")));
  EXPECT_EQ(Enc(Dec("1.004999"), r), Enc(Dec("1.00")));
  EXPECT_EQ(Enc(Dec("9.995"), r), Enc(Dec("10")));
  EXPECT_EQ(Enc(Dec("-0.001"), r), Enc(Dec("0")));
  EXPECT_EQ(Enc(Dec("3"), r), Enc(Dec("3.00")));
  r.round_decimal_scale = 30;
  EXPECT_EQ(Enc(Dec("0.1234567890123456789012345678905"), r),
            Enc(Dec("0.123456789012345678901234567891")));
}

TEST(CanonicalTest, FloatsShortestRoundTripAndExact) {
  EXPECT_EQ(Enc(Value::Float64(0.1)), Enc(Value::Float64(0.1)));
  EXPECT_NE(Enc(Value::Float64(1.7976931348623157e308)),
            Enc(Value::Float64(1.7976931348623155e308)));
  EXPECT_NE(Enc(Value::Float64(0.0)), Enc(Value::Float64(-0.0)));
  EXPECT_NE(Enc(Value::Float64(1.0)), Enc(Value::Int64(1)));  // float columns stay floats
  EXPECT_EQ(Enc(Value::Float64(std::nan(""))), Enc(Value::Float64(-std::nan(""))));
  EXPECT_NE(Enc(Value::Float64(HUGE_VAL)), Enc(Value::Float64(-HUGE_VAL)));
  // A float4 widened exactly keeps all its digits: it equals only the same double.
  double widened = static_cast<double>(3.4028235e38f);
  EXPECT_NE(Enc(Value::Float64(widened)), Enc(Value::Float64(3.4028235e38)));
  CanonicalRule r;
  r.non_finite_float_as_null = true;
  EXPECT_EQ(Enc(Value::Float64(std::nan("")), r), Enc(Value::Null()));
  EXPECT_EQ(Enc(Value::Float64(-HUGE_VAL), r), Enc(Value::Null()));
  EXPECT_EQ(Enc(Value::Float64(1.5), r), Enc(Value::Float64(1.5)));
  CanonicalRule z;
  z.negative_zero_as_zero = true;
  EXPECT_EQ(Enc(Value::Float64(-0.0), z), Enc(Value::Float64(0.0)));
  EXPECT_NE(Enc(Value::Float64(-1e-300), z), Enc(Value::Float64(0.0)));
}

TEST(CanonicalTest, TimestampsAreInstantsInMicroseconds) {
  EXPECT_EQ(Enc(Value::Timestamp(1700000000123456)), Enc(Value::TimestampTz(1700000000123456)));
  EXPECT_NE(Enc(Value::Timestamp(1700000000123456)), Enc(Value::Timestamp(1700000000123457)));
  EXPECT_NE(Enc(Value::Date(5)), Enc(Value::Timestamp(5)));
  EXPECT_NE(Enc(Value::Time(5)), Enc(Value::Timestamp(5)));
  EXPECT_NE(Enc(Value::Timestamp(Value::kInfinity)), Enc(Value::Timestamp(Value::kMinusInfinity)));
}

TEST(CanonicalTest, TextIsExactUnlessTheColumnPairSaysOtherwise) {
  EXPECT_NE(Enc(Text("a")), Enc(Text("a ")));
  EXPECT_NE(Enc(Text("A")), Enc(Text("a")));
  // Textual kinds share one class: PostgreSQL json/uuid/other land in MariaDB as text.
  EXPECT_EQ(Enc(Value::String(ValueKind::kJson, "{}")), Enc(Text("{}")));
  EXPECT_EQ(Enc(Value::String(ValueKind::kOther, "{1,2}")), Enc(Text("{1,2}")));
  EXPECT_NE(Enc(Text("ab")), Enc(Value::String(ValueKind::kBytes, "ab")));
  CanonicalRule r;
  r.strip_trailing_spaces = true;
  EXPECT_EQ(Enc(Text("ab   "), r), Enc(Text("ab")));
  EXPECT_NE(Enc(Text(" ab"), r), Enc(Text("ab")));
}

TEST(CanonicalTest, ZeroDatesAndIntervalsUnderRules) {
  CanonicalRule zero;
  zero.zero_date_as_null = true;
  EXPECT_EQ(Enc(Value::String(ValueKind::kOther, "0000-00-00"), zero), Enc(Value::Null()));
  EXPECT_EQ(Enc(Value::String(ValueKind::kOther, "0000-00-00 00:00:00"), zero), Enc(Value::Null()));
  EXPECT_NE(Enc(Value::String(ValueKind::kOther, "0000-00-00")), Enc(Value::Null()));
  // Partly-zero dates are written as NULL too (L7); a real date is not.
  EXPECT_EQ(Enc(Value::String(ValueKind::kOther, "2024-00-05"), zero), Enc(Value::Null()));
  EXPECT_NE(Enc(Value::Date(0), zero), Enc(Value::Null()));
  CanonicalRule iv;
  iv.interval_as_time = true;
  auto I = [](const char* s) { return Value::String(ValueKind::kOther, s); };
  EXPECT_EQ(Enc(I("838:59:59.999999"), iv), Enc(Value::Time(838LL * 3600000000 + 3599999999)));
  EXPECT_EQ(Enc(I("-838:59:59"), iv), Enc(Value::Time(-838LL * 3600000000 - 3599000000)));
  EXPECT_EQ(Enc(I("-00:00:00.5"), iv), Enc(Value::Time(-500000)));
  EXPECT_EQ(Enc(I("1 day 02:00:00"), iv), Enc(Value::Time(26LL * 3600000000)));
  EXPECT_EQ(Enc(I("-1 days +01:00:00"), iv), Enc(Value::Time(-23LL * 3600000000)));
  EXPECT_EQ(Enc(I("00:00:00"), iv), Enc(Value::Time(0)));
  EXPECT_NE(Enc(I("00:00:01"), iv), Enc(Value::Time(0)));
  EXPECT_NE(Enc(I("1 mon"), iv), Enc(Value::Time(30LL * 86400000000)));  // no fixed length
}

TEST(CanonicalTest, EncodingsAreSelfDelimiting) {
  std::string a, b;
  AppendCanonical(Text("ab"), a);
  AppendCanonical(Text("c"), a);
  AppendCanonical(Text("a"), b);
  AppendCanonical(Text("bc"), b);
  EXPECT_NE(a, b);
  EXPECT_NE(HashCanonicalRow(a), HashCanonicalRow(b));
}

TEST(CanonicalTest, HashSumIsOrderIndependentAndDuplicatesDoNotCancel) {
  RowHash h1 = HashCanonicalRow("row one"), h2 = HashCanonicalRow("row two");
  RowHashSum a, b, empty, twice, pair;
  a.Add(h1);
  a.Add(h2);
  b.Add(h2);
  b.Add(h1);
  EXPECT_EQ(a, b);
  twice.Add(h1);
  twice.Add(h1);
  EXPECT_NE(twice, empty);
  pair.Add(h2);
  pair.Add(h2);
  EXPECT_NE(twice.sum, pair.sum);  // XOR would make both zero
  RowHashSum merged;
  merged.Merge(a);
  EXPECT_EQ(merged, a);
  EXPECT_EQ(a.SumHex().size(), 32u);
}

}  // namespace
}  // namespace cutover
