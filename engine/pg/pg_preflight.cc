#include "engine/pg/pg_preflight.h"

#include <algorithm>
#include <cstdlib>

#include "engine/pg/pg_conn.h"

namespace cutover::pg {

Status CheckPgCapture(PgConn& conn, CheckList& checks) {
  const int version = conn.server_version();
  const std::string vtitle = "PostgreSQL 14 or later (streaming of large transactions)";
  if (version >= 140000) {
    checks.Pass("pg.version_supported", vtitle, "server_version_num=" + std::to_string(version));
  } else {
    checks.Fail("pg.version_supported", vtitle,
                "server_version_num=" + std::to_string(version) +
                    "; cutover's pgoutput protocol 2 needs 14 or later",
                "upgrade the source to PostgreSQL 14 or later");
  }

  ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT current_setting('wal_level'), "
                                     "(SELECT rolreplication OR rolsuper FROM pg_roles "
                                     "WHERE rolname = current_user), current_user",
                                     "reading wal_level and the role's attributes"));
  const std::string title = "wal_level is logical";
  if (r.get(0, 0) == "logical") {
    checks.Pass("pg.wal_level", title, "wal_level=logical");
  } else {
    checks.Fail("pg.wal_level", title,
                "wal_level=" + r.str(0, 0) + "; change data capture needs logical",
                "ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL");
  }
  const std::string role_title = "the role may use logical replication (REPLICATION attribute)";
  if (r.get(0, 1) == "t") {
    checks.Pass("pg.replication_role", role_title, "role " + r.str(0, 2));
  } else {
    checks.Fail(
        "pg.replication_role", role_title,
        "role " + r.str(0, 2) + " lacks the REPLICATION attribute needed for logical decoding",
        "ALTER ROLE " + r.str(0, 2) + " REPLICATION", {"role " + r.str(0, 2)});
  }
  return Status::Ok();
}

Status CheckPgSourceHeadroom(PgConn& conn, const std::string& uri,
                             const EndpointCheckOptions& options, CheckList& checks) {
  ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT current_setting('max_replication_slots')::int, "
                                     "(SELECT count(*) FROM pg_replication_slots), "
                                     "current_setting('max_wal_senders')::int, "
                                     "(SELECT count(*) FROM pg_stat_replication), "
                                     "current_setting('max_slot_wal_keep_size')",
                                     "reading replication slot and WAL sender settings"));
  const long max_slots = std::atol(r.str(0, 0).c_str()), slots = std::atol(r.str(0, 1).c_str());
  const std::string slots_detail =
      std::to_string(slots) + " of max_replication_slots=" + std::to_string(max_slots) + " in use";
  const std::string stitle = "a replication slot is free for the task";
  if (slots < max_slots) {
    checks.Pass("pg.replication_slots", stitle, slots_detail);
  } else {
    checks.Fail("pg.replication_slots", stitle, slots_detail,
                "drop unused slots (SELECT slot_name FROM pg_replication_slots) or raise "
                "max_replication_slots (restart)");
  }
  const long max_senders = std::atol(r.str(0, 2).c_str()), senders = std::atol(r.str(0, 3).c_str());
  const std::string senders_detail =
      std::to_string(senders) + " of max_wal_senders=" + std::to_string(max_senders) + " in use";
  const std::string wtitle = "a WAL sender is free for the task's stream";
  if (senders < max_senders) {
    checks.Pass("pg.wal_senders", wtitle, senders_detail);
  } else {
    checks.Fail("pg.wal_senders", wtitle, senders_detail,
                "raise max_wal_senders (restart) or stop other replication connections");
  }
  const std::string keep = r.str(0, 4);
  const std::string ktitle = "max_slot_wal_keep_size bounds the WAL a stalled slot keeps";
  if (keep == "-1") {
    checks.Warn("pg.max_slot_wal_keep_size", ktitle,
                "max_slot_wal_keep_size=-1: a stopped or stalled task keeps WAL until the disk is "
                "full",
                "set max_slot_wal_keep_size to what the disk can hold (a slot past it is "
                "invalidated and the task must load again), and alert on "
                "cutover_source_log_retained_bytes (deploy/prometheus/cutover-alerts.yml)");
  } else {
    checks.Pass("pg.max_slot_wal_keep_size", ktitle, "max_slot_wal_keep_size=" + keep);
  }

  // A transaction open longer than this holds back a new slot's creation (it waits for every
  // running transaction) and the task's snapshot.
  const std::string limit = std::to_string(options.long_transaction_seconds);
  ASSIGN_OR_RETURN(
      auto lt,
      conn.ExecParams("SELECT pid, date_trunc('second', now() - xact_start)::text, state, "
                      "coalesce(usename, '') FROM pg_stat_activity WHERE xact_start < now() "
                      "- make_interval(secs => $1::float8) AND pid <> pg_backend_pid() AND "
                      "backend_type = 'client backend' ORDER BY xact_start",
                      {limit.c_str()}, "looking for long-running transactions"));
  const std::string ltitle =
      "no transaction open longer than " + limit + " s on the source (--long-transaction-seconds)";
  if (lt.rows() == 0) {
    checks.Pass("pg.long_transactions", ltitle);
  } else {
    std::vector<std::string> objects;
    for (int i = 0; i < lt.rows(); ++i) {
      objects.push_back("backend pid " + lt.str(i, 0) + " (user " + lt.str(i, 3) + ", open " +
                        lt.str(i, 1) + ", " + lt.str(i, 2) + ")");
    }
    checks.Warn("pg.long_transactions", ltitle,
                std::to_string(lt.rows()) +
                    " transaction(s): creating the task's slot waits until they end",
                "end them (pg_terminate_backend) or start the task when they are done", objects);
  }

  const std::string rtitle =
      "a logical replication connection is allowed (pg_hba.conf, replication=database)";
  auto repl = PgConn::Connect(uri, ConnMode::kReplication, "cutover test-connection");
  if (!repl.ok()) {
    checks.Fail("pg.replication_connection", rtitle, repl.status().message(),
                "allow the user to connect to this database for replication in pg_hba.conf (a "
                "line for the database name; the `replication` keyword covers physical "
                "replication only), then SELECT pg_reload_conf()");
  } else {
    auto id = (*repl)->Exec("IDENTIFY_SYSTEM", "IDENTIFY_SYSTEM");
    if (id.ok()) {
      checks.Pass("pg.replication_connection", rtitle);
    } else {
      checks.Fail("pg.replication_connection", rtitle, id.status().message(),
                  "check the role's REPLICATION attribute and max_wal_senders");
    }
  }
  return Status::Ok();
}

