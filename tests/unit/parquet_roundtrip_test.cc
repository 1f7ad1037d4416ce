// cutover's Parquet writer against its own reader: every logical type with NULLs and edge
// values in every configuration (compression, page version, dictionary, timestamp unit),
// dictionary choice and fallback, statistics in each sort order, and errors that name what
// went wrong. The independent readers (DuckDB, hyparquet) check the same files in
// tests/integration/parquet_readers_test.cc.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "engine/lakehouse/parquet/compression.h"
#include "engine/lakehouse/parquet/parquet_metadata.h"
#include "engine/lakehouse/parquet/parquet_reader.h"
#include "engine/lakehouse/parquet/parquet_writer.h"

namespace cutover::parquet {
namespace {

ParquetColumn Col(std::string name, LogicalKind kind, bool nullable = true) {
  ParquetColumn c;
  c.name = std::move(name);
  c.kind = kind;
  c.nullable = nullable;
  return c;
}
ParquetColumn IntCol(std::string name, int bits, bool is_signed) {
  ParquetColumn c = Col(std::move(name), LogicalKind::kInt);
  c.int_bits = bits;
  c.int_signed = is_signed;
  return c;
}
ParquetColumn DecCol(std::string name, int precision, int scale) {
  ParquetColumn c = Col(std::move(name), LogicalKind::kDecimal);
  c.precision = precision;
  c.scale = scale;
  return c;
}

std::vector<ParquetColumn> ZooSchema() {
  std::vector<ParquetColumn> s;
  s.push_back(Col("id", LogicalKind::kInt, false));
  s.push_back(Col("b", LogicalKind::kBoolean));
  s.push_back(IntCol("i8", 8, true));
  s.push_back(IntCol("u8", 8, false));
  s.push_back(IntCol("i16", 16, true));
  s.push_back(IntCol("u16", 16, false));
  s.push_back(IntCol("i32", 32, true));
  s.push_back(IntCol("u32", 32, false));
  s.push_back(IntCol("i64", 64, true));
  s.push_back(IntCol("u64", 64, false));
  s.push_back(Col("f32", LogicalKind::kFloat));
  s.push_back(Col("f64", LogicalKind::kDouble));
  s.push_back(DecCol("d5_2", 5, 2));
  s.push_back(DecCol("d18_4", 18, 4));
  s.push_back(DecCol("d38_10", 38, 10));
  s.push_back(DecCol("d38_0", 38, 0));
  s.push_back(Col("s", LogicalKind::kString));
  s.push_back(Col("bin", LogicalKind::kBinary));
  s.push_back(Col("dt", LogicalKind::kDate));
  s.push_back(Col("tm", LogicalKind::kTime));
  s.push_back(Col("ts", LogicalKind::kTimestamp));
  ParquetColumn tstz = Col("tstz", LogicalKind::kTimestamp);
  tstz.adjusted_to_utc = true;
  s.push_back(tstz);
  return s;
}

Value Dec(std::string s) {
  return Value::String(ValueKind::kDecimal, std::move(s));
}
Value Text(std::string s) {
  return Value::String(ValueKind::kText, std::move(s));
}
Value Bin(std::string s) {
  return Value::String(ValueKind::kBytes, std::move(s));
}
// Decimal text of an unscaled integer, in the reader's form (exactly `scale` digits after the
// point, a leading 0, no "-0").
Value DecText(int64_t unscaled, int scale) {
  std::string digits = std::to_string(unscaled < 0 ? -static_cast<uint64_t>(unscaled)
                                                   : static_cast<uint64_t>(unscaled));
  if (digits.size() <= static_cast<size_t>(scale)) {
    digits.insert(0, scale + 1 - digits.size(), '0');
  }
  if (scale > 0) digits.insert(digits.size() - scale, ".");
  return Dec((unscaled < 0 ? "-" : "") + digits);
}

// Rows in the form the reader returns them (so written == read is the check).
std::vector<std::vector<Value>> ZooRows(size_t n, bool millis) {
  const int64_t i64min = std::numeric_limits<int64_t>::min();
  const int64_t i64max = std::numeric_limits<int64_t>::max();
  std::vector<std::vector<Value>> rows;
  auto ts = [&](int64_t us) { return millis ? us / 1000 * 1000 : us; };
  // Minimums, maximums, NULLs and the awkward values, then pseudo-random rows.
  rows.push_back({Value::Int64(0),
                  Value::Bool(false),
                  Value::Int64(-128),
                  Value::Int64(0),
                  Value::Int64(-32768),
                  Value::Int64(0),
                  Value::Int64(INT32_MIN),
                  Value::Int64(0),
                  Value::Int64(i64min),
                  Value::UInt64(0),
                  Value::Float64(-3.4028234663852886e38),
                  Value::Float64(-std::numeric_limits<double>::max()),
                  Dec("-999.99"),
                  Dec("-99999999999999.9999"),
                  Dec("-9999999999999999999999999999.9999999999"),
                  Dec("-99999999999999999999999999999999999999"),
                  Text(""),
                  Bin(""),
                  Value::Date(-719162),
                  Value::Time(0),
                  Value::Timestamp(ts(-62135596800000000)),
                  Value::TimestampTz(ts(-1000))});
  rows.push_back({Value::Int64(1),
                  Value::Bool(true),
                  Value::Int64(127),
                  Value::Int64(255),
                  Value::Int64(32767),
                  Value::Int64(65535),
                  Value::Int64(INT32_MAX),
                  Value::Int64(UINT32_MAX),
                  Value::Int64(i64max),
                  Value::UInt64(std::numeric_limits<uint64_t>::max()),
                  Value::Float64(3.4028234663852886e38),
                  Value::Float64(std::numeric_limits<double>::max()),
                  Dec("999.99"),
                  Dec("99999999999999.9999"),
                  Dec("9999999999999999999999999999.9999999999"),
                  Dec("99999999999999999999999999999999999999"),
                  Text("\xF0\x9F\x98\x80 4-byte \xE2\x82\xAC"),
                  Bin(std::string("\0\xff\x01", 3)),
                  Value::Date(2932896),
                  Value::Time(86399999999),
                  Value::Timestamp(ts(253402300799999999)),
                  Value::TimestampTz(ts(253402300799999000))});
  std::vector<Value> nulls(ZooSchema().size());
  nulls[0] = Value::Int64(2);
  rows.push_back(nulls);
  rows.push_back({Value::Int64(3),
                  Value::Bool(true),
                  Value::Int64(-1),
                  Value::Int64(1),
                  Value::Int64(-1),
                  Value::Int64(1),
                  Value::Int64(-1),
                  Value::Int64(1),
                  Value::Int64(-1),
                  Value::UInt64(1ull << 63),
                  Value::Float64(std::numeric_limits<double>::quiet_NaN()),
                  Value::Float64(-0.0),
                  Dec("-0.01"),
                  Dec("0.0001"),
                  Dec("-0.0000000001"),
                  Dec("0"),
                  Text("tab\there \"quoted\", comma"),
                  Bin("x"),
                  Value::Date(-1),
                  Value::Time(1),
                  Value::Timestamp(ts(-1000)),
                  Value::TimestampTz(ts(0))});
  rows.push_back({Value::Int64(4),
                  Value::Null(),
                  Value::Null(),
                  Value::Int64(7),
                  Value::Null(),
                  Value::Int64(9),
                  Value::Null(),
                  Value::Int64(11),
                  Value::Null(),
                  Value::UInt64(13),
                  Value::Float64(std::numeric_limits<double>::infinity()),
                  Value::Float64(-std::numeric_limits<double>::infinity()),
                  Value::Null(),
                  Dec("12.5000"),
                  Value::Null(),
                  Dec("1"),
                  Value::Null(),
                  Bin(""),
                  Value::Null(),
                  Value::Time(43200000000),
                  Value::Null(),
                  Value::TimestampTz(ts(1700000000123456))});
  std::mt19937_64 rng(42);
  const char* words[] = {"alpha", "beta", "gamma", "delta", "", "\xC3\xA4\xC3\xB6", "epsilon"};
  for (size_t i = rows.size(); i < n; ++i) {
    auto maybe = [&](Value v) { return rng() % 10 == 0 ? Value::Null() : std::move(v); };
    int64_t r = static_cast<int64_t>(rng());
    rows.push_back(
        {Value::Int64(static_cast<int64_t>(i)),
         maybe(Value::Bool(r & 1)),
         maybe(Value::Int64(static_cast<int8_t>(r))),
         maybe(Value::Int64(static_cast<uint8_t>(r >> 8))),
         maybe(Value::Int64(static_cast<int16_t>(r >> 3))),
         maybe(Value::Int64(static_cast<uint16_t>(r >> 5))),
         maybe(Value::Int64(static_cast<int32_t>(r))),
         maybe(Value::Int64(static_cast<uint32_t>(r >> 7))),
         maybe(Value::Int64(r % 1000)),
         maybe(Value::UInt64(rng())),
         maybe(Value::Float64(static_cast<float>(r % 100000) / 8.0f)),
         maybe(Value::Float64(static_cast<double>(r) / 3.0)),
         maybe(DecText(r % 100000, 2)),
         maybe(DecText(r % 1000000000000000000, 4)),
         maybe(
             Dec(fmt::format("{}{}.{:010}", r < 0 ? "-" : "", std::abs(r % 1000000000000000), i))),
         maybe(Dec(std::to_string(r))),
         maybe(Text(words[i % 7])),
         maybe(Bin(std::string(i % 5, static_cast<char>(i)))),
         maybe(Value::Date(r % 100000)),
         maybe(Value::Time(static_cast<int64_t>(rng() % 86400000000ull))),
         maybe(Value::Timestamp(ts(r % 4000000000000000))),
         maybe(Value::TimestampTz(ts(1600000000000000 + static_cast<int64_t>(i) * 1000)))});
  }
  return rows;
}

std::string Write(const std::vector<ParquetColumn>& schema, const WriterOptions& o,
                  const std::vector<std::vector<Value>>& rows, FileStats* stats = nullptr) {
  std::string file;
  StringSink sink(file);
  auto w = ParquetWriter::Create(schema, o, sink);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const auto& r : rows) {
    Status s = (*w)->AppendRow(r);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  auto st = (*w)->Finish();
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  if (stats) *stats = st.value();
  return file;
}

void ExpectSameRows(const std::vector<std::vector<Value>>& got,
                    const std::vector<std::vector<Value>>& want, const std::string& config) {
  ASSERT_EQ(got.size(), want.size()) << config;
  for (size_t i = 0; i < want.size(); ++i) {
    for (size_t c = 0; c < want[i].size(); ++c) {
      ASSERT_EQ(got[i][c], want[i][c])
          << config << " row " << i << " column " << c << ": got " << got[i][c].DebugString()
          << " want " << want[i][c].DebugString();
    }
  }
}

TEST(ParquetRoundTrip, EveryTypeInEveryConfiguration) {
  for (Compression comp :
       {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kZstd}) {
    for (int version : {1, 2}) {
      for (bool dict : {true, false}) {
        for (bool millis : {false, true}) {
          WriterOptions o;
          o.compression = comp;
          o.version = version;
          o.dictionary = dict;
          o.timestamp_unit = millis ? TimeUnit::kMillis : TimeUnit::kMicros;
          o.row_group_length = 700;
          o.data_page_size = 2048;
          std::string config =
              fmt::format("{} v{} dict={} millis={}", CompressionName(comp), version, dict, millis);
          auto rows = ZooRows(1500, millis);
          FileStats stats;
          std::string file = Write(ZooSchema(), o, rows, &stats);
          EXPECT_EQ(stats.rows, 1500) << config;
          EXPECT_EQ(stats.row_groups, 3) << config;
          EXPECT_EQ(stats.bytes, file.size()) << config;
          if (dict) {
            EXPECT_GT(stats.dictionary_columns, 0) << config;
          } else {
            EXPECT_EQ(stats.dictionary_columns, 0) << config;
          }
          auto reader = ParquetReader::Open(file, "zoo.parquet");
          ASSERT_TRUE(reader.ok()) << config << ": " << reader.status().ToString();
          EXPECT_EQ(reader->metadata().version, version);
          ASSERT_EQ(reader->columns().size(), ZooSchema().size());
          EXPECT_EQ(reader->columns()[20].unit, o.timestamp_unit);
          EXPECT_TRUE(reader->columns()[21].adjusted_to_utc);
          EXPECT_FALSE(reader->columns()[0].nullable);
          auto got = reader->ReadRows();
          ASSERT_TRUE(got.ok()) << config << ": " << got.status().ToString();
          ExpectSameRows(got.value(), rows, config);
        }
      }
    }
  }
}

TEST(ParquetRoundTrip, EmptyFileHasSchemaAndNoRows) {
  std::string file = Write(ZooSchema(), WriterOptions{}, {});
  auto reader = ParquetReader::Open(file, "empty.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(reader->num_rows(), 0);
  EXPECT_EQ(reader->columns().size(), ZooSchema().size());
  EXPECT_TRUE(reader->ReadRows().value().empty());
}

const ColumnMetaData& ChunkMeta(const ParquetReader& r, size_t col, size_t rg = 0) {
  return r.metadata().row_groups[rg].columns[col].meta;
}

bool HasEncoding(const ColumnMetaData& m, Encoding e) {
  for (int32_t x : m.encodings) {
    if (x == static_cast<int32_t>(e)) return true;
  }
  return false;
}

TEST(ParquetDictionary, UsedWhereItPaysPlainWhereNotAndFallsBackPastTheLimit) {
  std::vector<ParquetColumn> schema = {Col("few", LogicalKind::kString),
                                       Col("unique", LogicalKind::kInt),
                                       Col("big", LogicalKind::kString)};
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 2000; ++i) {
    rows.push_back({Text(i % 3 == 0   ? "red"
                         : i % 3 == 1 ? "green"
                                      : "blue"),
                    Value::Int64(i), Text(std::string(100, 'a' + i % 26) + std::to_string(i))});
  }
  for (int version : {1, 2}) {
    WriterOptions o;
    o.version = version;
    o.dictionary_page_limit = 10000;  // "big" passes it after ~100 rows
    o.data_page_size = 4096;
    std::string file = Write(schema, o, rows);
    auto r = ParquetReader::Open(file, "dict.parquet");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const Encoding dict_data = version == 1 ? Encoding::kPlainDictionary : Encoding::kRleDictionary;
    EXPECT_TRUE(ChunkMeta(*r, 0).dictionary_page_offset.has_value());
    EXPECT_TRUE(HasEncoding(ChunkMeta(*r, 0), dict_data));
    // Unique integers: the dictionary would be as large as the values: PLAIN.
    EXPECT_FALSE(ChunkMeta(*r, 1).dictionary_page_offset.has_value());
    EXPECT_TRUE(HasEncoding(ChunkMeta(*r, 1), Encoding::kPlain));
    // Past the dictionary limit: PLAIN for the chunk.
    EXPECT_FALSE(ChunkMeta(*r, 2).dictionary_page_offset.has_value());
    EXPECT_FALSE(HasEncoding(ChunkMeta(*r, 2), dict_data));
    // The dictionary column is much smaller than its PLAIN form would be.
    EXPECT_LT(ChunkMeta(*r, 0).total_uncompressed_size, 2000);
    ExpectSameRows(r->ReadRows().value(), rows, fmt::format("v{}", version));
  }
}

std::string LE64(int64_t v) {
  return std::string(reinterpret_cast<const char*>(&v), 8);
}
std::string LEd(double v) {
  return std::string(reinterpret_cast<const char*>(&v), 8);
}

TEST(ParquetStatistics, MinMaxInEachSortOrderAndNullCounts) {
  ParquetColumn dec = DecCol("dec", 38, 0);
  std::vector<ParquetColumn> schema = {Col("i", LogicalKind::kInt),
                                       IntCol("u", 64, false),
                                       Col("d", LogicalKind::kDouble),
                                       Col("s", LogicalKind::kString),
                                       dec,
                                       Col("allnull", LogicalKind::kDate)};
  std::vector<std::vector<Value>> rows = {
      {Value::Int64(-5), Value::UInt64(1), Value::Float64(std::nan("")), Text("b"), Dec("1"),
       Value::Null()},
      {Value::Int64(3), Value::UInt64(UINT64_MAX), Value::Float64(0.0), Text("\xC3\xA4"), Dec("-1"),
       Value::Null()},
      {Value::Null(), Value::Null(), Value::Float64(2.5), Text("a"), Value::Null(), Value::Null()},
  };
  std::string file = Write(schema, WriterOptions{}, rows);
  auto r = ParquetReader::Open(file, "stats.parquet");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto stats = [&](size_t c) { return ChunkMeta(*r, c).statistics.value(); };
  EXPECT_EQ(stats(0).min_value.value(), LE64(-5));
  EXPECT_EQ(stats(0).max_value.value(), LE64(3));
  EXPECT_EQ(stats(0).null_count.value(), 1);
  // Unsigned order: 2^64-1 is the maximum (signed order would make it -1, the minimum).
  EXPECT_EQ(stats(1).min_value.value(), LE64(1));
  EXPECT_EQ(stats(1).max_value.value(), LE64(-1));
  // NaN is never a bound; a zero minimum is written as -0.
  EXPECT_EQ(stats(2).min_value.value(), LEd(-0.0));
  EXPECT_EQ(stats(2).max_value.value(), LEd(2.5));
  EXPECT_EQ(stats(2).null_count.value(), 0);
  // Bytewise unsigned: "ä" (0xC3 0xA4) sorts after "b"; no length prefix in statistics.
  EXPECT_EQ(stats(3).min_value.value(), "a");
  EXPECT_EQ(stats(3).max_value.value(), "\xC3\xA4");
  // Decimal as signed big-endian: -1 (ff..ff) is the minimum.
  EXPECT_EQ(stats(4).min_value.value(), std::string(16, '\xff'));
  EXPECT_EQ(stats(4).max_value.value(), std::string(15, '\0') + "\x01");
  EXPECT_FALSE(stats(5).min_value.has_value());
  EXPECT_EQ(stats(5).null_count.value(), 3);
  EXPECT_TRUE(r->metadata().type_defined_column_orders);

  WriterOptions off;
  off.statistics = false;
  auto r2 = ParquetReader::Open(Write(schema, off, rows), "nostats.parquet");
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE(ChunkMeta(*r2, 0).statistics.has_value());
}

TEST(ParquetErrors, BadValuesNameTheColumnAndLeaveNoPartialRow) {
  std::vector<ParquetColumn> schema = {Col("id", LogicalKind::kInt, false),
                                       IntCol("small", 8, true), DecCol("money", 5, 2)};
  std::string file;
  StringSink sink(file);
  auto w = ParquetWriter::Create(schema, WriterOptions{}, sink);
  ASSERT_TRUE(w.ok());
  std::string out;
  StringSink sink2(out);
  Status s = (*w)->AppendRow(std::vector<Value>{Value::Null(), Value::Int64(1), Dec("1.00")});
  EXPECT_NE(s.message().find("'id'"), std::string::npos) << s.ToString();
  s = (*w)->AppendRow(std::vector<Value>{Value::Int64(1), Value::Int64(128), Dec("1.00")});
  EXPECT_NE(s.message().find("'small'"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.ToString();
  s = (*w)->AppendRow(std::vector<Value>{Value::Int64(1), Value::Int64(1), Dec("1.001")});
  EXPECT_NE(s.message().find("'money'"), std::string::npos) << s.ToString();
  s = (*w)->AppendRow(std::vector<Value>{Value::Int64(1), Value::Int64(1), Dec("1000.00")});
  EXPECT_FALSE(s.ok());
  s = (*w)->AppendRow(std::vector<Value>{Value::Int64(1), Value::Int64(1), Text("1.00")});
  EXPECT_FALSE(s.ok());
  // A double that a FLOAT column would round is refused, not rounded.
  auto wf = ParquetWriter::Create({Col("f", LogicalKind::kFloat)}, WriterOptions{}, sink2);
  ASSERT_TRUE(wf.ok());
  EXPECT_FALSE((*wf)->AppendRow(std::vector<Value>{Value::Float64(0.1)}).ok());
  EXPECT_TRUE((*wf)->AppendRow(std::vector<Value>{Value::Float64(0.5)}).ok());
  ASSERT_TRUE(
      (*w)->AppendRow(std::vector<Value>{Value::Int64(7), Value::Int64(-3), Dec("-0.50")}).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto r = ParquetReader::Open(file, "t.parquet");
  ASSERT_TRUE(r.ok());
  ExpectSameRows(r->ReadRows().value(), {{Value::Int64(7), Value::Int64(-3), Dec("-0.50")}}, "");

  // Schema errors.
  EXPECT_FALSE(ParquetWriter::Create({DecCol("x", 39, 0)}, WriterOptions{}, sink2).ok());
  EXPECT_FALSE(ParquetWriter::Create({IntCol("x", 12, true)}, WriterOptions{}, sink2).ok());
  EXPECT_FALSE(ParquetWriter::Create({Col("a", LogicalKind::kInt), Col("a", LogicalKind::kInt)},
                                     WriterOptions{}, sink2)
                   .ok());
  WriterOptions millis;
  millis.timestamp_unit = TimeUnit::kMillis;
  auto wm = ParquetWriter::Create({Col("ts", LogicalKind::kTimestamp)}, millis, sink2);
  ASSERT_TRUE(wm.ok());
  s = (*wm)->AppendRow(std::vector<Value>{Value::Timestamp(1001)});
  EXPECT_NE(s.message().find("sub-millisecond"), std::string::npos) << s.ToString();
}

TEST(ParquetErrors, CorruptFilesAreErrorsNamingTheFile) {
  auto rows = ZooRows(300, false);
  WriterOptions o;
  o.compression = Compression::kZstd;
  std::string file = Write(ZooSchema(), o, rows);
  // Truncations and flipped bytes anywhere: an error or (a flip inside a value) other values,
  // never a crash or an over-read (run under ASan in CI's sanitizer build).
  std::mt19937 rng(3);
  int errors = 0;
  for (int k = 0; k < 300; ++k) {
    std::string bad = file;
    if (k % 3 == 0) {
      bad.resize(rng() % file.size());
    } else {
      bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    auto r = ParquetReader::Open(bad, "bad.parquet");
    if (!r.ok()) {
      ++errors;
      EXPECT_NE(r.status().message().find("bad.parquet"), std::string::npos)
          << r.status().ToString();
      continue;
    }
    auto rows_read = r->ReadRows();
    if (!rows_read.ok()) {
      ++errors;
      EXPECT_NE(rows_read.status().message().find("bad.parquet"), std::string::npos)
          << rows_read.status().ToString();
    }
  }
  EXPECT_GT(errors, 100);
}

// A footer cutover does not write: the error names the file, the column and the feature.
std::string FileWithLeaf(SchemaElement leaf) {
  FileMetaData m;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  m.schema = {root, leaf};
  std::string footer;
  WriteFileMetaData(m, footer);
  std::string file = "PAR1" + footer;
  uint32_t len = static_cast<uint32_t>(footer.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  return file + "PAR1";
}

TEST(ParquetErrors, UnsupportedFeaturesAreNamed) {
  SchemaElement e;
  e.name = "legacy_ts";
  e.type = static_cast<int32_t>(PhysicalType::kInt96);
  e.repetition = 1;
  auto r = ParquetReader::Open(FileWithLeaf(e), "spark.parquet");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("spark.parquet"), std::string::npos);
  EXPECT_NE(r.status().message().find("legacy_ts"), std::string::npos);
  EXPECT_NE(r.status().message().find("INT96"), std::string::npos) << r.status().ToString();

  e.name = "tags";
  e.type = static_cast<int32_t>(PhysicalType::kByteArray);
  e.repetition = 2;
  r = ParquetReader::Open(FileWithLeaf(e), "nested.parquet");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("repeated"), std::string::npos) << r.status().ToString();

  e.name = "ns";
  e.type = static_cast<int32_t>(PhysicalType::kInt64);
  e.repetition = 1;
  e.logical.tag = LogicalTypeInfo::kTimestamp;
  e.logical.time_unit = 3;
  r = ParquetReader::Open(FileWithLeaf(e), "nanos.parquet");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nanosecond"), std::string::npos) << r.status().ToString();

  std::string out;
  Status s = Decompress(5, "x", 1, out, "f.parquet: page 0");
  EXPECT_NE(s.message().find("LZ4"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace cutover::parquet
