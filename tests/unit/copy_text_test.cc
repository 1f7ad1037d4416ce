// Tests for engine/pg/copy_text: every escape PostgreSQL's COPY FROM understands, NULL versus
// empty versus literal "\N", zero-copy views, buffer reuse, large fields and a randomized
// encode/decode round trip over arbitrary bytes.
#include "engine/pg/copy_text.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cutover::pg {
namespace {

using Fields = std::vector<CopyField>;

// Decoded fields as owned strings, NULL as nullopt, for easy comparison.
std::vector<std::optional<std::string>> Own(const Fields& f) {
  std::vector<std::optional<std::string>> out;
  for (const auto& x : f) {
    out.push_back(x ? std::optional<std::string>(std::string(*x)) : std::nullopt);
  }
  return out;
}

std::vector<std::optional<std::string>> MustDecode(std::string_view line) {
  CopyLineDecoder d;
  Fields f;
  Status st = d.Decode(line, f);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return Own(f);
}

std::string One(std::string_view line) {
  auto f = MustDecode(line);
  EXPECT_EQ(f.size(), 1u) << line;
  if (f.size() != 1 || !f[0]) return "<bad>";
  return *f[0];
}

using V = std::vector<std::optional<std::string>>;

TEST(CopyTextTest, SplitsOnTabs) {
  EXPECT_EQ(MustDecode("a\tbc\td"), (V{"a", "bc", "d"}));
  EXPECT_EQ(MustDecode(""), (V{""}));
  EXPECT_EQ(MustDecode("\t"), (V{"", ""}));
  EXPECT_EQ(MustDecode("\t\t"), (V{"", "", ""}));
  EXPECT_EQ(MustDecode("a\t"), (V{"a", ""}));
  EXPECT_EQ(MustDecode("\ta"), (V{"", "a"}));
}

TEST(CopyTextTest, SimpleEscapes) {
  EXPECT_EQ(One("\\b"), "\b");
  EXPECT_EQ(One("\\f"), "\f");
  EXPECT_EQ(One("\\n"), "\n");
  EXPECT_EQ(One("\\r"), "\r");
  EXPECT_EQ(One("\\t"), "\t");
  EXPECT_EQ(One("\\v"), "\v");
  EXPECT_EQ(One("\\\\"), "\\");
  EXPECT_EQ(One("a\\nb\\tc\\\\d"), "a\nb\tc\\d");
}

TEST(CopyTextTest, OtherEscapedCharsAreThemselves) {
  EXPECT_EQ(One("\\q"), "q");
  EXPECT_EQ(One("\\."), ".");
  EXPECT_EQ(One("\\a"), "a");  // not C's bell: PostgreSQL has no \a
  EXPECT_EQ(One("\\8\\9"), "89");
  EXPECT_EQ(One("\\\""), "\"");
  EXPECT_EQ(One("\\\xC3\xA9"), "\xC3\xA9");  // escaped first byte of a UTF-8 sequence
  // An escaped tab is data, not a separator.
  EXPECT_EQ(MustDecode("a\\\tb\tc"), (V{"a\tb", "c"}));
  // An escaped raw newline/CR is data too (PostgreSQL never writes them, but reads them).
  EXPECT_EQ(One("x\\\ry"), "x\ry");
}

TEST(CopyTextTest, OctalEscapes) {
  EXPECT_EQ(One("\\0"), std::string(1, '\0'));
  EXPECT_EQ(One("\\7"), "\x07");
  EXPECT_EQ(One("\\12"), "\n");
  EXPECT_EQ(One("\\101"), "A");
  EXPECT_EQ(One("\\1012"), "A2");  // at most three digits
  EXPECT_EQ(One("\\18"),
            "\x01"
            "8");
  EXPECT_EQ(One("\\377"), "\xFF");
  EXPECT_EQ(One("\\777"), "\xFF");  // 0777 mod 256, as PostgreSQL does
  EXPECT_EQ(One("\\400"), std::string(1, '\0'));
  EXPECT_EQ(One("a\\0b"), std::string("a\0b", 3));
  EXPECT_EQ(MustDecode("\\1\t\\22\t\\033"), (V{"\x01", "\x12", "\x1B"}));
}

TEST(CopyTextTest, HexEscapes) {
  EXPECT_EQ(One("\\x41"), "A");
  EXPECT_EQ(One("\\x4"), "\x04");
  EXPECT_EQ(One("\\x414"), "A4");  // at most two digits
  EXPECT_EQ(One("\\xfF"), "\xFF");
  EXPECT_EQ(One("\\x0"), std::string(1, '\0'));
  EXPECT_EQ(One("\\xg"), "xg");  // no hex digit: just 'x'
  EXPECT_EQ(One("\\x"), "x");
  EXPECT_EQ(MustDecode("\\x\t\\x4\t"), (V{"x", "\x04", ""}));
  EXPECT_EQ(One("\\X41"), "X41");  // upper-case X is not an escape
}

TEST(CopyTextTest, NullVersusEmptyVersusLiteral) {
  EXPECT_EQ(MustDecode("\\N"), (V{std::nullopt}));
  EXPECT_EQ(MustDecode("\\N\t\\N"), (V{std::nullopt, std::nullopt}));
  EXPECT_EQ(MustDecode("\t\\N\t"), (V{"", std::nullopt, ""}));
  // \N only means NULL as the whole raw field.
  EXPECT_EQ(One("\\\\N"), "\\N");  // literal text "\N"
  EXPECT_EQ(One("\\Nx"), "Nx");
  EXPECT_EQ(One("x\\N"), "xN");
  EXPECT_EQ(One("N"), "N");
  EXPECT_EQ(One("\\n"), "\n");  // lower case is a newline

  std::string out;
  AppendCopyNull(out);
  EXPECT_EQ(out, "\\N");
  out.clear();
  AppendCopyField(out, "");
  EXPECT_EQ(out, "");
  out.clear();
  AppendCopyField(out, "\\N");
  EXPECT_EQ(out, "\\\\N");
  out.clear();
  std::vector<CopyField> row = {std::nullopt, std::string_view(""), std::string_view("\\N")};
  AppendCopyRow(out, row);
  EXPECT_EQ(out, "\\N\t\t\\\\N\n");
  ASSERT_EQ(out.back(), '\n');
  EXPECT_EQ(MustDecode(std::string_view(out).substr(0, out.size() - 1)),
            (V{std::nullopt, "", "\\N"}));
}

TEST(CopyTextTest, LoneTrailingBackslashIsAnError) {
  CopyLineDecoder d;
  Fields f;
  Status st = d.Decode("ab\tc\\", f);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("lone backslash at byte 4"), std::string::npos) << st.ToString();
  EXPECT_FALSE(d.Decode("\\", f).ok());
  EXPECT_FALSE(d.Decode("\\\\\\", f).ok());
  // The decoder is still usable afterwards.
  ASSERT_TRUE(d.Decode("\\\\", f).ok());
  EXPECT_EQ(Own(f), (V{"\\"}));
}

