// Schema objects on the target: what cutover recreates besides tables, columns and primary keys,
// when, and the report of what it could not carry.
//
// Design: a source describes its tables' schema objects in engine-neutral terms
// (engine/core/schema.h: Index, ForeignKey, CheckConstraint, ColumnDefault, Identity, UserType);
// each target sink turns them into its own DDL with the rules of docs/types.md ("Schema
// objects"), once, as a list of PlannedObject: the object, its fate (carried as it is,
// translated, not carried and why) and the statements that create it in its phase. The same
// list serves the schema report (a pure function of the task's tables: nothing is asked of the
// target) and the build, so what the report promises is what is created.
//
// Phases (engine/pipeline/replicate.cc):
//   kWithTable   part of CREATE TABLE (defaults, identity, SQLite's checks and foreign keys),
//                before the load, as the table itself;
//   kAfterData   right after the table's data is committed, by the worker that loaded it, so
//                index builds run `--parallel` at a time while other tables load (indexes,
//                checks, the identity's next value);
//   kForeignKey  once every table of the task is loaded, before CDC starts; added so that CDC
//                apply (whose sessions do not enforce foreign keys: target_session.h) keeps
//                working, and validated without blocking it (PostgreSQL NOT VALID, then
//                VALIDATE while CDC runs).
// Every phase is idempotent (an object that exists is left alone), so a task restarted after a
// crash builds what is missing and nothing twice.
#pragma once

#include <string>
#include <vector>

#include "engine/core/schema.h"

namespace cutover {

enum class SchemaFate : uint8_t {
  kCarried,     // recreated as the source has it
  kTranslated,  // recreated through a documented translation (`note` says which)
  kNotCarried,  // not created on the target (`note` says why)
};

const char* SchemaFateName(SchemaFate f);

// One object of the source's schema and what becomes of it on the target.
struct SchemaObjectEntry {
  std::string kind;  // "index", "unique constraint", "foreign key", "check", "default",
                     // "identity", "on update", "enum", "domain", "trigger", "view", ...
  std::string name;  // qualified: "public.film.idx_title" (table objects), "public.mpaa_rating"
  SchemaFate fate = SchemaFate::kCarried;
  std::string note;  // kTranslated: the translation; kNotCarried: the reason
};

// An object of the source that belongs to no table of the task (a view, materialized view,
// function, procedure, sequence no column owns, event), named in the schema report; on a target
// of the source's own engine views, functions and procedures are recreated from `definition`
// once the tables are loaded (docs/types.md, "Views, functions and triggers").
struct SourceObject {
  SchemaObjectEntry entry;  // kind, qualified name; the fate and note of a target of another
                            // engine (kNotCarried)
  // The source engine's statement that creates it when missing (or replaces it), naming the
  // tables it reads under their source names; "" when the object is not carried even to the
  // same engine (sequences, events, aggregates) or its definition could not be read.
  std::string definition;
  // The tables it reads: views only, from the catalog (PostgreSQL) or by name (TablesNamedIn);
  // empty: unknown.
  std::vector<TableName> uses;
};

// A schema object as a target sink plans it.
struct PlannedObject {
  enum class Phase : uint8_t { kWithTable, kAfterData, kForeignKey, kNone };
  SchemaObjectEntry entry;
  Phase phase = Phase::kNone;  // kNone: nothing to run (not carried, or part of the column)
  std::string target_name;     // the object's name on the target (existence checks)
  std::vector<std::string> statements;  // DDL to run, in order
  std::string validate;                 // kForeignKey: a statement that validates it later
};

// The report of a task's schema objects: every object of the selected tables (and the source's
// other objects: views, functions...) with its fate. Logged at task start and written as JSON
// (`cutover replicate --schema-report FILE`, `cutover schema-report`).
class SchemaReport {
 public:
  // Adds `e` unless an entry of the same kind and name is there (a type shared by tables).
  void Add(SchemaObjectEntry e);
  const std::vector<SchemaObjectEntry>& entries() const { return entries_; }
  size_t Count(SchemaFate f) const;

  // {"target_engine": ..., "objects": [{"kind", "name", "fate", "note"}...],
  //  "carried": n, "translated": n, "not_carried": n}
  std::string ToJson(const std::string& source_engine, const std::string& target_engine) const;

  // One info line with the counts; one warning line per object not carried, naming it.
  void Log() const;

 private:
  std::vector<SchemaObjectEntry> entries_;
};

// Every schema object of `table` (its indexes, foreign keys, checks, column defaults, identity,
// ON UPDATE, named types, triggers) marked not carried with `why`: the plan of a target that
// keeps none of them (the Sink default).
std::vector<PlannedObject> NotCarriedObjects(const TableSchema& table, const std::string& why);

// The task's tables whose target name differs from their source name (a DMS table mapping):
// source name -> target name.
using TableRenames = std::vector<std::pair<TableName, TableName>>;

// Whether the task's mapping lands `target` (a target table as the sink sees it) under another
// schema or table name than its source's: its source's triggers, views and functions name it
// as the source does, so a target of the same engine keeps none of those that refer to it.
bool RenamedByMapping(const TableSchema& target);

// The trigger plan of a target of the source's own engine, shared by the database sinks:
// `when` says when the target gets `table`'s triggers ("created disabled after the load,
// enabled by cutover switch", "created by cutover switch"); cross-engine, or on a table the
// mapping renames, each trigger is not carried, with the reason.
std::vector<PlannedObject> PlanTriggers(const TableSchema& table, bool same_engine,
                                        const std::string& when);

// The tables of `candidates` whose name appears in `sql` as a word (case-insensitive): the
// tables a view reads, for a source whose catalog does not say (MariaDB, SQLite). A column or
// alias with a table's name counts too (the view is then reported as reading it).
std::vector<TableName> TablesNamedIn(const std::string& sql,
                                     const std::vector<TableName>& candidates);

// The first table of `renames` that `object` (a same-engine definition, kept as the source wrote
// it) refers to: one of its `uses`, or, where those are unknown, a table whose name appears in
// the definition as a word (case-insensitive); nullptr when none.
const std::pair<TableName, TableName>* RenamedTableIn(const SourceObject& object,
                                                      const TableRenames& renames);

// Whether the primary key or a secondary index of `table` (recreated after its data) starts with
// `fk`'s columns,
// so that the index a sink adds for a foreign key with actions would duplicate it.
bool IndexCovers(const TableSchema& table, const ForeignKey& fk);

// "public.film.idx_title": a table object's report name.
std::string TableObjectName(const TableSchema& table, const std::string& object);

// The table of `tables` whose source name is `name`, or null (a foreign key's parent outside the
// task).
const TableSchema* FindTable(const std::vector<TableSchemaPtr>& tables, const TableName& name);

// A literal default of another engine as SQL for any target: a number or boolean as written,
// text quoted with '' doubled (`backslashes`: also doubled, for MariaDB's default sql_mode).
std::string DefaultLiteralSql(const ColumnDefault& d, bool backslashes);

// The action as SQL spells it: "CASCADE", "SET NULL", "NO ACTION"...
const char* ReferentialActionSql(ReferentialAction a);

// "ON DELETE CASCADE ON UPDATE SET NULL" (NO ACTION left out: the default everywhere).
std::string ReferentialActionsSql(const ForeignKey& fk);

}  // namespace cutover
