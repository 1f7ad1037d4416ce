// Target sessions: what every session a sink opens on its target promises, and the checks and
// messages about it that every target engine shares.
//
// Design: replicated rows must land exactly as the source wrote them. On a target whose schema
// the user created (to keep indexes and foreign keys), triggers rewrite columns (`last_update =
// now()`) or write other task tables (an AFTER INSERT trigger filling a `film_text`, which then
// collides with the source's own row), foreign-key checks reject rows the load or the net-effect
// apply writes out of parent/child order, and foreign-key actions (CASCADE, SET NULL) change
// rows the source sends itself. So cutover's own load and apply sessions, never the
// application's, switch them off:
//   PostgreSQL  session_replication_role = replica: ordinary triggers, FK checks and FK actions
//               off for the session (superuser, or from 15 `GRANT SET ON PARAMETER
//               session_replication_role`). Without the privilege a task whose tables have
//               triggers or foreign keys is refused at start; with nothing to switch off it runs.
//   MariaDB     foreign_key_checks = 0 (checks and actions). No per-session switch for triggers:
//               a task table that keeps triggers into its load or apply refuses the task at start.
//   SQLite      PRAGMA foreign_keys = OFF; triggers as for MariaDB.
// A table dropped and created by the load (--table-prep drop-and-create) loses its triggers, so
// only the triggers that survive the prep refuse a task.
//
// Lock waits: every lock wait of a target session is bounded by SinkOptions::lock_timeout
// (PostgreSQL lock_timeout, MariaDB lock_wait_timeout and innodb_lock_wait_timeout, SQLite
// busy_timeout). A wait that times out is reported naming the table and, where the server can
// tell, the sessions that hold it, as kUnavailable: the supervisor logs it and retries, so a
// lock held for a while is waited out in the open, never in silence.
//
// Tables are prepared (dropped or emptied) from one session before the parallel loads start
// (Sink::PrepareTables): foreign keys between the task's tables need them prepared together
// (PostgreSQL TRUNCATE/DROP of a referenced table), and MariaDB 10.11 livelocks two concurrent
// TRUNCATEs of tables linked by a foreign key, beyond lock_wait_timeout and even KILL.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/endpoint.h"

namespace cutover {

struct SinkOptions {
  // Longest any statement of a target session waits for a lock held by another session.
  std::chrono::seconds lock_timeout{60};
  // --target-settings FILE: endpoint settings of targets that take them (the lakehouse target:
  // DMS's S3Settings JSON, docs/lakehouse.md); "" = the engine's defaults. Database engines
  // take no endpoint settings and do not read it.
  std::string settings_file;
  // --target-load-binlog off: the full load's row writes skip the target's own change log
  // (MariaDB: SET SESSION sql_log_bin = 0 on the load sessions, as myloader does by default), so
  // the target writes each loaded row once instead of twice. The tables, keys, indexes, load
  // state and every CDC change stay logged, but replicas of the target and a point-in-time
  // recovery from its binary log never see the loaded rows. Needs SUPER or BINLOG ADMIN on the
  // target. Only engines with EngineCapabilities::load_without_change_log take it.
  bool load_change_log = true;
};

// A trigger on a target table.
struct TargetTrigger {
  TableName table;    // the target table it is defined on
  std::string name;   // as the target names it (schema-qualified where the engine has schemas)
  std::string event;  // when it fires, e.g. "BEFORE INSERT"
  // How the user prints its definition, to recreate it at cutover, e.g.
  // "SHOW CREATE TRIGGER `db`.`ins_film`".
  std::string show_definition;
};

// Whether triggers on a target table are still there when its rows are loaded and changes
// applied, after the table was prepared with `prep`.
bool TriggersSurvive(TablePrep prep);

// Adds one problem per trigger to `problems`: it would fire on replicated rows and `engine`
// cannot switch it off for cutover's sessions; the remedy says how to keep its definition, drop
// it while replicating and recreate it at cutover (or let the load drop and create the table).
void RefuseTriggers(const std::vector<TargetTrigger>& triggers, std::string_view engine,
                    StartReport& problems);

// `s`, a lock wait of a target session that ran out after `bound`, made to say what was waited
// for (`object`, e.g. "table cutover.store") and who holds it (`holders`, one description per
// session; empty when the server cannot tell), as kUnavailable so that it is retried.
Status LockWaitTimedOut(const Status& s, std::string_view object,
                        const std::vector<std::string>& holders, std::chrono::seconds bound);

}  // namespace cutover
