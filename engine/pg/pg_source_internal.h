// What PgSource's parts share (pg_source.cc: capture objects and positions; pg_catalog.cc:
// DiscoverTables; pg_snapshot.cc: snapshots and table readers; pg_stream.cc: the change stream).
// Private to engine/pg: nothing outside this folder includes it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "engine/core/endpoint.h"
#include "engine/pg/pg_conn.h"

namespace cutover::pg {

// The position of a WAL location: (lsn, 0) with the LSN's text form.
Position LsnPosition(uint64_t lsn);

// Creates a logical slot with an exported snapshot on a fresh replication connection, which the
// returned snapshot keeps open and idle until it is destroyed. `partitioned`: tables read with
// COPY (SELECT ...) rather than COPY table.
Result<std::unique_ptr<Snapshot>> CreateSlotWithSnapshot(const std::string& uri,
                                                         const std::string& slot, bool temporary,
                                                         std::set<TableName> partitioned);

// pg_catalog_objects.cc: schema objects (docs/types.md, "Schema objects").
// A column default as pg_get_expr prints it, for a column whose values are `kind`.
ColumnDefault ParsePgDefault(const std::string& text, ValueKind kind);
// Enums and domains of the columns in `by_type` (type oid -> columns): sets each column's
// user_type, and a domain column's kind and neutral type from its base type.
Status ReadPgUserTypes(PgConn& conn, const std::map<uint32_t, std::vector<Column*>>& by_type);
// Secondary indexes, CHECK constraints, foreign keys and triggers of `tables` (oid -> schema;
// `oids` the same oids as an array literal).
Status ReadPgSchemaObjects(PgConn& conn, const std::string& oids,
                           const std::unordered_map<uint32_t, TableSchema*>& tables);

}  // namespace cutover::pg
