// Independent readers of cutover's Parquet files: DuckDB (@duckdb/node-api, DuckDB's own C++
// engine) and hyparquet (a JavaScript reader written apart from any C++ library) read files
// cutover's writer produced, with every logical type DMS's Parquet mapping needs, NULLs and
// edge values, in each compression and both page versions; each must read every file and print
// exactly what was written (hyparquet's decimals are JS doubles: compared as doubles). And the
// other way round: cutover's reader reads a file DuckDB wrote and agrees with DuckDB.
// The readers live in tests/lakehouse_readers (installed by scripts/install-lakehouse-readers.sh);
// this test fails, naming the script, when they are missing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>

#include "engine/lakehouse/parquet/compression.h"
#include "engine/lakehouse/parquet/parquet_reader.h"
#include "engine/lakehouse/parquet/parquet_writer.h"

namespace cutover::parquet {
namespace {

namespace fs = std::filesystem;

const fs::path kReaders = fs::path(CUTOVER_SOURCE_DIR) / "tests" / "lakehouse_readers";

enum class Compare { kExact, kFloat, kDecimal };

// One column of the test file: its Parquet description, the type DuckDB must see, and the
// value of each row with the text a reader must print for it (nullopt: NULL).
struct ZooColumn {
  ParquetColumn column;
  std::string duckdb_type;
  Compare compare = Compare::kExact;
  std::vector<std::pair<Value, std::optional<std::string>>> cells;
};

ParquetColumn Leaf(std::string name, LogicalKind kind) {
  ParquetColumn c;
  c.name = std::move(name);
  c.kind = kind;
  return c;
}

std::string Hex(std::string_view s) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : s) {
    out.push_back(k[ch >> 4]);
    out.push_back(k[ch & 15]);
  }
  return out;
}

