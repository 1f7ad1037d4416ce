// MariaDB binlog events: pure parsers of event headers and bodies (no I/O, no libmariadb calls).
//
// What: the 19-byte v4 event header, the CRC32 footer, and the bodies cutover needs from a
// MariaDB 10.11 dump: FORMAT_DESCRIPTION, ROTATE, GTID (162), GTID_LIST (163), XID, QUERY,
// HEARTBEAT, TABLE_MAP with its optional metadata (binlog_row_metadata=FULL: signedness,
// charsets, column names, ENUM/SET labels, primary key) and the framing of rows events
// (WRITE/UPDATE/DELETE_ROWS v1 23/24/25, and v2 30/31/32 which only MySQL writes). Row images
// themselves are decoded by row_image.h with the TableMap parsed here.
//
// Design:
//   - Connector/C's mariadb_rpl is used for transport only (binlog_reader.h); every byte of an
//     event is parsed here, from the raw packet, so behaviour does not depend on the library's
//     own parsing (which is wrong for rows, see docs/protocols.md).
//   - Every read is bounds-checked; malformed input is kInternal "binlog event ...: ..." naming
//     the event type and the byte offset. Never undefined behaviour.
//   - BinlogEvent is reused from event to event by the reader: parsers assign the fields they
//     own and leave vector capacity in place, so a steady stream does not churn the heap.
//   - A TableMap is immutable once parsed and shared (shared_ptr<const>) by every rows event that
//     uses it, so a consumer may keep it beyond the next TABLE_MAP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover::mariadb {

// A MariaDB global transaction id.
struct Gtid {
  uint32_t domain = 0;
  uint32_t server_id = 0;
  uint64_t seq = 0;

  std::string ToString() const;  // "domain-server-seq"
  bool operator==(const Gtid& o) const {
    return domain == o.domain && server_id == o.server_id && seq == o.seq;
  }
};

// Parses "d-s-n[,d-s-n...]" (spaces around commas allowed; "" is an empty list). Errors
// (kInvalidArgument) quote the bad element.
Result<std::vector<Gtid>> ParseGtidList(std::string_view text);
// The inverse: "d-s-n,d-s-n".
std::string GtidListToString(const std::vector<Gtid>& gtids);

// One TABLE_MAP event: the layout of a table as the row images that follow it encode it.
// All per-column vectors have `types.size()` entries, in table order.
struct TableMap {
  uint64_t table_id = 0;
  std::string database, table;
  // MYSQL_TYPE_* codes with the binlog's type 254 resolved to its real type (STRING 254,
  // ENUM 247 or SET 248).
  std::vector<uint8_t> types;
  // Per-type metadata, normalised:
  //   STRING, VARCHAR, VAR_STRING: maximum length in bytes
  //   ENUM, SET: storage bytes (ENUM 1-2, SET 1-8)
  //   BLOB, GEOMETRY: bytes of the length prefix (1-4)
  //   NEWDECIMAL: precision << 8 | scale
  //   BIT: number of bits (1-64)
  //   FLOAT, DOUBLE: storage bytes (4, 8)
  //   TIMESTAMP2, DATETIME2, TIME2: fractional digits (0-6)
  //   everything else: 0
  std::vector<uint16_t> meta;
  std::vector<bool> nullable;
  // From the optional metadata. `has_*` is false when the server did not log the field
  // (binlog_row_metadata below FULL); decoding what needs it then fails with a clear error.
  bool has_signedness = false;
  std::vector<bool> is_unsigned;  // numeric columns (integers, YEAR, DECIMAL, FLOAT, DOUBLE)
  bool has_charsets = false;
  std::vector<uint32_t> charsets;  // collation id for character, ENUM and SET columns, else 0
  std::vector<std::string> column_names;  // empty when not logged
  // Labels per ENUM / SET column (empty vector for other columns), in definition order, as the
  // bytes the server logged (in the column's charset; row_image.h converts them to UTF-8).
  bool has_enum_set_values = false;
  std::vector<std::vector<std::string>> enum_values, set_values;
  std::vector<uint32_t> primary_key;  // column indexes, in key order (empty when not logged)

  size_t column_count() const { return types.size(); }
  // "db.table column name" (or "#index" without names) for error messages.
  std::string ColumnLabel(size_t index) const;
};

struct RowImagePair {
  std::vector<Value> before, after;  // empty when the event has no such image
};

struct BinlogEvent {
  enum class Type {
    kGtid,
    kXid,
    kQuery,
    kTableMap,
    kWriteRows,
    kUpdateRows,
    kDeleteRows,
    kRotate,
    kFormatDescription,
    kGtidList,
    kHeartbeat,
    kOther,
  };
  Type type = Type::kOther;
  uint8_t raw_type = 0;  // the header's event type code
  uint32_t timestamp = 0;
  uint32_t server_id = 0;
  uint16_t flags = 0;     // header flags (LOG_EVENT_*)
  std::string file;       // binlog file holding the event
  uint64_t next_pos = 0;  // offset just after the event in `file` (where to resume after it)

