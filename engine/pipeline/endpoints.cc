#include "engine/pipeline/endpoints.h"

#include "engine/core/uri.h"
#include "engine/mariadb/maria_sink.h"
#include "engine/mariadb/maria_source.h"
#include "engine/pg/pg_sink.h"
#include "engine/pg/pg_source.h"
#include "engine/sqlite/sqlite_sink.h"
#include "engine/sqlite/sqlite_source.h"

namespace cutover {

Result<std::unique_ptr<Source>> MakeSource(const std::string& uri, const SourceOptions& options) {
  ASSIGN_OR_RETURN(EngineKind kind, EngineOfUri(uri, "--source"));
  switch (kind) {
    case EngineKind::kPostgres:
      return std::unique_ptr<Source>(new pg::PgSource(uri, options.spool_dir));
    case EngineKind::kMariaDb: {
      mariadb::MariaSourceOptions mo;
      mo.snapshot_connections = options.snapshot_connections;
      ASSIGN_OR_RETURN(auto source, mariadb::MariaSource::Open(uri, mo));
      return std::unique_ptr<Source>(std::move(source));
    }
    case EngineKind::kSqlite: {
      ASSIGN_OR_RETURN(auto source, sqlite::SqliteSource::Open(uri));
      return std::unique_ptr<Source>(std::move(source));
    }
    default:
      return InvalidArgument(std::string("--source: ") + EngineName(kind) +
                             " sources are not supported yet");
  }
}

Result<std::unique_ptr<Sink>> MakeSink(const std::string& uri, const SinkOptions& options) {
  ASSIGN_OR_RETURN(EngineKind kind, EngineOfUri(uri, "--target"));
  switch (kind) {
    case EngineKind::kPostgres:
      return std::unique_ptr<Sink>(new pg::PgSink(uri, options));
    case EngineKind::kMariaDb:
      return std::unique_ptr<Sink>(new mariadb::MariaSink(uri, options));
    case EngineKind::kSqlite:
      RETURN_IF_ERROR(sqlite::SqlitePathOfUri(uri).status());
      return std::unique_ptr<Sink>(new sqlite::SqliteSink(uri, options));
    default:
      return InvalidArgument(std::string("--target: ") + EngineName(kind) +
                             " targets are not supported yet");
  }
}

}  // namespace cutover