Status CheckPgTarget(PgConn& conn, CheckList& checks) {
  ASSIGN_OR_RETURN(
      auto r,
      conn.Exec("SELECT has_database_privilege(current_database(), 'CREATE'), "
                "to_regnamespace('cutover') IS NOT NULL, CASE WHEN to_regnamespace('cutover') IS "
                "NOT NULL THEN has_schema_privilege('cutover', 'CREATE') END, current_user, "
                "current_database()",
                "reading the role's privileges"));
  const std::string user = r.str(0, 3), db = r.str(0, 4);
  const std::string ctitle = "the role may create cutover's control tables and the task's tables";
  const bool may_create = r.get(0, 0) == "t" || (r.get(0, 1) == "t" && r.get(0, 2) == "t");
  if (may_create) {
    checks.Pass("pg.create_privilege", ctitle, "role " + user + " on database " + db);
  } else {
    checks.Fail("pg.create_privilege", ctitle,
                "role " + user + " may not create schemas in database " + db +
                    " (cutover keeps its checkpoint in schema cutover)",
                "GRANT CREATE ON DATABASE " + db + " TO " + user);
  }
  // The same probe as the sink's start check: a transaction-local SET, rolled back.
  RETURN_IF_ERROR(conn.ExecOk("BEGIN", "checking session_replication_role"));
  Status replica = conn.ExecOk("SET LOCAL session_replication_role = replica");
  RETURN_IF_ERROR(conn.ExecOk("ROLLBACK", "checking session_replication_role"));
  const std::string rtitle =
      "the role may switch triggers and foreign-key checks off for its sessions "
      "(session_replication_role)";
  if (replica.ok()) {
    checks.Pass("pg.session_replication_role", rtitle, "role " + user);
  } else if (replica.code() == StatusCode::kPermissionDenied) {
    checks.Warn("pg.session_replication_role", rtitle,
                "role " + user +
                    " may not: target tables with triggers or foreign keys will be refused at "
                    "task start",
                "GRANT SET ON PARAMETER session_replication_role TO " + user +
                    " (PostgreSQL 15), or use a superuser");
  } else {
    return replica;
  }
  return Status::Ok();
}

Result<std::map<TableName, TableSize>> EstimatePgTableSizes(
    PgConn& conn, const std::vector<TableSchemaPtr>& tables) {
  std::map<TableName, TableSize> out;
  if (tables.empty()) return out;
  ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT n.nspname, c.relname, c.reltuples::int8, "
                                     "pg_total_relation_size(c.oid) FROM pg_class c JOIN "
                                     "pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind "
                                     "IN ('r', 'p')",
                                     "reading table sizes"));
  std::map<TableName, TableSize> all;
  for (int i = 0; i < r.rows(); ++i) {
    TableSize s;
    s.rows = std::max<int64_t>(-1, std::atoll(r.str(i, 2).c_str()));  // -1: never analysed
    s.bytes = std::atoll(r.str(i, 3).c_str());
    all[TableName{r.str(i, 0), r.str(i, 1)}] = s;
  }
  for (const auto& t : tables) {
    auto it = all.find(t->name);
    if (it != all.end()) out[t->name] = it->second;
  }
  return out;
}

Status CheckPgEndpoint(const std::string& uri, EndpointRole role,
                       const EndpointCheckOptions& options, CheckList& checks) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, "cutover test-connection"));
  if (role == EndpointRole::kTarget) return CheckPgTarget(*conn, checks);
  RETURN_IF_ERROR(CheckPgCapture(*conn, checks));
  return CheckPgSourceHeadroom(*conn, uri, options, checks);
}

}  // namespace cutover::pg