  // kGtid
  Gtid gtid;
  uint8_t gtid_flags = 0;        // FL_* flags2 byte
  bool gtid_standalone = false;  // FL_STANDALONE: no XID follows (DDL, non-transactional)
  uint64_t commit_id = 0;        // group commit id when FL_GROUP_COMMIT_ID, else 0
  // kXid
  uint64_t xid = 0;
  // kQuery
  std::string query, query_db;
  // kTableMap, and rows events (the map used to decode them)
  std::shared_ptr<const TableMap> table_map;
  // rows events
  bool stmt_end = false;  // STMT_END_F: the last event of its statement
  // Decoded rows. `rows_skipped` is true (and `rows` empty) when the reader's table filter
  // declined the table: the event still arrives so positions and STMT_END stay visible.
  std::vector<RowImagePair> rows;
  bool rows_skipped = false;
  // kRotate: the next file and position; kHeartbeat: rotate_file is the file the server is
  // reading (the header's position is where it is in that file)
  std::string rotate_file;
  uint64_t rotate_pos = 0;
  // kGtidList (the GTID state at the start of `file`)
  std::vector<Gtid> gtid_list;
};

const char* BinlogEventTypeName(BinlogEvent::Type type);

// ---------------------------------------------------------------------------------------------
// Low-level layer used by the reader (and tests on crafted bytes).
// ---------------------------------------------------------------------------------------------

constexpr size_t kEventHeaderSize = 19;
constexpr size_t kChecksumSize = 4;

// A bounds-checked little-endian reader over a byte buffer with a sticky failure: reads past
// the end return zeros/empty and remember the first field that did not fit, so a parser reads
// a whole structure and checks `ok()` once. Shared by the event and row-image parsers.
class ByteCursor {
 public:
  explicit ByteCursor(std::string_view data) : data_(data) {}

  bool ok() const { return failed_field_ == nullptr; }
  const char* failed_field() const { return failed_field_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  // `n` bytes, or an empty view (and failure) if fewer remain.
  std::string_view Bytes(size_t n, const char* field) {
    if (n > remaining()) return Fail(field), std::string_view();
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  std::string_view Rest() {
    std::string_view v = data_.substr(pos_);
    pos_ = data_.size();
    return v;
  }
  // Little-endian unsigned integer of `n` (1-8) bytes.
  uint64_t UInt(size_t n, const char* field) {
    std::string_view b = Bytes(n, field);
    uint64_t v = 0;
    for (size_t i = b.size(); i-- > 0;) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return v;
  }
  uint8_t U8(const char* field) { return static_cast<uint8_t>(UInt(1, field)); }
  // MySQL length-encoded integer (0xfb, NULL, is a failure here).
  uint64_t LengthEncoded(const char* field);
  void Skip(size_t n, const char* field) { Bytes(n, field); }

  // "what: truncated or malformed at byte N (field)" as kInternal, for a failed cursor.
  Status Error(std::string_view what) const;

 private:
  void Fail(const char* field) {
    if (!failed_field_) failed_field_ = field, failed_pos_ = pos_;
    pos_ = data_.size();
  }
  std::string_view data_;
  size_t pos_ = 0;
  size_t failed_pos_ = 0;
  const char* failed_field_ = nullptr;
};

struct EventHeader {
  uint32_t timestamp = 0;
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_length = 0;  // header + body + checksum
  uint32_t log_pos = 0;       // end of the event in its file (0 for artificial events)
  uint16_t flags = 0;
};

// CRC-32 (ISO-HDLC, as zlib's crc32 and MariaDB's binlog_checksum=CRC32), continuing `crc`.
uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

// Parses the header of `event` (the whole event: header, body, optional CRC32 footer) and
// returns the body without the footer. With `has_checksum`, the footer is verified: a mismatch
// is kDataLoss naming the event type and position. The header's length must match the size.
Status SplitEvent(std::string_view event, bool has_checksum, EventHeader& header,
                  std::string_view& body);

// What FORMAT_DESCRIPTION says about the events after it.
struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;
  uint8_t header_length = kEventHeaderSize;
  std::vector<uint8_t> post_header_lengths;  // indexed by event type - 1
  uint8_t checksum_alg = 0;                  // 0 off, 1 CRC32

  // Post-header length of `type`, or `fallback` when the description does not list it.
  uint8_t PostHeaderLength(uint8_t type, uint8_t fallback) const;
};

// Parses a whole FORMAT_DESCRIPTION event (header included). Its checksum algorithm byte is in
// the event itself; with CRC32 the footer is verified.
Status ParseFormatDescription(std::string_view event, EventHeader& header, FormatDescription& out);

// Fills the type-specific fields of `out` from `body` for every event type except rows events
// (which need ParseRowsEvent + row_image.h) and FORMAT_DESCRIPTION. Unknown types become kOther.
// `out.type`, header fields and positions are set by the caller.
Status ParseEventBody(const EventHeader& header, std::string_view body, const FormatDescription& fd,
                      BinlogEvent& out);

// Parses a TABLE_MAP body (post-header included) with its optional metadata.
Result<std::shared_ptr<TableMap>> ParseTableMap(std::string_view body, const FormatDescription& fd);

// The framing of a rows event: views into the body.
struct RowsEventBody {
  uint8_t raw_type = 0;
  BinlogEvent::Type type = BinlogEvent::Type::kOther;  // kWriteRows, kUpdateRows, kDeleteRows
  uint64_t table_id = 0;
  uint16_t flags = 0;
  uint32_t column_count = 0;
  std::string_view present_before;  // column bitmap of the first image (LSB first)
  std::string_view present_after;   // UPDATE only: column bitmap of the second image
  std::string_view rows;            // the row images
};

// True for WRITE/UPDATE/DELETE_ROWS v1 and v2.
bool IsRowsEvent(uint8_t raw_type);
// Parses the post-header and column bitmaps of a rows event. Compressed rows events
// (log_bin_compress=ON) are kFailedPrecondition.
Status ParseRowsEvent(uint8_t raw_type, std::string_view body, const FormatDescription& fd,
                      RowsEventBody& out);

}  // namespace cutover::mariadb
