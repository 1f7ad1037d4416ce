// pgoutput: pure parsers for PostgreSQL logical replication traffic (no I/O, no libpq).
//
// Two layers, both working on byte buffers the caller already has:
//   1. The replication COPY-both framing (ParseCopyData, EncodeStandbyStatus): a CopyData payload
//      from the server is either XLogData ('w', carrying one pgoutput message) or a primary
//      keepalive ('k'); the client answers with standby status updates ('r').
//   2. The pgoutput plugin's messages (ParseMessage), as sent by PostgreSQL 15 with
//      proto_version '2' and streaming 'on' (two_phase off): begin/commit/origin/relation/type,
//      insert/update/delete/truncate, logical decoding messages, and the four stream-control
//      messages. Two-phase messages ('b', 'P', 'K', 'r', 'p') and later-version fields are not
//      accepted: this parser is for the protocol cutover asks for.
//
// Design:
//   - One plain struct per message type, all gathered in `Message::body` (a std::variant), and
//     one parse function. The parser is stateless: whether a message sits inside a stream block
//     (between 'S' and 'E', where DML/relation/type/truncate/message carry a leading xid) is told
//     by the caller, who tracks 'S'/'E' anyway.
//   - Zero-copy where it matters: tuple column data and logical-message content are
//     std::string_views into the parsed buffer, so the buffer must outlive the Message. Names
//     (schema, relation, column, type, origin, prefix) are copied into std::strings because they
//     are cached by the caller beyond the buffer's life.
//   - Every read is bounds-checked. Truncated or malformed input yields a Status
//     (StatusCode::kInternal, "protocol violation") naming the message type, the byte offset in
//     the buffer given to the parser and what was being read; never undefined behaviour.
//     Trailing bytes after a complete message are an error too: with the protocol version we
//     request there are none, so they mean we mis-parsed.
//   - Integers are big-endian on the wire. Timestamps are kept as PostgreSQL sends them
//     (microseconds since 2000-01-01 00:00:00 UTC, suffix `_pg_us`); PgEpochMicrosToUnix
//     converts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/core/status.h"

