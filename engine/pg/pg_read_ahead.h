// PgReadAhead: a second, read-only target session that reads the rows a bulk UPDATE or DELETE of
// the apply session is about to change, so that the apply session finds their index and heap
// pages in shared buffers instead of reading them itself.
//
// Why: applying the net effect of a pgbench backlog, the target's apply backend spends about
// half of an UPDATE's time reading random pages of a table larger than shared_buffers (the
// rest is the update and its WAL). The apply session is one backend, one core; a reader on a
// second backend does that part in parallel. It writes nothing and takes no lock beyond ACCESS
// SHARE, so the apply session's transaction, its checkpoint and exactly-once are untouched:
// the read-ahead is only a hint. Its reads are sent without waiting; one is in flight at a
// time, and a batch that comes while the previous read is still running is not read ahead.
// Any failure (connect, lock wait, statement) switches it off for the session, logged once.
// CUTOVER_PG_READ_AHEAD=off switches it off (diagnostics, A/B measurements).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/core/target_session.h"
#include "engine/pg/pg_conn.h"

namespace cutover::pg {

class PgReadAhead {
 public:
  // A read-ahead session on `uri`; null when switched off or it cannot connect (logged).
  static std::unique_ptr<PgReadAhead> Open(const std::string& uri, const SinkOptions& options);

  // Sends `sql` (a SELECT that reads the rows) with `params` (text) unless a read is still in
  // flight. Never waits for the server.
  void Read(const std::string& sql, const std::vector<std::string>& params);

  // Reads sent and reads skipped because the previous one was still running.
  int64_t sent() const { return sent_; }
  int64_t skipped() const { return skipped_; }

 private:
  explicit PgReadAhead(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}
  // Whether the last read finished (consumes its results); false while it runs.
  bool Idle();
  void SwitchOff(const std::string& why);

  std::unique_ptr<PgConn> conn_;
  bool in_flight_ = false;
  int64_t sent_ = 0, skipped_ = 0;
  std::vector<const char*> params_;
};

}  // namespace cutover::pg
