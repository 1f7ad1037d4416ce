// SQLite types: declared type -> kind, the ISO temporal text forms, and values bound by the sink
// then read back by the source decoder (through a real SQLite file: the library is the codec).
#include "engine/sqlite/sqlite_types.h"

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "engine/core/civil_time.h"

namespace cutover::sqlite {
namespace {

TEST(SqliteTypes, DeclaredTypeKinds) {
  struct Case {
    const char* declared;
    ValueKind kind;
  } cases[] = {
      {"INTEGER", ValueKind::kInt64},
      {"bigint", ValueKind::kInt64},
      {"UNSIGNED BIG INT", ValueKind::kInt64},
      {"TEXT", ValueKind::kText},
      {"varchar(40)", ValueKind::kText},
      {"", ValueKind::kText},
      {"ANY", ValueKind::kText},
      {"BLOB", ValueKind::kBytes},
      {"REAL", ValueKind::kFloat64},
      {"DOUBLE PRECISION", ValueKind::kFloat64},
      {"NUMERIC", ValueKind::kDecimal},
      {"DECIMAL(10,2)", ValueKind::kDecimal},
      {"DECIMAL TEXT(38,10)", ValueKind::kDecimal},
      {"BOOLEAN", ValueKind::kBool},
      {"DATE", ValueKind::kDate},
      {"DATETIME", ValueKind::kTimestamp},
      {"timestamp", ValueKind::kTimestamp},
      {"TIMESTAMPTZ", ValueKind::kTimestampTz},
      {"TIMESTAMP WITH TIME ZONE", ValueKind::kTimestampTz},
      {"TIMESTAMP WITHOUT TIME ZONE", ValueKind::kTimestamp},
      {"TIME", ValueKind::kTime},
      {"JSON", ValueKind::kJson},
      {"JSON TEXT", ValueKind::kJson},
      {"UUID", ValueKind::kUuid},
  };
  for (const auto& c : cases)
    EXPECT_EQ(SqliteKindForDeclaredType(c.declared), c.kind) << "'" << c.declared << "'";
  EXPECT_EQ(AffinityOfDeclaredType("DECIMAL TEXT(20,0)"), Affinity::kText);
  EXPECT_EQ(AffinityOfDeclaredType("JSON TEXT"), Affinity::kText);
  EXPECT_EQ(AffinityOfDeclaredType("JSON"), Affinity::kNumeric);
}

TEST(SqliteTypes, TemporalTextRoundTrips) {
  const Value values[] = {
      Value::Date(0),
      Value::Date(DaysFromCivil(1, 1, 1)),
      Value::Date(DaysFromCivil(-43, 3, 15)),  // 44 BC
      Value::Date(DaysFromCivil(10000, 1, 1)),
      Value::Date(Value::kInfinity),
      Value::Date(Value::kMinusInfinity),
      Value::Time(0),
      Value::Time(kMicrosPerDay),  // PostgreSQL 24:00:00
      Value::Time(-(838LL * 3600 + 59 * 60 + 59) * kMicrosPerSecond - 999999),
      Value::Time(12 * 3600 * kMicrosPerSecond + 500000),
      Value::Timestamp(-1),
      Value::Timestamp(DaysFromCivil(1, 1, 1) * kMicrosPerDay + 1),
      Value::Timestamp(Value::kMinusInfinity),
      Value::TimestampTz(1709251199123456),
  };
  for (const Value& v : values) {
    std::string text = FormatSqliteTemporal(v);
    Value back;
    ASSERT_TRUE(ParseSqliteTemporal(v.kind(), text, back)) << text;
    EXPECT_EQ(back, v) << text;
  }
  EXPECT_EQ(FormatSqliteTemporal(Value::Date(DaysFromCivil(-43, 3, 15))), "-0043-03-15");
  EXPECT_EQ(FormatSqliteTemporal(Value::Time(12 * 3600 * kMicrosPerSecond + 500000)), "12:00:00.5");
  EXPECT_EQ(FormatSqliteTemporal(Value::TimestampTz(0)), "1970-01-01 00:00:00+00:00");
  EXPECT_EQ(FormatSqliteTemporal(Value::Timestamp(-1)), "1969-12-31 23:59:59.999999");
}

TEST(SqliteTypes, TemporalParsingRules) {
  Value v;
  ASSERT_TRUE(ParseSqliteTemporal(ValueKind::kTimestampTz, "2024-01-01T10:00:00+05:30", v));
  EXPECT_EQ(v, Value::TimestampTz((DaysFromCivil(2024, 1, 1) * 86400 + 4 * 3600 + 30 * 60) *
                                  kMicrosPerSecond));
  ASSERT_TRUE(ParseSqliteTemporal(ValueKind::kTimestampTz, "2024-01-01 10:00Z", v));
  EXPECT_EQ(v,
            Value::TimestampTz((DaysFromCivil(2024, 1, 1) * 86400 + 10 * 3600) * kMicrosPerSecond));
  ASSERT_TRUE(ParseSqliteTemporal(ValueKind::kTimestamp, "2024-01-01", v));
  EXPECT_EQ(v, Value::Timestamp(DaysFromCivil(2024, 1, 1) * kMicrosPerDay));
  for (const char* bad :
       {"2024-13-01", "2023-02-29", "2024-01-01 24:00:00", "2024-01-01 10:00:00+02:00",
        "2024-01-01 10:00:00.1234567", "yesterday", "2024-1-1"})
    EXPECT_FALSE(ParseSqliteTemporal(ValueKind::kTimestamp, bad, v)) << bad;
  EXPECT_FALSE(ParseSqliteTemporal(ValueKind::kTime, "12:60:00", v));
  EXPECT_FALSE(ParseSqliteTemporal(ValueKind::kDate, "2024-02-30", v));
}

TEST(SqliteTypes, ShortestDecimalText) {
  EXPECT_EQ(ShortestDecimalText(0.1), "0.1");
  EXPECT_EQ(ShortestDecimalText(1e21), "1000000000000000000000");
  EXPECT_EQ(ShortestDecimalText(-2.5e-10), "-0.00000000025");
  EXPECT_EQ(ShortestDecimalText(std::numeric_limits<double>::infinity()), "Infinity");
}

// A column created with the sink's declared type, a value bound by the sink's binder, read back
// by the source's decoder.
class SqliteRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/cutover-sqlite-types-" + std::to_string(getpid()) + ".db";
    auto c = SqliteConn::Open("sqlite://" + path_, "test");
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::move(*c);
  }
  void TearDown() override {
    conn_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((path_ + suffix).c_str());
  }

