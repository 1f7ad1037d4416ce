// Tests for engine/pg/pgoutput: every pgoutput message type built byte by byte (outside and
// inside stream blocks), truncation at every offset, malformed input, the replication CopyData
// framing, standby status encoding, LSN text and epoch conversion.
#include "engine/pg/pgoutput.h"

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cutover::pg {
namespace {

// Builds wire messages: big-endian integers, NUL-terminated strings.
class Bytes {
 public:
  explicit Bytes(char type = 0) {
    if (type) s_.push_back(type);
  }
  Bytes& U8(uint8_t v) {
    s_.push_back(static_cast<char>(v));
    return *this;
  }
  Bytes& Ch(char c) {
    s_.push_back(c);
    return *this;
  }
  Bytes& U16(uint16_t v) { return Int(v, 2); }
  Bytes& U32(uint32_t v) { return Int(v, 4); }
  Bytes& U64(uint64_t v) { return Int(v, 8); }
  Bytes& Str(std::string_view v) {
    s_.append(v);
    s_.push_back('\0');
    return *this;
  }
  Bytes& Raw(std::string_view v) {
    s_.append(v);
    return *this;
  }
  // TupleData column helpers.
  Bytes& Text(std::string_view v) { return Ch('t').U32(static_cast<uint32_t>(v.size())).Raw(v); }
  Bytes& Binary(std::string_view v) { return Ch('b').U32(static_cast<uint32_t>(v.size())).Raw(v); }
  const std::string& str() const { return s_; }
  operator std::string_view() const { return s_; }

 private:
  Bytes& Int(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  std::string s_;
};

Message MustParse(std::string_view buf, bool in_stream) {
  auto r = ParseMessage(buf, in_stream);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return Message{};
  return std::move(r).value();
}

template <typename T>
const T& Body(const Message& m) {
  const T* p = std::get_if<T>(&m.body);
  EXPECT_NE(p, nullptr) << "message type " << m.type;
  static const T kEmpty{};
  return p ? *p : kEmpty;
}

// Every strict prefix of a valid message must fail cleanly, naming the type and an offset.
void ExpectEveryPrefixFails(const std::string& full, bool in_stream) {
  ASSERT_TRUE(ParseMessage(full, in_stream).ok())
      << ParseMessage(full, in_stream).status().ToString();
  for (size_t n = 0; n < full.size(); ++n) {
    std::string prefix = full.substr(0, n);
    auto r = ParseMessage(prefix, in_stream);
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes of '" << full[0] << "' parsed";
    EXPECT_EQ(r.status().code(), StatusCode::kInternal);
    EXPECT_NE(r.status().message().find("at byte"), std::string::npos) << r.status().ToString();
    if (n > 0) {
      EXPECT_NE(r.status().message().find(MessageTypeName(full[0])), std::string::npos)
          << r.status().ToString();
    }
  }
  // One extra byte is trailing garbage.
  auto r = ParseMessage(full + "x", in_stream);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("trailing"), std::string::npos) << r.status().ToString();
}

// A tuple of four columns: text "42", NULL, unchanged TOAST, binary "\x00\x01".
Bytes& MixedTuple(Bytes& b) {
  return b.U16(4).Text("42").Ch('n').Ch('u').Binary(std::string("\x00\x01", 2));
}

void ExpectMixedTuple(const Tuple& t) {
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[0].kind, TupleColumn::kText);
  EXPECT_EQ(t.columns[0].data, "42");
  EXPECT_EQ(t.columns[1].kind, TupleColumn::kNull);
  EXPECT_TRUE(t.columns[1].data.empty());
  EXPECT_EQ(t.columns[2].kind, TupleColumn::kUnchanged);
  EXPECT_TRUE(t.columns[2].data.empty());
  EXPECT_EQ(t.columns[3].kind, TupleColumn::kBinary);
  EXPECT_EQ(t.columns[3].data, std::string_view("\x00\x01", 2));
}

// Prepends the stream xid after the type byte when in_stream.
Bytes Msg(char type, bool in_stream, uint32_t xid = 777) {
  Bytes b(type);
  if (in_stream) b.U32(xid);
  return b;
}

TEST(PgoutputTest, Begin) {
  Bytes b('B');
  b.U64(0x16B374D848ull).U64(700000000000ull).U32(1234);
  Message m = MustParse(b, false);
  EXPECT_EQ(m.type, 'B');
  EXPECT_EQ(m.xid, 0u);
  const auto& v = Body<BeginMsg>(m);
  EXPECT_EQ(v.final_lsn, 0x16B374D848ull);
  EXPECT_EQ(v.commit_time_pg_us, 700000000000);
  EXPECT_EQ(v.xid, 1234u);
  ExpectEveryPrefixFails(b.str(), false);
}

TEST(PgoutputTest, Commit) {
  Bytes b('C');
  b.U8(0).U64(100).U64(200).U64(static_cast<uint64_t>(-5));
  Message m = MustParse(b, false);
  const auto& v = Body<CommitMsg>(m);
  EXPECT_EQ(v.flags, 0);
  EXPECT_EQ(v.commit_lsn, 100u);
  EXPECT_EQ(v.end_lsn, 200u);
  EXPECT_EQ(v.commit_time_pg_us, -5);  // before 2000-01-01: signed
  ExpectEveryPrefixFails(b.str(), false);
}

TEST(PgoutputTest, Origin) {
  Bytes b('O');
  b.U64(0xABCDEF).Str("node_a");
  Message m = MustParse(b, false);
  const auto& v = Body<OriginMsg>(m);
  EXPECT_EQ(v.commit_lsn, 0xABCDEFu);
  EXPECT_EQ(v.name, "node_a");
  ExpectEveryPrefixFails(b.str(), false);
}

Bytes RelationBytes(bool in_stream) {
  Bytes b = Msg('R', in_stream);
  b.U32(16384).Str("public").Str("accounts").Ch('d').U16(3);
  b.U8(1).Str("id").U32(20).U32(0xFFFFFFFF);  // bigint key, typmod -1
  b.U8(0).Str("name").U32(1043).U32(44);      // varchar(40): typmod 44
  b.U8(0).Str("").U32(25).U32(0xFFFFFFFF);    // an empty name is still a string
  return b;
}

void ExpectRelation(const Message& m) {
  const auto& v = Body<RelationMsg>(m);
  EXPECT_EQ(v.oid, 16384u);
  EXPECT_EQ(v.nspname, "public");
  EXPECT_EQ(v.relname, "accounts");
  EXPECT_EQ(v.replica_identity, 'd');
  ASSERT_EQ(v.columns.size(), 3u);
  EXPECT_TRUE(v.columns[0].key);
  EXPECT_EQ(v.columns[0].name, "id");
  EXPECT_EQ(v.columns[0].type_oid, 20u);
  EXPECT_EQ(v.columns[0].typmod, -1);
  EXPECT_FALSE(v.columns[1].key);
  EXPECT_EQ(v.columns[1].name, "name");
  EXPECT_EQ(v.columns[1].type_oid, 1043u);
  EXPECT_EQ(v.columns[1].typmod, 44);
  EXPECT_EQ(v.columns[2].name, "");
  EXPECT_EQ(v.columns[2].type_oid, 25u);
}

TEST(PgoutputTest, Relation) {
  Bytes b = RelationBytes(false);
  Message m = MustParse(b, false);
  EXPECT_EQ(m.type, 'R');
  EXPECT_EQ(m.xid, 0u);
  ExpectRelation(m);
  ExpectEveryPrefixFails(b.str(), false);
}

TEST(PgoutputTest, RelationInStream) {
  Bytes b = RelationBytes(true);
  Message m = MustParse(b, true);
  EXPECT_EQ(m.xid, 777u);
  ExpectRelation(m);
  ExpectEveryPrefixFails(b.str(), true);
  // The same bytes read as outside a stream misalign and must not parse.
  EXPECT_FALSE(ParseMessage(b, false).ok());
}

TEST(PgoutputTest, RelationReplicaIdentities) {
  for (char ident : {'d', 'n', 'f', 'i'}) {
    Bytes b('R');
    b.U32(1).Str("").Str("t").Ch(ident).U16(0);
    Message m = MustParse(b, false);
    EXPECT_EQ(Body<RelationMsg>(m).replica_identity, ident);
    EXPECT_TRUE(Body<RelationMsg>(m).columns.empty());
  }
  Bytes bad('R');
  bad.U32(1).Str("s").Str("t").Ch('z').U16(0);
  auto r = ParseMessage(bad, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("replica identity 'z' at byte 9"), std::string::npos)
      << r.status().ToString();
}

TEST(PgoutputTest, Type) {
  for (bool in_stream : {false, true}) {
    Bytes b = Msg('Y', in_stream, 42);
    b.U32(90000).Str("public").Str("mood");
    Message m = MustParse(b, in_stream);
    EXPECT_EQ(m.xid, in_stream ? 42u : 0u);
    const auto& v = Body<TypeMsg>(m);
    EXPECT_EQ(v.oid, 90000u);
    EXPECT_EQ(v.nspname, "public");
    EXPECT_EQ(v.name, "mood");
    ExpectEveryPrefixFails(b.str(), in_stream);
  }
}

TEST(PgoutputTest, Insert) {
  for (bool in_stream : {false, true}) {
    Bytes b = Msg('I', in_stream);
    b.U32(16384).Ch('N');
    MixedTuple(b);
    Message m = MustParse(b, in_stream);
    EXPECT_EQ(m.type, 'I');
    EXPECT_EQ(m.xid, in_stream ? 777u : 0u);
    const auto& v = Body<InsertMsg>(m);
    EXPECT_EQ(v.oid, 16384u);
    ExpectMixedTuple(v.new_tuple);
    // Views point into the buffer, not copies.
    const std::string& s = b.str();
    EXPECT_GE(v.new_tuple.columns[0].data.data(), s.data());
    EXPECT_LT(v.new_tuple.columns[0].data.data(), s.data() + s.size());
    ExpectEveryPrefixFails(b.str(), in_stream);
  }
}

TEST(PgoutputTest, InsertEmptyAndZeroColumnTuples) {
  Bytes b('I');
  b.U32(5).Ch('N').U16(2).Text("").Text("x");
  Message m = MustParse(b, false);
  const auto& t = Body<InsertMsg>(m).new_tuple;
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[0].kind, TupleColumn::kText);
  EXPECT_EQ(t.columns[0].data, "");
  EXPECT_EQ(t.columns[1].data, "x");

  Bytes z('I');
  z.U32(5).Ch('N').U16(0);
  EXPECT_TRUE(Body<InsertMsg>(MustParse(z, false)).new_tuple.columns.empty());
}

