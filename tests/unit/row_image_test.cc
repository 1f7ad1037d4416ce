// Tests for engine/mariadb/binlog_event and row_image: pure parsers on bytes.
//
// Most inputs are TABLE_MAP and rows events captured from a MariaDB 10.11.19 binlog
// (binlog_row_metadata=FULL, checksum stripped), so the layouts are the server's, not our
// reading of the documentation; the expected Values are written out by hand from the SQL that
// produced them. Edge cases the server will not easily produce (zero dates under strict mode,
// truncation, unknown types, missing metadata) are built byte by byte.
#include "engine/mariadb/row_image.h"

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/civil_time.h"
#include "engine/mariadb/binlog_event.h"

namespace cutover::mariadb {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

struct Decoded {
  std::shared_ptr<TableMap> map;
  std::shared_ptr<const std::string> rows_event;  // keeps `body`'s views valid
  RowsEventBody body;
  std::vector<RowImagePair> rows;
};

// Parses a captured TABLE_MAP event and a rows event (both with their 19-byte header).
Decoded Decode(std::string_view map_hex, std::string_view rows_hex) {
  Decoded d;
  FormatDescription fd;  // defaults: v4, no post-header table (fallbacks apply)
  std::string map_event = Unhex(map_hex);
  d.rows_event = std::make_shared<const std::string>(Unhex(rows_hex));
  const std::string& rows_event = *d.rows_event;
  EventHeader h;
  std::string_view body;
  EXPECT_TRUE(SplitEvent(map_event, true, h, body).ok());
  EXPECT_EQ(h.type, 19);
  auto map = ParseTableMap(body, fd);
  EXPECT_TRUE(map.ok()) << map.status().ToString();
  if (!map.ok()) return d;
  d.map = *map;
  EXPECT_TRUE(SplitEvent(rows_event, true, h, body).ok());
  Status st = ParseRowsEvent(h.type, body, fd, d.body);
  EXPECT_TRUE(st.ok()) << st.ToString();
  st = DecodeRows(*d.map, d.body, d.rows);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return d;
}

Value I(int64_t v) {
  return Value::Int64(v);
}
Value U(uint64_t v) {
  return Value::UInt64(v);
}
Value Dec(const char* s) {
  return Value::String(ValueKind::kDecimal, s);
}
Value Txt(std::string s) {
  return Value::String(ValueKind::kText, std::move(s));
}
Value Bin(std::string s) {
  return Value::String(ValueKind::kBytes, std::move(s));
}
Value Other(std::string s) {
  return Value::String(ValueKind::kOther, std::move(s));
}
Value Ts(int y, unsigned mo, unsigned d, int h, int mi, int s, int64_t us = 0) {
  return Value::Timestamp(DaysFromCivil(y, mo, d) * kMicrosPerDay +
                          ((h * 60 + mi) * 60 + s) * kMicrosPerSecond + us);
}
Value TimeUs(int64_t sign, int64_t h, int64_t m, int64_t s, int64_t us) {
  return Value::Time(sign * (((h * 60 + m) * 60 + s) * kMicrosPerSecond + us));
}

void ExpectRow(const std::vector<Value>& got, const std::vector<Value>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(got[i], want[i]) << "column " << i << ": got " << got[i].DebugString() << ", want "
                               << want[i].DebugString();
}

// CREATE TABLE ints(a tinyint, b tinyint unsigned, c smallint, d smallint unsigned,
//   e mediumint, f mediumint unsigned, g int, h int unsigned, i bigint, j bigint unsigned)
constexpr std::string_view kIntsMap =
    "f110026b1301000000560000003e04000000001900000000000100076375746f7665720004696e7473000a01"
    "01020209090303080800ff03010255400414016101620163016401650166016701680169016a4503dcb6";

TEST(RowImageTest, IntegersOfEveryWidthSignedAndUnsigned) {
  // INSERT: (min/max), (max/0), (-1/1), (NULL x9, 7)
  Decoded d = Decode(
      kIntsMap,
      "f110026b17010000009e000000dc040000000019000000000001000aff0300fc80ff0080ffff000080ffffff"
      "00000080ffffffff0000000000000080ffffffffffffffff00fc7f00ff7f0000ffff7f000000ffffff7f0000"
      "0000ffffffffffffff7f000000000000000000fcff01ffff0100ffffff010000ffffffff01000000ffffffff"
      "ffffffff0100000000000000fffd070000000000000078c65cd5");
  ASSERT_EQ(d.rows.size(), 4u);
  EXPECT_EQ(d.body.type, BinlogEvent::Type::kWriteRows);
  EXPECT_TRUE(d.body.flags & 1) << "STMT_END";
  const auto i64min = std::numeric_limits<int64_t>::min();
  const auto i64max = std::numeric_limits<int64_t>::max();
  const auto u64max = std::numeric_limits<uint64_t>::max();
  ExpectRow(d.rows[0].after, {I(-128), U(255), I(-32768), U(65535), I(-8388608), U(16777215),
                              I(-2147483648LL), U(4294967295u), I(i64min), U(u64max)});
  ExpectRow(d.rows[1].after,
            {I(127), U(0), I(32767), U(0), I(8388607), U(0), I(2147483647), U(0), I(i64max), U(0)});
  ExpectRow(d.rows[2].after, {I(-1), U(1), I(-1), U(1), I(-1), U(1), I(-1), U(1), I(-1), U(1)});
  std::vector<Value> nulls(9, Value::Null());
  nulls.push_back(U(7));
  ExpectRow(d.rows[3].after, nulls);
  EXPECT_TRUE(d.rows[0].before.empty());
}

TEST(RowImageTest, UpdateHasBeforeAndAfterImages) {
  // UPDATE ints SET b=b+1 WHERE a=127
  Decoded d = Decode(
      kIntsMap,
      "f410026b1801000000700000009e120000000019000000000001000aff03ff0300fc7f00ff7f0000ffff7f00"
      "0000ffffff7f00000000ffffffffffffff7f000000000000000000fc7f01ff7f0000ffff7f000000ffffff7f"
      "00000000ffffffffffffff7f0000000000000000ef129578");
  ASSERT_EQ(d.rows.size(), 1u);
  EXPECT_EQ(d.body.type, BinlogEvent::Type::kUpdateRows);
  const auto i64max = std::numeric_limits<int64_t>::max();
  ExpectRow(d.rows[0].before,
            {I(127), U(0), I(32767), U(0), I(8388607), U(0), I(2147483647), U(0), I(i64max), U(0)});
  ExpectRow(d.rows[0].after,
            {I(127), U(1), I(32767), U(0), I(8388607), U(0), I(2147483647), U(0), I(i64max), U(0)});
}

// CREATE TABLE decs(a decimal(65,30), b decimal(5,2), c decimal(10,0), d decimal(3,3))
constexpr std::string_view kDecsMap =
    "f110026b13010000004a0000005b07000000001a00000000000100076375746f7665720004646563730004f6"
    "f6f6f608411e05020a0003030f0101000408016101620163016488a12099";

TEST(RowImageTest, DecimalEdgeCases) {
  Decoded d = Decode(
      kDecsMap,
      "f110026b17010000009c000000f707000000001a00000000000100040ff07f439eb1ca484078caf1cb3fd0f8"
      "a086f8a432eaff439eb1ca484078fc857f84d27ef204c72d7ffef085f5e0ff3b9ac9ff3b9ac9ff3b9ac9ff3b"
      "9ac9ff3b9ac9ff3b9ac9ff03e780003280000000008000f08000000000000000000000000000000000000000"
      "000000000000000000017ffffe893b9ac9ff83e7dee00663");
  ASSERT_EQ(d.rows.size(), 3u);
  ExpectRow(d.rows[0].after,
            {Dec("-12345678901234567890123456789012345.123456789012345678901234567890"),
             Dec("-123.45"), Dec("-1234567890"), Dec("-0.001")});
  ExpectRow(d.rows[1].after,
            {Dec("99999999999999999999999999999999999.999999999999999999999999999999"), Dec("0.50"),
             Dec("0"), Dec("0.000")});
  ExpectRow(d.rows[2].after, {Dec("0.000000000000000000000000000001"), Dec("-0.01"),
                              Dec("9999999999"), Dec("0.999")});
  EXPECT_EQ(d.map->meta[0], (65 << 8) | 30);
}

TEST(RowImageTest, DecimalNegativeZeroHasNoSign) {
  // DECIMAL(5,2): a negative zero (sign bit clear, all digits zero after inversion) prints 0.00.
  TableMap map;
  map.database = "d";
  map.table = "t";
  map.types = {246};
  map.meta = {(5 << 8) | 2};
  map.nullable = {true};
  map.has_signedness = true;
  map.is_unsigned = {false};
  map.charsets = {0};
  map.enum_values = map.set_values = {{}};
  RowsEventBody body;
  body.type = BinlogEvent::Type::kWriteRows;
  body.column_count = 1;
  std::string present = "\x01", rows = Unhex("007fffff");
  body.present_before = present;
  body.rows = rows;
  std::vector<RowImagePair> out;
  ASSERT_TRUE(DecodeRows(map, body, out).ok());
  EXPECT_EQ(out[0].after[0], Dec("0.00"));
}

// CREATE TABLE times(a time(6), b time(2), c time(3), d time, e time(1), f datetime(6),
//   g datetime(3), h timestamp(6) null, i timestamp null, j date, k year, l datetime)
TEST(RowImageTest, TemporalTypesIncludingNegativeTimeFractions) {
  Decoded d = Decode(
      "f110026b130100000066000000870b000000001b00000000000100076375746f766572000574696d6573000c"
      "1313131313121211110a0d120a06020300010603060000ff0f01018004180161016201630164016501660167"
      "01680169016a016b016c633d8d64",
      "f110026b17010000008c000000130c000000001b000000000001000cff0f00f04b9104f0bdc17fffffff7f37"
      "47e12e4b91057fefffce99a54431050a5bf58cb2420000000a7fffffff0f423f0000000121d00701fef3ff7e"
      "fb40f8b46efb0f423f800000017fffff00008000007ffffff6fef3ff7efb0f423f386d438007a120386d4380"
      "9f1f4e006c625440");
  ASSERT_EQ(d.rows.size(), 2u);
  // '-838:59:59.999999','-00:00:00.01','-12:34:56.789','-838:59:59','-01:00:00.5',
  // '2020-01-02 03:04:05.678901','1000-01-01 00:00:00.001','2038-01-19 03:14:07.999999',
  // '1970-01-01 00:00:01','1000-01-01',1901,'9999-12-31 23:59:59'
  ExpectRow(
      d.rows[0].after,
      {TimeUs(-1, 838, 59, 59, 999999), TimeUs(-1, 0, 0, 0, 10000), TimeUs(-1, 12, 34, 56, 789000),
       TimeUs(-1, 838, 59, 59, 0), TimeUs(-1, 1, 0, 0, 500000), Ts(2020, 1, 2, 3, 4, 5, 678901),
       Ts(1000, 1, 1, 0, 0, 0, 1000), Value::TimestampTz(2147483647LL * 1000000 + 999999),
       Value::TimestampTz(1000000), Value::Date(DaysFromCivil(1000, 1, 1)), I(1901),
       Ts(9999, 12, 31, 23, 59, 59)});
  // '838:59:59.999999','00:00:00.01','-00:00:01.000','00:00:00','-00:00:00.1',
  // '9999-12-31 23:59:59.999999',NULL,'2000-01-01 00:00:00.5','2000-01-01 00:00:00',
  // '9999-12-31',0,NULL
  ExpectRow(
      d.rows[1].after,
      {TimeUs(1, 838, 59, 59, 999999), TimeUs(1, 0, 0, 0, 10000), TimeUs(-1, 0, 0, 1, 0),
       TimeUs(1, 0, 0, 0, 0), TimeUs(-1, 0, 0, 0, 100000), Ts(9999, 12, 31, 23, 59, 59, 999999),
       Value::Null(), Value::TimestampTz(946684800500000), Value::TimestampTz(946684800000000),
       Value::Date(DaysFromCivil(9999, 12, 31)), I(0), Value::Null()});
  EXPECT_EQ(DaysFromCivil(2020, 1, 2), 18263);
}

TEST(RowImageTest, ZeroAndPartlyZeroDatesAreSelectText) {
  // date, datetime(3), timestamp(2), datetime (old format), timestamp (old format)
  TableMap map;
  map.database = "d";
  map.table = "z";
  map.types = {10, 18, 17, 12, 7, 18};
  map.meta = {0, 3, 2, 0, 0, 0};
  map.nullable.assign(6, true);
  map.has_signedness = true;
  map.is_unsigned.assign(6, false);
  map.charsets.assign(6, 0);
  map.enum_values.assign(6, {});
  map.set_values.assign(6, {});
  std::string present = "\x3f";
  // DATE 2020-00-00: 2020<<9 = 0x0FC800 LE; DATETIME2(3) zero: 80 00 00 00 00 + 00 00;
  // TIMESTAMP2(2) zero: 00 00 00 00 + 00; DATETIME v1 0; TIMESTAMP v1 0;
  // DATETIME2(0) 2001-02-00 10:11:12: ym = 2001*13+2.
  uint64_t ym = 2001 * 13 + 2;
  uint64_t packed = 0x8000000000ull | (((ym << 5) | 0) << 17) | (10 << 12) | (11 << 6) | 12;
  std::string dt;
  for (int k = 4; k >= 0; --k) dt.push_back(static_cast<char>((packed >> (8 * k)) & 0xff));
  std::string rows = Unhex("00") + Unhex("00c80f") + Unhex("80000000000000") + Unhex("0000000000") +
                     std::string(8, '\0') + std::string(4, '\0') + dt;
  RowsEventBody body;
  body.type = BinlogEvent::Type::kWriteRows;
  body.column_count = 6;
  body.present_before = present;
  body.rows = rows;
  std::vector<RowImagePair> out;
  Status st = DecodeRows(map, body, out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectRow(out[0].after, {Other("2020-00-00"), Other("0000-00-00 00:00:00.000"),
                           Other("0000-00-00 00:00:00.00"), Other("0000-00-00 00:00:00"),
                           Other("0000-00-00 00:00:00"), Other("2001-02-00 10:11:12")});
}

// CREATE TABLE strs(a char(3) charset latin1, b char(100) charset utf8mb4,
//   c varchar(300) charset utf8mb4, d binary(4), e varbinary(10), f blob,
//   g enum('x','yy','zzz') charset utf8mb4, h set('a','b','c','d') charset utf8mb4, i bit(1),
//   j bit(64), k bit(10), l text charset latin1, m enum('é','€') charset latin1)
constexpr std::string_view kStrsMap =
    "f410026b13010000009d000000c30f000000001c00000000000100076375746f766572000473747273000dfe"
    "fe0ffe0ffcfefe101010fcfe18fe03ee90b004fe040a0002f701f80101000008020102f701ff1f0307082d2d"
    "3f3f3f08041a016101620163016401650166016701680169016a016b016c016d0a032d020805090401610162"
    "01630164060f030178027979037a7a7a0201e90180373bf83d";

TEST(RowImageTest, TableMapOptionalMetadata) {
  std::string event = Unhex(kStrsMap);
  EventHeader h;
  std::string_view body;
  ASSERT_TRUE(SplitEvent(event, true, h, body).ok());
  auto map = ParseTableMap(body, FormatDescription());
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  const TableMap& m = **map;
  EXPECT_EQ(m.database, "cutover");
  EXPECT_EQ(m.table, "strs");
  EXPECT_EQ(m.table_id, 0x1cu);
  EXPECT_EQ(m.types,
            (std::vector<uint8_t>{254, 254, 15, 254, 15, 252, 247, 248, 16, 16, 16, 252, 247}));
  EXPECT_EQ(m.meta, (std::vector<uint16_t>{3, 400, 1200, 4, 10, 2, 1, 1, 1, 64, 10, 2, 1}));
  EXPECT_EQ(m.column_names, (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i",
                                                      "j", "k", "l", "m"}));
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{8, 45, 45, 63, 63, 63, 45, 45, 0, 0, 0, 8, 8}));
  EXPECT_EQ(m.enum_values[6], (std::vector<std::string>{"x", "yy", "zzz"}));
  EXPECT_EQ(m.enum_values[12], (std::vector<std::string>{"\xe9", "\x80"}));
  EXPECT_EQ(m.set_values[7], (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(m.has_charsets);
  EXPECT_TRUE(m.has_signedness);  // no numeric columns
  EXPECT_TRUE(m.has_enum_set_values);
  EXPECT_TRUE(m.nullable[0] && m.nullable[12]);
  EXPECT_TRUE(m.primary_key.empty());
}

TEST(RowImageTest, TableMapSignednessAndPrimaryKey) {
  // CREATE TABLE sg2(b bit(3), g tinyint unsigned, a year, h tinyint unsigned): YEAR takes a
  // signedness bit, BIT does not (seen on 10.11).
  std::string event = Unhex(
      "db0f026b130100000043000000df02000000001800000000000100076375746f766572000373673200041001"
      "0d010203000f0101e0040801620167016101684b2c6d39");
  EventHeader h;
  std::string_view body;
  ASSERT_TRUE(SplitEvent(event, true, h, body).ok());
  auto map = ParseTableMap(body, FormatDescription());
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  EXPECT_EQ((*map)->is_unsigned, (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ((*map)->meta[0], 3);  // BIT(3)

  // A primary key (SIMPLE_PRIMARY_KEY = 8) on columns 1 and 0; DEFAULT_CHARSET with an exception.
  std::string pk = Unhex(
      "2a0000000000"
      "0100"
      "016400"
      "017400"  // table id, flags, "d", "t"
      "03"
      "030f0f"
      "04"
      "14000a00"
      "00"      // int, varchar(20), varchar(10); not nullable
      "010100"  // SIGNEDNESS: signed
      "0203"
      "08"
      "0121"        // DEFAULT_CHARSET latin1, char column #1 utf8mb3
      "08020100");  // SIMPLE_PRIMARY_KEY (1, 0)
  auto m2 = ParseTableMap(pk, FormatDescription());
  ASSERT_TRUE(m2.ok()) << m2.status().ToString();
  EXPECT_EQ((*m2)->charsets, (std::vector<uint32_t>{0, 8, 33}));
  EXPECT_EQ((*m2)->primary_key, (std::vector<uint32_t>{1, 0}));
  EXPECT_TRUE((*m2)->column_names.empty());
  EXPECT_EQ((*m2)->ColumnLabel(2), "table d.t column #3");
}

// INSERT INTO strs VALUES ('é ', 'a😀 ', repeat('ab',150), 'a\0', 'x\0y', '\0\0', 'yy', 'a,d',
//   b'1', b'1...1' (64), b'1000000001', '€ñ', '€'), (' x', '', '', '', '', '', '' (invalid),
//   '', b'0', 0, 0, '', 'é')
constexpr std::string_view kStrsRows =
    "f410026b1701000000940100005711000000001c000000000001000dff1f00e001e9050061f09f98802c0161"
    "6261626162616261626162616261626162616261626162616261626162616261626162616261626162616261"
    "6261626162616261626162616261626162616261626162616261626162616261626162616261626162616261"
    "6261626162616261626162616261626162616261626162616261626162616261626162616261626162616261"
    "6261626162616261626162616261626162616261626162616261626162616261626162616261626162616261"
    "6261626162616261626162616261626162616261626162616261626162616261626162616261626162616261"
    "6261626162616261626162616261626162616261626162616261626162616261626162616261626162616261"
    "6261626162616261626162616261626162616261626162616261626162616261626162016103780079020000"
    "00020901ffffffffffffffff0201020080f10200e00220780000000000000000000000000000000000000000"
    "00000001cf6871ea";

TEST(RowImageTest, StringsEnumSetBitAndCharsets) {
  Decoded d = Decode(kStrsMap, kStrsRows);
  ASSERT_EQ(d.rows.size(), 2u);
  std::string abab;
  for (int k = 0; k < 150; ++k) abab += "ab";
  // ('é ', 'a😀 ', repeat('ab',150), 'a\0', 'x\0y', '\0\0', 'yy', 'a,d', b'1', 2^64-1,
  //  b'1000000001', '€ñ', '€')
  ExpectRow(d.rows[0].after,
            {Txt("\xc3\xa9"), Txt("a\xf0\x9f\x98\x80"), Txt(abab), Bin(std::string("a\0\0\0", 4)),
             Bin(std::string("x\0y", 3)), Bin(std::string("\0\0", 2)), Txt("yy"), Txt("a,d"), U(1),
             U(std::numeric_limits<uint64_t>::max()), U(513), Txt("\xe2\x82\xac\xc3\xb1"),
             Txt("\xe2\x82\xac")});
  // (' x', '', '', '', '', '', '' (invalid -> index 0), '', b'0', 0, 0, '', 'é')
  ExpectRow(d.rows[1].after,
            {Txt(" x"), Txt(""), Txt(""), Bin(std::string(4, '\0')), Bin(""), Bin(""), Txt(""),
             Txt(""), U(0), U(0), U(0), Txt(""), Txt("\xc3\xa9")});
}

TEST(RowImageTest, CharLengthPrefixIsTwoBytesFrom256MaxBytes) {
  // CHAR(85) utf8mb4 = 340 bytes: metadata byte0 = 0xfe ^ ((340 & 0x300) >> 4) = 0xee, byte1 =
  // 340 & 0xff; values get a 2-byte prefix. CHAR(63) utf8mb4 = 252 bytes: 1-byte prefix.
  std::string body = Unhex(
      "300000000000"
      "0100"
      "016400"
      "017400"  // table id, flags, "d", "t"
      "02"
      "fefe"
      "04"
      "ee54"
      "fefc"
      "03"          // two CHARs, metadata, both nullable
      "03022d2d");  // COLUMN_CHARSET utf8mb4 x2
  auto map = ParseTableMap(body, FormatDescription());
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  EXPECT_EQ((*map)->meta, (std::vector<uint16_t>{340, 252}));
  EXPECT_EQ((*map)->types, (std::vector<uint8_t>{254, 254}));
  RowsEventBody rows;
  rows.type = BinlogEvent::Type::kWriteRows;
  rows.table_id = 0x30;
  rows.column_count = 2;
  std::string present = "\x03";
  // 2-byte prefix 3: "xy " and 1-byte prefix 2: "z " (SELECT strips the trailing spaces).
  std::string data = Unhex(
      "00"
      "0300"
      "787920"
      "02"
      "7a20");
  rows.present_before = present;
  rows.rows = data;
  std::vector<RowImagePair> out;
  Status st = DecodeRows(**map, rows, out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectRow(out[0].after, {Txt("xy"), Txt("z")});
}

TEST(RowImageTest, NullBitmapCoversOnlyPresentColumns) {
  // MINIMAL image: columns 0 and 2 present (of 3); the null bitmap has 2 bits: col 2 is NULL.
  TableMap map;
  map.database = "d";
  map.table = "m";
  map.types = {3, 3, 3};
  map.meta = {0, 0, 0};
  map.nullable.assign(3, true);
  map.has_signedness = true;
  map.is_unsigned.assign(3, false);
  map.charsets.assign(3, 0);
  map.enum_values.assign(3, {});
  map.set_values.assign(3, {});
  std::string present = "\x05";
  // Row 1: (42, -, NULL) with null bits 10; row 2: (7, -, 8).
  std::string data = Unhex(
      "02"
      "2a000000"
      "00"
      "07000000"
      "08000000");
  RowsEventBody body;
  body.type = BinlogEvent::Type::kDeleteRows;
  body.column_count = 3;
  body.present_before = present;
  body.rows = data;
  std::vector<RowImagePair> out;
  Status st = DecodeRows(map, body, out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(out.size(), 2u);
  ExpectRow(out[0].before, {I(42), Value::Unchanged(), Value::Null()});
  ExpectRow(out[1].before, {I(7), Value::Unchanged(), I(8)});
  EXPECT_TRUE(out[0].after.empty());
}

TEST(RowImageTest, ErrorsNameTableColumnAndType) {
  TableMap map;
  map.database = "d";
  map.table = "t";
  map.types = {3, 200};
  map.meta = {0, 0};
  map.nullable.assign(2, true);
  map.has_signedness = true;
  map.is_unsigned.assign(2, false);
  map.charsets.assign(2, 0);
  map.enum_values.assign(2, {});
  map.set_values.assign(2, {});
  map.column_names = {"id", "odd"};
  Status st = CheckDecodable(map);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("table d.t column odd"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("200"), std::string::npos) << st.message();

  map.types = {3, 15};
  map.meta = {0, 10};
  map.has_signedness = false;
  st = CheckDecodable(map);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("binlog_row_metadata=FULL"), std::string::npos) << st.message();

  // Truncated row image.
  map.has_signedness = true;
  map.charsets = {0, 45};
  RowsEventBody body;
  body.type = BinlogEvent::Type::kWriteRows;
  body.column_count = 2;
  std::string present = "\x03", data = Unhex(
                                    "00"
                                    "01000000"
                                    "0561");
  body.present_before = present;
  body.rows = data;
  std::vector<RowImagePair> out;
  st = DecodeRows(map, body, out);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("column odd"), std::string::npos) << st.message();
}

TEST(RowImageTest, TruncationAtEveryOffsetIsAnErrorNeverACrash) {
  // The strs TABLE_MAP and its two-row WRITE_ROWS event, cut at every byte.
  Decoded full = Decode(kStrsMap, kStrsRows);
  ASSERT_EQ(full.rows.size(), 2u);
  std::string map_event = Unhex(kStrsMap);
  EventHeader h;
  std::string_view map_body;
  ASSERT_TRUE(SplitEvent(map_event, true, h, map_body).ok());
  for (size_t n = 0; n < map_body.size(); ++n) {
    auto map = ParseTableMap(map_body.substr(0, n), FormatDescription());
    if (map.ok()) continue;  // a cut inside the optional metadata can still be well-formed
    EXPECT_EQ(map.status().code(), StatusCode::kInternal) << n;
  }
  // Row data cut anywhere but at the row boundary must fail, naming the table.
  std::string_view rows = full.body.rows;
  size_t boundary = 0;
  for (size_t n = 0; n < rows.size(); ++n) {
    RowsEventBody body = full.body;
    body.rows = rows.substr(0, n);
    std::vector<RowImagePair> out;
    Status st = DecodeRows(*full.map, body, out);
    if (st.ok()) {
      EXPECT_TRUE(n == 0 || out.size() == 1u) << n;
      if (n > 0) boundary = n;
      continue;
    }
    EXPECT_EQ(st.code(), StatusCode::kInternal) << n;
    EXPECT_NE(st.message().find("cutover.strs"), std::string::npos) << st.message();
  }
  EXPECT_GT(boundary, 0u) << "the first row ends somewhere";
}

TEST(RowImageTest, Latin1IsWindows1252) {
  std::string out;
  AppendLatin1AsUtf8("a\x80\x81\x9f\xa0\xff", out);
  EXPECT_EQ(out, "a\xe2\x82\xac\xc2\x81\xc5\xb8\xc2\xa0\xc3\xbf");
  EXPECT_EQ(CharsetOfCollation(8), CharsetKind::kLatin1);
  EXPECT_EQ(CharsetOfCollation(63), CharsetKind::kBinary);
  EXPECT_EQ(CharsetOfCollation(45), CharsetKind::kUtf8);
  EXPECT_EQ(CharsetOfCollation(2304), CharsetKind::kUtf8);       // utf8mb4_uca1400_ai_ci (seen)
  EXPECT_EQ(CharsetOfCollation(35), CharsetKind::kUnsupported);  // ucs2_general_ci
}

// ---------------------------------------------------------------------------------------------
// Event framing
// ---------------------------------------------------------------------------------------------

std::string Header(uint8_t type, uint32_t length, uint32_t log_pos) {
  std::string h(19, '\0');
  h[4] = static_cast<char>(type);
  h[5] = 1;  // server id 1
  for (int k = 0; k < 4; ++k) {
    h[9 + k] = static_cast<char>((length >> (8 * k)) & 0xff);
    h[13 + k] = static_cast<char>((log_pos >> (8 * k)) & 0xff);
  }
  return h;
}

std::string WithCrc(std::string event) {
  uint32_t crc = Crc32(event.data(), event.size());
  for (int k = 0; k < 4; ++k) event.push_back(static_cast<char>((crc >> (8 * k)) & 0xff));
  return event;
}

TEST(BinlogEventTest, Crc32KnownVectorAndVerification) {
  EXPECT_EQ(Crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(Crc32("", 0), 0u);
  // XID event, 8-byte body, checksummed.
  std::string ev = WithCrc(Header(16, 19 + 8 + 4, 500) + Unhex("2a00000000000000"));
  EventHeader h;
  std::string_view body;
  ASSERT_TRUE(SplitEvent(ev, true, h, body).ok());
  BinlogEvent out;
  ASSERT_TRUE(ParseEventBody(h, body, FormatDescription(), out).ok());
  EXPECT_EQ(out.type, BinlogEvent::Type::kXid);
  EXPECT_EQ(out.xid, 42u);
  EXPECT_EQ(h.log_pos, 500u);
  ev[20] ^= 1;
  Status st = SplitEvent(ev, true, h, body);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("XID"), std::string::npos) << st.message();
}

TEST(BinlogEventTest, GtidStandaloneAndCommitId) {
  // seq 7, domain 3, flags FL_STANDALONE|FL_GROUP_COMMIT_ID, commit id 99.
  std::string body = Unhex(
      "0700000000000000"
      "03000000"
      "03"
      "6300000000000000");
  std::string ev = Header(162, static_cast<uint32_t>(19 + body.size()), 900) + body;
  EventHeader h;
  std::string_view b;
  ASSERT_TRUE(SplitEvent(ev, false, h, b).ok());
  BinlogEvent out;
  ASSERT_TRUE(ParseEventBody(h, b, FormatDescription(), out).ok());
  EXPECT_EQ(out.type, BinlogEvent::Type::kGtid);
  EXPECT_EQ(out.gtid.ToString(), "3-1-7");
  EXPECT_TRUE(out.gtid_standalone);
  EXPECT_EQ(out.commit_id, 99u);
}

TEST(BinlogEventTest, QueryRotateGtidList) {
  FormatDescription fd;
  EventHeader h;
  h.type = 2;
  // thread, time, db_len 3, error 0, status len 2, status "\x00\x00", db "abc\0", query
  std::string q = Unhex(
                      "01000000"
                      "00000000"
                      "03"
                      "0000"
                      "0200"
                      "0000") +
                  "abc" + std::string(1, '\0') + "CREATE TABLE t(a int)";
  BinlogEvent out;
  ASSERT_TRUE(ParseEventBody(h, q, fd, out).ok());
  EXPECT_EQ(out.type, BinlogEvent::Type::kQuery);
  EXPECT_EQ(out.query_db, "abc");
  EXPECT_EQ(out.query, "CREATE TABLE t(a int)");

  h.type = 4;
  std::string r = Unhex("0400000000000000") + "binlog.000007";
  ASSERT_TRUE(ParseEventBody(h, r, fd, out).ok());
  EXPECT_EQ(out.type, BinlogEvent::Type::kRotate);
  EXPECT_EQ(out.rotate_file, "binlog.000007");
  EXPECT_EQ(out.rotate_pos, 4u);

  h.type = 163;
  std::string l = Unhex(
      "02000000"
      "00000000"
      "01000000"
      "0500000000000000"
      "01000000"
      "02000000"
      "0900000000000000");
  ASSERT_TRUE(ParseEventBody(h, l, fd, out).ok());
  EXPECT_EQ(GtidListToString(out.gtid_list), "0-1-5,1-2-9");

  // Truncated GTID: an error naming the event, not a crash.
  h.type = 162;
  Status st = ParseEventBody(h, Unhex("0700"), fd, out);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("GTID"), std::string::npos) << st.message();
}

TEST(BinlogEventTest, ParseGtidList) {
  auto l = ParseGtidList("0-1-5, 1-2-9");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(GtidListToString(*l), "0-1-5,1-2-9");
  EXPECT_TRUE(ParseGtidList("")->empty());
  EXPECT_EQ(ParseGtidList("0-1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseGtidList("0-1-x").status().code(), StatusCode::kInvalidArgument);
}

TEST(BinlogEventTest, RowsEventV2AndCompressed) {
  FormatDescription fd;
  RowsEventBody out;
  // v2 WRITE_ROWS: table id 5, flags STMT_END, extra len 2 (none), 1 column, bitmap, row.
  std::string body = Unhex(
      "050000000000"
      "0100"
      "0200"
      "01"
      "01"
      "00"
      "2a");
  ASSERT_TRUE(ParseRowsEvent(30, body, fd, out).ok());
  EXPECT_EQ(out.type, BinlogEvent::Type::kWriteRows);
  EXPECT_EQ(out.table_id, 5u);
  EXPECT_EQ(out.column_count, 1u);
  EXPECT_EQ(out.rows, Unhex("002a"));
  EXPECT_EQ(ParseRowsEvent(166, body, fd, out).code(), StatusCode::kFailedPrecondition);
}

// Regression tests for inputs found by fuzz/row_image_fuzz: a corrupt rows event is an error,
// never a hang, an unbounded allocation or undefined behaviour.

// TABLE_MAP body: table id 5, db "d", table "t", one DATETIME2(0) column (type 18), nullable.
std::string OneDatetimeMap() {
  return Unhex(
      "050000000000"
      "0100"
      "0164"
      "00"
      "0174"
      "00"
      "01"
      "12"
      "01"
      "00"
      "01");
}

Status DecodeRaw(const std::string& map_body, const std::string& rows_body) {
  FormatDescription fd;
  auto map = ParseTableMap(map_body, fd);
  EXPECT_TRUE(map.ok()) << map.status().ToString();
  if (!map.ok()) return map.status();
  RowsEventBody body;
  Status st = ParseRowsEvent(23, rows_body, fd, body);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<RowImagePair> rows;
  return DecodeRows(**map, body, rows);
}

TEST(RowImageFuzzRegression, RowWithNoPresentColumnIsAnErrorNotAnEndlessLoop) {
  // WRITE_ROWS v1, table 5, 1 column, present bitmap 0 (no column present), then bytes that
  // are never consumed: each "row" would take zero bytes, forever.
  std::string rows = Unhex(
      "050000000000"
      "0100"
      "01"
      "00"
      "ffff");
  Status st = DecodeRaw(OneDatetimeMap(), rows);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("holds no column"), std::string::npos) << st.ToString();
}

TEST(RowImageFuzzRegression, OutOfRangeDatetimeIsAnErrorNotAnOverflow) {
  // One row, column present and not null, DATETIME2 bytes ff ff ff ff ff: year ~ 2.6 million.
  std::string rows = Unhex(
      "050000000000"
      "0100"
      "01"
      "01"
      "00"
      "ffffffffff");
  Status st = DecodeRaw(OneDatetimeMap(), rows);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("corrupt DATETIME"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace cutover::mariadb