std::string Num(double d) {
  if (std::isnan(d)) return "NaN";
  char buf[64];
  snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

constexpr size_t kRows = 2500;

// The zoo: per column a few edge values first, then generated rows (enough for several row
// groups, pages and dictionaries), every 7th generated value NULL.
std::vector<ZooColumn> Zoo(TimeUnit ts_unit) {
  std::vector<ZooColumn> zoo;
  auto add = [&](ParquetColumn c, std::string duck, Compare cmp,
                 std::vector<std::pair<Value, std::optional<std::string>>> edges,
                 std::function<std::pair<Value, std::string>(int64_t)> gen) {
    ZooColumn z{std::move(c), std::move(duck), cmp, std::move(edges)};
    for (size_t i = z.cells.size(); i < kRows; ++i) {
      if (i % 7 == 3 && z.column.nullable) {
        z.cells.push_back({Value::Null(), std::nullopt});
      } else {
        auto [v, t] = gen(static_cast<int64_t>(i));
        z.cells.push_back({std::move(v), std::move(t)});
      }
    }
    zoo.push_back(std::move(z));
  };
  auto I = [](int64_t x) {
    return std::pair<Value, std::optional<std::string>>{Value::Int64(x), std::to_string(x)};
  };
  auto N = []() {
    return std::pair<Value, std::optional<std::string>>{Value::Null(), std::nullopt};
  };
  auto int_col = [&](std::string name, int bits, bool sgn, std::string duck, int64_t lo,
                     int64_t hi) {
    ParquetColumn c = Leaf(name, LogicalKind::kInt);
    c.int_bits = bits;
    c.int_signed = sgn;
    add(c, duck, Compare::kExact, {I(lo), I(hi), N()}, [=](int64_t i) {
      int64_t span = hi / 2 - lo / 2;
      int64_t v = lo + static_cast<int64_t>((static_cast<uint64_t>(i) * 2654435761u) %
                                            static_cast<uint64_t>(span));
      return std::pair<Value, std::string>{Value::Int64(v), std::to_string(v)};
    });
  };

  ParquetColumn id = Leaf("id", LogicalKind::kInt);
  id.nullable = false;
  add(id, "BIGINT", Compare::kExact, {}, [](int64_t i) {
    return std::pair<Value, std::string>{Value::Int64(i), std::to_string(i)};
  });
  add(Leaf("flag", LogicalKind::kBoolean), "BOOLEAN", Compare::kExact,
      {{Value::Bool(true), "true"}, {Value::Bool(false), "false"}, N()}, [](int64_t i) {
        return std::pair<Value, std::string>{Value::Bool(i % 3 == 0),
                                             i % 3 == 0 ? "true" : "false"};
      });
  int_col("i8", 8, true, "TINYINT", -128, 127);
  int_col("u8", 8, false, "UTINYINT", 0, 255);
  int_col("i16", 16, true, "SMALLINT", -32768, 32767);
  int_col("u16", 16, false, "USMALLINT", 0, 65535);
  int_col("i32", 32, true, "INTEGER", INT32_MIN, INT32_MAX);
  int_col("u32", 32, false, "UINTEGER", 0, UINT32_MAX);
  int_col("i64", 64, true, "BIGINT", std::numeric_limits<int64_t>::min(),
          std::numeric_limits<int64_t>::max());
  ParquetColumn u64 = Leaf("u64", LogicalKind::kInt);
  u64.int_signed = false;
  add(u64, "UBIGINT", Compare::kExact,
      {{Value::UInt64(0), "0"},
       {Value::UInt64(UINT64_MAX), "18446744073709551615"},
       {Value::UInt64(1ull << 63), "9223372036854775808"}},
      [](int64_t i) {
        uint64_t v = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull;
        return std::pair<Value, std::string>{Value::UInt64(v), std::to_string(v)};
      });
  auto fl = [](double d) {
    return std::pair<Value, std::optional<std::string>>{Value::Float64(d), Num(d)};
  };
  const double inf = std::numeric_limits<double>::infinity();
  add(Leaf("f32", LogicalKind::kFloat), "FLOAT", Compare::kFloat,
      {fl(std::nan("")), fl(-0.0), fl(inf), fl(-inf), fl(3.4028234663852886e38),
       fl(std::numeric_limits<float>::denorm_min())},
      [](int64_t i) {
        double d = static_cast<float>(i) / 16.0f - 50.0f;
        return std::pair<Value, std::string>{Value::Float64(d), Num(d)};
      });
  add(Leaf("f64", LogicalKind::kDouble), "DOUBLE", Compare::kFloat,
      {fl(std::nan("")), fl(-0.0), fl(0.0), fl(inf), fl(-inf),
       fl(std::numeric_limits<double>::max()), fl(std::numeric_limits<double>::denorm_min())},
      [](int64_t i) {
        double d = static_cast<double>(i) / 3.0 - 400.0;
        return std::pair<Value, std::string>{Value::Float64(d), Num(d)};
      });
  auto dec = [](std::string s) {
    return std::pair<Value, std::optional<std::string>>{Value::String(ValueKind::kDecimal, s), s};
  };
  auto dec_col = [&](std::string name, int p, int s,
                     std::vector<std::pair<Value, std::optional<std::string>>> edges,
                     std::function<std::string(int64_t)> gen) {
    ParquetColumn c = Leaf(name, LogicalKind::kDecimal);
    c.precision = p;
    c.scale = s;
    add(c, fmt::format("DECIMAL({},{})", p, s), Compare::kDecimal, std::move(edges),
        [gen](int64_t i) {
          std::string t = gen(i);
          return std::pair<Value, std::string>{Value::String(ValueKind::kDecimal, t), t};
        });
  };
  dec_col("d5_2", 5, 2, {dec("-999.99"), dec("999.99"), dec("0.00"), dec("-0.01")},
          [](int64_t i) { return fmt::format("{}{}.{:02}", i % 2 ? "-" : "", i % 1000, i % 100); });
  dec_col("d18_4", 18, 4, {dec("-99999999999999.9999"), dec("99999999999999.9999"), dec("0.0001")},
          [](int64_t i) { return fmt::format("{}.{:04}", i * 7919 - 5000000, i % 10000); });
  dec_col("d38_10", 38, 10,
          {dec("-9999999999999999999999999999.9999999999"),
           dec("9999999999999999999999999999.9999999999"), dec("-0.0000000001")},
          [](int64_t i) {
            return fmt::format("{}{}{:012}.{:010}", i % 3 ? "" : "-", i + 1, i * 31, i % 97);
          });
  dec_col("d38_0", 38, 0,
          {dec("-99999999999999999999999999999999999999"),
           dec("99999999999999999999999999999999999999"), dec("0")},
          [](int64_t i) { return fmt::format("{}{:030}", i + 1, i); });
  auto text = [](std::string s) {
    return std::pair<Value, std::optional<std::string>>{Value::String(ValueKind::kText, s), s};
  };
  const char* words[] = {"red", "green", "blue", "\xC3\xA4\xC3\xB6\xC3\xBC", "\xF0\x9F\x98\x80"};
  add(Leaf("s", LogicalKind::kString), "VARCHAR", Compare::kExact,
      {text(""), text("\xF0\x9F\x98\x80 emoji, \xE2\x82\xAC and \xE4\xB8\xAD"),
       text("quote \" backslash \\ newline \n tab \t"), text(std::string(5000, 'x'))},
      [&words](int64_t i) {
        std::string s = words[i % 5];
        return std::pair<Value, std::string>{Value::String(ValueKind::kText, s), s};
      });
  // JSON and UUID travel as STRING (DMS's mapping).
  add(Leaf("uuid", LogicalKind::kString), "VARCHAR", Compare::kExact,
      {{Value::String(ValueKind::kUuid, "123e4567-e89b-12d3-a456-426614174000"),
        "123e4567-e89b-12d3-a456-426614174000"}},
      [](int64_t i) {
        std::string s = fmt::format("00000000-0000-4000-8000-{:012x}", i);
        return std::pair<Value, std::string>{Value::String(ValueKind::kUuid, s), s};
      });
  auto bin = [](std::string s) {
    return std::pair<Value, std::optional<std::string>>{Value::String(ValueKind::kBytes, s),
                                                        Hex(s)};
  };
  add(Leaf("bin", LogicalKind::kBinary), "BLOB", Compare::kExact,
      {bin(""), bin(std::string("\0\xff\x80\x7f", 4))}, [](int64_t i) {
        std::string s(static_cast<size_t>(i % 9), static_cast<char>(i));
        return std::pair<Value, std::string>{Value::String(ValueKind::kBytes, s), Hex(s)};
      });
  auto day = [](int64_t d) {
    return std::pair<Value, std::optional<std::string>>{Value::Date(d), std::to_string(d)};
  };
  add(Leaf("dt", LogicalKind::kDate), "DATE", Compare::kExact,
      {day(-719162), day(2932896), day(-1), day(0)}, [](int64_t i) {
        int64_t d = i * 37 - 40000;
        return std::pair<Value, std::string>{Value::Date(d), std::to_string(d)};
      });
  auto tod = [](int64_t us) {
    return std::pair<Value, std::optional<std::string>>{Value::Time(us), std::to_string(us)};
  };
  add(Leaf("tm", LogicalKind::kTime), "TIME", Compare::kExact, {tod(0), tod(86399999999), tod(1)},
      [](int64_t i) {
        int64_t us = (i * 1234567891) % 86400000000;
        return std::pair<Value, std::string>{Value::Time(us), std::to_string(us)};
      });
  const int64_t step = ts_unit == TimeUnit::kMillis ? 1000 : 1;
  auto ts_col = [&](std::string name, bool utc, std::string duck) {
    ParquetColumn c = Leaf(name, LogicalKind::kTimestamp);
    c.adjusted_to_utc = utc;
    auto mk = [utc](int64_t us) { return utc ? Value::TimestampTz(us) : Value::Timestamp(us); };
    auto e = [&](int64_t us) {
      return std::pair<Value, std::optional<std::string>>{mk(us), std::to_string(us)};
    };
    add(c, duck, Compare::kExact,
        {e(-62135596800000000), e(253402300799999999 / step * step), e(-step), e(0)},
        [mk, step](int64_t i) {
          int64_t us = (1700000000000000 + i * 1000003 - 900000000000000 * (i % 3)) / step * step;
          return std::pair<Value, std::string>{mk(us), std::to_string(us)};
        });
  };
  ts_col("ts", false, "TIMESTAMP");  // DuckDB widens millisecond files to its µs TIMESTAMP
  ts_col("tstz", true, "TIMESTAMP WITH TIME ZONE");
  return zoo;
}

struct ReaderOutput {
  int exit_code = -1;
  std::vector<nlohmann::json> docs;  // one per file (per query for duckdb-sql)
  std::string err;
};

// Quotes one argument for sh -c.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') {
      out += "'\\''";
    } else {
      out.push_back(ch);
    }
  }
  return out + "'";
}