namespace cutover::pg {

// ---------------------------------------------------------------------------------------------
// pgoutput messages
// ---------------------------------------------------------------------------------------------

// One column of a TupleData. `data` views the message buffer; it is empty for kNull and
// kUnchanged. kText is the type's text output; kBinary its binary send format (only when the
// subscription asked for binary = true).
struct TupleColumn {
  enum Kind : char { kNull = 'n', kUnchanged = 'u', kText = 't', kBinary = 'b' };
  Kind kind = kNull;
  std::string_view data;
};

struct Tuple {
  std::vector<TupleColumn> columns;
};

struct RelationColumn {
  bool key = false;  // flags bit 1: part of the replica identity (key)
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

// 'R': sent before the first change to a relation in a session and after its schema changes.
struct RelationMsg {
  uint32_t oid = 0;
  std::string nspname;  // empty for pg_catalog, as PostgreSQL sends it
  std::string relname;
  char replica_identity = 'd';  // 'd' default, 'n' nothing, 'f' full, 'i' index
  std::vector<RelationColumn> columns;
};

// 'Y': a non-built-in type used by a following relation.
struct TypeMsg {
  uint32_t oid = 0;
  std::string nspname;
  std::string name;
};

// 'B'
struct BeginMsg {
  uint64_t final_lsn = 0;  // LSN of the commit record
  int64_t commit_time_pg_us = 0;
  uint32_t xid = 0;
};

// 'C'
struct CommitMsg {
  uint8_t flags = 0;  // currently always 0
  uint64_t commit_lsn = 0;
  uint64_t end_lsn = 0;  // end of the commit record: the position to confirm as flushed
  int64_t commit_time_pg_us = 0;
};

// 'O': the transaction came from another node (only when the origin is not local).
struct OriginMsg {
  uint64_t commit_lsn = 0;  // commit LSN on the origin server
  std::string name;
};

// 'I'
struct InsertMsg {
  uint32_t oid = 0;
  Tuple new_tuple;
};

// 'U'. old_kind: 0 when no old tuple was sent, 'K' when `old_tuple` holds only the replica
// identity columns (the others are 'n'), 'O' when it is the whole old row (REPLICA IDENTITY
// FULL). New-tuple columns may be kUnchanged (unmodified TOASTed values).
struct UpdateMsg {
  uint32_t oid = 0;
  char old_kind = 0;
  Tuple old_tuple;
  Tuple new_tuple;
};

// 'D'. old_kind is 'K' or 'O' as for UpdateMsg.
struct DeleteMsg {
  uint32_t oid = 0;
  char old_kind = 'K';
  Tuple old_tuple;
};

// 'T'
struct TruncateMsg {
  static constexpr uint8_t kCascade = 1;
  static constexpr uint8_t kRestartIdentity = 2;
  uint8_t options = 0;  // bit set of kCascade, kRestartIdentity
  std::vector<uint32_t> oids;
};

// 'M': pg_logical_emit_message().
struct LogicalMsg {
  static constexpr uint8_t kTransactional = 1;
  uint8_t flags = 0;
  uint64_t lsn = 0;
  std::string prefix;
  std::string_view content;  // views the message buffer
};

// 'S': the start of one chunk of an in-progress transaction.
struct StreamStartMsg {
  uint32_t xid = 0;
  bool first_segment = false;
};

// 'E': the end of the current chunk. No fields.
struct StreamStopMsg {};

// 'c': the streamed transaction `xid` committed; apply its chunks.
struct StreamCommitMsg {
  uint32_t xid = 0;
  uint8_t flags = 0;
  uint64_t commit_lsn = 0;
  uint64_t end_lsn = 0;
  int64_t commit_time_pg_us = 0;
};

// 'A': the streamed (sub)transaction aborted. subxid == xid aborts the whole transaction;
// otherwise only the changes of subtransaction `subxid` are discarded.
struct StreamAbortMsg {
  uint32_t xid = 0;
  uint32_t subxid = 0;
};

using MessageBody = std::variant<BeginMsg, CommitMsg, OriginMsg, RelationMsg, TypeMsg, InsertMsg,
                                 UpdateMsg, DeleteMsg, TruncateMsg, LogicalMsg, StreamStartMsg,
                                 StreamStopMsg, StreamCommitMsg, StreamAbortMsg>;

struct Message {
  char type = 0;  // the wire type byte: 'B', 'C', 'O', 'R', 'Y', 'I', 'U', 'D', 'T', 'M', 'S', ...
  // The xid that prefixes 'R', 'Y', 'I', 'U', 'D', 'T' and 'M' inside a stream block; 0 outside
  // one and for all other types (B/S/c/A carry their xid in the body). For changes it is the
  // xid of the (sub)transaction that made the change, which may be a subtransaction of the
  // streamed transaction named by 'S' (see StreamAbortMsg).
  uint32_t xid = 0;
  MessageBody body;
};

// Parses one pgoutput message (the XLogData payload). `in_stream` says whether the message sits
// between a stream start 'S' and stream stop 'E'; it only affects the types that can carry the
// stream xid prefix (R, Y, I, U, D, T, M). The result views `buf` (tuple data, message content).
// Errors (kInternal) name the message type and the byte offset within `buf`.
Result<Message> ParseMessage(std::string_view buf, bool in_stream);

// "Insert" for 'I', ...; "unknown" for bytes that are not pgoutput message types.
const char* MessageTypeName(char type);

// ---------------------------------------------------------------------------------------------
// Replication COPY-both framing
// ---------------------------------------------------------------------------------------------

// 'w': WAL data. `payload` views the CopyData buffer and holds one pgoutput message.
struct XLogData {
  uint64_t data_start = 0;
  uint64_t wal_end = 0;
  int64_t send_time_pg_us = 0;
  std::string_view payload;
};

// 'k': primary keepalive. When reply_requested, send a standby status update promptly.
struct Keepalive {
  uint64_t wal_end = 0;
  int64_t send_time_pg_us = 0;
  bool reply_requested = false;
};

using CopyDataMsg = std::variant<XLogData, Keepalive>;

// Parses one CopyData payload received on a replication connection. Errors (kInternal) name the
// message kind and byte offset; a keepalive with trailing bytes is an error, XLogData takes all
// bytes after its header as payload (an empty payload is an error).
Result<CopyDataMsg> ParseCopyData(std::string_view buf);

// Encodes a standby status update ('r', 34 bytes) to send as a CopyData payload. LSNs are the
// positions written / flushed / applied locally; client_time_pg_us is microseconds since
// 2000-01-01 (see UnixMicrosToPgEpoch).
std::string EncodeStandbyStatus(uint64_t written, uint64_t flushed, uint64_t applied,
                                int64_t client_time_pg_us, bool reply);

// ---------------------------------------------------------------------------------------------
// LSNs and timestamps
// ---------------------------------------------------------------------------------------------

// "16/B374D848": the two 32-bit halves in upper-case hex without leading zeros, like
// PostgreSQL's pg_lsn output. FormatLsn(0) == "0/0".
std::string FormatLsn(uint64_t lsn);

// Inverse of FormatLsn, with pg_lsn's input rules: 1 to 8 hex digits (either case, leading
// zeros allowed), '/', 1 to 8 hex digits, nothing else (no spaces, signs or "0x"). Bad text is
// kInvalidArgument.
Result<uint64_t> ParseLsn(std::string_view text);

// Microseconds since 2000-01-01 UTC (PostgreSQL epoch) <-> since 1970-01-01 UTC. The int64
// limits (PostgreSQL's and Value's +-infinity) map to themselves; other results saturate at
// them instead of overflowing.
inline constexpr int64_t kPgEpochOffsetMicros = 946684800000000;
int64_t PgEpochMicrosToUnix(int64_t pg_us);
int64_t UnixMicrosToPgEpoch(int64_t unix_us);

}  // namespace cutover::pg