TEST(CopyTextTest, EncodesOnlyWhatMustBeEscaped) {
  std::string out;
  AppendCopyField(out, "a\\b\nc\rd\te");
  EXPECT_EQ(out, "a\\\\b\\nc\\rd\\te");
  out.clear();
  // Other control bytes, NUL and high bytes pass through.
  std::string raw("\b\f\v\x01\0\x7F\xFF", 7);
  AppendCopyField(out, raw);
  EXPECT_EQ(out, raw);
  out.clear();
  std::vector<CopyField> none;
  AppendCopyRow(out, none);
  EXPECT_EQ(out, "\n");
  out = "prefix|";
  AppendCopyField(out, "x\ty");
  EXPECT_EQ(out, "prefix|x\\ty");  // appends, never clears
}

TEST(CopyTextTest, TabsAndNewlinesInsideValuesRoundTrip) {
  std::vector<std::string> values = {"line1\nline2", "\ttab first", "tab last\t", "cr\r\nlf", "\\",
                                     "\\\\",         "\\N",         "end\\",      "\n\n\n",   "\t"};
  std::string out;
  std::vector<CopyField> row;
  for (const auto& v : values) row.emplace_back(v);
  AppendCopyRow(out, row);
  // Exactly one raw newline (the row end) and len(values)-1 raw tabs.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\t'), static_cast<long>(values.size() - 1));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 0);
  auto decoded = MustDecode(std::string_view(out).substr(0, out.size() - 1));
  ASSERT_EQ(decoded.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(decoded[i], values[i]) << i;
}

TEST(CopyTextTest, FourByteUtf8) {
  const std::string emoji = "\xF0\x9F\x98\x80";   // U+1F600
  const std::string gothic = "\xF0\x90\x8D\x88";  // U+10348
  std::string value = "a" + emoji + "\t" + gothic + "\n";
  std::string out;
  AppendCopyField(out, value);
  EXPECT_EQ(out, "a" + emoji + "\\t" + gothic + "\\n");
  EXPECT_EQ(One(out), value);
  EXPECT_EQ(MustDecode(emoji + "\t" + gothic), (V{emoji, gothic}));
}

TEST(CopyTextTest, FieldsWithoutEscapesAreViewsIntoTheLine) {
  std::string line = "plain\t\\n\tother";
  CopyLineDecoder d;
  Fields f;
  ASSERT_TRUE(d.Decode(line, f).ok());
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0]->data(), line.data());
  EXPECT_EQ(f[2]->data(), line.data() + 9);
  // The escaped one is not.
  EXPECT_TRUE(f[1]->data() < line.data() || f[1]->data() >= line.data() + line.size());
  EXPECT_EQ(*f[1], "\n");
}