// `node read.mjs MODE ARGS...` (one start of node and DuckDB for several files).
ReaderOutput RunReader(const std::string& mode, const std::vector<std::string>& args,
                       const fs::path& err_file) {
  std::string cmd = "node " + ShellQuote((kReaders / "read.mjs").string()) + " " + mode;
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  cmd += " 2>" + ShellQuote(err_file.string());
  ReaderOutput out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int st = pclose(p);
  out.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream ef(err_file);
  std::stringstream es;
  es << ef.rdbuf();
  out.err = es.str();
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    out.docs.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return out;
}

bool SameDouble(const std::string& got, const std::string& want, bool approx) {
  double g = std::strtod(got.c_str(), nullptr), w = std::strtod(want.c_str(), nullptr);
  if (std::isnan(w)) return std::isnan(g);
  if (!approx) return std::signbit(g) == std::signbit(w) && g == w;
  return std::fabs(g - w) <= 1e-15 * std::max(1.0, std::fabs(w));
}

class ParquetReaders : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kReaders / "node_modules" / "@duckdb" / "node-api") &&
                fs::exists(kReaders / "node_modules" / "hyparquet"))
        << "the independent Parquet readers are not installed: run "
           "scripts/install-lakehouse-readers.sh (scripts/install-deps.sh does)";
    char tmpl[] = "/tmp/cutover-parquet-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  fs::path WriteZoo(const std::string& name, const WriterOptions& o,
                    const std::vector<ZooColumn>& zoo) {
    std::vector<ParquetColumn> schema;
    for (const auto& z : zoo) schema.push_back(z.column);
    std::string bytes;
    StringSink sink(bytes);
    auto w = ParquetWriter::Create(schema, o, sink);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return {};
    std::vector<Value> row(zoo.size());
    for (size_t r = 0; r < kRows; ++r) {
      for (size_t c = 0; c < zoo.size(); ++c) row[c] = zoo[c].cells[r].first;
      Status s = (*w)->AppendRow(row);
      EXPECT_TRUE(s.ok()) << name << " row " << r << ": " << s.ToString();
    }
    auto st = (*w)->Finish();
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Runs the reader once over all files; each must be read and print every value as written.
  void ExpectReaderAgrees(const std::string& mode, const std::vector<fs::path>& files,
                          const std::vector<ZooColumn>& zoo) {
    std::vector<std::string> args;
    for (const auto& f : files) args.push_back(f.string());
    ReaderOutput out = RunReader(mode, args, dir_ / (mode + ".err"));
    ASSERT_EQ(out.exit_code, 0) << out.err;
    ASSERT_EQ(out.docs.size(), files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      SCOPED_TRACE(mode + " reading " + files[i].filename().string());
      ExpectDocAgrees(mode, out.docs[i], zoo);
    }
  }

  void ExpectDocAgrees(const std::string& mode, const nlohmann::json& doc,
                       const std::vector<ZooColumn>& zoo) {
    ASSERT_TRUE(doc.is_object()) << "unparsable output";
    const auto& cols = doc["columns"];
    ASSERT_EQ(cols.size(), zoo.size());
    for (size_t c = 0; c < zoo.size(); ++c) {
      EXPECT_EQ(cols[c]["name"], zoo[c].column.name);
      if (mode == "duckdb") {
        EXPECT_EQ(cols[c]["type"], zoo[c].duckdb_type) << zoo[c].column.name;
      }
    }
    const auto& rows = doc["rows"];
    ASSERT_EQ(rows.size(), kRows);
    int mismatches = 0;
    for (size_t r = 0; r < kRows && mismatches < 10; ++r) {
      for (size_t c = 0; c < zoo.size(); ++c) {
        const auto& want = zoo[c].cells[r].second;
        const auto& got = rows[r][c];
        bool ok;
        if (!want) {
          ok = got.is_null();
        } else if (!got.is_string()) {
          ok = false;
        } else if (zoo[c].compare == Compare::kFloat) {
          ok = SameDouble(got.get<std::string>(), *want, false);
        } else if (zoo[c].compare == Compare::kDecimal && mode == "hyparquet") {
          ok = SameDouble(got.get<std::string>(), *want, true);
        } else {
          ok = got.get<std::string>() == *want;
        }
        if (!ok) {
          ++mismatches;
          ADD_FAILURE() << "row " << r << " column " << zoo[c].column.name << ": read "
                        << got.dump() << ", wrote " << want.value_or("NULL");
        }
      }
    }
  }

  fs::path dir_;
};

