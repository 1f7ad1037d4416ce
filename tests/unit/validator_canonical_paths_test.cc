// The PostgreSQL scanner's fast path (COPY text straight into canonical bytes) must give exactly
// the bytes of the slow path (pg::DecodeText, then AppendCanonical) for every kind and rule; and
// the per-column rules derived from a pair of column types (validator/table_pairing.h), each
// checked to make equal only what docs/types.md's lossy rules say the mapping changes.
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/canonical.h"
#include "engine/mariadb/maria_scanner.h"
#include "engine/mariadb/maria_types.h"
#include "engine/pg/pg_canonical_text.h"
#include "engine/pg/pg_scanner.h"
#include "engine/pg/pg_types.h"
#include "engine/sqlite/sqlite_catalog.h"
#include "validator/table_pairing.h"

namespace cutover::validator {
namespace {

Column Col(ValueKind kind, uint32_t oid = 0, std::string type = "") {
  Column c;
  c.name = "c";
  c.kind = kind;
  c.type_id = oid;
  c.type_name = std::move(type);
  // Described as the PostgreSQL source describes it (kUnknown for other engines' type ids).
  c.type = pg::DescribePgColumnType(oid, c.type_name, kind);
  return c;
}

// A SQLite column as the SQLite catalog describes it.
Column SqliteCol(ValueKind kind, const std::string& declared) {
  Column c = Col(kind, 0, declared);
  c.type = sqlite::DescribeSqliteColumnType(declared, kind);
  return c;
}

// A MariaDB column as the MariaDB source builds it (information_schema's DATA_TYPE, COLUMN_TYPE).
Column MariaCol(const std::string& data_type, const std::string& column_type) {
  mariadb::MariaColumnInfo info;
  info.name = "c";
  info.data_type = data_type;
  info.column_type = column_type;
  auto c = mariadb::MariaColumn(info);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Column{};
}

void ExpectSamePath(const Column& c, const CanonicalRule& rule, const std::string& text) {
  Value scratch, decoded;
  std::string fast, slow;
  ASSERT_TRUE(AppendPgCanonical(c, rule, text, scratch, fast).ok()) << text;
  ASSERT_TRUE(DecodePgField(c, text, decoded).ok()) << text;
  AppendCanonical(decoded, rule, slow);
  EXPECT_EQ(fast, slow) << ValueKindName(c.kind) << " '" << text << "'";
}

TEST(ValidatorCanonicalPathsTest, FastPathEqualsDecodedValue) {
  struct Case {
    ValueKind kind;
    std::vector<std::string> texts;
  };
  const Case cases[] = {
      {ValueKind::kInt64, {"0", "-1", "9223372036854775807", "-9223372036854775808", "42"}},
      {ValueKind::kDecimal,
       {"0", "-0.00", "12.340", "NaN", "Infinity", "-Infinity", "123456789012345678901234567890.1",
        "0.0000000001"}},
      {ValueKind::kBool, {"t", "f"}},
      {ValueKind::kText, {"", "plain", "trailing  ", "𝄞 😀", "tab\there"}},
      {ValueKind::kJson, {"{}", "{\"a\": 1, \"a\": 2}", "null"}},
      {ValueKind::kUuid, {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}},
      {ValueKind::kOther, {"{1,NULL,3}", "1 year 2 mons", "838:59:59", "0000-00-00"}},
      {ValueKind::kFloat64, {"0", "-0", "1.7976931348623157e+308", "NaN", "-Infinity", "1e-30"}},
      {ValueKind::kBytes, {"\\x", "\\x00ff00"}},
      {ValueKind::kDate, {"2024-02-29", "infinity", "4713-01-01 BC"}},
      {ValueKind::kTime, {"00:00:00", "24:00:00", "12:00:00.5"}},
      {ValueKind::kTimestamp, {"2038-01-19 03:14:08", "1900-01-01 00:00:00.000001", "-infinity"}},
      {ValueKind::kTimestampTz, {"2000-01-01 00:00:00.123456+05:30", "1970-01-01 00:00:00+00"}},
  };
  std::vector<CanonicalRule> rules(5);
  rules[1].strip_trailing_spaces = true;
  rules[2].non_finite_float_as_null = true;
  rules[3].zero_date_as_null = rules[3].interval_as_time = true;
  rules[4].round_decimal_scale = 2;
  for (const auto& c : cases)
    for (const auto& rule : rules)
      for (const auto& t : c.texts) ExpectSamePath(Col(c.kind), rule, t);
  for (const auto& rule : rules)
    for (const char* t : {"3.4028235e+38", "-0", "1.2345678", "NaN", "-Infinity"})
      ExpectSamePath(Col(ValueKind::kFloat64, pg::kFloat4Oid, "real"), rule, t);
}

// The MariaDB scanner's fast paths (integers, decimals, text, dates and datetimes read without a
// Value) give the bytes of DecodeMariaText + AppendCanonical, and malformed text still fails.
TEST(ValidatorCanonicalPathsTest, MariaFastPathEqualsDecodedValue) {
  struct Case {
    ValueKind kind;
    std::vector<std::string> texts;
  };
  const Case cases[] = {
      {ValueKind::kInt64, {"0", "-1", "9223372036854775807", "-9223372036854775808"}},
      {ValueKind::kUInt64, {"0", "18446744073709551615"}},
      {ValueKind::kDecimal, {"0.00", "-12.50", "12345678.99"}},
      {ValueKind::kDate, {"2024-02-29", "1000-01-01", "9999-12-31", "0000-00-00", "2024-00-10"}},
      {ValueKind::kTimestamp,
       {"2024-02-29 12:34:56", "2024-02-29 12:34:56.000001", "1000-01-01 00:00:00.5",
        "9999-12-31 23:59:59.999999", "0000-00-00 00:00:00", "1970-01-01 00:00:00.123"}},
      {ValueKind::kTimestampTz, {"1970-01-01 00:00:01.000000", "2038-01-19 03:14:07.999999"}},
  };
  CanonicalRule zero_as_null;
  zero_as_null.zero_date_as_null = true;
  for (const auto& c : cases) {
    for (const CanonicalRule& rule : {CanonicalRule{}, zero_as_null}) {
      for (const auto& t : c.texts) {
        Column col = Col(c.kind);
        Value scratch, decoded;
        std::string fast, slow;
        ASSERT_TRUE(AppendMariaCanonical(col, rule, t, scratch, fast).ok()) << t;
        ASSERT_TRUE(mariadb::DecodeMariaText(col, t, decoded).ok()) << t;
        AppendCanonical(decoded, rule, slow);
        EXPECT_EQ(fast, slow) << ValueKindName(c.kind) << " '" << t << "'";
      }
    }
  }
  Value scratch;
  std::string out;
  for (const char* bad : {"2024-13-01 00:00:00", "2024-01-01 00:00:00.", "2024-01-01T00:00:00",
                          "2024-01-01 00:00:00.1234567", "20x4-01-01 00:00:00"})
    EXPECT_FALSE(AppendMariaCanonical(Col(ValueKind::kTimestamp), {}, bad, scratch, out).ok())
        << bad;
}

TEST(ValidatorCanonicalPathsTest, RealIsTheStoredSingleWidened) {
  Value v;
  ASSERT_TRUE(
      DecodePgField(Col(ValueKind::kFloat64, pg::kFloat4Oid, "real"), "3.4028235e+38", v).ok());
  EXPECT_EQ(v.as_double(), static_cast<double>(3.4028235e38f));
  ASSERT_TRUE(
      DecodePgField(Col(ValueKind::kFloat64, pg::kFloat8Oid, "double precision"), "0.1", v).ok());
  EXPECT_EQ(v.as_double(), 0.1);
}

TEST(ValidatorCanonicalPathsTest, RulesForColumnPairs) {
  Column bpchar = Col(ValueKind::kText, pg::kBpcharOid, "character(5)");
  Column maria_char = Col(ValueKind::kText, 254, "char(5) CHARACTER SET utf8mb4");
  auto r = RulesForColumn(bpchar, "postgresql", "mariadb");
  EXPECT_TRUE(r.source.strip_trailing_spaces && r.target.strip_trailing_spaces);
  // Same engine: the target has the source's own types, every value must match exactly.
  r = RulesForColumn(bpchar, "postgresql", "postgresql");
  EXPECT_FALSE(r.source.strip_trailing_spaces || r.target.strip_trailing_spaces);
  // varchar keeps trailing spaces everywhere.
  Column varchar = Col(ValueKind::kText, pg::kVarcharOid, "character varying(10)");
  r = RulesForColumn(varchar, "postgresql", "mariadb");
  EXPECT_FALSE(r.source.strip_trailing_spaces || r.target.strip_trailing_spaces);
  // NaN/Infinity are stored as NULL by a MariaDB target.
  Column f8 = Col(ValueKind::kFloat64, pg::kFloat8Oid, "double precision");
  r = RulesForColumn(f8, "postgresql", "mariadb");
  EXPECT_TRUE(r.source.non_finite_float_as_null && r.source.negative_zero_as_zero);
  // numeric(40,35) has more fraction digits than DECIMAL(65,30) keeps.
  r = RulesForColumn(Col(ValueKind::kDecimal, pg::kNumericOid, "numeric(40,35)"), "postgresql",
                     "mariadb");
  EXPECT_EQ(r.source.round_decimal_scale, 30);
  // numeric without typmod lands in DECIMAL(65,30): the source side is rounded to 30 digits.
  Column numeric = Col(ValueKind::kDecimal, pg::kNumericOid, "numeric");
  r = RulesForColumn(numeric, "postgresql", "mariadb");
  EXPECT_EQ(r.source.round_decimal_scale, 30);
  r = RulesForColumn(Col(ValueKind::kDecimal, pg::kNumericOid, "numeric(12,2)"), "postgresql",
                     "mariadb");
  EXPECT_EQ(r.source.round_decimal_scale, -1);
  // MariaDB -> PostgreSQL: zero dates become NULL, TIME lands in interval.
  r = RulesForColumn(MariaCol("datetime", "datetime(6)"), "mariadb", "postgresql");
  EXPECT_TRUE(r.source.zero_date_as_null);
  r = RulesForColumn(MariaCol("time", "time(6)"), "mariadb", "postgresql");
  EXPECT_TRUE(r.target.interval_as_time);
}

// The rules for pairs with a SQLite side: each makes a value equal to what docs/types.md says the
// mapping stores (L2-L5, L7) and nothing more, so a real difference (a changed digit, a real
// date) is still one.
std::string Enc(const Value& v, const CanonicalRule& rule) {
  std::string out;
  AppendCanonical(v, rule, out);
  return out;
}

// True when source value `s` and target value `t` compare equal under `rules`.
bool Equal(const CanonicalRulePair& rules, const Value& s, const Value& t) {
  return Enc(s, rules.source) == Enc(t, rules.target);
}

Value Dec(std::string text) {
  return Value::String(ValueKind::kDecimal, std::move(text));
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ValidatorSqliteRulesTest, PostgresFloatToSqliteRealDropsNanAndNegativeZeroOnly) {
  Column f8 = Col(ValueKind::kFloat64, pg::kFloat8Oid, "double precision");
  CanonicalRulePair r = RulesForColumn(f8, "postgresql", "sqlite");
  EXPECT_TRUE(r.source.nan_float_as_null);          // L3
  EXPECT_FALSE(r.source.non_finite_float_as_null);  // SQLite keeps ±Infinity
  EXPECT_TRUE(r.source.negative_zero_as_zero);      // L4
  EXPECT_TRUE(Equal(r, Value::Float64(kNaN), Value::Null()));
  EXPECT_TRUE(Equal(r, Value::Float64(-0.0), Value::Float64(0.0)));
  EXPECT_TRUE(Equal(r, Value::Float64(kInf), Value::Float64(kInf)));
  EXPECT_TRUE(Equal(r, Value::Float64(-kInf), Value::Float64(-kInf)));
  // Infinity stored as NULL, or a changed last digit, is a difference.
  EXPECT_FALSE(Equal(r, Value::Float64(kInf), Value::Null()));
  EXPECT_FALSE(Equal(r, Value::Float64(-kInf), Value::Float64(kInf)));
  EXPECT_FALSE(Equal(r, Value::Float64(0.1), Value::Float64(0.10000000000000002)));
  EXPECT_FALSE(Equal(r, Value::Float64(kNaN), Value::Float64(0.0)));
  // real (float4) is the same rule.
  r = RulesForColumn(Col(ValueKind::kFloat64, pg::kFloat4Oid, "real"), "postgresql", "sqlite");
  EXPECT_TRUE(r.source.nan_float_as_null && r.source.negative_zero_as_zero);
}

TEST(ValidatorSqliteRulesTest, SqliteToMariaDbFloatsAndDecimals) {
  CanonicalRulePair r = RulesForColumn(Col(ValueKind::kFloat64, 0, "REAL"), "sqlite", "mariadb");
  EXPECT_TRUE(r.source.non_finite_float_as_null && r.source.negative_zero_as_zero);  // L2, L4
  EXPECT_TRUE(Equal(r, Value::Float64(kInf), Value::Null()));
  EXPECT_TRUE(Equal(r, Value::Float64(-kInf), Value::Null()));
  EXPECT_TRUE(Equal(r, Value::Float64(-0.0), Value::Float64(0.0)));
  EXPECT_FALSE(Equal(r, Value::Float64(1.5), Value::Null()));
  EXPECT_FALSE(Equal(r, Value::Float64(1.5), Value::Float64(1.25)));

  // L5: a SQLite DECIMAL without (p,s) lands in DECIMAL(65,30), rounded half away from zero.
  Column maria_dec = MariaCol("decimal", "decimal(65,30)");
  r = RulesForColumn(Col(ValueKind::kDecimal, 0, "DECIMAL TEXT"), "sqlite", "mariadb");
  EXPECT_EQ(r.source.round_decimal_scale, 30);
  std::string d31 = "0." + std::string(29, '0') + "15";  // 31 fraction digits
  std::string d30 = "0." + std::string(29, '0') + "2";
  EXPECT_TRUE(Equal(r, Dec(d31), Dec(d30 + "00")));
  EXPECT_TRUE(Equal(r, Dec("-" + d31), Dec("-" + d30)));
  EXPECT_FALSE(Equal(r, Dec(d31), Dec("0." + std::string(29, '0') + "1")));
  EXPECT_FALSE(Equal(r, Dec("12.5"), Dec("12.6")));
  // DECIMAL(p,s) that fits keeps its digits: no rounding.
  r = RulesForColumn(SqliteCol(ValueKind::kDecimal, "DECIMAL TEXT(38,10)"), "sqlite", "mariadb");
  EXPECT_EQ(r.source.round_decimal_scale, -1);
  // SQLite -> PostgreSQL keeps every value: no rule at all.
  r = RulesForColumn(Col(ValueKind::kFloat64, 0, "REAL"), "sqlite", "postgresql");
  EXPECT_FALSE(r.source.non_finite_float_as_null || r.source.nan_float_as_null ||
               r.source.negative_zero_as_zero);
}

TEST(ValidatorSqliteRulesTest, MariaDbZeroDatesToSqliteAreNull) {
  for (auto [kind, data_type, type] :
       {std::tuple{ValueKind::kDate, "date", "date"},
        std::tuple{ValueKind::kTimestamp, "datetime", "datetime(6)"},
        std::tuple{ValueKind::kTimestampTz, "timestamp", "timestamp(6)"}}) {
    CanonicalRulePair r = RulesForColumn(MariaCol(data_type, type), "mariadb", "sqlite");
    EXPECT_TRUE(r.source.zero_date_as_null) << type;  // L7
  }
  CanonicalRulePair r = RulesForColumn(MariaCol("date", "date"), "mariadb", "sqlite");
  EXPECT_TRUE(Equal(r, Value::String(ValueKind::kOther, "0000-00-00"), Value::Null()));
  EXPECT_TRUE(Equal(r, Value::String(ValueKind::kOther, "2024-00-05"), Value::Null()));  // partly
  EXPECT_TRUE(Equal(r, Value::Date(19000), Value::Date(19000)));
  EXPECT_FALSE(Equal(r, Value::Date(19000), Value::Null()));
  EXPECT_FALSE(Equal(r, Value::Date(19000), Value::Date(19001)));
  // Not a date column: no rule.
  r = RulesForColumn(Col(ValueKind::kText, 0, "varchar(10)"), "mariadb", "sqlite");
  EXPECT_FALSE(r.source.zero_date_as_null);
}

// SQLite JSON -> PostgreSQL json keeps the text exactly (docs/types.md), so it is compared as
// text: same text equal, other spacing different.
TEST(ValidatorSqliteRulesTest, SqliteJsonToPostgresJsonIsExactText) {
  Column pg_json = Col(ValueKind::kJson, pg::kJsonOid, "json");
  CanonicalRulePair r = RulesForColumn(Col(ValueKind::kJson, 0, "JSON"), "sqlite", "postgresql");
  std::string j = R"({"color": "red", "weight_g": 5, "tags": ["a", "b"]})";
  EXPECT_TRUE(Equal(r, Value::String(ValueKind::kJson, j), Value::String(ValueKind::kJson, j)));
  EXPECT_FALSE(Equal(r, Value::String(ValueKind::kJson, j),
                     Value::String(ValueKind::kJson, R"({"color":"red","weight_g":5})")));
}

}  // namespace
}  // namespace cutover::validator