TEST(CopyTextTest, ManyEscapedFieldsKeepEarlierViewsValid) {
  // Each escaped field is written after the previous one in the decoder's buffer; all views
  // must stay valid to the end of the line, also when the buffer grows between lines.
  CopyLineDecoder d;
  Fields f;
  for (int width : {1, 10, 1000, 5, 100000}) {
    std::string line;
    V expect;
    for (int i = 0; i < 50; ++i) {
      if (i) line += '\t';
      std::string v(static_cast<size_t>(width), static_cast<char>('a' + i % 26));
      v += '\n';
      AppendCopyField(line, v);
      expect.push_back(v);
    }
    ASSERT_TRUE(d.Decode(line, f).ok());
    EXPECT_EQ(Own(f), expect) << width;
  }
}

TEST(CopyTextTest, OneMegabyteField) {
  std::string value;
  value.reserve(1 << 20);
  for (size_t i = 0; i < (1u << 20); ++i) value.push_back(static_cast<char>((i * 131) % 256));
  std::string line = "before\t";
  AppendCopyField(line, value);
  line += "\tafter";
  CopyLineDecoder d;
  Fields f;
  ASSERT_TRUE(d.Decode(line, f).ok());
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(*f[0], "before");
  ASSERT_TRUE(f[1].has_value());
  EXPECT_EQ(f[1]->size(), value.size());
  EXPECT_TRUE(*f[1] == value);
  EXPECT_EQ(*f[2], "after");

  // A 1 MB field without escapes comes back as a view.
  std::string plain(1 << 20, 'z');
  ASSERT_TRUE(d.Decode(plain, f).ok());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->data(), plain.data());
  EXPECT_EQ(f[0]->size(), plain.size());
}

TEST(CopyTextTest, RandomizedRoundTripOverArbitraryBytes) {
  std::mt19937_64 rng(20240611);
  // Bias towards the bytes that matter to the format, but draw from all 256.
  const std::string special = std::string("\\\t\n\rN0x7.", 9) + std::string(1, '\0');
  auto byte = [&]() -> char {
    uint64_t r = rng();
    if (r % 3 == 0) return special[(r >> 8) % special.size()];
    return static_cast<char>((r >> 8) & 0xff);
  };
  CopyLineDecoder d;
  Fields f;
  std::string stream;
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (int row = 0; row < 3000; ++row) {
    size_t ncols = rng() % 8;
    std::vector<std::optional<std::string>> values;
    std::vector<CopyField> fields;
    for (size_t c = 0; c < ncols; ++c) {
      if (rng() % 7 == 0) {
        values.emplace_back(std::nullopt);
      } else {
        size_t len = rng() % 4 == 0 ? rng() % 300 : rng() % 6;
        std::string v;
        for (size_t i = 0; i < len; ++i) v.push_back(byte());
        values.emplace_back(std::move(v));
      }
    }
    for (const auto& v : values) {
      fields.push_back(v ? CopyField(*v) : std::nullopt);
    }
    AppendCopyRow(stream, fields);
    rows.push_back(std::move(values));
  }
  // Split the stream on raw newlines: encoding guarantees there are no others.
  size_t pos = 0;
  for (size_t row = 0; row < rows.size(); ++row) {
    size_t nl = stream.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    std::string_view line(stream.data() + pos, nl - pos);
    EXPECT_EQ(line.find('\r'), std::string_view::npos);
    ASSERT_TRUE(d.Decode(line, f).ok()) << "row " << row;
    auto got = Own(f);
    const auto& want = rows[row];
    if (want.empty()) {
      // A zero-column row is an empty line, which reads back as one empty field.
      EXPECT_EQ(got, (V{""})) << "row " << row;
    } else {
      EXPECT_EQ(got, want) << "row " << row;
    }
    pos = nl + 1;
  }
  EXPECT_EQ(pos, stream.size());
}

TEST(CopyTextTest, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(7);
  const std::string alphabet = std::string("\\\tNx0719afAFn", 13);
  CopyLineDecoder d;
  Fields f;
  for (int i = 0; i < 20000; ++i) {
    std::string line;
    size_t len = rng() % 24;
    for (size_t j = 0; j < len; ++j) {
      uint64_t r = rng();
      line.push_back(r % 2 ? alphabet[(r >> 8) % alphabet.size()] : static_cast<char>(r >> 8));
    }
    Status st = d.Decode(line, f);
    if (!st.ok()) continue;
    size_t total = 0;
    for (const auto& x : f) total += x ? x->size() : 0;
    EXPECT_LE(total, line.size());  // unescaping never lengthens
  }
}

}  // namespace
}  // namespace cutover::pg