TEST_F(ParquetReaders, DuckDbAndHyparquetReadEveryTypeInEveryCompressionAndPageVersion) {
  auto zoo = Zoo(TimeUnit::kMicros);
  std::vector<fs::path> files;
  for (Compression comp :
       {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kZstd}) {
    for (int version : {1, 2}) {
      WriterOptions o;
      o.compression = comp;
      o.version = version;
      o.row_group_length = 1000;  // three row groups
      o.data_page_size = 4096;    // several pages per chunk
      std::string name = fmt::format("zoo-{}-v{}.parquet", CompressionName(comp), version);
      files.push_back(WriteZoo(name, o, zoo));
    }
  }
  ExpectReaderAgrees("duckdb", files, zoo);
  ExpectReaderAgrees("hyparquet", files, zoo);
}

TEST_F(ParquetReaders, MillisecondTimestampsWithoutDictionaryOrStatistics) {
  auto zoo = Zoo(TimeUnit::kMillis);
  WriterOptions o;
  o.timestamp_unit = TimeUnit::kMillis;
  o.dictionary = false;
  o.statistics = false;
  o.compression = Compression::kGzip;
  fs::path file = WriteZoo("zoo-millis.parquet", o, zoo);
  ExpectReaderAgrees("duckdb", {file}, zoo);
  ExpectReaderAgrees("hyparquet", {file}, zoo);
}

