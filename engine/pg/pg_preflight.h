// PostgreSQL readiness checks (engine/core/readiness_check.h): what `cutover test-connection`
// and `cutover assess` report for a PostgreSQL endpoint, and what PgSource::CheckChangeCapture
// refuses at task start (the failed checks of CheckPgCapture, so both always agree).
//
// Design: two groups. The capture prerequisites (wal_level=logical, a role with REPLICATION)
// refuse a task: without them no slot can be made. The headroom checks (a free replication slot
// and WAL sender, max_slot_wal_keep_size, long-running transactions, a replication connection
// allowed by pg_hba.conf) are what DMS's premigration assessment lists for a PostgreSQL source:
// shown by test-connection and assess, not a start refusal, since a restarted task already owns
// its slot and sender. Every check only reads catalogs and settings.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/core/endpoint.h"

#include "engine/core/driver.h"
#include "engine/core/readiness_check.h"
#include "engine/core/status.h"

namespace cutover::pg {

class PgConn;

// The server version, wal_level and the REPLICATION attribute ("pg.version_supported",
// "pg.wal_level", "pg.replication_role"): what `replicate` refuses at start.
Status CheckPgCapture(PgConn& conn, CheckList& checks);

// Source headroom: "pg.replication_slots", "pg.wal_senders", "pg.max_slot_wal_keep_size",
// "pg.long_transactions" (open longer than options.long_transaction_seconds),
// "pg.replication_connection" (opens one replication connection to `uri`).
Status CheckPgSourceHeadroom(PgConn& conn, const std::string& uri,
                             const EndpointCheckOptions& options, CheckList& checks);

// Target: "pg.create_privilege" (the control schema and tables can be created),
// "pg.session_replication_role" (triggers and foreign keys can be switched off per session).
Status CheckPgTarget(PgConn& conn, CheckList& checks);

// Row estimates (pg_class.reltuples) and total sizes of `tables` (assess).
Result<std::map<TableName, TableSize>> EstimatePgTableSizes(
    PgConn& conn, const std::vector<TableSchemaPtr>& tables);

// The driver's CheckEndpoint after connect passed: the checks of `role` on a new connection.
Status CheckPgEndpoint(const std::string& uri, EndpointRole role,
                       const EndpointCheckOptions& options, CheckList& checks);

}  // namespace cutover::pg
