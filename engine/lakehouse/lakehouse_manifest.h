// Manifest: a lakehouse task's durable state, the file target's counterpart of a database
// target's control tables (checkpoint, table state).
//
// Design: files cannot be written in one transaction with a checkpoint, so the manifest is the
// transaction's commit record. Files are completed first (each visible only whole, see
// object_store.h); then the manifest, listing every committed file of the task and the task's
// source position, replaces the previous one atomically (PutAtomic). A file is committed iff the
// manifest lists it: after a crash, files the manifest does not list (written after the last
// manifest, or left by an upload) are deleted and replication resumes from the manifest's
// position, so no change is lost or written twice. The manifest also records each table's schema
// and key and the CSV settings the files were written with, so a reader (the validator's
// scanner, a user's job) needs nothing but the folder to fold the files.
//
// Source schema changes (docs/ddl.md): a file has one shape, the table's columns when it was
// written. The manifest keeps the table's current columns; a file written with other columns
// names a shape: its columns as written (physical name, kind, type), each with the current
// column it now holds (renames followed, "" once dropped), and the columns added since, with
// the value their rows take (the added column's constant default, else NULL).
//
// Place: `_cutover/<task>/manifest.json` under the target root (outside any table folder, so
// globbing readers of `<schema>/<table>/*.csv` never see it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/checkpoint.h"
#include "engine/core/column_diff.h"
#include "engine/core/schema.h"
#include "engine/lakehouse/lakehouse_settings.h"
#include "engine/lakehouse/object_store.h"

namespace cutover::lakehouse {

// The column every row carries last: its source position, sortable as text (layout.h).
inline constexpr const char* kPositionColumn = "cutover_position";
inline constexpr const char* kOpColumn = "Op";

struct CommittedFile {
  std::string key;
  bool load = true;  // LOAD file (full load), else CDC
  bool op = false;   // has the Op column
  int64_t rows = 0;
  int64_t bytes = 0;
  int shape = -1;  // index into ManifestTable::shapes; -1: the table's current columns
  // A transaction file (PreserveTransactions): it holds rows of several tables, listed under
  // each of them; `rows` counts this table's. Reloading a table drops the entry, not the file.
  bool txn = false;
};

// A column of a file written before a schema change (see the header comment).
struct ShapeColumn {
  std::string name;  // as written in the file; "" when the file does not have it (added later)
  ValueKind kind = ValueKind::kText;
  std::string type;                 // the type name it was written with
  std::string as;                   // the current column it holds; "" when dropped since
  std::optional<std::string> fill;  // name == "": the value text its rows take (else NULL)
};
using FileShape = std::vector<ShapeColumn>;

struct ManifestTable {
  TableName name;    // where it lands: <schema>/<table> folders
  TableName source;  // the source table (TaskState's key, as database targets record it)
  std::string source_engine;
  std::vector<Column> columns;  // name, kind, type_name
  std::vector<size_t> key;
  std::optional<TableLoadState> loaded;
  std::vector<CommittedFile> files;
  uint32_t next_load = 1;         // counter of the next LOAD file name
  std::vector<FileShape> shapes;  // of files written before a schema change

  // Follows `changes` (DiffColumns of the table's schemas `before` and `after`): files
  // written so far keep their shape, the table's columns become `after`'s.
  void FollowSchemaChange(const TableSchema& after, const std::vector<ColumnChange>& changes);
};

struct Manifest {
  std::string task;
  LakehouseSettings settings;  // what the files were written with
  std::optional<Position> applied;
  std::map<TableName, ManifestTable> tables;

  TaskState ToTaskState() const;
  // Every committed file's key, once (a transaction file is listed under several tables).
  std::vector<std::string> Files() const;
};

std::string ManifestKey(const std::string& task);
inline constexpr const char* kControlPrefix = "_cutover/";

std::string EncodeManifest(const Manifest& m);
// `where` names the object in errors.
Result<Manifest> DecodeManifest(std::string_view json, const std::string& where);

// Reads a task's manifest; nullopt when there is none.
Result<std::optional<Manifest>> ReadManifest(ObjectStore& store, const std::string& task);
// Every task's manifest in the store.
Result<std::vector<Manifest>> ReadAllManifests(ObjectStore& store);

// Settings that change how files are spelled must stay those the task's files were written
// with: an error naming the first that differs.
Status CheckSameFileSettings(const LakehouseSettings& written, const LakehouseSettings& now);

}  // namespace cutover::lakehouse