// DuckDB prunes row groups by their statistics: a wrong bound (signed order for an unsigned
// column, NaN as a bound, a length prefix in a string bound) would drop rows from a filtered
// count. Each count must equal the count over the values written.
TEST_F(ParquetReaders, DuckDbFiltersPrunedByStatisticsCountTheWrittenRows) {
  auto zoo = Zoo(TimeUnit::kMicros);
  WriterOptions o;
  o.row_group_length = 400;
  fs::path file = WriteZoo("zoo-stats.parquet", o, zoo);
  auto col = [&](std::string_view name) -> const ZooColumn& {
    for (const auto& z : zoo) {
      if (z.column.name == name) return z;
    }
    ADD_FAILURE() << "no column " << name;
    return zoo[0];
  };
  struct Filter {
    std::string column, sql;
    std::function<bool(const Value&)> keep;
  };
  std::vector<Filter> filters = {
      {"i64", "i64 = 9223372036854775807",
       [](const Value& v) { return v.as_int64() == std::numeric_limits<int64_t>::max(); }},
      {"u64", "u64 >= 9223372036854775808",
       [](const Value& v) { return v.as_uint64() >= (1ull << 63); }},
      {"u32", "u32 > 4000000000", [](const Value& v) { return v.as_int64() > 4000000000; }},
      {"i8", "i8 < -100", [](const Value& v) { return v.as_int64() < -100; }},
      {"f64", "f64 < -300", [](const Value& v) { return v.as_double() < -300; }},
      // In DuckDB NaN sorts above every number, so it passes "> 100".
      {"f32", "f32 > 100",
       [](const Value& v) { return std::isnan(v.as_double()) || v.as_double() > 100; }},
      {"d38_10", "d38_10 < 0",
       [](const Value& v) {
         return v.str()[0] == '-' && v.str().find_first_of("123456789") != std::string::npos;
       }},
      {"s", "s >= '\xC3\xA4'", [](const Value& v) { return v.str() >= "\xC3\xA4"; }},
      {"dt", "dt < DATE '1900-01-01'",
       [](const Value& v) { return v.as_micros_or_days() < -25567; }},
      {"tstz", "tstz < TIMESTAMPTZ '1990-01-01 00:00:00+00'",
       [](const Value& v) { return v.as_micros_or_days() < 631152000000000; }},
  };
  std::vector<std::string> args = {file.string()};
  for (const Filter& f : filters) args.push_back("SELECT count(*) FROM t WHERE " + f.sql);
  ReaderOutput out = RunReader("duckdb-sql", args, dir_ / "sql.err");
  ASSERT_EQ(out.exit_code, 0) << out.err;
  ASSERT_EQ(out.docs.size(), filters.size());
  for (size_t i = 0; i < filters.size(); ++i) {
    const Filter& f = filters[i];
    int64_t want = 0;
    for (const auto& [v, text] : col(f.column).cells) want += !v.is_null() && f.keep(v);
    EXPECT_EQ(out.docs[i]["rows"][0][0], std::to_string(want)) << f.sql;
    EXPECT_GT(want, 0) << "filter selects nothing: " << f.sql;
  }
}