TEST(PgoutputTest, UpdateWithoutOldTuple) {
  for (bool in_stream : {false, true}) {
    Bytes b = Msg('U', in_stream);
    b.U32(16384).Ch('N');
    MixedTuple(b);
    Message m = MustParse(b, in_stream);
    EXPECT_EQ(m.xid, in_stream ? 777u : 0u);
    const auto& v = Body<UpdateMsg>(m);
    EXPECT_EQ(v.oid, 16384u);
    EXPECT_EQ(v.old_kind, 0);
    EXPECT_TRUE(v.old_tuple.columns.empty());
    ExpectMixedTuple(v.new_tuple);
    ExpectEveryPrefixFails(b.str(), in_stream);
  }
}

TEST(PgoutputTest, UpdateWithKeyOrOldTuple) {
  for (bool in_stream : {false, true}) {
    for (char kind : {'K', 'O'}) {
      Bytes b = Msg('U', in_stream);
      b.U32(16384).Ch(kind).U16(2).Text("7").Ch('n').Ch('N');
      MixedTuple(b);
      Message m = MustParse(b, in_stream);
      const auto& v = Body<UpdateMsg>(m);
      EXPECT_EQ(v.old_kind, kind);
      ASSERT_EQ(v.old_tuple.columns.size(), 2u);
      EXPECT_EQ(v.old_tuple.columns[0].data, "7");
      EXPECT_EQ(v.old_tuple.columns[1].kind, TupleColumn::kNull);
      ExpectMixedTuple(v.new_tuple);
      ExpectEveryPrefixFails(b.str(), in_stream);
    }
  }
}

