// ReferentialActions: reproduces on the target the foreign-key actions a source performed
// without logging them.
//
// Why: InnoDB performs ON DELETE / ON UPDATE CASCADE and SET NULL below the binlog, even in ROW
// format: deleting a `rental` writes one row event for `rental` while `payment.rental_id` became
// NULL on the source only. The target cannot do it by itself (its apply sessions switch foreign
// keys off, and tables cutover creates have none), so the pipeline does it, for sources that say
// their stream lacks these changes (Source::StreamCarriesForeignKeyActions). PostgreSQL and SQLite
// streams carry the cascaded rows and must not get them twice.
//
// Shape: built once per task from the task's tables' TableSchema::foreign_keys. For a delete, or
// an update that changes referenced columns, of a row of table P, it walks the foreign keys of
// task tables that reference P with an action and hands each one to the applier as one set-based
// statement on the child table (ReferentialStep: delete the rows whose FK columns equal P's old
// values, or set those columns to NULL / to P's new values). When the rows a step touches are
// themselves referenced with an action (a multi-level CASCADE such as inventory -> rental ->
// payment, a SET NULL or CASCADE on columns another key references, a self-reference such as
// staff.manager_id), the step asks the sink for the referenced values of those rows, read
// before it changes them, and the walk continues from each distinct one. The walk is depth first
// like InnoDB's; a data cycle ends because deleted rows are gone and NULL matches nothing, and a
// walk deeper than kMaxDepth levels (InnoDB refuses more than 15) is an error, never a loop.
//
// Order and exactly-once: the CDC loop runs the walk right before it applies the parent change
// itself, at that point of the source transaction, after flushing its net-effect batch when the
// batch holds changes of a table the walk can reach (Reach). So each step sees the target rows
// as the source's were at that moment (a payment inserted earlier in the transaction is nulled,
// one inserted later is not), and it runs in the same target transaction as the parent change
// and the checkpoint: a restart replays all of it or none of it. A step on a table whose
// snapshot is after the transaction is skipped, as its changes would be (the copy has it).
//
// Start (CheckTask): a child in the task whose parent is not has its actions unreadable (the
// parent's deletes are never read): refused, naming the constraint, with the remedy. SET
// DEFAULT (MariaDB 10.11 stores it as RESTRICT; another server could report it) is refused too.
// RESTRICT / NO ACTION need nothing; a parent in the task whose child is not needs nothing.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/start_report.h"

namespace cutover {

class ReferentialActions {
 public:
  static constexpr int kMaxDepth = 64;

  // Adds to `problems` every foreign key of `tables` whose action cannot be reproduced.
  static void CheckTask(const std::vector<TableSchemaPtr>& tables, StartReport& problems);

  // Keeps the foreign keys of `tables` that reference a table of `tables` with an action.
  explicit ReferentialActions(const std::vector<TableSchemaPtr>& tables);

  bool empty() const { return by_parent_.empty(); }

  // Whether `c` may imply steps (a delete or update of a referenced table).
  bool Triggers(const Change& c) const;

  // The tables the steps implied by changes of `parent` may touch (transitively).
  const std::vector<TableName>& Reach(const TableName& parent) const;

  // Tables linked to `t` by foreign keys with actions, in either direction, `t` included: they
  // must be loaded from one snapshot, since a walk reads a table to act on the next one.
  std::vector<TableName> Related(const TableName& t) const;

  // Applies, through `applier`, the steps `c` implies. A table for which `skip` is true is not
  // touched, nor what its rows would have implied.
  Status Apply(const Change& c, Applier& applier,
               const std::function<bool(const TableName&)>& skip) const;

 private:
  struct Edge {
    TableSchemaPtr child;
    const ForeignKey* fk = nullptr;
    std::vector<size_t> parent_columns;  // indexes into the parent table's columns
  };
  struct Walk;

  const std::vector<Edge>* EdgesOf(const TableName& parent) const;
  Status OnDelete(Walk& w, const TableName& t, const std::vector<Value>& old, int depth) const;
  Status OnUpdate(Walk& w, const TableName& t, const std::vector<Value>& old,
                  const std::vector<Value>& now, int depth) const;
  Status Step(Walk& w, const Edge& e, ReferentialStep::Kind kind, const std::vector<Value>& old,
              const std::vector<Value>* now, int depth) const;

  std::map<TableName, std::vector<Edge>> by_parent_;
  std::map<TableName, std::vector<TableName>> reach_;
  std::vector<TableSchemaPtr> tables_;  // keeps the ForeignKey pointers valid
};

}  // namespace cutover
