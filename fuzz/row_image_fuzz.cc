// Fuzz target: MariaDB row images (engine/mariadb/row_image.h), the decoder every binlog row
// goes through.
//
// Input: a length-prefixed TABLE_MAP body, then one byte for the rows event type (mapped onto
// WRITE/UPDATE/DELETE_ROWS v1/v2), then the rows event body. No CRC, no event header: the fuzzer
// spends its effort on the table map's metadata and the images. DecodeRows must return a Status
// for any bytes.
#include <vector>

#include "engine/mariadb/row_image.h"
#include "fuzz/fuzz_input.h"

using namespace cutover::mariadb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cutover::fuzz::FuzzInput in(data, size);
  FormatDescription fd;
  auto map = ParseTableMap(in.Piece(), fd);
  if (!map.ok()) return 0;
  if (!CheckDecodable(**map).ok()) return 0;
  static const uint8_t kTypes[] = {23, 24, 25, 30, 31, 32};
  uint8_t raw_type = kTypes[in.Byte() % 6];
  RowsEventBody body;
  if (!ParseRowsEvent(raw_type, in.Rest(), fd, body).ok()) return 0;
  body.table_id = (*map)->table_id;
  std::vector<RowImagePair> rows;
  (void)DecodeRows(**map, body, rows);
  return 0;
}
