// pgoutput: implementation notes.
//
// All parsing goes through `Reader`, a cursor over the buffer whose every read checks the bytes
// left first and reports failures with the message kind, the byte offset and the field name.
// Error strings are only built on failure; the OK path allocates nothing but the vectors and
// name strings of the result. Column and relation counts come off the wire, so reservations are
// capped by the bytes left (each column needs at least one byte, each oid four): a garbage count
// cannot trigger a huge allocation before the truncation is noticed.
#include "engine/pg/pgoutput.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace cutover::pg {
namespace {

std::string QuoteByte(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("0x{:02X}", u);
}

uint64_t LoadBigEndian(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void StoreBigEndian(std::string& out, uint64_t v, size_t n) {
  for (size_t i = n; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Bounds-checked big-endian cursor. Errors name the message ("pgoutput Insert ('I') message",
// built only on failure so that parsing allocates no error text) and the byte offset relative
// to the start of `buf`.
class Reader {
 public:
  // For CopyData framing: `label` names the message completely.
  Reader(std::string_view buf, const char* label) : buf_(buf), label_(label) {}
  // For pgoutput: the label is derived from the message type.
  Reader(std::string_view buf, char msg_type, bool in_stream)
      : buf_(buf), label_("pgoutput"), pgoutput_(true), type_(msg_type), in_stream_(in_stream) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return buf_.size() - pos_; }

  Status Error(size_t offset, std::string_view detail) const {
    std::string what = label_;
    if (pgoutput_) {
      what = fmt::format("pgoutput {} ({}) message{}", MessageTypeName(type_), QuoteByte(type_),
                         in_stream_ ? " in stream" : "");
    }
    return Internal(
        fmt::format("{}: {} at byte {} (message is {} bytes)", what, detail, offset, buf_.size()));
  }

  Status U8(uint8_t* v, const char* field) {
    RETURN_IF_ERROR(Need(1, field));
    *v = static_cast<uint8_t>(buf_[pos_++]);
    return Status();
  }
  Status U16(uint16_t* v, const char* field) { return Int(v, 2, field); }
  Status U32(uint32_t* v, const char* field) { return Int(v, 4, field); }
  Status U64(uint64_t* v, const char* field) { return Int(v, 8, field); }
  Status I32(int32_t* v, const char* field) {
    uint32_t u;
    RETURN_IF_ERROR(U32(&u, field));
    *v = static_cast<int32_t>(u);
    return Status();
  }
  Status I64(int64_t* v, const char* field) {
    uint64_t u;
    RETURN_IF_ERROR(U64(&u, field));
    *v = static_cast<int64_t>(u);
    return Status();
  }

  // An Int32 length that must be >= 0 (PostgreSQL sends them signed).
  Status Length(uint32_t* v, const char* field) {
    size_t at = pos_;
    RETURN_IF_ERROR(U32(v, field));
    if (*v > static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
      return Error(at, fmt::format("negative {} {}", field, static_cast<int32_t>(*v)));
    }
    return Status();
  }

  Status Bytes(size_t n, std::string_view* v, const char* field) {
    RETURN_IF_ERROR(Need(n, field));
    *v = buf_.substr(pos_, n);
    pos_ += n;
    return Status();
  }

  // A NUL-terminated string; the NUL is consumed, not returned.
  Status CString(std::string* v, const char* field) {
    size_t nul = buf_.find('\0', pos_);
    if (nul == std::string_view::npos) {
      return Error(pos_, fmt::format("truncated: unterminated string {}", field));
    }
    v->assign(buf_.data() + pos_, nul - pos_);
    pos_ = nul + 1;
    return Status();
  }

  Status End() const {
    if (pos_ == buf_.size()) return Status();
    return Error(pos_, fmt::format("{} unexpected trailing bytes", buf_.size() - pos_));
  }

 private:
  Status Need(size_t n, const char* field) const {
    if (remaining() >= n) return Status();
    return Error(pos_,
                 fmt::format("truncated: need {} bytes for {}, {} left", n, field, remaining()));
  }

  template <typename T>
  Status Int(T* v, size_t n, const char* field) {
    RETURN_IF_ERROR(Need(n, field));
    *v = static_cast<T>(LoadBigEndian(buf_.data() + pos_, n));
    pos_ += n;
    return Status();
  }

  std::string_view buf_;
  size_t pos_ = 0;
  const char* label_;
  bool pgoutput_ = false;
  char type_ = 0;
  bool in_stream_ = false;
};

Status ParseTuple(Reader& r, Tuple* tuple) {
  uint16_t ncols;
  RETURN_IF_ERROR(r.U16(&ncols, "tuple column count"));
  tuple->columns.clear();
  tuple->columns.reserve(std::min<size_t>(ncols, r.remaining()));
  for (uint16_t i = 0; i < ncols; ++i) {
    size_t at = r.pos();
    uint8_t kind;
    RETURN_IF_ERROR(r.U8(&kind, "tuple column kind"));
    TupleColumn col;
    switch (kind) {
      case TupleColumn::kNull:
      case TupleColumn::kUnchanged:
        col.kind = static_cast<TupleColumn::Kind>(kind);
        break;
      case TupleColumn::kText:
      case TupleColumn::kBinary: {
        col.kind = static_cast<TupleColumn::Kind>(kind);
        uint32_t len;
        RETURN_IF_ERROR(r.Length(&len, "tuple column length"));
        RETURN_IF_ERROR(r.Bytes(len, &col.data, "tuple column data"));
        break;
      }
      default:
        return r.Error(at, fmt::format("unknown kind {} of tuple column {}",
                                       QuoteByte(static_cast<char>(kind)), i));
    }
    tuple->columns.push_back(col);
  }
  return Status();
}

// Reads the 'N' / 'K' / 'O' byte before a TupleData and checks it is one of `allowed`.
Status TupleTag(Reader& r, std::string_view allowed, char* tag) {
  size_t at = r.pos();
  uint8_t b;
  RETURN_IF_ERROR(r.U8(&b, "tuple tag"));
  *tag = static_cast<char>(b);
  if (allowed.find(*tag) == std::string_view::npos) {
    std::string expect;
    for (char c : allowed) expect += (expect.empty() ? "" : " or ") + QuoteByte(c);
    return r.Error(at, fmt::format("tuple tag {}, expected {}", QuoteByte(*tag), expect));
  }
  return Status();
}

Status ParseBody(Reader& r, Message& m, bool in_stream) {
  // The stream xid prefix of R, Y, I, U, D, T and M.
  auto stream_xid = [&]() -> Status { return in_stream ? r.U32(&m.xid, "stream xid") : Status(); };
  switch (m.type) {
    case 'B': {
      auto& b = m.body.emplace<BeginMsg>();
      RETURN_IF_ERROR(r.U64(&b.final_lsn, "final lsn"));
      RETURN_IF_ERROR(r.I64(&b.commit_time_pg_us, "commit timestamp"));
      return r.U32(&b.xid, "xid");
    }
    case 'C': {
      auto& c = m.body.emplace<CommitMsg>();
      RETURN_IF_ERROR(r.U8(&c.flags, "flags"));
      RETURN_IF_ERROR(r.U64(&c.commit_lsn, "commit lsn"));
      RETURN_IF_ERROR(r.U64(&c.end_lsn, "end lsn"));
      return r.I64(&c.commit_time_pg_us, "commit timestamp");
    }
    case 'O': {
      auto& o = m.body.emplace<OriginMsg>();
      RETURN_IF_ERROR(r.U64(&o.commit_lsn, "origin commit lsn"));
      return r.CString(&o.name, "origin name");
    }
    case 'R': {
      auto& rel = m.body.emplace<RelationMsg>();
      RETURN_IF_ERROR(stream_xid());
      RETURN_IF_ERROR(r.U32(&rel.oid, "relation oid"));
      RETURN_IF_ERROR(r.CString(&rel.nspname, "namespace"));
      RETURN_IF_ERROR(r.CString(&rel.relname, "relation name"));
      size_t at = r.pos();
      uint8_t ident;
      RETURN_IF_ERROR(r.U8(&ident, "replica identity"));
      rel.replica_identity = static_cast<char>(ident);
      if (std::string_view("dnfi").find(rel.replica_identity) == std::string_view::npos) {
        return r.Error(at, "unknown replica identity " + QuoteByte(rel.replica_identity));
      }
      uint16_t ncols;
      RETURN_IF_ERROR(r.U16(&ncols, "column count"));
      rel.columns.reserve(std::min<size_t>(ncols, r.remaining()));
      for (uint16_t i = 0; i < ncols; ++i) {
        RelationColumn& col = rel.columns.emplace_back();
        uint8_t flags;
        RETURN_IF_ERROR(r.U8(&flags, "column flags"));
        col.key = (flags & 1) != 0;
        RETURN_IF_ERROR(r.CString(&col.name, "column name"));
        RETURN_IF_ERROR(r.U32(&col.type_oid, "column type oid"));
        RETURN_IF_ERROR(r.I32(&col.typmod, "column typmod"));
      }
      return Status();
    }
    case 'Y': {
      auto& t = m.body.emplace<TypeMsg>();
      RETURN_IF_ERROR(stream_xid());
      RETURN_IF_ERROR(r.U32(&t.oid, "type oid"));
      RETURN_IF_ERROR(r.CString(&t.nspname, "type namespace"));
      return r.CString(&t.name, "type name");
    }
    case 'I': {
      auto& ins = m.body.emplace<InsertMsg>();
      RETURN_IF_ERROR(stream_xid());
      RETURN_IF_ERROR(r.U32(&ins.oid, "relation oid"));
      char tag;
      RETURN_IF_ERROR(TupleTag(r, "N", &tag));
      return ParseTuple(r, &ins.new_tuple);
    }
    case 'U': {
      auto& upd = m.body.emplace<UpdateMsg>();
      RETURN_IF_ERROR(stream_xid());
      RETURN_IF_ERROR(r.U32(&upd.oid, "relation oid"));
      char tag;
      RETURN_IF_ERROR(TupleTag(r, "KON", &tag));
      if (tag != 'N') {
        upd.old_kind = tag;
        RETURN_IF_ERROR(ParseTuple(r, &upd.old_tuple));
        RETURN_IF_ERROR(TupleTag(r, "N", &tag));
      }
      return ParseTuple(r, &upd.new_tuple);
    }
    case 'D': {
      auto& del = m.body.emplace<DeleteMsg>();
      RETURN_IF_ERROR(stream_xid());
      RETURN_IF_ERROR(r.U32(&del.oid, "relation oid"));
      RETURN_IF_ERROR(TupleTag(r, "KO", &del.old_kind));
      return ParseTuple(r, &del.old_tuple);
    }
    case 'T': {
      auto& tr = m.body.emplace<TruncateMsg>();
      RETURN_IF_ERROR(stream_xid());
      uint32_t nrels;
      RETURN_IF_ERROR(r.Length(&nrels, "relation count"));
      RETURN_IF_ERROR(r.U8(&tr.options, "options"));
      tr.oids.reserve(std::min<size_t>(nrels, r.remaining() / 4));
      for (uint32_t i = 0; i < nrels; ++i) {
        RETURN_IF_ERROR(r.U32(&tr.oids.emplace_back(), "relation oid"));
      }
      return Status();
    }
    case 'M': {
      auto& msg = m.body.emplace<LogicalMsg>();
      RETURN_IF_ERROR(stream_xid());
      RETURN_IF_ERROR(r.U8(&msg.flags, "flags"));
      RETURN_IF_ERROR(r.U64(&msg.lsn, "message lsn"));
      RETURN_IF_ERROR(r.CString(&msg.prefix, "prefix"));
      uint32_t len;
      RETURN_IF_ERROR(r.Length(&len, "content length"));
      return r.Bytes(len, &msg.content, "content");
    }
    case 'S': {
      auto& s = m.body.emplace<StreamStartMsg>();
      RETURN_IF_ERROR(r.U32(&s.xid, "xid"));
      uint8_t first;
      RETURN_IF_ERROR(r.U8(&first, "first segment flag"));
      s.first_segment = first != 0;
      return Status();
    }
    case 'E':
      m.body.emplace<StreamStopMsg>();
      return Status();
    case 'c': {
      auto& c = m.body.emplace<StreamCommitMsg>();
      RETURN_IF_ERROR(r.U32(&c.xid, "xid"));
      RETURN_IF_ERROR(r.U8(&c.flags, "flags"));
      RETURN_IF_ERROR(r.U64(&c.commit_lsn, "commit lsn"));
      RETURN_IF_ERROR(r.U64(&c.end_lsn, "end lsn"));
      return r.I64(&c.commit_time_pg_us, "commit timestamp");
    }
    case 'A': {
      auto& a = m.body.emplace<StreamAbortMsg>();
      RETURN_IF_ERROR(r.U32(&a.xid, "xid"));
      return r.U32(&a.subxid, "subxid");
    }
    default:
      return r.Error(0, "unknown message type " + QuoteByte(m.type));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const char* MessageTypeName(char type) {
  switch (type) {
    case 'B':
      return "Begin";
    case 'C':
      return "Commit";
    case 'O':
      return "Origin";
    case 'R':
      return "Relation";
    case 'Y':
      return "Type";
    case 'I':
      return "Insert";
    case 'U':
      return "Update";
    case 'D':
      return "Delete";
    case 'T':
      return "Truncate";
    case 'M':
      return "Message";
    case 'S':
      return "Stream Start";
    case 'E':
      return "Stream Stop";
    case 'c':
      return "Stream Commit";
    case 'A':
      return "Stream Abort";
    default:
      return "unknown";
  }
}

Result<Message> ParseMessage(std::string_view buf, bool in_stream) {
  if (buf.empty()) return Internal("pgoutput message: empty at byte 0");
  Message m;
  m.type = buf[0];
  Reader r(buf, m.type, in_stream);
  uint8_t skip;
  RETURN_IF_ERROR(r.U8(&skip, "message type"));
  RETURN_IF_ERROR(ParseBody(r, m, in_stream));
  RETURN_IF_ERROR(r.End());
  return m;
}

Result<CopyDataMsg> ParseCopyData(std::string_view buf) {
  if (buf.empty()) return Internal("replication CopyData: empty at byte 0");
  uint8_t tag;
  switch (buf[0]) {
    case 'w': {
      Reader r(buf, "replication XLogData ('w')");
      XLogData x;
      RETURN_IF_ERROR(r.U8(&tag, "message type"));
      RETURN_IF_ERROR(r.U64(&x.data_start, "data start"));
      RETURN_IF_ERROR(r.U64(&x.wal_end, "wal end"));
      RETURN_IF_ERROR(r.I64(&x.send_time_pg_us, "send time"));
      if (r.remaining() == 0) return r.Error(r.pos(), "truncated: empty payload");
      RETURN_IF_ERROR(r.Bytes(r.remaining(), &x.payload, "payload"));
      return CopyDataMsg(x);
    }
    case 'k': {
      Reader r(buf, "replication keepalive ('k')");
      Keepalive k;
      uint8_t reply;
      RETURN_IF_ERROR(r.U8(&tag, "message type"));
      RETURN_IF_ERROR(r.U64(&k.wal_end, "wal end"));
      RETURN_IF_ERROR(r.I64(&k.send_time_pg_us, "send time"));
      RETURN_IF_ERROR(r.U8(&reply, "reply requested"));
      RETURN_IF_ERROR(r.End());
      k.reply_requested = reply != 0;
      return CopyDataMsg(k);
    }
    default:
      return Internal(fmt::format("replication CopyData: unknown message type {} at byte 0",
                                  QuoteByte(buf[0])));
  }
}

std::string EncodeStandbyStatus(uint64_t written, uint64_t flushed, uint64_t applied,
                                int64_t client_time_pg_us, bool reply) {
  std::string out;
  out.reserve(34);
  out.push_back('r');
  StoreBigEndian(out, written, 8);
  StoreBigEndian(out, flushed, 8);
  StoreBigEndian(out, applied, 8);
  StoreBigEndian(out, static_cast<uint64_t>(client_time_pg_us), 8);
  out.push_back(reply ? 1 : 0);
  return out;
}

std::string FormatLsn(uint64_t lsn) {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(lsn >> 32), static_cast<uint32_t>(lsn));
}

Result<uint64_t> ParseLsn(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument(fmt::format("invalid LSN \"{}\": expected hex digits like 16/B374D848",
                                       text.substr(0, 64)));
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  uint64_t halves[2];
  std::string_view parts[2] = {text.substr(0, slash), text.substr(slash + 1)};
  for (int h = 0; h < 2; ++h) {
    if (parts[h].empty() || parts[h].size() > 8) return bad();
    uint64_t v = 0;
    for (char c : parts[h]) {
      int d = HexDigit(c);
      if (d < 0) return bad();
      v = (v << 4) | static_cast<uint64_t>(d);
    }
    halves[h] = v;
  }
  return (halves[0] << 32) | halves[1];
}

int64_t PgEpochMicrosToUnix(int64_t pg_us) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (pg_us == kMin) return kMin;
  if (pg_us > kMax - kPgEpochOffsetMicros) return kMax;
  return pg_us + kPgEpochOffsetMicros;
}

int64_t UnixMicrosToPgEpoch(int64_t unix_us) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (unix_us == kMax) return kMax;
  if (unix_us < kMin + kPgEpochOffsetMicros) return kMin;
  return unix_us - kPgEpochOffsetMicros;
}

}  // namespace cutover::pg
