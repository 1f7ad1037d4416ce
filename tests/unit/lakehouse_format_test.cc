// The lakehouse target's pure parts: value texts read back to the same Values, CSV quoting that
// keeps NULL and '' apart, DMS's file names and the sortable row position, S3Settings errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "engine/core/civil_time.h"
#include "engine/lakehouse/csv_format.h"
#include "engine/lakehouse/lakehouse_layout.h"
#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/lakehouse_settings.h"
#include "engine/lakehouse/value_text.h"

namespace cutover::lakehouse {
namespace {

Column Col(ValueKind k) {
  Column c;
  c.name = "c";
  c.kind = k;
  return c;
}

void RoundTrip(const Value& v, const std::string& text) {
  std::string out;
  AppendValueText(v, out);
  EXPECT_EQ(out, text);
  auto back = ParseValueText(out, Col(v.kind()));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(*back == v) << v.DebugString() << " -> " << out << " -> " << back->DebugString();
}

TEST(LakehouseValueText, EveryKindReadsBackExactly) {
  RoundTrip(Value::Bool(true), "true");
  RoundTrip(Value::Int64(INT64_MIN), "-9223372036854775808");
  RoundTrip(Value::UInt64(UINT64_MAX), "18446744073709551615");
  RoundTrip(Value::Float64(-0.0), "-0");
  RoundTrip(Value::Float64(0.1), "0.1");
  RoundTrip(Value::Float64(4.9406564584124654e-324), "5e-324");
  RoundTrip(Value::Float64(-HUGE_VAL), "-Infinity");
  RoundTrip(Value::String(ValueKind::kDecimal, "-0.0000000001"), "-0.0000000001");
  RoundTrip(Value::String(ValueKind::kBytes, std::string("\0\xff", 2)), "00ff");
  RoundTrip(Value::Date(DaysFromCivil(1, 1, 1)), "0001-01-01");
  RoundTrip(Value::Date(Value::kInfinity), "infinity");
  RoundTrip(Value::Time(-(838LL * 3600 + 59 * 60 + 59) * 1000000 - 999999), "-838:59:59.999999");
  RoundTrip(Value::Time(24LL * 3600 * 1000000), "24:00:00");
  RoundTrip(Value::Timestamp(-1), "1969-12-31 23:59:59.999999");
  RoundTrip(Value::TimestampTz(0), "1970-01-01 00:00:00+00");
  RoundTrip(Value::TimestampTz(Value::kMinusInfinity), "-infinity");
  RoundTrip(Value::String(ValueKind::kText, "tab\there\n\"q\""), "tab\there\n\"q\"");
  // A MariaDB zero date travels as its text and comes back as such.
  auto zero = ParseValueText("0000-00-00", Col(ValueKind::kDate));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->kind(), ValueKind::kOther);
  EXPECT_FALSE(ParseValueText("12x", Col(ValueKind::kInt64)).ok());
}

TEST(LakehouseCsv, NullAndEmptyStayApartAndQuotingRoundTrips) {
  CsvFormat f;
  std::string out;
  AppendCsvField(f, std::nullopt, true, out);
  AppendCsvField(f, std::string_view(""), false, out);
  AppendCsvField(f, std::string_view("a,b"), false, out);
  AppendCsvField(f, std::string_view("say \"hi\"\nbye"), false, out);
  AppendCsvField(f, std::string_view(" lead"), false, out);
  AppendCsvField(f, std::string_view("plain"), false, out);
  out += f.row_delimiter;
  EXPECT_EQ(out, ",\"\",\"a,b\",\"say \"\"hi\"\"\nbye\",\" lead\",plain\n");
  CsvReader r(f, out);
  std::vector<std::optional<std::string>> fields;
  auto more = r.Next(fields);
  ASSERT_TRUE(more.ok() && *more);
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_FALSE(fields[0].has_value());
  EXPECT_EQ(fields[1], std::optional<std::string>(""));
  EXPECT_EQ(fields[2], std::optional<std::string>("a,b"));
  EXPECT_EQ(fields[3], std::optional<std::string>("say \"hi\"\nbye"));
  EXPECT_EQ(fields[4], std::optional<std::string>(" lead"));
  EXPECT_EQ(fields[5], std::optional<std::string>("plain"));
  more = r.Next(fields);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

TEST(LakehouseCsv, NullValueSettingIsQuotedWhenItIsText) {
  CsvFormat f;
  f.null_value = "NULL";
  f.delimiter = ";";
  std::string out;
  AppendCsvField(f, std::nullopt, true, out);
  AppendCsvField(f, std::string_view("NULL"), false, out);
  EXPECT_EQ(out, "NULL;\"NULL\"");
}

TEST(LakehouseLayout, DmsNamesAndSortablePositions) {
  LakehouseSettings s;
  s.bucket_folder = "cdc";
  EXPECT_EQ(LoadFileKey(s, {"public", "orders"}, 26), "cdc/public/orders/LOAD0000001A.csv");
  s.gzip = true;
  s.date_partition = true;
  // 2026-12-05 01:30:15.123 UTC
  int64_t us = (DaysFromCivil(2026, 12, 5) * 86400 + 5415) * 1000000LL + 123456;
  EXPECT_EQ(CdcFileKey(s, {"public", "orders"}, us),
            "cdc/public/orders/2026/12/05/20261205-013015123.csv.gz");
  s.date_partition_sequence = "YYYYMMDDHH";
  s.date_partition_delimiter = "DASH";
  EXPECT_EQ(DatePartitionFolder(s, us / 1000000), "2026-12-05-01");
  Position a{0x10, 5, "x"}, b{0x9, 0xffff, "y"};
  EXPECT_LT(RowPosition(b, 1), RowPosition(a, 0));
  EXPECT_LT(RowPosition(a, 9), RowPosition(a, 10));
  EXPECT_LT(RowPosition(Position{}, 0), RowPosition(b, 1));
  EXPECT_EQ(RowPosition(a, 3), "0000000000000010.0000000000000005.00000003");
}

TEST(LakehouseSettings, EveryProblemNamedCloudKeysWarned) {
  std::string path = ::testing::TempDir() + "/lh-settings.json";
  std::ofstream(path) << R"({"S3Settings": {"CsvDelimeter": ";", "CdcMaxBatchInterval": "x",
      "DataFormat": "orc", "ServiceAccessRoleArn": "arn:aws:iam::1:role/r"}})";
  std::vector<std::string> warnings;
  auto s = ReadSettingsFile(path, warnings);
  ASSERT_FALSE(s.ok());
  const std::string& m = s.status().message();
  EXPECT_NE(m.find("$.S3Settings.CsvDelimeter: unknown key (did you mean CsvDelimiter?)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("$.S3Settings.CdcMaxBatchInterval"), std::string::npos) << m;
  EXPECT_NE(m.find("$.S3Settings.DataFormat"), std::string::npos) << m;
  std::ofstream(path) << R"({"BucketFolder": "/lake/", "CompressionType": "GZIP",
      "CsvNullValue": "\\N", "ServiceAccessRoleArn": "arn"})";
  warnings.clear();
  s = ReadSettingsFile(path, warnings);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->bucket_folder, "lake");
  EXPECT_TRUE(s->gzip);
  EXPECT_EQ(s->csv_null_value, "\\N");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("ServiceAccessRoleArn ignored"), std::string::npos);
}

