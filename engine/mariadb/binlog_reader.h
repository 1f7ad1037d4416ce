// BinlogReader: the MariaDB binlog as a stream of decoded BinlogEvents.
//
// What: opens its own connection (MariaConn, purpose "binlog"), registers as a replica
// (COM_BINLOG_DUMP through Connector/C's mariadb_rpl, which is used for transport only), and
// returns one event per Next(): header fields, the binlog file and the position after the event
// (tracked through ROTATE), GTID/XID/QUERY/ROTATE/GTID_LIST/HEARTBEAT bodies, TABLE_MAPs (the
// latest one per table id is kept) and rows events decoded with their TABLE_MAP (row_image.h).
//
// Session setup before the dump (docs/protocols.md): @master_binlog_checksum (the server's own
// setting, else it refuses the dump), @mariadb_slave_capability=4 (real GTID events),
// @slave_connect_state (resume by GTID) and @master_heartbeat_period (an idle stream yields a
// HEARTBEAT at least once per period, so a consumer waiting with a deadline regains control).
// Every event's CRC32 footer is verified when the binlog is checksummed.
//
// Errors: a binlog file needed to start that is no longer on the server (purged), or a GTID
// state the server cannot find any more, is kDataLoss naming the file or state; a lost
// connection is kUnavailable; a malformed event is kInternal naming file and position. After an
// error the reader is finished: open a new one from the last position the consumer processed.
//
// Threading: one thread at a time. Next() blocks (at most about one heartbeat period when the
// source is idle, or the connection's read timeout when the server is gone).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "engine/core/endpoint.h"
#include "engine/core/status.h"
#include "engine/mariadb/binlog_event.h"

struct st_mariadb_rpl;
struct st_mariadb_rpl_event;

namespace cutover::mariadb {

class MariaConn;

struct BinlogStart {
  // Resume by file position: the event starting at `pos` in `file` comes first. An empty file
  // means "from the server's current end" (SHOW MASTER STATUS).
  std::string file;
  uint64_t pos = 4;
  // Resume by GTID ("0-1-5,1-2-9"): the stream starts after these transactions; when set,
  // file/pos are ignored.
  std::string gtid_state;
};

class BinlogReader : NonCopyable {
 public:
  // Decides per TABLE_MAP whether the rows of that table are decoded. Declined tables' rows
  // events still arrive (rows_skipped = true, rows empty), so positions and STMT_END stay
  // visible, but cost no decoding and cannot fail on types cutover does not carry.
  using TableFilter = std::function<bool(const TableMap&)>;

  // `server_id` must be non-zero and unique among the source's replicas (a second connection
  // with the same id makes the server drop the first). `heartbeat` 0 disables heartbeats.
  static Result<std::unique_ptr<BinlogReader>> Open(const std::string& uri,
                                                    const BinlogStart& start, uint32_t server_id,
                                                    std::chrono::milliseconds heartbeat);
  ~BinlogReader();

  // Sets the filter (default: decode every table). Applies to TABLE_MAPs read after the call.
  void SetTableFilter(TableFilter filter) { filter_ = std::move(filter); }

  // Blocks until the next event and fills `out` (reusing its storage). Only the fields of
  // `out.type` are meaningful; the others may still hold values of earlier events.
  Status Next(BinlogEvent& out);

  // Where the stream is: the file and the position after the last event returned.
  const std::string& file() const { return file_; }
  uint64_t position() const { return pos_; }
  const std::string& redacted_uri() const;

 private:
  BinlogReader() = default;
  Status Fail(Status status);
  Status Fetch(std::string_view& raw);
  Status HandleRows(const EventHeader& header, std::string_view body, BinlogEvent& out);

  struct MapEntry {
    std::shared_ptr<const TableMap> map;
    bool decode = true;
  };

  std::unique_ptr<MariaConn> conn_;
  st_mariadb_rpl* rpl_ = nullptr;
  st_mariadb_rpl_event* event_ = nullptr;
  bool server_checksum_ = false;  // @@global.binlog_checksum is CRC32 (events before any FD)
  bool have_fd_ = false;
  FormatDescription fd_;
  std::string file_;
  uint64_t pos_ = 0;
  std::unordered_map<uint64_t, MapEntry> maps_;
  TableFilter filter_;
  RowsEventBody rows_body_;
  Status failed_;  // sticky: the first error ends the stream
};

}  // namespace cutover::mariadb
