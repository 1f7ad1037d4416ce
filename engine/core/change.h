// Change and the transaction frame around it: what a source streams and a sink applies.
//
// A source's change stream is a sequence of StreamEvents: kBegin, kChange..., kCommit, per
// source transaction, in commit order. Transactions are never materialised whole in memory:
// the pipeline applies each change as it arrives (a 200,000-row transaction streams through),
// and sources that receive interleaved chunks spool them to disk and replay them in order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/position.h"
#include "engine/core/schema.h"
#include "engine/core/value.h"

namespace cutover {

enum class ChangeOp : uint8_t { kRead, kInsert, kUpdate, kDelete, kTruncate };

const char* ChangeOpName(ChangeOp op);

struct Change {
  ChangeOp op = ChangeOp::kInsert;
  TableSchemaPtr table;  // for kTruncate: the first truncated table (see `truncated`)
  // Old image: empty when the source did not send one (then the key is taken from `after`).
  // When `before_is_key_only`, only key columns hold values; the others are placeholders.
  std::vector<Value> before;
  bool before_is_key_only = false;
  // New image for kRead/kInsert/kUpdate; may hold Value::Unchanged() columns in kUpdate.
  std::vector<Value> after;
  std::vector<TableSchemaPtr> truncated;  // kTruncate only: every table truncated together
};

// Metadata of one source transaction.
struct TransactionInfo {
  std::string xid;             // source transaction id, for messages
  Position position;           // ordering position (see position.h)
  int64_t commit_time_us = 0;  // commit time, µs since Unix epoch (UTC); 0 when unknown
};

struct StreamEvent {
  enum class Type : uint8_t { kNone, kBegin, kChange, kCommit };
  Type type = Type::kNone;  // kNone: nothing arrived within the wait
  TransactionInfo txn;      // kBegin and kCommit
  Change change;            // kChange
};

}  // namespace cutover