// Files a lakehouse target writes at the edges: no rows at all (an empty table's LOAD file),
// and a column that is NULL in every row (no dictionary, no bounds), in both page versions.
TEST_F(ParquetReaders, EmptyFilesAndAllNullColumnsRead) {
  for (int version : {1, 2}) {
    std::vector<ParquetColumn> schema = {Leaf("id", LogicalKind::kInt),
                                         Leaf("nothing", LogicalKind::kString)};
    schema[0].nullable = false;
    WriterOptions o;
    o.version = version;
    std::vector<std::string> files;
    for (size_t rows : {size_t{0}, size_t{3}}) {
      std::string bytes;
      StringSink sink(bytes);
      auto w = ParquetWriter::Create(schema, o, sink);
      ASSERT_TRUE(w.ok());
      for (size_t i = 0; i < rows; ++i) {
        ASSERT_TRUE((*w)->AppendRow(std::vector<Value>{Value::Int64(static_cast<int64_t>(i)),
                                                       Value::Null()})
                        .ok());
      }
      ASSERT_TRUE((*w)->Finish().ok());
      fs::path file = dir_ / fmt::format("edge-v{}-{}.parquet", version, rows);
      std::ofstream(file, std::ios::binary) << bytes;
      files.push_back(file.string());
    }
    for (const std::string mode : {"duckdb", "hyparquet"}) {
      ReaderOutput out = RunReader(mode, files, dir_ / "edge.err");
      ASSERT_EQ(out.exit_code, 0) << out.err;
      ASSERT_EQ(out.docs.size(), 2u);
      for (size_t k = 0; k < 2; ++k) {
        SCOPED_TRACE(mode + " reading " + files[k]);
        size_t rows = k == 0 ? 0 : 3;
        const auto& doc = out.docs[k];
        ASSERT_EQ(doc["columns"].size(), 2u);
        ASSERT_EQ(doc["rows"].size(), rows);
        for (size_t i = 0; i < rows; ++i) {
          EXPECT_EQ(doc["rows"][i][0], std::to_string(i));
          EXPECT_TRUE(doc["rows"][i][1].is_null());
        }
      }
    }
  }
}

