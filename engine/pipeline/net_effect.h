// NetEffect: folds a run of row changes into their net effect per key, for bulk apply.
//
// Why: replaying a busy OLTP stream statement by statement costs the target one executor round
// per change, while the hot rows (a branch balance updated 2,500 times in a group) end in one
// state. Inside one target transaction only the final state is ever visible, so applying the
// net effect per key at a source transaction boundary is exactly equivalent, and it turns
// thousands of statements into a few bulk ones. Row order among different keys is not kept
// (deletes, then updates, then inserts per table), which is safe for key-only constraints; a
// target with other unique constraints or triggers that depend on order should use row apply.
//
// Folding rules per key (first = state before the run is unknown, so it is inferred from the
// first change): insert → row absent before; update/delete → row present before. The net result:
// present before and after → UPDATE with the final row; absent before, present after → INSERT;
// present before, gone after → DELETE; absent before and after → nothing. An UPDATE that changes
// the key is a delete of the old key plus an insert of the new one. Unchanged (TOAST) columns
// take the last known value of the run, or stay Unchanged (the target keeps its value).
//
// Add() returns false for a change it cannot fold (TRUNCATE; a key-changing UPDATE whose new
// row has columns with unknown values): the caller drains the batch, then applies that change
// by itself, so the overall order stays correct.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/core/change.h"
#include "engine/core/endpoint.h"

namespace cutover {

class NetEffect {
 public:
  bool Add(const Change& change);
  size_t keys() const { return entries_; }
  size_t approx_bytes() const { return bytes_; }
  bool empty() const { return entries_ == 0; }
  // Whether the pending state holds a change of one of `tables`.
  bool HoldsAny(const std::vector<TableName>& tables) const;
  // Returns the batches (one per table, in order of first appearance) and clears the state.
  std::vector<TableBatch> Drain();

 private:
  struct Entry {
    bool existed_before = false;
    bool exists_now = false;
    std::vector<Value> row;  // final row when exists_now (may hold Unchanged), else key only
  };
  struct TableState {
    TableSchemaPtr schema;
    std::unordered_map<std::string, Entry> entries;
  };

  TableState& StateFor(const TableSchemaPtr& t);
  static void KeyOf(const TableSchema& t, const std::vector<Value>& row, std::string& out);
  Entry& EntryFor(TableState& ts, const std::string& key, bool& created);
  void Account(const std::vector<Value>& row);

  std::vector<TableState> tables_;  // few tables: linear search by pointer
  size_t entries_ = 0;
  size_t bytes_ = 0;
  std::string key_, old_key_;
};

}  // namespace cutover
