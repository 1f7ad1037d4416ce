#include "validator/scanner.h"

#include "engine/core/uri.h"
#include "validator/maria_scanner.h"
#include "validator/pg_scanner.h"
#include "validator/sqlite_scanner.h"

namespace cutover::validator {

Result<std::unique_ptr<RangeScanner>> OpenRangeScanner(const std::string& uri,
                                                       std::string_view what) {
  ASSIGN_OR_RETURN(EngineKind kind, EngineOfUri(uri, std::string("--") + std::string(what)));
  switch (kind) {
    case EngineKind::kPostgres:
      return OpenPgScanner(uri);
    case EngineKind::kMariaDb:
      return OpenMariaScanner(uri);
    case EngineKind::kSqlite:
      return OpenSqliteScanner(uri);
    default:
      return InvalidArgument(std::string("--") + std::string(what) + ": validating " +
                             EngineName(kind) + " tables is not supported yet");
  }
}

}  // namespace cutover::validator
