// Counting the rows of a PostgreSQL binary COPY stream as it passes through undecoded (raw rows,
// engine/core/raw_rows.h: PostgreSQL -> PostgreSQL full load).
//
// The stream is the signature header, then per row a 16-bit field count and per field a 32-bit
// length (-1: NULL) and that many bytes, then the trailer (a field count of -1). The server
// sends the header inside the first row's CopyData message, each row in a message of its own
// and the trailer alone; the counter walks each message's rows (checking lengths only, never a
// value) and refuses a message that does not hold whole rows, so a count is never a guess.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/status.h"

namespace cutover::pg {

class CopyBinaryCounter {
 public:
  explicit CopyBinaryCounter(size_t columns) : columns_(columns) {}
  // The rows in `message`, the next CopyData message of the stream. kInternal for a message
  // that is not whole rows of `columns` fields (or the header / trailer).
  Result<int64_t> Count(std::string_view message);
  // Whether the trailer has been seen.
  bool ended() const { return ended_; }

 private:
  size_t columns_;
  bool header_seen_ = false;
  bool ended_ = false;
};

}  // namespace cutover::pg
