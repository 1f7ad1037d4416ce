#include "engine/pg/pg_log_retention.h"

#include <cstdlib>

#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_source.h"

namespace cutover::pg {

Result<std::optional<int64_t>> PgSlotRetainedWalBytes(const std::string& uri,
                                                      const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, "cutover metrics"));
  std::string slot = PgSource::SlotName(task);
  ASSIGN_OR_RETURN(PgResult r,
                   conn->ExecParams("SELECT (pg_current_wal_lsn() - restart_lsn)::int8 "
                                    "FROM pg_replication_slots WHERE slot_name = $1",
                                    {slot.c_str()}, "reading slot " + slot + "'s retained WAL"));
  if (r.rows() == 0 || r.is_null(0, 0)) return std::optional<int64_t>();
  return std::optional<int64_t>(std::strtoll(r.str(0, 0).c_str(), nullptr, 10));
}

}  // namespace cutover::pg
