// MariaDB catalog -> Column and text protocol -> Value (engine/mariadb/maria_types.h). The text
// samples are what MariaDB 10.11 printed for these columns on this machine.
#include "engine/mariadb/maria_types.h"

#include <gtest/gtest.h>

#include "engine/core/civil_time.h"

namespace cutover::mariadb {
namespace {

Column Col(std::string data_type, std::string column_type, std::string charset = "",
           bool json = false) {
  MariaColumnInfo info;
  info.name = "c";
  info.data_type = std::move(data_type);
  info.column_type = std::move(column_type);
  info.charset = charset;
  info.collation = charset.empty() ? "" : charset + "_bin";
  info.is_json = json;
  auto c = MariaColumn(info);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Column{};
}

Value Decode(const Column& c, std::string_view text) {
  Value v;
  Status s = DecodeMariaText(c, text, v);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return v;
}

TEST(MariaTypes, KindsFollowDocsTypes) {
  EXPECT_EQ(Col("int", "int(11)").kind, ValueKind::kInt64);
  EXPECT_EQ(Col("bigint", "bigint(20) unsigned").kind, ValueKind::kUInt64);
  EXPECT_EQ(Col("year", "year(4)").kind, ValueKind::kInt64);
  EXPECT_EQ(Col("bit", "bit(10)").kind, ValueKind::kUInt64);
  EXPECT_EQ(Col("float", "float").kind, ValueKind::kFloat64);
  EXPECT_EQ(Col("enum", "enum('a','b')", "utf8mb4").kind, ValueKind::kText);
  EXPECT_EQ(Col("longtext", "longtext", "utf8mb4", true).kind, ValueKind::kJson);
  EXPECT_EQ(Col("longtext", "longtext", "utf8mb4", true).type_name, "json");
  EXPECT_EQ(Col("varchar", "varchar(10)", "utf8mb4").type_name,
            "varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
  EXPECT_EQ(Col("timestamp", "timestamp(6)").kind, ValueKind::kTimestampTz);
  EXPECT_EQ(FractionalDigits(Col("time", "time(6)")), 6);
  EXPECT_EQ(FractionalDigits(Col("datetime", "datetime")), 0);
  EXPECT_EQ(DecimalPrecisionScale(Col("decimal", "decimal(65,30)")), std::make_pair(65, 30));
}

TEST(MariaTypes, UnsupportedTypeAndCharsetNameTheColumn) {
  MariaColumnInfo info{"shape", "geometry", "geometry", "", "", true, false};
  auto c = MariaColumn(info);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("column shape"), std::string::npos);
  MariaColumnInfo ucs{"u", "varchar", "varchar(3)", "ucs2", "ucs2_bin", true, false};
  EXPECT_EQ(MariaColumn(ucs).status().code(), StatusCode::kFailedPrecondition);
}

TEST(MariaTypes, DecodesServerTextForms) {
  EXPECT_EQ(Decode(Col("time", "time(6)"), "-00:00:01.500000"), Value::Time(-1500000));
  EXPECT_EQ(Decode(Col("time", "time"), "838:59:59"),
            Value::Time(((838LL * 60 + 59) * 60 + 59) * 1000000));
  EXPECT_EQ(Decode(Col("datetime", "datetime(3)"), "2024-01-02 03:04:05.678"),
            Value::Timestamp(
                (DaysFromCivil(2024, 1, 2) * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000000LL + 678000));
  EXPECT_EQ(Decode(Col("datetime", "datetime(3)"), "0000-00-00 00:00:00.000"),
            Value::String(ValueKind::kOther, "0000-00-00 00:00:00.000"));
  EXPECT_EQ(Decode(Col("date", "date"), "2024-00-05"),
            Value::String(ValueKind::kOther, "2024-00-05"));
  EXPECT_EQ(Decode(Col("date", "date"), "0001-01-01"), Value::Date(DaysFromCivil(1, 1, 1)));
  EXPECT_EQ(Decode(Col("float", "float"), "1.2345677614212036"),
            Value::Float64(static_cast<double>(1.2345678f)));
  EXPECT_EQ(Decode(Col("double", "double"), "0.30000000000000004"), Value::Float64(0.1 + 0.2));
  EXPECT_EQ(Decode(Col("decimal", "decimal(10,3)"), "-0.500"),
            Value::String(ValueKind::kDecimal, "-0.500"));
  EXPECT_EQ(Decode(Col("decimal", "decimal(10,3)"), "-0.000"),
            Value::String(ValueKind::kDecimal, "0.000"));
  EXPECT_EQ(Decode(Col("bigint", "bigint(20) unsigned"), "18446744073709551615"),
            Value::UInt64(18446744073709551615ULL));
  EXPECT_EQ(Decode(Col("year", "year(4)"), "0000"), Value::Int64(0));
  Value bad;
  EXPECT_FALSE(DecodeMariaText(Col("time", "time"), "12:3", bad).ok());
  EXPECT_FALSE(DecodeMariaText(Col("int", "int(11)"), "12x", bad).ok());
}

TEST(MariaTypes, EncodeIsTheInverseOfDecode) {
  struct Case {
    Column col;
    std::string text;
  } cases[] = {
      {Col("time", "time(6)"), "-00:00:01.500000"},
      {Col("time", "time(6)"), "838:59:59"},
      {Col("datetime", "datetime(6)"), "1969-12-31 23:59:59.999999"},
      {Col("timestamp", "timestamp(6)"), "2038-01-19 03:14:07.000001"},
      {Col("date", "date"), "0001-01-01"},
      {Col("double", "double"), "0.30000000000000004"},
      {Col("double", "double"), "1e+300"},
      {Col("int", "int(11)"), "-2147483648"},
  };
  for (const Case& c : cases) {
    Value v = Decode(c.col, c.text);
    Value back = Decode(c.col, EncodeMariaText(v));
    EXPECT_EQ(back, v) << c.text << " -> " << EncodeMariaText(v);
  }
  EXPECT_EQ(EncodeMariaText(Value::Time(-1500000)), "-00:00:01.500000");
  EXPECT_EQ(EncodeMariaText(Value::Bool(true)), "1");
}

}  // namespace
}  // namespace cutover::mariadb

namespace cutover::mariadb {
namespace {

TEST(MariaTypes, Old53TemporalFormatIsRefusedOnlyWithFractions) {
  MariaColumnInfo plain{"a", "datetime", "datetime /* mariadb-5.3 */", "", "", true, false};
  EXPECT_TRUE(MariaColumn(plain).ok());
  MariaColumnInfo frac{"b", "datetime", "datetime(3) /* mariadb-5.3 */", "", "", true, false};
  auto c = MariaColumn(frac);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("column b"), std::string::npos);
}

}  // namespace
}  // namespace cutover::mariadb
