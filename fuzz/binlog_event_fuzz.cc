// Fuzz target: MariaDB binlog event framing and bodies (engine/mariadb/binlog_event.h).
//
// Input: one whole event (19-byte header, body, optional CRC32 footer). The first byte picks
// whether the footer is verified (a verified footer rejects nearly every mutation, so most runs
// go without it) and whether the event is read as a FORMAT_DESCRIPTION. Every parser must return
// a Status for any bytes: no crash, no read past the buffer, no undefined behaviour.
#include <string>

#include "engine/mariadb/binlog_event.h"
#include "fuzz/fuzz_input.h"

using namespace cutover::mariadb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cutover::fuzz::FuzzInput in(data, size);
  uint8_t mode = in.Byte();
  std::string event(in.Rest());
  EventHeader header;
  if (mode & 2) {
    FormatDescription fd;
    (void)ParseFormatDescription(event, header, fd);
    return 0;
  }
  std::string_view body;
  if (!SplitEvent(event, (mode & 1) != 0, header, body).ok()) return 0;
  FormatDescription fd;
  if (IsRowsEvent(header.type)) {
    RowsEventBody rows;
    (void)ParseRowsEvent(header.type, body, fd, rows);
  } else if (header.type == 19) {
    (void)ParseTableMap(body, fd);
  } else {
    BinlogEvent out;
    (void)ParseEventBody(header, body, fd, out);
  }
  (void)ParseGtidList(std::string_view(event).substr(0, 64));
  return 0;
}