// DuckDB writes a file of many types (mode duckdb-write or duckdb-write-v2), prints what it
// reads; cutover's reader must read the same values.
void ExpectCutoverAgreesWithDuckDb(const fs::path& dir, const std::string& mode) {
  fs::path file = dir / (mode + ".parquet");
  ReaderOutput duck = RunReader(mode, {file.string()}, dir / "write.err");
  ASSERT_EQ(duck.exit_code, 0) << duck.err;
  ASSERT_EQ(duck.docs.size(), 1u);
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  auto reader = ParquetReader::Open(bytes, file.string());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto rows = reader->ReadRows();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  const auto& want = duck.docs[0]["rows"];
  ASSERT_EQ(rows->size(), want.size());
  ASSERT_GT(rows->size(), 0u);
  for (size_t r = 0; r < rows->size(); ++r) {
    for (size_t c = 0; c < reader->columns().size(); ++c) {
      const Value& v = (*rows)[r][c];
      const auto& w = want[r][c];
      std::string name = reader->columns()[c].name;
      if (v.is_null()) {
        EXPECT_TRUE(w.is_null()) << name << " row " << r;
        continue;
      }
      ASSERT_TRUE(w.is_string()) << name << " row " << r << ": " << v.DebugString();
      std::string got;
      switch (v.kind()) {
        case ValueKind::kBool:
          got = v.as_bool() ? "true" : "false";
          break;
        case ValueKind::kInt64:
          got = std::to_string(v.as_int64());
          break;
        case ValueKind::kUInt64:
          got = std::to_string(v.as_uint64());
          break;
        case ValueKind::kFloat64:
          EXPECT_TRUE(SameDouble(w.get<std::string>(), Num(v.as_double()), false)) << name;
          continue;
        case ValueKind::kBytes:
          got = Hex(v.str());
          break;
        case ValueKind::kDate:
        case ValueKind::kTime:
        case ValueKind::kTimestamp:
        case ValueKind::kTimestampTz:
          got = std::to_string(v.as_micros_or_days());
          break;
        default:
          got = v.str();
          break;
      }
      EXPECT_EQ(got, w.get<std::string>()) << name << " row " << r;
    }
  }
  // Kinds as parquet_reader.h promises: UBIGINT as kUInt64, TIMESTAMP WITH TIME ZONE adjusted
  // to UTC, UUID.
  EXPECT_EQ((*rows)[0][6].kind(), ValueKind::kUInt64);
  EXPECT_EQ((*rows)[0][reader->columns().size() - 2].kind(), ValueKind::kTimestampTz);
  EXPECT_EQ((*rows)[0].back().kind(), ValueKind::kUuid);
}

// cutover's reader on DuckDB's default files (v1 pages, Snappy, dictionaries).
TEST_F(ParquetReaders, CutoverReadsAFileDuckDbWrote) {
  ExpectCutoverAgreesWithDuckDb(dir_, "duckdb-write");
}

// And on DuckDB's PARQUET_VERSION v2 files (DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// BYTE_STREAM_SPLIT, v2 pages).
TEST_F(ParquetReaders, CutoverReadsADuckDbV2File) {
  ExpectCutoverAgreesWithDuckDb(dir_, "duckdb-write-v2");
}

}  // namespace
}  // namespace cutover::parquet
