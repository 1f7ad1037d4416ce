#include "engine/mariadb/binlog_event.h"

// mysql.h must come first: mariadb_rpl.h uses its types.
#include <mysql.h>

#include <mariadb_rpl.h>

#include <array>
#include <charconv>

#include <fmt/format.h>

namespace cutover::mariadb {

namespace {

// ---------------------------------------------------------------------------------------------
// CRC-32, slicing by 8 (a binlog is checksummed byte by byte on every event: keep it cheap).
// ---------------------------------------------------------------------------------------------

using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr CrcTables MakeCrcTables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  return t;
}

constexpr CrcTables kCrc = MakeCrcTables();

uint32_t LoadLe32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// MYSQL_TYPE_* codes that the binlog writes but Connector/C's enum spells differently or not.
constexpr uint8_t kTypeString = MYSQL_TYPE_STRING;  // 254
constexpr uint8_t kTypeEnum = MYSQL_TYPE_ENUM;      // 247
constexpr uint8_t kTypeSet = MYSQL_TYPE_SET;        // 248

bool IsNumericForSignedness(uint8_t t) {
  switch (t) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:  // MariaDB logs YEAR's (unsigned) bit; BIT has none (seen)
    case MYSQL_TYPE_NEWDECIMAL:
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
      return true;
    default:
      return false;
  }
}

// Columns that take an entry in DEFAULT_CHARSET / COLUMN_CHARSET (GEOMETRY included, seen).
bool IsCharacterForCharset(uint8_t t) {
  switch (t) {
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_GEOMETRY:
      return true;
    default:
      return false;
  }
}

bool IsEnumOrSet(uint8_t t) {
  return t == kTypeEnum || t == kTypeSet;
}

std::string EventName(uint8_t type) {
  switch (type) {
    case QUERY_EVENT:
      return "QUERY";
    case ROTATE_EVENT:
      return "ROTATE";
    case FORMAT_DESCRIPTION_EVENT:
      return "FORMAT_DESCRIPTION";
    case XID_EVENT:
      return "XID";
    case TABLE_MAP_EVENT:
      return "TABLE_MAP";
    case WRITE_ROWS_EVENT_V1:
    case WRITE_ROWS_EVENT:
      return "WRITE_ROWS";
    case UPDATE_ROWS_EVENT_V1:
    case UPDATE_ROWS_EVENT:
      return "UPDATE_ROWS";
    case DELETE_ROWS_EVENT_V1:
    case DELETE_ROWS_EVENT:
      return "DELETE_ROWS";
    case HEARTBEAT_LOG_EVENT:
      return "HEARTBEAT";
    case GTID_EVENT:
      return "GTID";
    case GTID_LIST_EVENT:
      return "GTID_LIST";
    default:
      return "type " + std::to_string(type);
  }
}

// Applies a DEFAULT_CHARSET-style field (default collation, then (index, collation) pairs
// counted among `applies` columns) or a COLUMN_CHARSET-style field (one collation per such
// column) to `charsets`.
template <typename Applies>
bool ApplyCharsets(std::string_view field, bool per_column, const std::vector<uint8_t>& types,
                   Applies applies, std::vector<uint32_t>& charsets) {
  ByteCursor c(field);
  std::vector<size_t> columns;
  for (size_t i = 0; i < types.size(); ++i)
    if (applies(types[i])) columns.push_back(i);
  if (per_column) {
    for (size_t col : columns) charsets[col] = static_cast<uint32_t>(c.LengthEncoded("collation"));
    return c.ok() && c.at_end();
  }
  uint32_t def = static_cast<uint32_t>(c.LengthEncoded("default collation"));
  for (size_t col : columns) charsets[col] = def;
  while (c.ok() && !c.at_end()) {
    uint64_t index = c.LengthEncoded("column index");
    uint32_t coll = static_cast<uint32_t>(c.LengthEncoded("collation"));
    if (!c.ok() || index >= columns.size()) return false;
    charsets[columns[index]] = coll;
  }
  return c.ok();
}

