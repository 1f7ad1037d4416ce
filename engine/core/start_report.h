// StartReport: every reason a task cannot start, collected before anything is created.
//
// Design: a task start used to stop at the first problem it found (one keyless table per run:
// sakila took nine runs to start). Every check that can refuse a task (the source's catalog, the
// pipeline's key rule, the target's triggers and constraints) now adds to one report instead of
// returning, and the pipeline turns a non-empty report into one error naming every problem with
// its remedy, before it creates anything on either side. Only I/O failures (a lost connection)
// still return at once.
#pragma once

#include <string>
#include <vector>

#include "engine/core/readiness_check.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"

namespace cutover {

struct StartProblem {
  std::string object;   // what it concerns: "table public.payment_p2007_01", "column db.t.c"
  std::string problem;  // what is wrong, e.g. "has no primary key (nor replica identity index)"
  std::string remedy;   // what the user can do about it; may be empty
  // The readiness check it fails (engine/core/readiness_check.h), so `cutover assess` names it
  // under a stable id: "tables.primary_key", "pg.wal_level"; "" for an unnamed check.
  std::string check;
};

class StartReport {
 public:
  void Refuse(std::string object, std::string problem, std::string remedy = "");
  // Problems refused from now on belong to the readiness check `id` (StartProblem::check).
  void set_check(std::string id) { check_ = std::move(id); }
  // Refuses every failed check of `checks` under its own id: `object` (or the check's objects
  // when it names some), its detail as the problem, its remedy.
  void RefuseFailed(const CheckList& checks, const std::string& object);
  bool empty() const { return problems_.empty(); }
  const std::vector<StartProblem>& problems() const { return problems_; }

  // A table the source refuses whole (left out of DiscoverTables' result, its problem refused
  // here), described as far as the source could: the task's later checks (keys, generated
  // columns, foreign keys, the target's tables) still look at it, so one run names every
  // problem of a table, not only the first. Never replicated.
  void KeepRefusedTable(TableSchemaPtr table) { refused_tables_.push_back(std::move(table)); }
  const std::vector<TableSchemaPtr>& refused_tables() const { return refused_tables_; }

  // What the task starts without, though it does not refuse to start: schema objects of the
  // source that the target will not have (engine/core/schema_objects.h). Logged once at start,
  // one warning line each, naming the object.
  void Note(std::string object, std::string what);
  const std::vector<StartProblem>& notes() const { return notes_; }
  void LogNotes(const std::string& what) const;

  // OK when empty; else kFailedPrecondition whose message names every problem, on one line when
  // there is one ("task T cannot start: table public.a: has no primary key; remedy: ..."), else
  // one per line:
  //   task T cannot start: 2 problems:
  //     - table public.a: has no primary key; remedy: add one or leave it out (--exclude-tables)
  Status ToStatus(const std::string& what) const;

 private:
  std::vector<StartProblem> problems_;
  std::vector<StartProblem> notes_;
  std::vector<TableSchemaPtr> refused_tables_;
  std::string check_;
};

}  // namespace cutover
