// Tests for engine/pg/copy_binary: row counts of binary COPY messages as the server frames them
// (header with the first row, a row per message, the trailer alone), NULLs, empty tables, and
// refusals of anything that is not whole rows.
#include "engine/pg/copy_binary.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cutover::pg {
namespace {

void Put16(std::string& s, int16_t v) {
  s.push_back(static_cast<char>((static_cast<uint16_t>(v) >> 8) & 0xff));
  s.push_back(static_cast<char>(static_cast<uint16_t>(v) & 0xff));
}
void Put32(std::string& s, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((u >> shift) & 0xff));
}
std::string Header(int32_t extension = 0) {
  std::string s("PGCOPY\n\377\r\n\0", 11);
  Put32(s, 0);
  Put32(s, extension);
  s.append(static_cast<size_t>(extension), 'x');
  return s;
}
// A row: each field's bytes, or nullptr for NULL.
std::string Row(const std::vector<const char*>& fields) {
  std::string s;
  Put16(s, static_cast<int16_t>(fields.size()));
  for (const char* f : fields) {
    if (!f) {
      Put32(s, -1);
      continue;
    }
    std::string v(f);
    Put32(s, static_cast<int32_t>(v.size()));
    s += v;
  }
  return s;
}
std::string Trailer() {
  std::string s;
  Put16(s, -1);
  return s;
}

TEST(CopyBinaryCounter, CountsRowsAsTheServerFramesThem) {
  CopyBinaryCounter c(2);
  auto first = c.Count(Header() + Row({"1", "ab"}));
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, 1);
  auto second = c.Count(Row({"2", nullptr}));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 1);
  auto empty_field = c.Count(Row({"", ""}));
  ASSERT_TRUE(empty_field.ok());
  EXPECT_EQ(*empty_field, 1);
  EXPECT_FALSE(c.ended());
  auto end = c.Count(Trailer());
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 0);
  EXPECT_TRUE(c.ended());
}

TEST(CopyBinaryCounter, SeveralRowsInOneMessageAndAHeaderExtension) {
  CopyBinaryCounter c(1);
  auto n = c.Count(Header(5) + Row({"a"}) + Row({nullptr}) + Row({"ccc"}) + Trailer());
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 3);
  EXPECT_TRUE(c.ended());
}

TEST(CopyBinaryCounter, EmptyTableIsHeaderAndTrailer) {
  CopyBinaryCounter c(3);
  auto n = c.Count(Header() + Trailer());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_TRUE(c.ended());
}

TEST(CopyBinaryCounter, RefusesWhatIsNotWholeRows) {
  {
    CopyBinaryCounter c(1);
    EXPECT_FALSE(c.Count(Row({"1"})).ok());  // no signature
  }
  {
    CopyBinaryCounter c(2);
    EXPECT_FALSE(c.Count(Header() + Row({"1"})).ok());  // one field, two columns
  }
  {
    CopyBinaryCounter c(1);
    std::string cut = Header() + Row({"abcdef"});
    cut.resize(cut.size() - 2);
    auto n = c.Count(cut);  // a field longer than the message
    ASSERT_FALSE(n.ok());
    EXPECT_NE(n.status().message().find("field longer than the message"), std::string::npos);
  }
  {
    CopyBinaryCounter c(1);
    ASSERT_TRUE(c.Count(Header() + Trailer()).ok());
    EXPECT_FALSE(c.Count(Row({"1"})).ok());  // data after the trailer
  }
  {
    CopyBinaryCounter c(1);
    std::string s = Header();
    s.push_back('\0');  // half a field count
    EXPECT_FALSE(c.Count(s).ok());
  }
}

}  // namespace
}  // namespace cutover::pg