  // Stores `values` in a fresh column planned for `source` (from `engine`) and reads them back
  // as the column the SQLite source would see.
  std::vector<Value> RoundTrip(const Column& source, const std::string& engine,
                               const std::vector<Value>& values, std::string* declared = nullptr) {
    SqliteTargetColumn tc = PlanSqliteColumn(source, engine);
    if (declared) *declared = tc.declared;
    EXPECT_TRUE(conn_
                    ->Exec("DROP TABLE IF EXISTS rt; CREATE TABLE rt (n INTEGER PRIMARY KEY, v " +
                           tc.declared + ")")
                    .ok());
    auto ins = conn_->Prepare("INSERT INTO rt (v) VALUES (?1)");
    EXPECT_TRUE(ins.ok());
    for (const Value& v : values) {
      (*ins)->Reset();
      LossyRule applied;
      Status s = BindForSqlite(tc, source.name, v, **ins, 1, applied);
      EXPECT_TRUE(s.ok()) << s.message();
      EXPECT_TRUE((*ins)->Run().ok());
    }
    Column read;
    read.name = source.name;
    read.type_name = tc.declared;
    read.kind = SqliteKindForDeclaredType(tc.declared);
    auto sel = conn_->Prepare("SELECT v FROM rt ORDER BY n");
    EXPECT_TRUE(sel.ok());
    std::vector<Value> out;
    for (;;) {
      auto row = (*sel)->Step();
      if (!row.ok() || !*row) break;
      Value v;
      Status s = DecodeSqliteColumn(read, **sel, 0, v);
      EXPECT_TRUE(s.ok()) << s.message();
      out.push_back(v);
    }
    return out;
  }

  std::string Error(const char* declared, const char* literal) {
    EXPECT_TRUE(conn_
                    ->Exec(std::string("DROP TABLE IF EXISTS e; CREATE TABLE e (v ") + declared +
                           "); INSERT INTO e VALUES (" + literal + ")")
                    .ok());
    Column c;
    c.name = "v";
    c.type_name = declared;
    c.kind = SqliteKindForDeclaredType(declared);
    auto sel = conn_->Prepare("SELECT v FROM e");
    EXPECT_TRUE(sel.ok() && (*sel)->Step().ok());
    Value v;
    return DecodeSqliteColumn(c, **sel, 0, v).message();
  }

  std::string path_;
  std::unique_ptr<SqliteConn> conn_;
};

Column Col(ValueKind kind, const char* type_name) {
  Column c;
  c.name = "c";
  c.kind = kind;
  c.type_name = type_name;
  return c;
}

// Columns as their sources describe them (engine/core/column_type.h).
Column Decimal38x10() {
  Column c = Col(ValueKind::kDecimal, "numeric(38,10)");
  c.type = ColumnType::Of(TypeFamily::kDecimal);
  c.type.precision = 38;
  c.type.scale = 10;
  return c;
}
Column BigintUnsigned() {
  Column c = Col(ValueKind::kUInt64, "bigint(20) unsigned");
  c.type = ColumnType::Of(TypeFamily::kInteger);
  c.type.bits = 64;
  c.type.is_unsigned = true;
  return c;
}