TEST(PgoutputTest, UpdateBadTags) {
  Bytes b('U');
  b.U32(1).Ch('X').U16(0);
  auto r = ParseMessage(b, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("tuple tag 'X', expected 'K' or 'O' or 'N' at byte 5"),
            std::string::npos)
      << r.status().ToString();

  // Old tuple followed by something other than 'N'.
  Bytes c('U');
  c.U32(1).Ch('K').U16(0).Ch('K').U16(0);
  r = ParseMessage(c, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expected 'N' at byte 8"), std::string::npos)
      << r.status().ToString();
}

TEST(PgoutputTest, Delete) {
  for (bool in_stream : {false, true}) {
    for (char kind : {'K', 'O'}) {
      Bytes b = Msg('D', in_stream, 99);
      b.U32(16385).Ch(kind);
      MixedTuple(b);
      Message m = MustParse(b, in_stream);
      EXPECT_EQ(m.type, 'D');
      EXPECT_EQ(m.xid, in_stream ? 99u : 0u);
      const auto& v = Body<DeleteMsg>(m);
      EXPECT_EQ(v.oid, 16385u);
      EXPECT_EQ(v.old_kind, kind);
      ExpectMixedTuple(v.old_tuple);
      ExpectEveryPrefixFails(b.str(), in_stream);
    }
  }
  Bytes bad('D');
  bad.U32(1).Ch('N').U16(0);
  EXPECT_FALSE(ParseMessage(bad, false).ok());
}

TEST(PgoutputTest, Truncate) {
  for (bool in_stream : {false, true}) {
    Bytes b = Msg('T', in_stream);
    b.U32(2).U8(TruncateMsg::kCascade | TruncateMsg::kRestartIdentity).U32(16384).U32(16390);
    Message m = MustParse(b, in_stream);
    EXPECT_EQ(m.xid, in_stream ? 777u : 0u);
    const auto& v = Body<TruncateMsg>(m);
    EXPECT_EQ(v.options, 3);
    EXPECT_EQ(v.oids, (std::vector<uint32_t>{16384, 16390}));
    ExpectEveryPrefixFails(b.str(), in_stream);
  }
  // A huge relation count with no oids behind it is a truncation, not a huge allocation.
  Bytes huge('T');
  huge.U32(0x7FFFFFFF).U8(0).U32(1);
  auto r = ParseMessage(huge, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos);
  // Negative count.
  Bytes neg('T');
  neg.U32(0xFFFFFFFF).U8(0);
  r = ParseMessage(neg, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("negative relation count -1 at byte 1"), std::string::npos)
      << r.status().ToString();
}

TEST(PgoutputTest, LogicalMessage) {
  for (bool in_stream : {false, true}) {
    for (uint8_t flags : {uint8_t{0}, LogicalMsg::kTransactional}) {
      std::string content("hello\0world", 11);
      Bytes b = Msg('M', in_stream);
      b.U8(flags).U64(0x1000).Str("cutover").U32(static_cast<uint32_t>(content.size()));
      b.Raw(content);
      Message m = MustParse(b, in_stream);
      EXPECT_EQ(m.xid, in_stream ? 777u : 0u);
      const auto& v = Body<LogicalMsg>(m);
      EXPECT_EQ(v.flags, flags);
      EXPECT_EQ(v.lsn, 0x1000u);
      EXPECT_EQ(v.prefix, "cutover");
      EXPECT_EQ(v.content, content);
      ExpectEveryPrefixFails(b.str(), in_stream);
    }
  }
}

TEST(PgoutputTest, StreamStartStopCommitAbort) {
  // Stream control messages never carry the xid prefix; in_stream does not change them.
  for (bool in_stream : {false, true}) {
    Bytes s('S');
    s.U32(5000).U8(1);
    Message m = MustParse(s, in_stream);
    EXPECT_EQ(m.xid, 0u);
    EXPECT_EQ(Body<StreamStartMsg>(m).xid, 5000u);
    EXPECT_TRUE(Body<StreamStartMsg>(m).first_segment);
    ExpectEveryPrefixFails(s.str(), in_stream);

    Bytes s2('S');
    s2.U32(5000).U8(0);
    EXPECT_FALSE(Body<StreamStartMsg>(MustParse(s2, in_stream)).first_segment);

    Bytes e('E');
    m = MustParse(e, in_stream);
    EXPECT_EQ(m.type, 'E');
    EXPECT_TRUE(std::holds_alternative<StreamStopMsg>(m.body));
    ExpectEveryPrefixFails(e.str(), in_stream);

    Bytes c('c');
    c.U32(5000).U8(0).U64(0x300).U64(0x338).U64(123456);
    m = MustParse(c, in_stream);
    const auto& sc = Body<StreamCommitMsg>(m);
    EXPECT_EQ(sc.xid, 5000u);
    EXPECT_EQ(sc.flags, 0);
    EXPECT_EQ(sc.commit_lsn, 0x300u);
    EXPECT_EQ(sc.end_lsn, 0x338u);
    EXPECT_EQ(sc.commit_time_pg_us, 123456);
    ExpectEveryPrefixFails(c.str(), in_stream);

    Bytes a('A');
    a.U32(5000).U32(5003);
    m = MustParse(a, in_stream);
    EXPECT_EQ(Body<StreamAbortMsg>(m).xid, 5000u);
    EXPECT_EQ(Body<StreamAbortMsg>(m).subxid, 5003u);
    ExpectEveryPrefixFails(a.str(), in_stream);
  }
}

TEST(PgoutputTest, TruncationErrorsNameOffsetAndField) {
  // Insert with the oid cut after two bytes.
  Bytes b('I');
  b.U32(16384).Ch('N').U16(1).Text("abcdef");
  std::string full = b.str();
  auto r = ParseMessage(full.substr(0, 3), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "pgoutput Insert ('I') message: truncated: need 4 bytes for relation oid, 2 left at "
            "byte 1 (message is 3 bytes)");
  // Cut inside the text column's data: the length field is at byte 9, data at 13.
  r = ParseMessage(full.substr(0, 15), false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("need 6 bytes for tuple column data, 2 left at byte 13"),
            std::string::npos)
      << r.status().ToString();
  // Cut in the stream xid.
  Bytes s('I');
  s.U32(1);
  r = ParseMessage(s.str().substr(0, 2), true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("in stream: truncated: need 4 bytes for stream xid"),
            std::string::npos)
      << r.status().ToString();
  // Unterminated string.
  Bytes o('O');
  o.U64(1).Raw("abc");
  r = ParseMessage(o, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unterminated string origin name at byte 9"),
            std::string::npos)
      << r.status().ToString();
}

TEST(PgoutputTest, MalformedInput) {
  auto r = ParseMessage("", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);

  r = ParseMessage("Zabc", false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown message type 'Z' at byte 0"), std::string::npos)
      << r.status().ToString();
  r = ParseMessage(std::string("\x01", 1), false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("0x01"), std::string::npos) << r.status().ToString();

  // Unknown tuple column kind.
  Bytes k('I');
  k.U32(1).Ch('N').U16(2).Ch('n').Ch('q');
  r = ParseMessage(k, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown kind 'q' of tuple column 1 at byte 9"),
            std::string::npos)
      << r.status().ToString();

  // Negative text length.
  Bytes n('I');
  n.U32(1).Ch('N').U16(1).Ch('t').U32(0xFFFFFFFE);
  r = ParseMessage(n, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("negative tuple column length -2"), std::string::npos)
      << r.status().ToString();

  // A column count far beyond the data is a truncation.
  Bytes many('I');
  many.U32(1).Ch('N').U16(0xFFFF).Ch('n');
  EXPECT_FALSE(ParseMessage(many, false).ok());

  // Insert without the 'N' tag.
  Bytes tag('I');
  tag.U32(1).Ch('K').U16(0);
  EXPECT_FALSE(ParseMessage(tag, false).ok());
}

TEST(PgoutputTest, GarbageNeverCrashes) {
  // Deterministic pseudo-random bytes behind every type byte: parse must just return.
  uint64_t x = 88172645463325252ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const std::string types = "BCORYIUDTMSEcA";
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string buf(1, types[next() % types.size()]);
    size_t len = next() % 40;
    for (size_t j = 0; j < len; ++j) {
      // Bias towards small values so counts and lengths are sometimes plausible.
      uint64_t v = next();
      buf.push_back(static_cast<char>(v % 4 == 0 ? v >> 8 : (v >> 8) % 3));
    }
    auto r = ParseMessage(buf, i % 2 == 0);
    if (r.ok()) ++ok;
  }
  SUCCEED() << ok << " random buffers happened to parse";
}

TEST(PgoutputTest, CopyDataXLogData) {
  Bytes payload('I');
  payload.U32(16384).Ch('N');
  MixedTuple(payload);
  Bytes b('w');
  b.U64(0x100).U64(0x200).U64(999).Raw(payload.str());
  auto r = ParseCopyData(b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto* x = std::get_if<XLogData>(&r.value());
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->data_start, 0x100u);
  EXPECT_EQ(x->wal_end, 0x200u);
  EXPECT_EQ(x->send_time_pg_us, 999);
  EXPECT_EQ(x->payload, payload.str());
  Message m = MustParse(x->payload, false);
  ExpectMixedTuple(Body<InsertMsg>(m).new_tuple);

  // Every prefix fails, including the header-only one (empty payload).
  std::string full = b.str();
  for (size_t n = 0; n <= 25; ++n) {
    auto t = ParseCopyData(full.substr(0, n));
    ASSERT_FALSE(t.ok()) << n;
    EXPECT_NE(t.status().message().find("at byte"), std::string::npos) << t.status().ToString();
  }
}

TEST(PgoutputTest, CopyDataKeepalive) {
  for (uint8_t reply : {0, 1}) {
    Bytes b('k');
    b.U64(0x16B374D848ull).U64(42).U8(reply);
    auto r = ParseCopyData(b);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const auto* k = std::get_if<Keepalive>(&r.value());
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->wal_end, 0x16B374D848ull);
    EXPECT_EQ(k->send_time_pg_us, 42);
    EXPECT_EQ(k->reply_requested, reply == 1);
    std::string full = b.str();
    for (size_t n = 0; n < full.size(); ++n) {
      EXPECT_FALSE(ParseCopyData(full.substr(0, n)).ok()) << n;
    }
    auto t = ParseCopyData(full + "!");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.status().message().find("keepalive"), std::string::npos);
    EXPECT_NE(t.status().message().find("trailing bytes at byte 18"), std::string::npos)
        << t.status().ToString();
  }
  Bytes cut('k');
  cut.U64(1).U32(0);
  auto r = ParseCopyData(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("need 8 bytes for send time, 4 left at byte 9"),
            std::string::npos)
      << r.status().ToString();
}