TEST(LakehouseManifest, RoundTripsAndGivesTheTaskStateBySourceName) {
  Manifest m;
  m.task = "t1";
  m.settings.bucket_folder = "cdc";
  m.settings.gzip = true;
  m.applied = Position{0x1234, 7, "0/1234"};
  ManifestTable t;
  t.name = {"lake", "orders_v2"};
  t.source = {"public", "orders"};
  t.source_engine = "postgresql";
  Column id;
  id.name = "id";
  id.kind = ValueKind::kInt64;
  id.type_name = "bigint";
  t.columns = {id};
  t.key = {0};
  t.loaded = TableLoadState{Position{0x1000, 0, "0/1000"}, 42};
  t.files = {{"cdc/lake/orders_v2/LOAD00000001.csv.gz", true, false, 42, 900}};
  t.next_load = 2;
  m.tables[t.name] = t;
  auto back = DecodeManifest(EncodeManifest(m), "test");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(EncodeManifest(*back), EncodeManifest(m));
  TaskState st = back->ToTaskState();
  ASSERT_TRUE(st.applied.has_value());
  EXPECT_EQ(st.applied->text, "0/1234");
  ASSERT_EQ(st.loaded.count(TableName{"public", "orders"}), 1u);
  EXPECT_EQ(st.loaded.at(TableName{"public", "orders"}).rows, 42);
  EXPECT_EQ(back->Files(), std::vector<std::string>{"cdc/lake/orders_v2/LOAD00000001.csv.gz"});
  EXPECT_FALSE(DecodeManifest("{\"task\": 1}", "m.json").ok());
  LakehouseSettings other = m.settings;
  other.csv_delimiter = ";";
  EXPECT_FALSE(CheckSameFileSettings(m.settings, other).ok());
  EXPECT_TRUE(CheckSameFileSettings(m.settings, m.settings).ok());
}

}  // namespace
}  // namespace cutover::lakehouse
