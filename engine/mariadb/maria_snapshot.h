// A consistent MariaDB snapshot shared by N full-load readers, and the streaming table reader.
//
// MariaDB cannot hand one snapshot to several connections, so the snapshot opens all of them
// up front. With N > 1 it holds `BACKUP STAGE BLOCK_COMMIT` (needs RELOAD) on a separate
// connection while each takes `START TRANSACTION WITH CONSISTENT SNAPSHOT`, so every one sees
// exactly the same committed transactions; the block lasts milliseconds. With N == 1 no lock is
// taken. The position comes from `binlog_snapshot_file/position` of the snapshot itself, which
// InnoDB reports consistently with what the transaction sees.
//
// Readers borrow a connection (waiting while all N are busy) and give it back when destroyed.
// They stream rows with mysql_use_result: memory stays bounded whatever the table size.
#pragma once

#include <memory>
#include <string>

#include "engine/core/endpoint.h"

namespace cutover::mariadb {

Result<std::unique_ptr<Snapshot>> OpenAlignedSnapshot(const std::string& uri, int connections);

}  // namespace cutover::mariadb