// SET_STR_VALUE / ENUM_STR_VALUE: for each column of `type`, a count then the labels.
bool ApplyLabels(std::string_view field, uint8_t type, const std::vector<uint8_t>& types,
                 std::vector<std::vector<std::string>>& labels) {
  ByteCursor c(field);
  for (size_t i = 0; i < types.size() && c.ok(); ++i) {
    if (types[i] != type) continue;
    uint64_t n = c.LengthEncoded("label count");
    if (n > c.remaining()) return false;
    auto& out = labels[i];
    out.clear();
    out.reserve(n);
    for (uint64_t k = 0; k < n && c.ok(); ++k) {
      uint64_t len = c.LengthEncoded("label length");
      out.emplace_back(c.Bytes(len, "label"));
    }
  }
  return c.ok() && c.at_end();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

uint64_t ByteCursor::LengthEncoded(const char* field) {
  uint8_t first = U8(field);
  if (first < 0xfb) return first;
  switch (first) {
    case 0xfc:
      return UInt(2, field);
    case 0xfd:
      return UInt(3, field);
    case 0xfe:
      return UInt(8, field);
    default:
      if (ok()) Fail(field);
      return 0;
  }
}

Status ByteCursor::Error(std::string_view what) const {
  return Internal(fmt::format("{}: truncated or malformed at byte {} ({})", what, failed_pos_,
                              failed_field_ ? failed_field_ : "trailing bytes"));
}

std::string Gtid::ToString() const {
  return fmt::format("{}-{}-{}", domain, server_id, seq);
}

Result<std::vector<Gtid>> ParseGtidList(std::string_view text) {
  std::vector<Gtid> out;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  if (trim(text).empty()) return out;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    Gtid g;
    const char* p = item.data();
    const char* end = item.data() + item.size();
    auto num = [&](auto& v, bool last) {
      auto [q, ec] = std::from_chars(p, end, v);
      if (ec != std::errc() || q == p) return false;
      p = q;
      if (last) return p == end;
      if (p == end || *p != '-') return false;
      ++p;
      return true;
    };
    if (!num(g.domain, false) || !num(g.server_id, false) || !num(g.seq, true)) {
      return InvalidArgument(
          fmt::format("invalid GTID '{}': expected domain-server-sequence such as 0-1-42", item));
    }
    out.push_back(g);
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return out;
}

std::string GtidListToString(const std::vector<Gtid>& gtids) {
  std::string out;
  for (const Gtid& g : gtids) {
    if (!out.empty()) out.push_back(',');
    out += g.ToString();
  }
  return out;
}

std::string TableMap::ColumnLabel(size_t index) const {
  if (index < column_names.size())
    return fmt::format("table {}.{} column {}", database, table, column_names[index]);
  return fmt::format("table {}.{} column #{}", database, table, index + 1);
}

const char* BinlogEventTypeName(BinlogEvent::Type type) {
  switch (type) {
    case BinlogEvent::Type::kGtid:
      return "GTID";
    case BinlogEvent::Type::kXid:
      return "XID";
    case BinlogEvent::Type::kQuery:
      return "QUERY";
    case BinlogEvent::Type::kTableMap:
      return "TABLE_MAP";
    case BinlogEvent::Type::kWriteRows:
      return "WRITE_ROWS";
    case BinlogEvent::Type::kUpdateRows:
      return "UPDATE_ROWS";
    case BinlogEvent::Type::kDeleteRows:
      return "DELETE_ROWS";
    case BinlogEvent::Type::kRotate:
      return "ROTATE";
    case BinlogEvent::Type::kFormatDescription:
      return "FORMAT_DESCRIPTION";
    case BinlogEvent::Type::kGtidList:
      return "GTID_LIST";
    case BinlogEvent::Type::kHeartbeat:
      return "HEARTBEAT";
    case BinlogEvent::Type::kOther:
      return "other";
  }
  return "?";
}

uint32_t Crc32(const void* data, size_t size, uint32_t crc) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  while (size >= 8) {
    uint32_t a = LoadLe32(p) ^ crc;
    uint32_t b = LoadLe32(p + 4);
    crc = kCrc[7][a & 0xff] ^ kCrc[6][(a >> 8) & 0xff] ^ kCrc[5][(a >> 16) & 0xff] ^
          kCrc[4][a >> 24] ^ kCrc[3][b & 0xff] ^ kCrc[2][(b >> 8) & 0xff] ^
          kCrc[1][(b >> 16) & 0xff] ^ kCrc[0][b >> 24];
    p += 8;
    size -= 8;
  }
  while (size--) crc = kCrc[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

namespace {

Status ParseHeader(std::string_view event, EventHeader& h) {
  if (event.size() < kEventHeaderSize) {
    return Internal(
        fmt::format("binlog event of {} bytes is shorter than its 19-byte header", event.size()));
  }
  const auto* p = reinterpret_cast<const uint8_t*>(event.data());
  h.timestamp = LoadLe32(p);
  h.type = p[4];
  h.server_id = LoadLe32(p + 5);
  h.event_length = LoadLe32(p + 9);
  h.log_pos = LoadLe32(p + 13);
  h.flags = static_cast<uint16_t>(p[17] | p[18] << 8);
  if (h.event_length != event.size()) {
    return Internal(fmt::format("binlog event {} at end position {}: header says {} bytes, got {}",
                                EventName(h.type), h.log_pos, h.event_length, event.size()));
  }
  return Status::Ok();
}

Status VerifyChecksum(std::string_view event, const EventHeader& h) {
  if (event.size() < kEventHeaderSize + kChecksumSize) {
    return Internal(fmt::format("binlog event {} at end position {} too short for its checksum",
                                EventName(h.type), h.log_pos));
  }
  size_t n = event.size() - kChecksumSize;
  uint32_t stored = LoadLe32(reinterpret_cast<const uint8_t*>(event.data()) + n);
  uint32_t computed = Crc32(event.data(), n);
  if (stored != computed) {
    return DataLoss(fmt::format(
        "binlog event {} at end position {}: CRC32 mismatch (stored {:08x}, computed {:08x})",
        EventName(h.type), h.log_pos, stored, computed));
  }
  return Status::Ok();
}

}  // namespace

Status SplitEvent(std::string_view event, bool has_checksum, EventHeader& header,
                  std::string_view& body) {
  RETURN_IF_ERROR(ParseHeader(event, header));
  if (has_checksum) {
    RETURN_IF_ERROR(VerifyChecksum(event, header));
    body = event.substr(kEventHeaderSize, event.size() - kEventHeaderSize - kChecksumSize);
  } else {
    body = event.substr(kEventHeaderSize);
  }
  return Status::Ok();
}

uint8_t FormatDescription::PostHeaderLength(uint8_t type, uint8_t fallback) const {
  if (type == 0 || type > post_header_lengths.size()) return fallback;
  return post_header_lengths[type - 1];
}

Status ParseFormatDescription(std::string_view event, EventHeader& header, FormatDescription& out) {
  RETURN_IF_ERROR(ParseHeader(event, header));
  // Body: version(2) server_version(50) create_timestamp(4) header_length(1)
  //       post_header_lengths(n) checksum_alg(1) checksum(4).
  std::string_view body = event.substr(kEventHeaderSize);
  if (body.size() < 57 + 1 + kChecksumSize) {
    return Internal(fmt::format("FORMAT_DESCRIPTION event of {} bytes is too short", event.size()));
  }
  out.checksum_alg = static_cast<uint8_t>(body[body.size() - kChecksumSize - 1]);
  if (out.checksum_alg == 1) RETURN_IF_ERROR(VerifyChecksum(event, header));
  ByteCursor c(body.substr(0, body.size() - kChecksumSize - 1));
  out.binlog_version = static_cast<uint16_t>(c.UInt(2, "binlog version"));
  std::string_view version = c.Bytes(50, "server version");
  out.server_version.assign(version.substr(0, version.find('\0')));
  c.Skip(4, "create timestamp");
  out.header_length = c.U8("header length");
  std::string_view lengths = c.Rest();
  out.post_header_lengths.assign(lengths.begin(), lengths.end());
  if (!c.ok()) return c.Error("FORMAT_DESCRIPTION");
  if (out.binlog_version != 4 || out.header_length != kEventHeaderSize) {
    return Internal(fmt::format(
        "FORMAT_DESCRIPTION: binlog version {} with {}-byte headers is not supported (4, 19)",
        out.binlog_version, out.header_length));
  }
  if (out.checksum_alg > 1) {
    return Internal(
        fmt::format("FORMAT_DESCRIPTION: unknown checksum algorithm {}", out.checksum_alg));
  }
  return Status::Ok();
}

Result<std::shared_ptr<TableMap>> ParseTableMap(std::string_view body,
                                                const FormatDescription& fd) {
  auto map = std::make_shared<TableMap>();
  ByteCursor c(body);
  uint8_t post = fd.PostHeaderLength(TABLE_MAP_EVENT, 8);
  map->table_id = c.UInt(post == 6 ? 4 : 6, "table id");
  c.Skip(2, "flags");
  if (post > 8) c.Skip(post - 8, "post-header");
  map->database.assign(c.Bytes(c.U8("database length"), "database"));
  c.Skip(1, "database terminator");
  map->table.assign(c.Bytes(c.U8("table length"), "table"));
  c.Skip(1, "table terminator");
  uint64_t n = c.LengthEncoded("column count");
  if (n > c.remaining()) return c.Error("TABLE_MAP column count");
  std::string_view types = c.Bytes(n, "column types");
  std::string_view meta = c.Bytes(c.LengthEncoded("metadata length"), "metadata");
  std::string_view nulls = c.Bytes((n + 7) / 8, "null bitmap");
  std::string_view optional = c.Rest();
  if (!c.ok()) return c.Error("TABLE_MAP");
  std::string what = fmt::format("TABLE_MAP {}.{}", map->database, map->table);

  map->types.assign(types.begin(), types.end());
  map->meta.assign(n, 0);
  map->nullable.assign(n, false);
  ByteCursor m(meta);
  for (size_t i = 0; i < n; ++i) {
    map->nullable[i] = (static_cast<uint8_t>(nulls[i / 8]) >> (i % 8)) & 1;
    uint8_t& t = map->types[i];
    switch (t) {
      case MYSQL_TYPE_FLOAT:
      case MYSQL_TYPE_DOUBLE:
      case MYSQL_TYPE_TINY_BLOB:
      case MYSQL_TYPE_MEDIUM_BLOB:
      case MYSQL_TYPE_LONG_BLOB:
      case MYSQL_TYPE_BLOB:
      case MYSQL_TYPE_GEOMETRY:
      case MYSQL_TYPE_JSON:
      case MYSQL_TYPE_TIMESTAMP2:
      case MYSQL_TYPE_DATETIME2:
      case MYSQL_TYPE_TIME2:
        map->meta[i] = m.U8("column metadata");
        break;
      case MYSQL_TYPE_VARCHAR:
      case MYSQL_TYPE_VAR_STRING:
        map->meta[i] = static_cast<uint16_t>(m.UInt(2, "column metadata"));
        break;
      case MYSQL_TYPE_BIT: {
        uint8_t bits = m.U8("column metadata");
        uint8_t bytes = m.U8("column metadata");
        map->meta[i] = static_cast<uint16_t>(bytes * 8 + bits);
        break;
      }
      case MYSQL_TYPE_NEWDECIMAL: {
        uint8_t precision = m.U8("column metadata");
        uint8_t scale = m.U8("column metadata");
        map->meta[i] = static_cast<uint16_t>(precision << 8 | scale);
        break;
      }
      case kTypeString:
      case kTypeEnum:
      case kTypeSet: {
        uint8_t b0 = m.U8("column metadata");
        uint8_t b1 = m.U8("column metadata");
        if ((b0 & 0x30) != 0x30) {  // CHAR longer than 255 bytes: length bits 8-9 in b0
          t = static_cast<uint8_t>(b0 | 0x30);
          map->meta[i] = static_cast<uint16_t>(b1 | (((b0 & 0x30) ^ 0x30) << 4));
        } else {
          t = b0;
          map->meta[i] = b1;
        }
        break;
      }
      default:
        break;
    }
  }
  if (!m.ok() || !m.at_end()) {
    return Internal(fmt::format("{}: column metadata does not match the column types ({} bytes)",
                                what, meta.size()));
  }

  map->is_unsigned.assign(n, false);
  map->charsets.assign(n, 0);
  map->enum_values.assign(n, {});
  map->set_values.assign(n, {});
  bool saw_signedness = false;
  ByteCursor o(optional);
  while (o.ok() && !o.at_end()) {
    uint8_t field_type = o.U8("optional metadata type");
    std::string_view field =
        o.Bytes(o.LengthEncoded("optional metadata length"), "optional metadata value");
    if (!o.ok()) break;
    bool good = true;
    switch (field_type) {
      case SIGNEDNESS: {
        saw_signedness = true;
        size_t bit = 0;
        for (size_t i = 0; i < n && good; ++i) {
          if (!IsNumericForSignedness(map->types[i])) continue;
          if (bit / 8 >= field.size()) {
            good = false;
            break;
          }
          map->is_unsigned[i] = (static_cast<uint8_t>(field[bit / 8]) << (bit % 8)) & 0x80;
          ++bit;
        }
        break;
      }
      case DEFAULT_CHARSET:
      case COLUMN_CHARSET:
        good = ApplyCharsets(field, field_type == COLUMN_CHARSET, map->types, IsCharacterForCharset,
                             map->charsets);
        break;
      case ENUM_AND_SET_DEFAULT_CHARSET:
      case ENUM_AND_SET_COLUMN_CHARSET:
        good = ApplyCharsets(field, field_type == ENUM_AND_SET_COLUMN_CHARSET, map->types,
                             IsEnumOrSet, map->charsets);
        break;
      case COLUMN_NAME: {
        ByteCursor f(field);
        map->column_names.clear();
        map->column_names.reserve(n);
        for (size_t i = 0; i < n; ++i)
          map->column_names.emplace_back(f.Bytes(f.LengthEncoded("name length"), "name"));
        good = f.ok() && f.at_end();
        break;
      }
      case SET_STR_VALUE:
        good = ApplyLabels(field, kTypeSet, map->types, map->set_values);
        break;
      case ENUM_STR_VALUE:
        good = ApplyLabels(field, kTypeEnum, map->types, map->enum_values);
        break;
      case SIMPLE_PRIMARY_KEY:
      case PRIMARY_KEY_WITH_PREFIX: {
        ByteCursor f(field);
        map->primary_key.clear();
        while (f.ok() && !f.at_end()) {
          uint64_t col = f.LengthEncoded("key column");
          if (field_type == PRIMARY_KEY_WITH_PREFIX) f.LengthEncoded("key prefix");
          if (col >= n) good = false;
          map->primary_key.push_back(static_cast<uint32_t>(col));
        }
        good = good && f.ok();
        break;
      }
      default:  // GEOMETRY_TYPE and anything newer: not needed
        break;
    }
    if (!good) {
      return Internal(fmt::format("{}: malformed optional metadata field {}", what, field_type));
    }
  }
  if (!o.ok()) return o.Error(what + " optional metadata");

  map->has_signedness = saw_signedness;
  map->has_charsets = true;
  map->has_enum_set_values = true;
  for (size_t i = 0; i < n; ++i) {
    uint8_t t = map->types[i];
    if (IsNumericForSignedness(t) && !saw_signedness) map->has_signedness = false;
    if ((IsCharacterForCharset(t) || IsEnumOrSet(t)) && map->charsets[i] == 0)
      map->has_charsets = false;
    if ((t == kTypeEnum && map->enum_values[i].empty()) ||
        (t == kTypeSet && map->set_values[i].empty()))
      map->has_enum_set_values = false;
  }
  if (!saw_signedness) {
    bool any_numeric = false;
    for (uint8_t t : map->types) any_numeric = any_numeric || IsNumericForSignedness(t);
    map->has_signedness = !any_numeric;
  }
  return map;
}

bool IsRowsEvent(uint8_t t) {
  return t == WRITE_ROWS_EVENT_V1 || t == UPDATE_ROWS_EVENT_V1 || t == DELETE_ROWS_EVENT_V1 ||
         t == WRITE_ROWS_EVENT || t == UPDATE_ROWS_EVENT || t == DELETE_ROWS_EVENT ||
         (t >= WRITE_ROWS_COMPRESSED_EVENT_V1 && t <= DELETE_ROWS_COMPRESSED_EVENT);
}

Status ParseRowsEvent(uint8_t raw_type, std::string_view body, const FormatDescription& fd,
                      RowsEventBody& out) {
  if (raw_type >= WRITE_ROWS_COMPRESSED_EVENT_V1 && raw_type <= DELETE_ROWS_COMPRESSED_EVENT) {
    return FailedPrecondition(fmt::format(
        "compressed binlog rows event (type {}) is not supported: set log_bin_compress=OFF on "
        "the source",
        raw_type));
  }
  bool v2 = raw_type == WRITE_ROWS_EVENT || raw_type == UPDATE_ROWS_EVENT ||
            raw_type == DELETE_ROWS_EVENT;
  out.raw_type = raw_type;
  switch (raw_type) {
    case WRITE_ROWS_EVENT_V1:
    case WRITE_ROWS_EVENT:
      out.type = BinlogEvent::Type::kWriteRows;
      break;
    case UPDATE_ROWS_EVENT_V1:
    case UPDATE_ROWS_EVENT:
      out.type = BinlogEvent::Type::kUpdateRows;
      break;
    case DELETE_ROWS_EVENT_V1:
    case DELETE_ROWS_EVENT:
      out.type = BinlogEvent::Type::kDeleteRows;
      break;
    default:
      return Internal(fmt::format("binlog event type {} is not a rows event", raw_type));
  }
  ByteCursor c(body);
  uint8_t post = fd.PostHeaderLength(raw_type, v2 ? 10 : 8);
  out.table_id = c.UInt(post == 6 ? 4 : 6, "table id");
  out.flags = static_cast<uint16_t>(c.UInt(2, "flags"));
  size_t used = post == 6 ? 6 : 8;
  if (v2) {
    uint64_t extra = c.UInt(2, "extra data length");  // includes its own two bytes
    used += 2;
    if (extra > 2) c.Skip(extra - 2, "extra data");
  }
  if (post > used) c.Skip(post - used, "post-header");
  uint64_t n = c.LengthEncoded("column count");
  if (n > 0xffff) return Internal(fmt::format("{} event: {} columns", EventName(raw_type), n));
  out.column_count = static_cast<uint32_t>(n);
  out.present_before = c.Bytes((n + 7) / 8, "column bitmap");
  out.present_after = out.type == BinlogEvent::Type::kUpdateRows
                          ? c.Bytes((n + 7) / 8, "update column bitmap")
                          : std::string_view();
  out.rows = c.Rest();
  if (!c.ok()) return c.Error(EventName(raw_type) + " event");
  return Status::Ok();
}

Status ParseEventBody(const EventHeader& header, std::string_view body, const FormatDescription& fd,
                      BinlogEvent& out) {
  ByteCursor c(body);
  switch (header.type) {
    case ROTATE_EVENT:
      out.type = BinlogEvent::Type::kRotate;
      out.rotate_pos = c.UInt(8, "position");
      out.rotate_file.assign(c.Rest());
      break;
    case HEARTBEAT_LOG_EVENT:
      out.type = BinlogEvent::Type::kHeartbeat;
      out.rotate_file.assign(c.Rest());  // the file the dump thread is reading
      break;
    case XID_EVENT:
      out.type = BinlogEvent::Type::kXid;
      out.xid = c.UInt(8, "xid");
      break;
    case GTID_EVENT: {
      out.type = BinlogEvent::Type::kGtid;
      out.gtid.seq = c.UInt(8, "sequence number");
      out.gtid.domain = static_cast<uint32_t>(c.UInt(4, "domain id"));
      out.gtid.server_id = header.server_id;
      out.gtid_flags = c.U8("flags");
      out.gtid_standalone = out.gtid_flags & FL_STANDALONE;
      out.commit_id = (out.gtid_flags & FL_GROUP_COMMIT_ID) ? c.UInt(8, "commit id") : 0;
      break;  // XA fields and extra flags that may follow are not needed
    }
    case GTID_LIST_EVENT: {
      out.type = BinlogEvent::Type::kGtidList;
      uint32_t count = static_cast<uint32_t>(c.UInt(4, "count")) & ((1u << 28) - 1);
      if (count > c.remaining() / 16) return c.Error("GTID_LIST count");
      out.gtid_list.resize(count);
      for (Gtid& g : out.gtid_list) {
        g.domain = static_cast<uint32_t>(c.UInt(4, "domain id"));
        g.server_id = static_cast<uint32_t>(c.UInt(4, "server id"));
        g.seq = c.UInt(8, "sequence number");
      }
      break;
    }
    case QUERY_EVENT: {
      out.type = BinlogEvent::Type::kQuery;
      uint8_t post = fd.PostHeaderLength(QUERY_EVENT, 13);
      c.Skip(8, "thread id and time");
      uint8_t db_len = c.U8("database length");
      c.Skip(2, "error code");
      uint64_t status_len = c.UInt(2, "status variables length");
      if (post > 13) c.Skip(post - 13, "post-header");
      c.Skip(status_len, "status variables");
      out.query_db.assign(c.Bytes(db_len, "database"));
      c.Skip(1, "database terminator");
      out.query.assign(c.Rest());
      break;
    }
    case TABLE_MAP_EVENT: {
      out.type = BinlogEvent::Type::kTableMap;
      ASSIGN_OR_RETURN(auto map, ParseTableMap(body, fd));
      out.table_map = std::move(map);
      break;
    }
    case FORMAT_DESCRIPTION_EVENT:
      return Internal("FORMAT_DESCRIPTION must be parsed with ParseFormatDescription");
    default:
      if (IsRowsEvent(header.type))
        return Internal("rows events must be parsed with ParseRowsEvent");
      out.type = BinlogEvent::Type::kOther;
      break;
  }
  if (!c.ok()) return c.Error(EventName(header.type) + " event");
  return Status::Ok();
}

}  // namespace cutover::mariadb