TEST(PgoutputTest, CopyDataUnknownType) {
  auto r = ParseCopyData("r1234");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown message type 'r' at byte 0"), std::string::npos)
      << r.status().ToString();
  EXPECT_FALSE(ParseCopyData("").ok());
}

TEST(PgoutputTest, EncodeStandbyStatus) {
  std::string s = EncodeStandbyStatus(0x0102030405060708ull, 0x1112131415161718ull,
                                      0x2122232425262728ull, -2, true);
  Bytes expect('r');
  expect.U64(0x0102030405060708ull).U64(0x1112131415161718ull).U64(0x2122232425262728ull);
  expect.U64(static_cast<uint64_t>(-2)).U8(1);
  EXPECT_EQ(s, expect.str());
  EXPECT_EQ(s.size(), 34u);
  std::string n = EncodeStandbyStatus(0, 0, 0, 0, false);
  EXPECT_EQ(n, std::string(1, 'r') + std::string(33, '\0'));
}

TEST(PgoutputTest, FormatLsn) {
  EXPECT_EQ(FormatLsn(0), "0/0");
  EXPECT_EQ(FormatLsn(0x16B3748), "0/16B3748");
  EXPECT_EQ(FormatLsn(0x16B374D848ull), "16/B374D848");
  EXPECT_EQ(FormatLsn(0x100000000ull), "1/0");
  EXPECT_EQ(FormatLsn(0xFFFFFFFFFFFFFFFFull), "FFFFFFFF/FFFFFFFF");
}

