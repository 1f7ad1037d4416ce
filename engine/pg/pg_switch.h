// What `cutover switch` (engine/pipeline/switch.h) asks of PostgreSQL, as a source (is it quiet,
// where does its WAL end, what do its sequences hand out next) and as a target (move its
// sequences past those values). The contracts are EngineDriver's (engine/core/driver.h).
//
// Quiet: the rows inserted, updated and deleted in the source database's tables
// (pg_stat_user_tables) do not change. That counts the database's own writes only: not other
// databases of the server, not autovacuum or checkpoints (which move the WAL position and the
// transaction ids, both useless for this). The counters are published by each backend at most
// once a second (at once when it disconnects), which is why the switch samples over a window of
// seconds and samples again once the task has stopped.
// Log end: every transaction committed before pg_current_wal_lsn() = X has its commit record
// starting before X, so its position (commit LSN) is at most X - 1; the stream reports
// CaughtUpTo() = walEnd - 1 once the walsender has decoded through X (pg_stream.cc).
// Sequences: identity and serial columns are found with pg_get_serial_sequence; free-standing
// sequences (no owning column) of the tables' schemas are carried by name.
#pragma once

#include <string>
#include <vector>

#include "engine/core/driver.h"

namespace cutover::pg {

Result<SourceLogMark> ReadPgLogMark(const std::string& uri);
Result<std::vector<KeyGenerator>> ReadPgKeyGenerators(const std::string& uri,
                                                      const std::vector<TableName>& tables);
Result<std::vector<KeyGeneratorSet>> AdvancePgKeyGenerators(
    const std::string& uri, const std::vector<KeyGeneratorFloor>& floors);
// Triggers: each one cutover created disabled after the load (pg_schema_objects.cc) is enabled
// in the source's mode (ENABLE / ENABLE ALWAYS / ENABLE REPLICA; disabled on the source: left
// disabled); a missing one is created first, in the same transaction.
Result<std::vector<TriggerOutcome>> EnablePgTriggers(const std::string& uri,
                                                     const std::vector<TableTriggers>& tables);

}  // namespace cutover::pg
