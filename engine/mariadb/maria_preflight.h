// MariaDB readiness checks (engine/core/readiness_check.h): what `cutover test-connection` and
// `cutover assess` report for a MariaDB endpoint, and what MariaSource::CheckChangeCapture
// refuses at task start (the failed checks of CheckMariaCapture, so both always agree).
//
// Design: the capture prerequisites (binary log on, binlog_format=ROW, binlog_row_image=FULL,
// binlog_row_metadata=FULL, the replication privileges) refuse a task. The advisory checks are
// DMS's list for a MySQL-family source that has no start refusal here: binlog retention (there
// is no slot: a binlog purged while the task is stopped is a gap that forces a new full load),
// server_id, max_allowed_packet; and for a target, local_infile (the full load's LOAD DATA
// LOCAL). Every check only reads variables and grants.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/core/endpoint.h"

#include "engine/core/driver.h"
#include "engine/core/readiness_check.h"
#include "engine/core/status.h"

namespace cutover::mariadb {

class MariaConn;

// "maria.log_bin", "maria.binlog_format", "maria.binlog_row_image", "maria.binlog_row_metadata",
// "maria.replication_privileges" (RELOAD only when `parallel_snapshots`: it aligns them).
Status CheckMariaCapture(MariaConn& conn, bool parallel_snapshots, CheckList& checks);

// Row estimates and data + index sizes of `tables` from information_schema.TABLES (assess).
Result<std::map<TableName, TableSize>> EstimateMariaTableSizes(
    MariaConn& conn, const std::vector<TableSchemaPtr>& tables);

// The driver's CheckEndpoint after connect passed: the checks of `role` on a new connection.
Status CheckMariaEndpoint(const std::string& uri, EndpointRole role, CheckList& checks);

}  // namespace cutover::mariadb
