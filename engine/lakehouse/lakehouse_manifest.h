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
};

struct ManifestTable {
  TableName name;    // where it lands: <schema>/<table> folders
  TableName source;  // the source table (TaskState's key, as database targets record it)
  std::string source_engine;
  std::vector<Column> columns;  // name, kind, type_name
  std::vector<size_t> key;
  std::optional<TableLoadState> loaded;
  std::vector<CommittedFile> files;
  uint32_t next_load = 1;  // counter of the next LOAD file name
};

struct Manifest {
  std::string task;
  LakehouseSettings settings;  // what the files were written with
  std::optional<Position> applied;
  std::map<TableName, ManifestTable> tables;

  TaskState ToTaskState() const;
  // Every committed file's key.
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
