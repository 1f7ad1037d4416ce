// How much binlog a MariaDB source holds beyond a task's position: the bytes the task has yet
// to read, and what the server must keep (binlog_expire_logs_seconds permitting) for it to
// resume. MariaDB has no slot, so nothing stops the server from purging them: the metric is
// the early warning. Read by the metrics endpoint (engine/pipeline/log_retention.h) on its own
// short-lived connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/core/status.h"

namespace cutover::mariadb {

// Bytes of binlog from `position` (a MariaDB position text, "file:offset [gtid]") to the end
// of the last binlog (SHOW BINARY LOGS); nullopt when `position` is empty or its file is gone.
// A task's position is the GTID event of its last applied transaction, where a resume starts
// reading, so the answer includes that transaction: what the server must keep for the task.
Result<std::optional<int64_t>> MariaBinlogBytesAfter(const std::string& uri,
                                                     const std::string& position);

}  // namespace cutover::mariadb
