// How much WAL a PostgreSQL source keeps for a task: the replication slot's retained WAL
// (pg_current_wal_lsn() - restart_lsn), the most common cause of a full source disk when a task
// stops consuming. Read by the metrics endpoint (engine/pipeline/log_retention.h), on its own
// short-lived connection, never on the task's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/core/status.h"

namespace cutover::pg {

// Bytes of WAL the server retains for the task's slot; nullopt when the slot does not exist.
Result<std::optional<int64_t>> PgSlotRetainedWalBytes(const std::string& uri,
                                                      const std::string& task);

}  // namespace cutover::pg
