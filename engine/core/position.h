// Position: a place in one source's change history, totally ordered within that source.
//
// Engines fill (major, minor) so that plain lexicographic comparison is the source's own order:
// PostgreSQL: major = commit LSN of a transaction; MariaDB: major = binlog file sequence,
// minor = offset; SQLite: major = change sequence number. `text` is the stable form stored in
// checkpoints and shown to people; Source::ParsePosition turns it back into a Position.
//
// A transaction's position is known when it begins, so "already applied?" and "before this
// table's snapshot?" are decided before any of its changes are applied:
//   - a transaction is applied iff position > checkpoint position;
//   - a change to table T is applied iff transaction position >= T's snapshot position.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>

namespace cutover {

struct Position {
  uint64_t major = 0;
  uint64_t minor = 0;
  std::string text;  // empty: no position (start of history / not set)

  bool empty() const { return text.empty(); }
  bool operator<(const Position& o) const {
    return std::tie(major, minor) < std::tie(o.major, o.minor);
  }
  bool operator<=(const Position& o) const { return !(o < *this); }
  bool operator>(const Position& o) const { return o < *this; }
  bool operator>=(const Position& o) const { return !(*this < o); }
  bool operator==(const Position& o) const { return major == o.major && minor == o.minor; }
};

}  // namespace cutover
