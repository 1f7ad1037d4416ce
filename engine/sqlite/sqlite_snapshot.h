// SQLite snapshot for the full load: one read transaction (WAL mode, so writers go on) that
// reads the task's last change sequence number and then the tables.
//
// Everything committed before the read transaction began is in both its tables and its
// `max(seq)`; everything after is in neither, and reaches the change table with a larger seq. So
// the tables' copy is exactly the source at seq S, and the stream continues after S: no gap, no
// duplicate, whatever other processes write meanwhile. S is recorded in the task's meta table as
// a boundary no stream transaction may straddle (sqlite_stream.h), so a table reloaded after a
// restart from a later snapshot still lines up with the stream.
//
// Parallel readers: this SQLite is built without SQLITE_ENABLE_SNAPSHOT, so a read transaction
// cannot be shared between connections. All readers therefore use the snapshot's one connection,
// each with its own statement, one step at a time under a mutex: reading is serial, the target
// side of the load still runs in parallel. Decoding uses DecodeSqliteColumn, as the stream does.
#pragma once

#include <memory>
#include <string>

#include "engine/core/endpoint.h"

namespace cutover::sqlite {

// Opens a snapshot of the database at `uri`. With a capture of `task` in place, its position
// is the change table's last seq (recorded as a boundary); without one it is 0.
Result<std::unique_ptr<Snapshot>> OpenSqliteSnapshot(const std::string& uri,
                                                     const std::string& task);

}  // namespace cutover::sqlite
