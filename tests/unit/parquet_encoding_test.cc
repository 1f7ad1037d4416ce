// The building blocks of cutover's Parquet files: the RLE / bit-packing hybrid and the Thrift
// compact protocol, checked against byte sequences worked out by hand from the format specs
// (so a symmetric bug in encoder and decoder cannot pass), plus round trips and corrupt input.
#include <gtest/gtest.h>

#include <random>

#include "engine/lakehouse/parquet/delta_encodings.h"
#include "engine/lakehouse/parquet/parquet_metadata.h"
#include "engine/lakehouse/parquet/rle_hybrid.h"
#include "engine/lakehouse/parquet/thrift_compact.h"

namespace cutover::parquet {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

TEST(ParquetRle, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
}

TEST(ParquetRle, LongRunIsOneRleRun) {
  RleEncoder enc(1);
  for (int i = 0; i < 100; ++i) enc.Put(1);
  // header 100 << 1 = 200 = varint c8 01, then the value in one byte.
  EXPECT_EQ(enc.Finish(), Bytes({0xc8, 0x01, 0x01}));
}

TEST(ParquetRle, MixedValuesAreBitPackedLsbFirst) {
  RleEncoder enc(3);
  for (uint32_t v : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u}) enc.Put(v);
  // One group: header (1 << 1) | 1 = 3; values 0..7 in 3 bits each, LSB first:
  // bits 000 100 010 110 001 101 011 111 -> 0x88 0xc6 0xfa (the spec's own example).
  EXPECT_EQ(enc.Finish(), Bytes({0x03, 0x88, 0xc6, 0xfa}));
}

TEST(ParquetRle, PartialGroupIsPaddedWithZeros) {
  RleEncoder enc(1);
  for (uint32_t v : {1u, 0u, 1u}) enc.Put(v);
  EXPECT_EQ(enc.Finish(), Bytes({0x03, 0x05}));
}

TEST(ParquetRle, RoundTripsRandomRunsAtEveryWidth) {
  std::mt19937 rng(7);
  for (int width : {1, 2, 5, 8, 13, 20, 32}) {
    std::vector<uint32_t> in;
    uint64_t max = width == 32 ? 0xffffffffull : (1ull << width) - 1;
    while (in.size() < 5000) {
      uint32_t v = static_cast<uint32_t>(rng() % (max + 1));
      size_t run = rng() % 3 == 0 ? rng() % 40 : 1;
      for (size_t k = 0; k <= run; ++k) in.push_back(v);
    }
    RleEncoder enc(width);
    for (uint32_t v : in) enc.Put(v);
    std::string bytes = enc.Finish();
    std::vector<uint32_t> out;
    ASSERT_TRUE(RleDecode(bytes, width, in.size(), out, "test").ok()) << width;
    EXPECT_EQ(out, in) << "width " << width;
  }
}

TEST(ParquetRle, TruncatedInputIsAnErrorNotAnOverread) {
  RleEncoder enc(4);
  for (int i = 0; i < 64; ++i) enc.Put(i % 16);
  std::string bytes = enc.Finish();
  std::vector<uint32_t> out;
  Status s = RleDecode(std::string_view(bytes).substr(0, 3), 4, 64, out, "page 7");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("page 7"), std::string::npos) << s.message();
  // A run value wider than the bit width is corrupt too.
  out.clear();
  EXPECT_FALSE(RleDecode(Bytes({0x10, 0x05}), 1, 8, out, "x").ok());
}

TEST(ParquetThrift, FieldHeadersUseDeltasAndLongFormWhenNeeded) {
  std::string out;
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, 3);         // delta 1, type i32 (5): 0x15, zigzag(3) = 6
  w.FieldI64(2, -1);        // delta 1, type i64 (6): 0x16, zigzag(-1) = 1
  w.FieldBool(3, true);     // delta 1, bool true (1): 0x11
  w.FieldBinary(20, "ab");  // delta 17 > 15: long form 0x08, zigzag(20) = 40, len 2
  w.FieldI32(4, 300);       // backwards: long form 0x05, zigzag(4) = 8, zigzag(300) = 600
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x15, 0x06, 0x16, 0x01, 0x11, 0x08, 0x28, 0x02, 'a', 'b', 0x05, 0x08, 0xd8,
                        0x04, 0x00}));
}

