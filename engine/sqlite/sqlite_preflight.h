// SQLite readiness checks (engine/core/readiness_check.h): what `cutover test-connection` and
// `cutover assess` report for a SQLite file endpoint.
//
// Design: a file has no login and no server settings; what a task needs is the file itself
// (present and a database, for a source), write access to it and its directory (a source gets
// capture triggers and a change table, WAL mode adds -wal and -shm files beside it; a target is
// created there), and WAL journal mode, in which the task's reads never block the application's
// writers. Nothing is created or changed: the file is opened without creating it and without
// switching its journal mode.
#pragma once

#include <string>

#include "engine/core/driver.h"
#include "engine/core/readiness_check.h"
#include "engine/core/status.h"

namespace cutover::sqlite {

// "sqlite.file", "sqlite.writable", "sqlite.journal_mode".
Status CheckSqliteEndpoint(const std::string& uri, EndpointRole role, CheckList& checks);

}  // namespace cutover::sqlite
