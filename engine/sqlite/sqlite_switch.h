// What `cutover switch` (engine/pipeline/switch.h) asks of SQLite, as a source (is it quiet,
// where does the task's change log end, what key comes next) and as a target (move each
// table's key generator past those values). The contracts are EngineDriver's
// (engine/core/driver.h).
//
// Quiet and log end: a SQLite source's log is its task's change table (sqlite_capture.h), whose
// largest seq grows with every captured write and is never pruned away; the mark is that seq,
// the log end the transaction position at it (what the stream's CaughtUpTo reports once it has
// read everything). The driver's contract names no task, so the file must hold exactly one
// task's capture (otherwise the switch refuses, naming them).
// Key generators: a rowid table's INTEGER PRIMARY KEY hands out max + 1, with AUTOINCREMENT
// past every value ever used (sqlite_sequence). On a target, an AUTOINCREMENT table's
// sqlite_sequence row is raised (never lowered); a plain rowid table cannot be told to skip
// values, so its generator is reported as it is (max + 1) and a floor above it is logged.
#pragma once

#include <string>
#include <vector>

#include "engine/core/driver.h"

namespace cutover::sqlite {

Result<SourceLogMark> ReadSqliteLogMark(const std::string& uri);
Result<std::vector<KeyGenerator>> ReadSqliteKeyGenerators(const std::string& uri,
                                                          const std::vector<TableName>& tables);
// Triggers: SQLite cannot keep a trigger from firing on replicated rows, so the source's
// triggers are created only now, each when the file has none of its name.
Result<std::vector<TriggerOutcome>> CreateSqliteTriggers(const std::string& uri,
                                                         const std::vector<TableTriggers>& tables);
Result<std::vector<KeyGeneratorSet>> AdvanceSqliteKeyGenerators(
    const std::string& uri, const std::vector<KeyGeneratorFloor>& floors);

}  // namespace cutover::sqlite
