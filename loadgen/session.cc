#include "loadgen/session.h"

namespace cutover::loadgen {

Result<std::unique_ptr<Session>> OpenSession(const std::string& uri) {
  ASSIGN_OR_RETURN(EngineKind engine, EngineOfUri(uri, "--target"));
  switch (engine) {
    case EngineKind::kPostgres:
      return OpenPgSession(uri);
    case EngineKind::kMariaDb:
      return OpenMariaSession(uri);
    case EngineKind::kSqlite:
      return OpenSqliteSession(uri);
  }
  return Internal("unknown engine");
}

}  // namespace cutover::loadgen