TEST(ParquetThrift, ListsShortAndLongHeaders) {
  std::string out;
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldListBegin(1, ThriftType::kI32, 2);  // 0x19, then 0x25 (size 2, i32)
  w.ElementI32(1);
  w.ElementI32(-2);
  w.FieldListBegin(2, ThriftType::kBinary, 20);  // 0x19, 0xf8, varint 20
  for (int i = 0; i < 20; ++i) w.ElementBinary("");
  w.EndStruct();
  std::string expect = Bytes({0x19, 0x25, 0x02, 0x03, 0x19, 0xf8, 0x14});
  expect += std::string(20, '\0');
  expect.push_back(0);
  EXPECT_EQ(out, expect);
}

TEST(ParquetThrift, ReaderSkipsUnknownFieldsOfEveryType) {
  std::string out;
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldI64(1, 1234567890123);
  w.FieldStructBegin(2);  // nested struct with a list and a bool, all unknown to the reader
  w.FieldListBegin(1, ThriftType::kBinary, 2);
  w.ElementBinary("x");
  w.ElementBinary("yz");
  w.FieldBool(2, false);
  w.EndStruct();
  w.FieldByte(3, -5);
  w.FieldI32(9, -77);
  w.EndStruct();
  CompactReader r(out, "test");
  r.BeginStruct();
  auto f = r.NextField();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->id, 1);
  EXPECT_EQ(r.ReadI64().value(), 1234567890123);
  f = r.NextField();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->type, ThriftType::kStruct);
  ASSERT_TRUE(r.Skip(f->type).ok());
  f = r.NextField();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->id, 3);
  EXPECT_EQ(r.ReadByte().value(), -5);
  f = r.NextField();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->id, 9);
  EXPECT_EQ(r.ReadI32().value(), -77);
  f = r.NextField();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->type, ThriftType::kStop);
  EXPECT_EQ(r.position(), out.size());
}

TEST(ParquetThrift, TruncatedOrHostileInputIsAnError) {
  std::string out;
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldBinary(1, "hello");
  w.EndStruct();
  for (size_t cut = 0; cut < out.size(); ++cut) {
    CompactReader r(std::string_view(out).substr(0, cut), "footer");
    Status s = r.Skip(ThriftType::kStruct);
    EXPECT_FALSE(s.ok()) << cut;
  }
  // A list claiming 2^31 elements in a 3-byte buffer.
  std::string hostile = Bytes({0xf5, 0xff, 0xff, 0xff, 0xff, 0x07});
  CompactReader r(hostile, "footer");
  EXPECT_FALSE(r.Skip(ThriftType::kList).ok());
}

TEST(ParquetThrift, PageHeaderRoundTrip) {
  PageHeader h;
  h.type = static_cast<int32_t>(PageType::kDataV2);
  h.uncompressed_page_size = 1000;
  h.compressed_page_size = 400;
  h.num_values = 100;
  h.num_nulls = 3;
  h.num_rows = 100;
  h.encoding = 8;
  h.definition_levels_byte_length = 12;
  h.is_compressed = false;
  std::string bytes;
  WritePageHeader(h, bytes);
  bytes += "trailing page data";
  size_t consumed = 0;
  auto r = ReadPageHeader(bytes, "p", &consumed);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(consumed, bytes.size() - 18);
  EXPECT_EQ(r->type, h.type);
  EXPECT_EQ(r->uncompressed_page_size, 1000);
  EXPECT_EQ(r->compressed_page_size, 400);
  EXPECT_EQ(r->num_nulls, 3);
  EXPECT_EQ(r->encoding, 8);
  EXPECT_EQ(r->definition_levels_byte_length, 12);
  EXPECT_FALSE(r->is_compressed);
}

std::string LE32s(std::initializer_list<int32_t> v) {
  std::string s;
  for (int32_t x : v) s.append(reinterpret_cast<const char*>(&x), 4);
  return s;
}

