// Binary COPY decoding for the validator (validator/pg_binary.h): the message parser (header,
// rows, NULLs, trailer, malformed input) and numeric_send digits turned into canonical numbers.
// That every type's binary field gives the text path's bytes is checked against a real server
// (tests/integration/validate_pg_test.cc, ValidatePgBinary).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/canonical.h"
#include "engine/pg/pg_binary.h"
#include "engine/pg/pg_types.h"

namespace cutover::validator {
namespace {

void PutBig(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string Header() {
  std::string h("PGCOPY\n\377\r\n\0", 11);
  PutBig(h, 0, 4);  // flags
  PutBig(h, 0, 4);  // header extension length
  return h;
}

std::string Row(const std::vector<std::optional<std::string>>& fields) {
  std::string r;
  PutBig(r, fields.size(), 2);
  for (const auto& f : fields) {
    if (!f) {
      PutBig(r, 0xffffffff, 4);
      continue;
    }
    PutBig(r, f->size(), 4);
    r += *f;
  }
  return r;
}

TEST(ValidatorPgBinaryTest, ParsesHeaderRowsNullsAndTrailer) {
  PgBinaryCopyParser p;
  std::vector<std::optional<std::string_view>> fields;
  bool is_row = true;
  // The server sends the header with the first row.
  std::string first = Header() + Row({std::string("ab"), std::nullopt, std::string()});
  ASSERT_TRUE(p.Next(first, fields, is_row).ok());
  ASSERT_TRUE(is_row);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0], "ab");
  EXPECT_FALSE(fields[1].has_value());  // NULL
  EXPECT_EQ(fields[2], "");             // empty, not NULL
  std::string second = Row({std::string("x")});
  ASSERT_TRUE(p.Next(second, fields, is_row).ok());
  ASSERT_TRUE(is_row);
  EXPECT_EQ(fields.size(), 1u);
  std::string trailer;
  PutBig(trailer, 0xffff, 2);
  ASSERT_TRUE(p.Next(trailer, fields, is_row).ok());
  EXPECT_FALSE(is_row);

  // An empty result: header and trailer only.
  PgBinaryCopyParser empty;
  ASSERT_TRUE(empty.Next(Header() + trailer, fields, is_row).ok());
  EXPECT_FALSE(is_row);
}

TEST(ValidatorPgBinaryTest, RejectsMalformedMessages) {
  std::vector<std::optional<std::string_view>> fields;
  bool is_row = false;
  EXPECT_FALSE(PgBinaryCopyParser().Next("not a copy", fields, is_row).ok());
  std::string row = Row({std::string("abcd")});
  EXPECT_FALSE(PgBinaryCopyParser()
                   .Next(Header() + row.substr(0, row.size() - 1), fields, is_row)
                   .ok());  // field shorter than its length
  EXPECT_FALSE(PgBinaryCopyParser().Next(Header() + row + "z", fields, is_row).ok());
}

std::string BinaryNumeric(int weight, uint16_t sign, std::vector<int> digits) {
  std::string f;
  PutBig(f, digits.size(), 2);
  PutBig(f, static_cast<uint16_t>(weight), 2);
  PutBig(f, sign, 2);
  PutBig(f, 0, 2);  // dscale: irrelevant to the value
  for (int d : digits) PutBig(f, static_cast<uint16_t>(d), 2);
  return f;
}

TEST(ValidatorPgBinaryTest, NumericDigitsBecomeCanonicalNumbers) {
  Column c;
  c.name = "n";
  c.kind = ValueKind::kDecimal;
  c.type_id = pg::kNumericOid;
  c.type_name = "numeric";
  auto enc = [&](const std::string& field, int round = -1) {
    CanonicalRule rule;
    rule.round_decimal_scale = round;
    PgBinaryScratch scratch;
    std::string out;
    EXPECT_TRUE(AppendPgBinaryCanonical(c, PgWire::kNumeric, rule, field, scratch, out).ok());
    return out;
  };
  auto text = [](const char* t, int round = -1) {
    std::string out;
    canonical::AppendNumberText(t, out, round);
    return out;
  };
  EXPECT_EQ(enc(BinaryNumeric(0, 0, {})), text("0"));
  EXPECT_EQ(enc(BinaryNumeric(1, 0, {1})), text("10000"));
  EXPECT_EQ(enc(BinaryNumeric(0, 0x4000, {12, 5000})), text("-12.5"));
  EXPECT_EQ(enc(BinaryNumeric(-1, 0, {5000})), text("0.5"));
  EXPECT_EQ(enc(BinaryNumeric(-8, 0, {100})), text("0.000000000000000000000000000001"));  // 1e-30
  EXPECT_EQ(enc(BinaryNumeric(2, 0, {12, 3456, 7890, 1200})), text("1234567890.12"));
  EXPECT_EQ(enc(BinaryNumeric(0, 0, {1, 50}), 2), text("1.005", 2));  // rounded by the rule
  EXPECT_EQ(enc(BinaryNumeric(0, 0xC000, {})), text("NaN"));
  EXPECT_EQ(enc(BinaryNumeric(0, 0xD000, {})), text("Infinity"));
  EXPECT_EQ(enc(BinaryNumeric(0, 0xF000, {})), text("-Infinity"));
  CanonicalRule none;
  PgBinaryScratch scratch;
  std::string out;
  EXPECT_FALSE(
      AppendPgBinaryCanonical(c, PgWire::kNumeric, none, BinaryNumeric(0, 0, {10000}), scratch, out)
          .ok());  // a base-10000 digit out of range
  EXPECT_FALSE(AppendPgBinaryCanonical(c, PgWire::kNumeric, none, "\x00\x01", scratch, out).ok());
}

}  // namespace
}  // namespace cutover::validator
