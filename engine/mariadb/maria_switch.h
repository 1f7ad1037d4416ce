// What `cutover switch` (engine/pipeline/switch.h) asks of MariaDB, as a source (is it quiet,
// where does its binlog end, what AUTO_INCREMENT values come next) and as a target (move its
// AUTO_INCREMENT counters past those values). The contracts are EngineDriver's
// (engine/core/driver.h).
//
// Quiet: @@gtid_binlog_pos changes exactly when a transaction (or a DDL statement) is written
// to the binlog, on any database of the server. Log end: SHOW MASTER STATUS, the position the
// dump thread's heartbeat reports once it has sent everything (maria_stream.cc's CaughtUpTo).
// Key generators: the AUTO_INCREMENT column of each table and the table's counter; on a target
// the counter is raised with ALTER TABLE ... AUTO_INCREMENT (never lowered). MariaDB's own
// SEQUENCE objects are not carried yet.
#pragma once

#include <string>
#include <vector>

#include "engine/core/driver.h"

namespace cutover::mariadb {

Result<SourceLogMark> ReadMariaLogMark(const std::string& uri);
Result<std::vector<KeyGenerator>> ReadMariaKeyGenerators(const std::string& uri,
                                                         const std::vector<TableName>& tables);
// Triggers: MariaDB cannot keep a trigger from firing on replicated rows, so the source's
// triggers are created only now, each when the target's database has none of its name.
Result<std::vector<TriggerOutcome>> CreateMariaTriggers(const std::string& uri,
                                                        const std::vector<TableTriggers>& tables);
Result<std::vector<KeyGeneratorSet>> AdvanceMariaKeyGenerators(
    const std::string& uri, const std::vector<KeyGeneratorFloor>& floors);

}  // namespace cutover::mariadb
