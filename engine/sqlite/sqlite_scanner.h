// SQLite range scanner: `SELECT cols FROM t WHERE key range ORDER BY key` on one connection to
// the file, each column decoded by DecodeSqliteColumn (the full load's and the stream's own
// decoder, engine/sqlite/sqlite_types.h) and encoded with AppendCanonical. Range bounds are bound
// as parameters in the column's storage form (BindForSqlite); text keys compare with the BINARY
// collation (bytewise, as the other engines' scanners do on cross-engine pairs).
#pragma once

#include <memory>
#include <string>

#include "engine/core/range_scanner.h"
#include "engine/core/status.h"

namespace cutover::validator {

Result<std::unique_ptr<RangeScanner>> OpenSqliteScanner(const std::string& uri);

}  // namespace cutover::validator