// The two examples of Encodings.md's DELTA_BINARY_PACKED section, bytes worked out by hand.
TEST(ParquetDelta, BinaryPackedSpecExamples) {
  std::string plain;
  // 1 2 3 4 5: block 128, 4 miniblocks, 5 values, first 1; min delta 1, all widths 0.
  ASSERT_TRUE(DecodeToPlain(Encoding::kDeltaBinaryPacked, PhysicalType::kInt32, 0,
                            Bytes({0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0}), 5, plain, "p")
                  .ok());
  EXPECT_EQ(plain, LE32s({1, 2, 3, 4, 5}));
  // 7 5 3 1 2 3 4 5: min delta -2, relative 0 0 0 3 3 3 3 in 2 bits, one miniblock of 8 bytes.
  plain.clear();
  Status s = DecodeToPlain(
      Encoding::kDeltaBinaryPacked, PhysicalType::kInt32, 0,
      Bytes({0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 0x02, 0, 0, 0, 0xc0, 0x3f, 0, 0, 0, 0, 0, 0}), 8,
      plain, "p");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(plain, LE32s({7, 5, 3, 1, 2, 3, 4, 5}));
  // A count that disagrees with the page, and a truncated miniblock, are errors.
  plain.clear();
  EXPECT_FALSE(DecodeToPlain(Encoding::kDeltaBinaryPacked, PhysicalType::kInt32, 0,
                             Bytes({0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0}), 6, plain, "p")
                   .ok());
  EXPECT_FALSE(DecodeToPlain(Encoding::kDeltaBinaryPacked, PhysicalType::kInt32, 0,
                             Bytes({0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 0x02, 0, 0, 0, 0xc0}), 8,
                             plain, "p")
                   .ok());
}

TEST(ParquetDelta, LengthAndIncrementalByteArrays) {
  std::string plain;
  // Lengths 5 5 6 6: first 5, deltas 0 1 0 (min 0, width 1: bits 0,1,0).
  std::string dlba = Bytes({0x80, 0x01, 0x04, 0x04, 0x0a, 0x00, 0x01, 0, 0, 0, 0x02, 0, 0, 0});
  dlba += "HelloWorldFoobarABCDEF";
  ASSERT_TRUE(DecodeToPlain(Encoding::kDeltaLengthByteArray, PhysicalType::kByteArray, 0, dlba, 4,
                            plain, "p")
                  .ok());
  EXPECT_EQ(plain, std::string("\5\0\0\0Hello\5\0\0\0World\6\0\0\0Foobar\6\0\0\0ABCDEF", 38));
  // axis axle babble babyhood: prefixes 0 2 0 3 (min delta -2, relative 4 0 5 in 3 bits),
  // suffix lengths 4 2 6 5 (first 4, min delta -2, relative 0 6 1 in 3 bits).
  std::string dba = Bytes({0x80, 0x01, 0x04, 0x04, 0x00, 0x03, 0x03, 0, 0, 0, 0x44, 0x01});
  dba += std::string(10, '\0');
  dba += Bytes({0x80, 0x01, 0x04, 0x04, 0x08, 0x03, 0x03, 0, 0, 0, 0x70, 0x00});
  dba += std::string(10, '\0');
  dba += "axislebabbleyhood";
  plain.clear();
  Status s =
      DecodeToPlain(Encoding::kDeltaByteArray, PhysicalType::kByteArray, 0, dba, 4, plain, "p");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(plain, std::string("\4\0\0\0axis\4\0\0\0axle\6\0\0\0babble\10\0\0\0babyhood", 38));
}

TEST(ParquetDelta, ByteStreamSplit) {
  std::string plain;
  // 1.0f = 00 00 80 3f, 2.0f = 00 00 00 40: stream k holds byte k of each value.
  ASSERT_TRUE(DecodeToPlain(Encoding::kByteStreamSplit, PhysicalType::kFloat, 0,
                            Bytes({0, 0, 0, 0, 0x80, 0, 0x3f, 0x40}), 2, plain, "p")
                  .ok());
  EXPECT_EQ(plain, Bytes({0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}));
  EXPECT_FALSE(DecodeToPlain(Encoding::kByteStreamSplit, PhysicalType::kFloat, 0,
                             Bytes({0, 0, 0, 0, 0x80, 0, 0x3f}), 2, plain, "p")
                   .ok());
}

}  // namespace
}  // namespace cutover::parquet
