// The byte form of stream events in the durable change spool (change_spool.h).
//
// Design: one spool record per event (Begin, Change, Commit), plus one record per segment
// header and one per table the first time a segment holds a change of it. A change names its
// table by a small index into the segment's table records, so a segment is self-contained: it
// can be read alone once the segments before it are pruned, and after a restart.
//
// Table records carry the table's *shape* (name, engine, key, and per column its name, kind,
// type id and type text): what the change's values are laid out by. A source may stream a
// table under a schema of its own rather than the one DiscoverTables returned (PostgreSQL
// builds one per Relation message: pgoutput leaves generated columns out, types come from the
// message), so decoding maps a shape back to a schema in this order: the very schema the
// capture saw, when it ran in this process (TableShapes, shared by capture and apply); the
// task's discovered schema, when its shape is the same; else a copy of the discovered schema
// with the recorded columns (each taking the discovered column of the same name) and key.
// A change of a table that is no longer in the task is dropped (the task's selection changed
// across a restart).
//
// Integers are little-endian fixed width, strings are u32 length + bytes. Record types (first
// byte): 'H' segment header, 'T' table, 'B' begin, 'C' change, 'E' commit (end).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/change.h"
#include "engine/core/status.h"

namespace cutover {

// Schemas by shape, shared by the capture (which registers every schema it encodes) and the
// apply (which finds them again): in one process, decoded changes carry the capture's own
// schema pointers. Thread-safe.
class TableShapes {
 public:
  void Register(const std::string& shape, TableSchemaPtr schema);
  TableSchemaPtr Find(const std::string& shape) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, TableSchemaPtr> by_shape_;
};

// The shape of `t` (see the design note), as stored in table records.
std::string TableShape(const TableSchema& t);

// A segment header: every source transaction ordered after `base` that the capture delivered
// is in this segment or a later one.
std::string EncodeSegmentHeader(const Position& base);
Result<Position> DecodeSegmentHeader(std::string_view record);

// Turns events into records. One per segment writer; NewSegment() when a segment starts.
class EventEncoder {
 public:
  explicit EventEncoder(TableShapes* shapes) : shapes_(shapes) {}
  void NewSegment() { index_.clear(); }
  // Appends to `out` (not cleared) the records of `ev` (kBegin, kChange or kCommit): a table
  // record before a change of a table the segment has not seen yet, then the event's own.
  void Encode(const StreamEvent& ev, std::vector<std::string>& out);

 private:
  uint32_t TableIndex(const TableSchemaPtr& t, std::vector<std::string>& out);
  TableShapes* shapes_;
  // Schemas of this segment, held so that a pointer is never reused for another schema.
  std::unordered_map<const TableSchema*, std::pair<TableSchemaPtr, uint32_t>> index_;
};

// Turns records back into events. One per segment reader; NewSegment() when a segment starts.
class EventDecoder {
 public:
  // `known`: the task's tables by name, as DiscoverTables returned them; must outlive this.
  EventDecoder(const std::map<TableName, TableSchemaPtr>* known, const TableShapes* shapes)
      : known_(known), shapes_(shapes) {}
  void NewSegment() { tables_.clear(); }
  // Decodes one record. Returns true with `out` filled for an event to deliver; false for a
  // record that delivers nothing (header, table, a change of a table no longer in the task).
  // A malformed record is DataLoss naming what is wrong.
  Result<bool> Decode(std::string_view record, StreamEvent& out);

 private:
  Result<TableSchemaPtr> Resolve(const std::string& shape);
  const std::map<TableName, TableSchemaPtr>* known_;
  const TableShapes* shapes_;
  std::vector<TableSchemaPtr> tables_;  // by index; null: not in the task
};

}  // namespace cutover