TEST(PgoutputTest, ParseLsnRoundTrip) {
  for (uint64_t lsn : {0ull, 0x16B3748ull, 0x16B374D848ull, 0x100000000ull, 0xFFFFFFFFull,
                       0xFFFFFFFFFFFFFFFFull, 0x0000000100000001ull}) {
    auto r = ParseLsn(FormatLsn(lsn));
    ASSERT_TRUE(r.ok()) << FormatLsn(lsn) << ": " << r.status().ToString();
    EXPECT_EQ(*r, lsn) << FormatLsn(lsn);
  }
  // pg_lsn also accepts lower case and leading zeros up to 8 digits.
  auto r = ParseLsn("16/b374d848");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0x16B374D848ull);
  r = ParseLsn("00000000/00000001");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1u);
}

TEST(PgoutputTest, ParseLsnRejectsBadText) {
  for (const char* bad :
       {"", "/", "0/", "/0", "0", "00", "123456789/0", "0/123456789", "0/G", "G/0", "0x1/2", " 0/0",
        "0/0 ", "1/2/3", "-1/0", "+1/0", "1//2", "0/0\n", "1 /2"}) {
    auto r = ParseLsn(bad);
    EXPECT_FALSE(r.ok()) << '"' << bad << '"';
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_FALSE(ParseLsn(std::string_view("0/0\0", 4)).ok());
}

TEST(PgoutputTest, EpochConversion) {
  EXPECT_EQ(PgEpochMicrosToUnix(0), 946684800000000);
  EXPECT_EQ(PgEpochMicrosToUnix(-946684800000000), 0);
  EXPECT_EQ(UnixMicrosToPgEpoch(946684800000000), 0);
  EXPECT_EQ(UnixMicrosToPgEpoch(PgEpochMicrosToUnix(123456789)), 123456789);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(PgEpochMicrosToUnix(kMax), kMax);
  EXPECT_EQ(PgEpochMicrosToUnix(kMin), kMin);
  EXPECT_EQ(PgEpochMicrosToUnix(kMax - 1), kMax);  // saturates
  EXPECT_EQ(UnixMicrosToPgEpoch(kMax), kMax);
  EXPECT_EQ(UnixMicrosToPgEpoch(kMin), kMin);
  EXPECT_EQ(UnixMicrosToPgEpoch(kMin + 1), kMin);  // saturates
}

TEST(PgoutputTest, MessageTypeNames) {
  EXPECT_STREQ(MessageTypeName('I'), "Insert");
  EXPECT_STREQ(MessageTypeName('c'), "Stream Commit");
  EXPECT_STREQ(MessageTypeName('A'), "Stream Abort");
  EXPECT_STREQ(MessageTypeName('?'), "unknown");
}

}  // namespace
}  // namespace cutover::pg
