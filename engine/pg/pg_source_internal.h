// What PgSource's parts share (pg_source.cc: capture objects and positions; pg_catalog.cc:
// DiscoverTables; pg_snapshot.cc: snapshots and table readers; pg_stream.cc: the change stream).
// Private to engine/pg: nothing outside this folder includes it.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "engine/core/endpoint.h"

namespace cutover::pg {

// The position of a WAL location: (lsn, 0) with the LSN's text form.
Position LsnPosition(uint64_t lsn);

// Creates a logical slot with an exported snapshot on a fresh replication connection, which the
// returned snapshot keeps open and idle until it is destroyed. `partitioned`: tables read with
// COPY (SELECT ...) rather than COPY table.
Result<std::unique_ptr<Snapshot>> CreateSlotWithSnapshot(const std::string& uri,
                                                         const std::string& slot, bool temporary,
                                                         std::set<TableName> partitioned);

}  // namespace cutover::pg
