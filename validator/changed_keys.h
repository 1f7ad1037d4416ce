// ChangedKeys: the keys of the rows CDC wrote to the target, kept until in-task revalidation
// (validator/task_validation.h) compares those rows again on both sides.
//
// Design: the CDC loop hands every change it writes (ReplicateOptions::on_change_written, after
// the table mapping: source table name, target columns, the mapping's key) to Note, which keeps
// the row's key Values per table, deduplicated, with the time of the row's last change: an
// insert, update or delete notes its key, an update that changes the key notes the old key too
// (the old row must be gone on both sides). Take hands out the keys whose last change is at
// least `delay` old, oldest first, a batch at a time; a row that still differs is put back with
// Retry and comes due again after the delay, and a new change of the row resets its retries.
//
// Memory is bounded: at most `max_keys` keys are held over all tables. A note that finds the
// set full drops every key held for its table and marks the table overflowed (so are tables a
// TRUNCATE empties): TakeOverflowed hands those tables out for a whole-table validation instead,
// and keys noted for them afterwards are collected again. Keyless tables are not noted (their
// rows cannot be looked up by key; the initial validation compared them as a multiset).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/core/change.h"
#include "engine/core/schema.h"

namespace cutover::validator {

// A key's values as one string (equal keys, equal strings), for deduplication.
std::string PrintedKey(const std::vector<Value>& key);

class ChangedKeys {
 public:
  using Clock = std::chrono::steady_clock;

  struct Key {
    TableName table;
    std::vector<std::string> columns;  // the key's column names (target names), in key order
    std::vector<Value> values;         // one per column
    int retries = 0;                   // times it was found differing since its last change
  };

  explicit ChangedKeys(size_t max_keys) : max_keys_(max_keys) {}

  // Notes the row(s) `c` writes (any thread).
  void Note(const Change& c);

  // At most `max` keys whose last note or retry is at least `delay` old, oldest first; they are
  // no longer held (a row changed again after this is noted anew).
  std::vector<Key> Take(Clock::duration delay, size_t max);
  // Puts `key` back (still differing): due again after the delay, `retries` as given.
  void Retry(Key key);
  // Tables whose keys overflowed or that were truncated since the last call.
  std::set<TableName> TakeOverflowed();
  // Marks `table` overflowed again (its whole-table validation is put off): its keys are dropped
  // and not collected until TakeOverflowed hands it out.
  void Overflow(const TableName& table);

  // Keys held for `table` (pending revalidation), and for all tables.
  size_t Pending(const TableName& table) const;
  size_t Pending() const;
  // Tables that ever had a key noted, overflowed or not.
  std::set<TableName> Tables() const;

 private:
  struct Held {
    Key key;
    Clock::time_point due;
  };
  void Put(Key key, Clock::time_point when);    // mu_ held
  void OverflowLocked(const TableName& table);  // mu_ held

  const size_t max_keys_;
  mutable std::mutex mu_;
  // Per table: the held keys by their printed values (deduplication).
  std::map<TableName, std::map<std::string, Held>> held_;
  size_t count_ = 0;
  std::set<TableName> overflowed_;
  std::set<TableName> seen_;
};

}  // namespace cutover::validator
