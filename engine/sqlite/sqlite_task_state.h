// Reading a task's state on a SQLite target, creating nothing.
//
// The state (engine/core/checkpoint.h) lives in the control tables `_cutover_checkpoint` (the
// last applied position per task) and `_cutover_table_state` (per task and source table: the
// snapshot position it was loaded at and its row count), in the target file. Whoever only looks
// (a restart deciding where to resume, the validator listing a task's tables, a status command)
// reads them here; creating them is SqliteSink::CreateControlTables, an explicit step of a task
// that is about to write.
#pragma once

#include <optional>
#include <string>

#include "engine/core/checkpoint.h"
#include "engine/core/status.h"
#include "engine/sqlite/sqlite_conn.h"

namespace cutover::sqlite {

// The state of `task` in the database `conn` has open: std::nullopt when it has no control
// tables (cutover never wrote there), else what they hold for the task (empty when nothing).
// Runs only SELECTs: creates and changes nothing, whatever the file holds.
Result<std::optional<TaskState>> ReadSqliteTaskState(SqliteConn& conn, const std::string& task);

// The same on a connection of its own to `uri` (sqlite:///path). A file that does not exist is
// not created (std::nullopt), and the file's journal mode is left as it is.
Result<std::optional<TaskState>> ReadSqliteTaskState(const std::string& uri,
                                                     const std::string& task);

}  // namespace cutover::sqlite