TEST_F(SqliteRoundTrip, DecimalsAndUnsignedIntegersStayExact) {
  std::vector<Value> decimals = {
      Value::String(ValueKind::kDecimal, "12345678901234567890123456789012345678"),
      Value::String(ValueKind::kDecimal, "-1234567890123456789012345678.9012345678"),
      Value::String(ValueKind::kDecimal, "0.0000000001"),
      Value::String(ValueKind::kDecimal, "1.50"),
      Value::String(ValueKind::kDecimal, "NaN"),
      Value::String(ValueKind::kDecimal, "-Infinity")};
  std::string declared;
  EXPECT_EQ(RoundTrip(Decimal38x10(), "postgresql", decimals, &declared), decimals);
  EXPECT_EQ(declared, "DECIMAL TEXT(38,10)");
  std::vector<Value> big = {Value::UInt64(std::numeric_limits<uint64_t>::max()), Value::UInt64(0)};
  auto back = RoundTrip(BigintUnsigned(), "mariadb", big, &declared);
  EXPECT_EQ(declared, "DECIMAL TEXT(20,0)");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0], Value::String(ValueKind::kDecimal, "18446744073709551615"));
  EXPECT_EQ(back[1], Value::String(ValueKind::kDecimal, "0"));
}

TEST_F(SqliteRoundTrip, DoublesAreBitExactExceptNaNAndNegativeZero) {
  std::mt19937_64 rng(1);
  std::vector<Value> in;
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, 8);
    if (std::isnan(d) || d == 0) continue;
    in.push_back(Value::Float64(d));
  }
  for (double d : {5e-324, 1.7976931348623157e308, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), 0.1, 2.0})
    in.push_back(Value::Float64(d));
  EXPECT_EQ(RoundTrip(Col(ValueKind::kFloat64, "double precision"), "postgresql", in), in);
  // Announced: NaN -> NULL, -0 -> 0.
  auto lossy = RoundTrip(Col(ValueKind::kFloat64, "double precision"), "postgresql",
                         {Value::Float64(std::nan("")), Value::Float64(-0.0)});
  ASSERT_EQ(lossy.size(), 2u);
  EXPECT_TRUE(lossy[0].is_null());
  EXPECT_EQ(lossy[1], Value::Float64(0.0));
}

TEST_F(SqliteRoundTrip, TextJsonBytesUuidAndTemporalsAreExact) {
  std::vector<Value> text = {Value::String(ValueKind::kText, ""),
                             Value::String(ValueKind::kText, "trailing  "),
                             Value::String(ValueKind::kText, "4 bytes: \xF0\x9F\x99\x82"),
                             Value::String(ValueKind::kText, std::string(1 << 20, 'x')), Value()};
  EXPECT_EQ(RoundTrip(Col(ValueKind::kText, "text"), "postgresql", text), text);
  std::vector<Value> json = {Value::String(ValueKind::kJson, "1.50"),
                             Value::String(ValueKind::kJson, "{\"a\": [1, 2]}")};
  EXPECT_EQ(RoundTrip(Col(ValueKind::kJson, "json"), "postgresql", json), json);
  std::vector<Value> bytes = {Value::String(ValueKind::kBytes, std::string("\0\1\0", 3)),
                              Value::String(ValueKind::kBytes, "")};
  EXPECT_EQ(RoundTrip(Col(ValueKind::kBytes, "bytea"), "postgresql", bytes), bytes);
  std::vector<Value> uuid = {
      Value::String(ValueKind::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")};
  EXPECT_EQ(RoundTrip(Col(ValueKind::kUuid, "uuid"), "postgresql", uuid), uuid);
  std::vector<Value> ts = {Value::TimestampTz(-62135596800000000 + 1), Value::TimestampTz(0),
                           Value::TimestampTz(Value::kInfinity)};
  EXPECT_EQ(RoundTrip(Col(ValueKind::kTimestampTz, "timestamptz"), "postgresql", ts), ts);
  std::vector<Value> times = {Value::Time(-1), Value::Time(838LL * 3600 * kMicrosPerSecond)};
  EXPECT_EQ(RoundTrip(Col(ValueKind::kTime, "time(6)"), "mariadb", times), times);
  std::vector<Value> bools = {Value::Bool(true), Value::Bool(false)};
  EXPECT_EQ(RoundTrip(Col(ValueKind::kBool, "boolean"), "postgresql", bools), bools);
}

TEST_F(SqliteRoundTrip, ValuesThatDoNotFitTheDeclaredTypeAreNamedErrors) {
  EXPECT_EQ(Error("INTEGER", "'abc'"),
            "column v (INTEGER): stored value 'abc' (TEXT) is not a 64-bit integer");
  EXPECT_EQ(Error("TEXT", "X'00ff'"),
            "column v (TEXT): stored value X'00ff' (BLOB) is not text (declare the column BLOB "
            "to carry bytes)");
  EXPECT_EQ(Error("DATE", "'2024-13-01'"),
            "column v (DATE): stored value '2024-13-01' (TEXT) is not an ISO date (YYYY-MM-DD)");
  EXPECT_EQ(Error("BOOLEAN", "2"),
            "column v (BOOLEAN): stored value 2 (INTEGER) is not a "
            "boolean (0 or 1)");
  EXPECT_EQ(Error("DATETIME", "1700000000"),
            "column v (DATETIME): stored value 1700000000 (INTEGER) is not an ISO timestamp "
            "without time zone (YYYY-MM-DD HH:MM:SS[.ffffff])");
}

}  // namespace
}  // namespace cutover::sqlite
