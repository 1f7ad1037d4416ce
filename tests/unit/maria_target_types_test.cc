// Unit tests of the MariaDB target column plan and value encoder (no server).
#include "engine/mariadb/maria_target_types.h"
#include "engine/sqlite/sqlite_catalog.h"

#include <cmath>

#include <gtest/gtest.h>

#include "engine/pg/pg_types.h"

namespace cutover::mariadb {
namespace {

Column PgCol(const std::string& name, uint32_t oid, const std::string& type_name) {
  Column c;
  c.name = name;
  c.type_id = oid;
  c.type_name = type_name;
  c.kind = pg::KindForTypeOid(oid);
  c.type = pg::DescribePgColumnType(oid, type_name, c.kind);  // as the PostgreSQL source does
  return c;
}

std::string Enc(const MariaTargetColumn& tc, const Value& v, MariaText* how = nullptr,
                LossyRule* rule = nullptr) {
  std::string out;
  LossyRule applied;
  Result<MariaText> r = EncodeForMaria(tc, v, out, applied);
  if (rule) *rule = applied;
  if (!r.ok()) return "ERROR " + r.status().message();
  if (how) *how = *r;
  return *r == MariaText::kNull ? "NULL" : out;
}

TEST(MariaTargetTypes, RoundDecimalTextHalfAwayFromZero) {
  EXPECT_EQ(RoundDecimalText("1.25", 1), "1.3");
  EXPECT_EQ(RoundDecimalText("-1.25", 1), "-1.3");
  EXPECT_EQ(RoundDecimalText("1.24", 1), "1.2");
  EXPECT_EQ(RoundDecimalText("9.99", 1), "10.0");
  EXPECT_EQ(RoundDecimalText("-9.95", 0), "-10");
  EXPECT_EQ(RoundDecimalText("-0.04", 1), "0.0");
  EXPECT_EQ(RoundDecimalText("0.5", 0), "1");
  EXPECT_EQ(RoundDecimalText("12.5", 3), "12.5");
  EXPECT_EQ(RoundDecimalText("42", 2), "42");
}

TEST(MariaTargetTypes, PostgresColumnsMapPerTheContract) {
  struct Case {
    uint32_t oid;
    std::string type_name;
    bool key;
    std::string ddl;
    bool warns;
  } cases[] = {
      {pg::kBoolOid, "boolean", false, "BOOLEAN", false},
      {pg::kInt2Oid, "smallint", false, "SMALLINT", false},
      {pg::kInt4Oid, "integer", true, "INT", false},
      {pg::kInt8Oid, "bigint", false, "BIGINT", false},
      {pg::kNumericOid, "numeric(12,2)", false, "DECIMAL(12,2)", false},
      // Value-level rules (L2, L4, L5, L1) are announced when a value hits them, not per column.
      {pg::kNumericOid, "numeric", false, "DECIMAL(65,30)", false},
      {pg::kNumericOid, "numeric(70,2)", false, "DECIMAL(65,30)", false},
      {pg::kFloat4Oid, "real", false, "FLOAT", false},
      {pg::kFloat8Oid, "double precision", false, "DOUBLE", false},
      {pg::kVarcharOid, "character varying(40)", false,
       "VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin", false},
      {pg::kVarcharOid, "character varying(5000)", false,
       "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin", false},
      {pg::kBpcharOid, "character(5)", false,
       "CHAR(5) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin", false},
      {pg::kTextOid, "text", false, "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin",
       false},
      {pg::kTextOid, "text", true, "VARCHAR(768) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin",
       true},
      {pg::kByteaOid, "bytea", false, "LONGBLOB", false},
      {pg::kByteaOid, "bytea", true, "VARBINARY(3072)", true},
      {pg::kDateOid, "date", false, "DATE", false},
      {pg::kTimeOid, "time without time zone", false, "TIME(6)", false},
      {pg::kTimestampOid, "timestamp(3) without time zone", false, "DATETIME(3)", false},
      {pg::kTimestampTzOid, "timestamp with time zone", false, "DATETIME(6)", true},
      {pg::kJsonbOid, "jsonb", false, "JSON", false},
      {pg::kUuidOid, "uuid", false, "UUID", false},
      {1186, "interval", false, "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin", true},
  };
  for (const Case& c : cases) {
    MariaTargetColumn tc = PlanMariaColumn(PgCol("x", c.oid, c.type_name), "postgresql", c.key);
    EXPECT_EQ(tc.ddl_type, c.ddl) << c.type_name;
    bool type_level = false;
    for (LossyRule r : tc.rules.rules)
      type_level = type_level || SpecOf(r).scope == LossyScope::kTypeLevel;
    EXPECT_EQ(type_level, c.warns) << c.type_name << ": " << tc.rules.note;
    EXPECT_EQ(!tc.rules.note.empty(), c.warns) << c.type_name << ": " << tc.rules.note;
  }
}

TEST(MariaTargetTypes, TextKeyColumnsShareInnoDbsKeyLimit) {
  TableSchema t;
  t.engine = "postgresql";
  t.columns = {PgCol("a", pg::kInt4Oid, "integer"), PgCol("b", pg::kTextOid, "text"),
               PgCol("c", pg::kByteaOid, "bytea"),
               PgCol("d", pg::kVarcharOid, "character varying(10)")};
  t.key = {0, 1, 2, 3};
  std::vector<MariaTargetColumn> cols = PlanMariaTable(t);
  // (3072 - 8) bytes shared by three variable columns: 1021 each; VARCHAR(10) already fits.
  EXPECT_EQ(cols[1].ddl_type, "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin");
  EXPECT_EQ(cols[1].max_chars, 255u);
  EXPECT_EQ(cols[2].ddl_type, "VARBINARY(1021)");
  EXPECT_EQ(cols[2].max_bytes, 1021u);
  EXPECT_EQ(cols[3].ddl_type, "VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin");
  EXPECT_TRUE(cols[1].rules.Has(LossyRule::kL10BoundedKey));
  EXPECT_EQ(cols[1].rules.note,
            "text in a 4-column key -> VARCHAR(255) (InnoDB keys hold 3072 bytes): "
            "L10, longer values stop the task");
  t.key = {1};
  EXPECT_EQ(PlanMariaTable(t)[1].ddl_type,
            "VARCHAR(768) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin");
}

TEST(MariaTargetTypes, MariaDbSourceTypeIsRecreatedExactly) {
  Column c;
  c.name = "v";
  c.kind = ValueKind::kText;
  c.type_name = "varchar(40) CHARACTER SET latin1 COLLATE latin1_swedish_ci";
  EXPECT_EQ(PlanMariaColumn(c, "mariadb", false).ddl_type, c.type_name);
  c.kind = ValueKind::kUInt64;
  c.type_name = "bit(5)";
  MariaTargetColumn bit = PlanMariaColumn(c, "mariadb", false);
  EXPECT_TRUE(bit.is_bit);
  MariaText how;
  EXPECT_EQ(Enc(bit, Value::UInt64(5), &how), "5");
  EXPECT_EQ(how, MariaText::kBare);
}

TEST(MariaTargetTypes, ValuesEncodeOrStopWithTheColumnAndValue) {
  auto col = [](uint32_t oid, const std::string& tn, bool key = false) {
    return PlanMariaColumn(PgCol("c", oid, tn), "postgresql", key);
  };
  MariaTargetColumn num = col(pg::kNumericOid, "numeric");
  EXPECT_EQ(Enc(num, Value::String(ValueKind::kDecimal, "0.1234567890123456789012345678905")),
            "0.123456789012345678901234567891");
  EXPECT_EQ(Enc(num, Value::String(ValueKind::kDecimal, std::string(35, '9') + ".5")),
            std::string(35, '9') + ".5");
  EXPECT_EQ(Enc(num, Value::String(ValueKind::kDecimal, "1" + std::string(35, '0'))),
            "ERROR column c: value '1" + std::string(35, '0') +
                "' cannot be stored in DECIMAL(65,30): more than 35 integer digits");
  EXPECT_EQ(Enc(num, Value::String(ValueKind::kDecimal, "NaN")),
            "ERROR column c: value 'NaN' cannot be stored in DECIMAL(65,30): MariaDB DECIMAL has "
            "no NaN or Infinity");

  MariaTargetColumn f8 = col(pg::kFloat8Oid, "double precision");
  EXPECT_EQ(Enc(f8, Value::Float64(NAN)), "NULL");
  EXPECT_EQ(Enc(f8, Value::Float64(-INFINITY)), "NULL");
  EXPECT_EQ(Enc(f8, Value::Float64(1.7976931348623157e308)), "1.7976931348623157e+308");
  EXPECT_EQ(Enc(f8, Value::Float64(5e-324)), "5e-324");

  MariaTargetColumn f4 = col(pg::kFloat4Oid, "real");
  EXPECT_EQ(Enc(f4, Value::Float64(3.40282347e+38)), "3.4028234663852886e+38");  // FLT_MAX
  EXPECT_EQ(Enc(f4, Value::Float64(-0.0)), "-0");

  MariaTargetColumn d = col(pg::kDateOid, "date");
  EXPECT_EQ(Enc(d, Value::Date(0)), "1970-01-01");
  EXPECT_EQ(Enc(d, Value::Date(-719162)), "0001-01-01");
  EXPECT_EQ(Enc(d, Value::Date(Value::kInfinity)),
            "ERROR column c: value 'infinity' cannot be stored in DATE: dates must be in years "
            "1-9999");
  EXPECT_EQ(Enc(d, Value::Date(-719163)).substr(0, 33), "ERROR column c: value '0000-12-31");

  MariaTargetColumn ts = col(pg::kTimestampTzOid, "timestamp with time zone");
  EXPECT_EQ(Enc(ts, Value::TimestampTz(-1)), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(Enc(ts, Value::TimestampTz(946684800123456)), "2000-01-01 00:00:00.123456");
  MariaTargetColumn tm = col(pg::kTimeOid, "time without time zone");
  EXPECT_EQ(Enc(tm, Value::Time(86400000000)), "24:00:00");
  EXPECT_EQ(Enc(tm, Value::Time(500000)), "00:00:00.500000");
  EXPECT_EQ(Enc(tm, Value::Time(-3020399999999)), "-838:59:59.999999");

  MariaTargetColumn key = col(pg::kTextOid, "text", true);
  EXPECT_EQ(Enc(key, Value::String(ValueKind::kText, std::string(768, 'x'))),
            std::string(768, 'x'));
  std::string emoji;
  for (int i = 0; i < 768; ++i) emoji += "😀";
  EXPECT_EQ(Enc(key, Value::String(ValueKind::kText, emoji)), emoji);  // characters, not bytes
  EXPECT_NE(
      Enc(key, Value::String(ValueKind::kText, std::string(769, 'x'))).find("longer than 768"),
      std::string::npos);

  MariaTargetColumn b = col(pg::kBoolOid, "boolean");
  MariaText how;
  LossyRule rule;
  EXPECT_EQ(Enc(f8, Value::Float64(NAN), nullptr, &rule), "NULL");
  EXPECT_EQ(rule, LossyRule::kL2NonFiniteToNull);
  EXPECT_EQ(Enc(f8, Value::Float64(-0.0), nullptr, &rule), "-0");
  EXPECT_EQ(rule, LossyRule::kL4MinusZero);
  EXPECT_EQ(Enc(f8, Value::Float64(0.5), nullptr, &rule), "0.5");
  EXPECT_EQ(rule, LossyRule::kNone);
  Enc(num, Value::String(ValueKind::kDecimal, "0.1234567890123456789012345678905"), nullptr, &rule);
  EXPECT_EQ(rule, LossyRule::kL5Rounded30);
  Enc(num, Value::String(ValueKind::kDecimal, "0.1234567890123456789012345678900"), nullptr, &rule);
  EXPECT_EQ(rule, LossyRule::kNone);  // only zeros dropped: exact
  MariaTargetColumn ch = col(pg::kBpcharOid, "character(5)");
  EXPECT_EQ(Enc(ch, Value::String(ValueKind::kText, "ab   "), nullptr, &rule), "ab   ");
  EXPECT_EQ(rule, LossyRule::kL1CharTrailingSpaces);
  EXPECT_EQ(Enc(ch, Value::String(ValueKind::kText, "abcde"), nullptr, &rule), "abcde");
  EXPECT_EQ(rule, LossyRule::kNone);
  EXPECT_EQ(Enc(b, Value::Bool(true), &how), "1");
  EXPECT_EQ(how, MariaText::kBare);
  EXPECT_EQ(Enc(b, Value::Null()), "NULL");
}

// A DECIMAL(p,s) target column (SQLite NUMERIC(10,2) can hold any number) takes only values
// that fit exactly; MariaDB would round 1.089 to 1.09 with only a Note (R8).
TEST(MariaTargetTypes, FixedDecimalRefusesWhatItWouldRound) {
  Column c;
  c.name = "UnitPrice";
  c.kind = ValueKind::kDecimal;
  c.type_name = "NUMERIC(10,2)";
  c.type = sqlite::DescribeSqliteColumnType(c.type_name, c.kind);  // as the SQLite source does
  MariaTargetColumn tc = PlanMariaColumn(c, "sqlite", false);
  EXPECT_EQ(tc.ddl_type, "DECIMAL(10,2)");
  EXPECT_TRUE(tc.rules.rules.empty());
  EXPECT_EQ(tc.rules.note, "");
  auto dec = [](const char* s) { return Value::String(ValueKind::kDecimal, s); };
  EXPECT_EQ(Enc(tc, dec("0.99")), "0.99");
  EXPECT_EQ(Enc(tc, dec("1.0900")), "1.09");  // dropping zeros is exact
  EXPECT_EQ(Enc(tc, dec("12345678")), "12345678");
  EXPECT_EQ(Enc(tc, dec("1.089")),
            "ERROR column UnitPrice: value '1.089' cannot be stored in DECIMAL(10,2): more than 2 "
            "fraction digits (MariaDB would round it)");
  EXPECT_EQ(
      Enc(tc, dec("123456789")),
      "ERROR column UnitPrice: value '123456789' cannot be stored in DECIMAL(10,2): more than "
      "8 integer digits");
  c.type_name = "NUMERIC(10,0)";
  c.type = sqlite::DescribeSqliteColumnType(c.type_name, c.kind);
  EXPECT_EQ(Enc(PlanMariaColumn(c, "sqlite", false), dec("7.000")), "7");
  // R5: MariaDB ENUM's invalid index 0 ('') cannot be written into a strict target.
  Column e;
  e.name = "e";
  e.kind = ValueKind::kText;
  e.type_name = "enum('G','PG')";
  EXPECT_NE(Enc(PlanMariaColumn(e, "mariadb", false), Value::String(ValueKind::kText, ""))
                .find("invalid ENUM value"),
            std::string::npos);
  EXPECT_EQ(Enc(PlanMariaColumn(e, "mariadb", false), Value::String(ValueKind::kText, "PG")), "PG");
  e.type_name = "enum('','G')";
  EXPECT_EQ(Enc(PlanMariaColumn(e, "mariadb", false), Value::String(ValueKind::kText, "")), "");
  // A MariaDB source's DECIMAL is recreated, with the same check.
  c.type_name = "decimal(5,1)";
  EXPECT_NE(Enc(PlanMariaColumn(c, "mariadb", false), dec("1.25")).find("more than 1 fraction"),
            std::string::npos);
}

}  // namespace
}  // namespace cutover::mariadb
