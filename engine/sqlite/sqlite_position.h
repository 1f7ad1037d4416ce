// Positions of a SQLite source: sequence numbers of the task's change table.
//
// A stream transaction covering change rows (a, b] has position (b, 0), text "b". A snapshot
// that saw every change row up to S has position (S, 1), text "Ss". So the pipeline's rules
// (position.h) come out right: a transaction ending exactly at S (b == S) is ordered before the
// snapshot, its changes are in the table's copy and skipped; every later transaction (b > S) is
// after it and applied. The stream never lets a transaction straddle a snapshot position
// (sqlite_stream.h). Resuming after either kind of position reads the change rows > major.
#pragma once

#include <string>

#include "engine/core/position.h"
#include "engine/core/status.h"

namespace cutover::sqlite {

inline Position TransactionPosition(uint64_t last_seq) {
  return Position{last_seq, 0, std::to_string(last_seq)};
}

inline Position SnapshotPosition(uint64_t seq) {
  return Position{seq, 1, std::to_string(seq) + "s"};
}

inline Result<Position> ParseSqlitePosition(const std::string& text) {
  std::string digits = text;
  bool snapshot = !digits.empty() && digits.back() == 's';
  if (snapshot) digits.pop_back();
  bool ok = !digits.empty() && digits.size() <= 19;
  for (char c : digits) ok = ok && c >= '0' && c <= '9';
  if (!ok)
    return InvalidArgument("'" + text +
                           "' is not a SQLite source position (a change sequence number)");
  uint64_t seq = std::stoull(digits);
  return snapshot ? SnapshotPosition(seq) : TransactionPosition(seq);
}

}  // namespace cutover::sqlite
