// Reading a task's state on a MariaDB target, creating nothing.
//
// The state (engine/core/checkpoint.h) lives in the control tables `_cutover_checkpoint` (the
// last applied position per task) and `_cutover_table_state` (per task and source table: the
// snapshot position it was loaded at and its row count), in the target URI's database. Whoever
// only looks (a restart deciding where to resume, the validator listing a task's tables, a status
// command) reads them here; creating them is MariaSink::CreateControlTables, an explicit step of
// a task that is about to write.
#pragma once

#include <optional>
#include <string>

#include "engine/core/checkpoint.h"
#include "engine/core/status.h"
#include "engine/mariadb/maria_conn.h"

namespace cutover::mariadb {

// The state of `task` in the database of `conn`'s URI: std::nullopt when it has no control
// tables (cutover never wrote there), else what they hold for the task (empty when nothing).
// Runs only SELECTs: creates and changes nothing, whatever the target holds.
Result<std::optional<TaskState>> ReadMariaTaskState(MariaConn& conn, const std::string& task);

// The same on a connection of its own to `uri` (mariadb:// or mysql://, with a database).
Result<std::optional<TaskState>> ReadMariaTaskState(const std::string& uri,
                                                    const std::string& task);

}  // namespace cutover::mariadb
