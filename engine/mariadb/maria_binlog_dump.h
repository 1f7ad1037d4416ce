// Prints a MariaDB binlog as cutover decodes it (the MariaDB driver's DumpChangeLog, behind
// `cutover binlog`).
#pragma once

#include "engine/core/driver.h"
#include "engine/core/status.h"

namespace cutover::mariadb {

// Reads from `request.from` (FILE:OFFSET) or after `request.gtid`, or from the current end,
// until `until` / the end at the start / `count` events / `*request.stop`, printing one line
// per event to stdout (or only a summary with `stats`). Errors: bad positions (kInvalidArgument
// naming the option), connection and protocol errors of the reader.
Status DumpBinlog(const ChangeLogDumpRequest& request);

}  // namespace cutover::mariadb
