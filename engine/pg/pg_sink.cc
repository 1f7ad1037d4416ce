#include "engine/pg/pg_sink.h"

#include <map>

#include "engine/core/generated_columns.h"
#include "engine/core/log.h"
#include "engine/core/lossy.h"
#include "engine/core/naming.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_sink_internal.h"
#include "engine/pg/pg_target_types.h"
#include "engine/pg/pg_task_state.h"
#include "engine/pg/pg_types.h"

namespace cutover::pg {

const char* const kControlDdl =
    "CREATE SCHEMA IF NOT EXISTS cutover;"
    "CREATE TABLE IF NOT EXISTS cutover.checkpoint ("
    "  task text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL);"
    "CREATE TABLE IF NOT EXISTS cutover.table_state ("
    "  task text NOT NULL, table_schema text NOT NULL, table_name text NOT NULL,"
    "  snapshot_position text NOT NULL, rows bigint NOT NULL, loaded_at timestamptz NOT NULL,"
    "  PRIMARY KEY (task, table_schema, table_name));"
    "CREATE TABLE IF NOT EXISTS cutover.load_range ("
    "  task text NOT NULL, table_schema text NOT NULL, table_name text NOT NULL,"
    "  range_no int NOT NULL, key_column text NOT NULL, lo bigint, hi bigint,"
    "  snapshot_position text, rows bigint, loaded_at timestamptz, shape text,"
    "  PRIMARY KEY (task, table_schema, table_name, range_no));"
    // A target set up by an older cutover: the column is added once (an ALTER every time would
    // wait for another task's range loads holding the table).
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
    "'cutover.load_range'::regclass AND attname = 'shape' AND NOT attisdropped) THEN "
    "ALTER TABLE cutover.load_range ADD COLUMN shape text; END IF; END $$;"
    "CREATE TABLE IF NOT EXISTS cutover.table_stats ("
    "  task text NOT NULL, table_schema text NOT NULL, table_name text NOT NULL,"
    "  inserts bigint NOT NULL, updates bigint NOT NULL, deletes bigint NOT NULL,"
    "  ddls bigint NOT NULL, updated_at timestamptz NOT NULL,"
    "  PRIMARY KEY (task, table_schema, table_name));"
    "ALTER TABLE cutover.table_stats ADD COLUMN IF NOT EXISTS state text;"
    "CREATE TABLE IF NOT EXISTS cutover.apply_exceptions ("
    "  id bigserial PRIMARY KEY, task text NOT NULL, table_schema text NOT NULL,"
    "  table_name text NOT NULL, target_schema text NOT NULL, target_table text NOT NULL,"
    "  operation text NOT NULL, row_key text NOT NULL, source_position text NOT NULL,"
    "  source_xid text NOT NULL, policy text NOT NULL, error text NOT NULL, row_values text,"
    "  recorded_at timestamptz NOT NULL);";

std::string ColumnList(PgConn& conn, const TableSchema& t) {
  std::string out;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) out += ", ";
    out += conn.QuoteIdent(t.columns[i].name);
  }
  return out;
}

std::string KeyList(PgConn& conn, const TableSchema& t) {
  std::string out;
  for (size_t i = 0; i < t.key.size(); ++i) {
    if (i) out += ", ";
    out += conn.QuoteIdent(t.columns[t.key[i]].name);
  }
  return out;
}

// Checks column `i` of `row` for the target (PgTargetValue: the one check of the full load and
// both apply modes): reports a lossy rule it hits, errors name table, key, column and value.
Result<PgWrite> CheckValue(const TableSchema& t, const std::vector<Value>& row, size_t i) {
  LossyRule applied;
  Result<PgWrite> w = PgTargetValue(t.columns[i], t.engine, row[i], applied);
  if (!w.ok()) return RowContext(w.status(), t, row);
  if (applied != LossyRule::kNone) LossyNotices::Run().Hit(t, i, applied, row);
  return w;
}

// Where a source table lands here (engine/core/naming.h).
TableName TargetName(const TableSchema& t) {
  if (!t.target_schema.empty()) return TableName{t.target_schema, LandingTableName(t)};
  if (t.engine == "postgresql") return TableName{t.name.schema, LandingTableName(t)};
  return TableName{"public", LandingTableName(t)};
}

// ---------------------------------------------------------------------------------------------
// Sessions (engine/core/target_session.h)

static constexpr const char* kReplicaRoleGrant =
    "GRANT SET ON PARAMETER session_replication_role TO <cutover's role> (PostgreSQL 15+), or "
    "connect as a superuser";

// Connects a target session whose lock waits are bounded; `replica` also switches off the
// target's triggers and foreign keys for it.
Result<std::unique_ptr<PgConn>> ConnectTarget(const std::string& uri, const SinkOptions& options,
                                              std::string_view application, bool replica) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, application));
  RETURN_IF_ERROR(
      conn->ExecOk("SET lock_timeout = '" + std::to_string(options.lock_timeout.count()) + "s'",
                   "bounding lock waits of the target session (lock_timeout)"));
  if (replica) {
    RETURN_IF_ERROR(conn->ExecOk(
        "SET session_replication_role = replica",
        std::string("switching off target triggers and foreign keys for cutover's session "
                    "(session_replication_role = replica; ") +
            kReplicaRoleGrant + ")"));
  }
  return conn;
}

static bool IsLockTimeout(const Status& s) {
  return !s.ok() && s.message().find("[SQLSTATE 55P03]") != std::string::npos;
}

// `s` when it is not a lock wait that timed out; else `s` naming `table` and the sessions that
// hold locks on it (asked on a connection of its own: the failed one may be unusable).
Status ExplainLockWait(const std::string& uri, const SinkOptions& options, const Status& s,
                       const TableName& table) {
  if (!IsLockTimeout(s)) return s;
  std::vector<std::string> holders;
  auto conn = PgConn::Connect(uri, ConnMode::kNormal, "cutover lock diagnosis");
  if (conn.ok()) {
    std::string qualified = QualifiedName(**conn, table);
    auto r = (*conn)->ExecParams(
        "SELECT format('session %s (user %s, application %s, %s%s, holding %s; its last "
        "statement: %s)', a.pid, a.usename, coalesce(nullif(a.application_name, ''), '-'), "
        "a.state, coalesce(' for ' || extract(epoch FROM now() - a.xact_start)::bigint || ' s "
        "in its transaction', ''), string_agg(DISTINCT l.mode, ', '), "
        "left(regexp_replace(a.query, '[[:space:]]+', ' ', 'g'), 100)) "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'relation' AND l.granted AND l.relation = to_regclass($1) "
        "AND l.pid <> pg_backend_pid() GROUP BY a.pid, a.usename, a.application_name, a.state, "
        "a.xact_start, a.query ORDER BY a.xact_start",
        {qualified.c_str()}, "looking for the holders of locks on " + table.ToString());
    if (r.ok()) {
      for (int i = 0; i < r->rows(); ++i) holders.push_back(r->str(i, 0));
    }
  }
  return LockWaitTimedOut(s, "table " + table.ToString(), holders, options.lock_timeout);
}

// ---------------------------------------------------------------------------------------------

Result<TaskState> PgSink::ReadTaskState(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover", /*replica=*/false));
  ASSIGN_OR_RETURN(std::optional<TaskState> state, ReadPgTaskState(*conn, task));
  return state ? std::move(*state) : TaskState{};
}

Status PgSink::CreateControlTables() {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover", /*replica=*/false));
  return conn->ExecOk(kControlDdl, "creating control tables on the target");
}

Status PgSink::RecordValidation(const std::string& task,
                                const std::map<TableName, TableValidationState>& tables) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover", /*replica=*/false));
  RETURN_IF_ERROR(conn->ExecOk(
      "CREATE SCHEMA IF NOT EXISTS cutover;"
      "CREATE TABLE IF NOT EXISTS cutover.table_validation ("
      "  task text NOT NULL, table_schema text NOT NULL, table_name text NOT NULL,"
      "  state text NOT NULL, failed_records bigint NOT NULL, detail text NOT NULL,"
      "  validated_at timestamptz NOT NULL, PRIMARY KEY (task, table_schema, table_name))",
      "creating cutover.table_validation on the target"));
  for (const auto& [table, v] : tables) {
    const std::string failed = std::to_string(v.failed_records);
    RETURN_IF_ERROR(
        conn->ExecParams(
                "INSERT INTO cutover.table_validation VALUES ($1, $2, $3, $4, $5, $6, now()) "
                "ON CONFLICT (task, table_schema, table_name) DO UPDATE SET state = "
                "excluded.state, failed_records = excluded.failed_records, detail = "
                "excluded.detail, validated_at = excluded.validated_at",
                {task.c_str(), table.schema.c_str(), table.name.c_str(), v.state.c_str(),
                 failed.c_str(), v.detail.c_str()},
                "recording the validation state of " + table.ToString())
            .status());
  }
  return Status::Ok();
}

Status PgSink::DropTask(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover", /*replica=*/false));
  ASSIGN_OR_RETURN(auto exists, conn->Exec("SELECT to_regclass('cutover.checkpoint') IS NOT NULL"));
  if (exists.get(0, 0) != "t") return Status::Ok();
  RETURN_IF_ERROR(conn->ExecParams("DELETE FROM cutover.checkpoint WHERE task = $1", {task.c_str()},
                                   "removing checkpoint")
                      .status());
  RETURN_IF_ERROR(conn->ExecParams("DELETE FROM cutover.table_state WHERE task = $1",
                                   {task.c_str()}, "removing table state")
                      .status());
  ASSIGN_OR_RETURN(auto ranges, conn->Exec("SELECT to_regclass('cutover.load_range') IS NOT NULL"));
  if (ranges.get(0, 0) == "t") {
    RETURN_IF_ERROR(conn->ExecParams("DELETE FROM cutover.load_range WHERE task = $1",
                                     {task.c_str()}, "removing load ranges")
                        .status());
  }
  ASSIGN_OR_RETURN(auto exceptions,
                   conn->Exec("SELECT to_regclass('cutover.apply_exceptions') IS NOT NULL"));
  if (exceptions.get(0, 0) == "t") {
    RETURN_IF_ERROR(conn->ExecParams("DELETE FROM cutover.apply_exceptions WHERE task = $1",
                                     {task.c_str()}, "removing recorded apply exceptions")
                        .status());
  }
  ASSIGN_OR_RETURN(auto validation,
                   conn->Exec("SELECT to_regclass('cutover.table_validation') IS NOT NULL"));
  if (validation.get(0, 0) == "t")
    RETURN_IF_ERROR(conn->ExecParams("DELETE FROM cutover.table_validation WHERE task = $1",
                                     {task.c_str()}, "removing validation state")
                        .status());
  ASSIGN_OR_RETURN(auto stats, conn->Exec("SELECT to_regclass('cutover.table_stats') IS NOT NULL"));
  if (stats.get(0, 0) != "t") return Status::Ok();
  return conn
      ->ExecParams("DELETE FROM cutover.table_stats WHERE task = $1", {task.c_str()},
                   "removing table statistics")
      .status();
}

// The columns of target table `target` in their order; none when it does not exist.
static Result<std::vector<TargetColumn>> ReadColumns(PgConn& conn, const TableName& target) {
  std::string rel = QualifiedName(conn, target);
  ASSIGN_OR_RETURN(
      auto r,
      conn.ExecParams("SELECT attname, attgenerated <> '' FROM pg_attribute "
                      "WHERE attrelid = to_regclass($1) AND attnum > 0 "
                      "AND NOT attisdropped ORDER BY attnum",
                      {rel.c_str()}, "target table " + target.ToString() + ": reading columns"));
  std::vector<TargetColumn> columns;
  for (int i = 0; i < r.rows(); ++i) columns.push_back({r.str(i, 0), r.get(i, 1) == "t"});
  return columns;
}

// Pre-created target tables: their generated columns against the source's (generated_columns.h).
static Status CheckPrecreatedGenerated(PgConn& conn, const std::vector<TableSchemaPtr>& tables,
                                       StartReport& problems) {
  for (const TableSchemaPtr& t : tables) {
    TableName target = TargetName(*t);
    ASSIGN_OR_RETURN(std::vector<TargetColumn> columns, ReadColumns(conn, target));
    CheckPrecreatedColumns(*t, target, columns, false, problems);
  }
  return Status::Ok();
}

Result<std::map<TableName, TargetTableColumns>> PgSink::ReadTargetColumns(
    const std::vector<TableSchemaPtr>& tables) {
  std::map<TableName, TargetTableColumns> out;
  if (tables.empty()) return out;
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover check", /*replica=*/false));
  for (const TableSchemaPtr& t : tables) {
    ASSIGN_OR_RETURN(std::vector<TargetColumn> columns, ReadColumns(*conn, TargetName(*t)));
    if (!columns.empty()) out[t->name].columns = std::move(columns);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking and preparing the target's tables

namespace {

// A text[] literal of `items`.
std::string TextArray(const std::vector<std::string>& items) {
  std::string a = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    a += i ? ",\"" : "\"";
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') a += '\\';
      a += ch;
    }
    a += '"';
  }
  return a + "}";
}

// A task table as it exists on the target.
struct ExistingTable {
  TableName name;
  std::string oid;
  bool partitioned = false;  // relkind 'p': TRUNCATE/LOCK cannot say ONLY
  std::string Only() const { return partitioned ? "" : "ONLY "; }
};

// The target tables of `tables` that exist, keyed by oid.
Result<std::map<std::string, ExistingTable>> ExistingTargetTables(
    PgConn& conn, const std::vector<TableSchemaPtr>& tables) {
  std::vector<std::string> schemas, names;
  for (const auto& t : tables) {
    TableName n = TargetName(*t);
    schemas.push_back(n.schema);
    names.push_back(n.name);
  }
  std::string sa = TextArray(schemas), na = TextArray(names);
  ASSIGN_OR_RETURN(
      auto r, conn.ExecParams("SELECT c.oid, n.nspname, c.relname, c.relkind = 'p' FROM "
                              "unnest($1::text[], $2::text[]) AS w(s, t) JOIN pg_namespace n ON "
                              "n.nspname = w.s JOIN pg_class c ON c.relnamespace = n.oid AND "
                              "c.relname = w.t AND c.relkind IN ('r', 'p')",
                              {sa.c_str(), na.c_str()}, "looking up the task's target tables"));
  std::map<std::string, ExistingTable> out;
  for (int i = 0; i < r.rows(); ++i) {
    out[r.str(i, 0)] =
        ExistingTable{TableName{r.str(i, 1), r.str(i, 2)}, r.str(i, 0), r.get(i, 3) == "t"};
  }
  return out;
}

std::string OidArray(const std::map<std::string, ExistingTable>& tables) {
  std::string a = "{";
  for (const auto& [oid, t] : tables) a += (a.size() > 1 ? "," : "") + oid;
  return a + "}";
}

// A foreign key touching the task's tables.
struct ForeignKeyRef {
  std::string name;  // constraint name
  std::string from_oid, to_oid;
  std::string from, to;  // qualified table names
};

Result<std::vector<ForeignKeyRef>> ForeignKeysTouching(
    PgConn& conn, const std::map<std::string, ExistingTable>& tables) {
  std::string oids = OidArray(tables);
  ASSIGN_OR_RETURN(
      auto r, conn.ExecParams("SELECT conname, conrelid, confrelid, conrelid::regclass::text, "
                              "confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
                              "AND (conrelid = ANY($1::oid[]) OR confrelid = ANY($1::oid[])) "
                              "ORDER BY 4, 1",
                              {oids.c_str()}, "looking up foreign keys of the task's tables"));
  std::vector<ForeignKeyRef> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.str(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3), r.str(i, 4)});
  return out;
}

// "BEFORE INSERT OR UPDATE" from pg_trigger.tgtype.
std::string TriggerEvent(int type) {
  std::string when = (type & 2) ? "BEFORE" : (type & 64) ? "INSTEAD OF" : "AFTER";
  std::string events;
  for (auto [bit, name] : {std::pair{4, "INSERT"}, {16, "UPDATE"}, {8, "DELETE"}, {32, "TRUNCATE"}})
    if (type & bit) events += (events.empty() ? "" : " OR ") + std::string(name);
  return when + " " + events + ((type & 1) ? " FOR EACH ROW" : "");
}

}  // namespace

Status PgSink::CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                           TablePrep prep, StartReport& problems) {
  (void)task;
  if (tables.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover check", /*replica=*/false));
  // Whether this role may switch triggers and foreign keys off for its sessions.
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", "checking the target"));
  Status replica = conn->ExecOk("SET LOCAL session_replication_role = replica");
  RETURN_IF_ERROR(conn->ExecOk("ROLLBACK", "checking the target"));
  if (!replica.ok() && replica.code() != StatusCode::kPermissionDenied) return replica;
  const bool can_replica = replica.ok();

  ASSIGN_OR_RETURN(auto existing, ExistingTargetTables(*conn, tables));
  if (existing.empty()) {
    replica_role_ = can_replica ? ReplicaRole::kOn : ReplicaRole::kNotNeeded;
    return Status::Ok();
  }
  std::string oids = OidArray(existing);
  ASSIGN_OR_RETURN(auto triggers,
                   conn->ExecParams("SELECT tgrelid, tgname, tgtype, tgenabled FROM pg_trigger "
                                    "WHERE NOT tgisinternal AND tgenabled <> 'D' AND "
                                    "tgrelid = ANY($1::oid[]) ORDER BY tgrelid, tgname",
                                    {oids.c_str()}, "looking up triggers of the task's tables"));
  ASSIGN_OR_RETURN(std::vector<ForeignKeyRef> fks, ForeignKeysTouching(*conn, existing));
  ASSIGN_OR_RETURN(auto role, conn->Exec("SELECT current_user", "reading the target role"));
  const std::string user = role.rows() ? role.str(0, 0) : "?";

  auto trigger_object = [&](int i) {
    const ExistingTable& t = existing.at(triggers.str(i, 0));
    return "trigger " + triggers.str(i, 1) + " on target table " + t.name.ToString();
  };
  auto trigger_fires = [&](int i) {
    return "fires " + TriggerEvent(std::atoi(triggers.str(i, 2).c_str())) +
           " on the rows cutover writes and would change what the source wrote";
  };
  const bool triggers_survive = TriggersSurvive(prep);
  if (can_replica) {
    replica_role_ = ReplicaRole::kOn;
    // ENABLE ALWAYS / ENABLE REPLICA triggers fire under session_replication_role = replica too.
    for (int i = 0; triggers_survive && i < triggers.rows(); ++i) {
      char mode = triggers.get(i, 3).empty() ? 'O' : triggers.get(i, 3)[0];
      if (mode != 'A' && mode != 'R') continue;
      const ExistingTable& t = existing.at(triggers.str(i, 0));
      problems.Refuse(trigger_object(i),
                      trigger_fires(i) + " (it is enabled " + (mode == 'A' ? "ALWAYS" : "REPLICA") +
                          ", so session_replication_role = replica does not switch it off)",
                      "ALTER TABLE " + QualifiedName(*conn, t.name) + " ENABLE TRIGGER " +
                          conn->QuoteIdent(triggers.str(i, 1)) +
                          " while replicating (it then fires for the application only)");
    }
  } else {
    // Without the switch, whatever would act on replicated rows refuses the task; with nothing
    // to switch off, the sessions run without it.
    bool any = false;
    std::string why =
        "; cutover switches these off for its own sessions with "
        "session_replication_role = replica, which role " +
        user + " may not set";
    std::string remedy = "GRANT SET ON PARAMETER session_replication_role TO " +
                         conn->QuoteIdent(user) + " (PostgreSQL 15+), or connect as a superuser";
    for (int i = 0; triggers_survive && i < triggers.rows(); ++i) {
      if (triggers.get(i, 3) == "R") continue;  // fires only in replica mode
      problems.Refuse(trigger_object(i), trigger_fires(i) + why, remedy);
      any = true;
    }
    for (const ForeignKeyRef& fk : fks) {
      bool dropped = prep == TablePrep::kDropAndCreate && existing.count(fk.from_oid);
      if (dropped) continue;  // goes with its table
      problems.Refuse(
          "foreign key " + fk.name + " of target table " + fk.from + " (references " + fk.to + ")",
          "would reject rows loaded or applied out of parent/child order and its "
          "actions would change rows the source sends itself" +
              why,
          remedy);
      any = true;
    }
    replica_role_ = any ? ReplicaRole::kOn : ReplicaRole::kNotNeeded;
  }
  if (prep == TablePrep::kDropAndCreate) {
    for (const ForeignKeyRef& fk : fks) {
      if (existing.count(fk.from_oid)) continue;
      problems.Refuse(
          "foreign key " + fk.name + " of target table " + fk.from + " (not in the task)",
          "references " + fk.to +
              ", which --table-prep drop-and-create drops: the constraint "
              "would have to be dropped with it, changing a table outside the task",
          "keep the target's schema with --table-prep truncate, add " + fk.from +
              " to the task, or drop the constraint");
    }
  }
  if (prep != TablePrep::kDropAndCreate)
    RETURN_IF_ERROR(CheckPrecreatedGenerated(*conn, tables, problems));
  return Status::Ok();
}

Status PgSink::PrepareTables(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                             TablePrep prep) {
  (void)task;
  if (tables.empty() || prep == TablePrep::kDoNothing) return Status::Ok();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover-prepare",
                                            replica_role_ != ReplicaRole::kNotNeeded));
  ASSIGN_OR_RETURN(auto existing, ExistingTargetTables(*conn, tables));
  // The enums, domains and sequences the new tables use, after the old tables (and the
  // sequences they owned) are dropped.
  if (existing.empty())
    return prep == TablePrep::kDropAndCreate ? CreatePgTypesAndSequences(*conn, tables)
                                             : Status::Ok();
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", "preparing the target tables: BEGIN"));
  // One table at a time, so that a lock wait names its table and who holds it.
  for (const auto& [oid, t] : existing) {
    Status locked = conn->ExecOk(
        "LOCK TABLE " + t.Only() + QualifiedName(*conn, t.name) + " IN ACCESS EXCLUSIVE MODE",
        "target table " + t.name.ToString() + ": locking it to prepare it for the load");
    if (!locked.ok()) {
      (void)conn->ExecOk("ROLLBACK");
      return ExplainLockWait(uri_, options_, locked, t.name);
    }
  }
  if (prep == TablePrep::kDropAndCreate) {
    // Together: foreign keys between them do not block the drop.
    std::string sql = "DROP TABLE ";
    for (const auto& [oid, t] : existing)
      sql += (sql.size() > 11 ? ", " : "") + QualifiedName(*conn, t.name);
    RETURN_IF_ERROR(conn->ExecOk(sql, "dropping the target tables to create them anew"));
    RETURN_IF_ERROR(conn->ExecOk("COMMIT", "preparing the target tables: COMMIT"));
    return CreatePgTypesAndSequences(*conn, tables);
  }
  // Truncate: together, except tables a foreign key of a table not being emptied references
  // (outside the task, or loaded already): TRUNCATE would refuse them (or cascade with CASCADE).
  ASSIGN_OR_RETURN(std::vector<ForeignKeyRef> fks, ForeignKeysTouching(*conn, existing));
  std::map<std::string, const ForeignKeyRef*> kept_by;  // oid emptied with DELETE -> why
  for (bool changed = true; changed;) {
    changed = false;
    for (const ForeignKeyRef& fk : fks) {
      bool from_truncated = existing.count(fk.from_oid) && !kept_by.count(fk.from_oid);
      if (existing.count(fk.to_oid) && !kept_by.count(fk.to_oid) && !from_truncated) {
        kept_by[fk.to_oid] = &fk;
        changed = true;
      }
    }
  }
  std::string truncate;
  for (const auto& [oid, t] : existing) {
    std::string q = t.Only() + QualifiedName(*conn, t.name);
    auto why = kept_by.find(oid);
    if (why == kept_by.end()) {
      truncate += (truncate.empty() ? "TRUNCATE " : ", ") + q;
      continue;
    }
    Log(LogLevel::kInfo,
        "target table {}: emptied with DELETE rather than TRUNCATE, because foreign key {} of {} "
        "references it and that table is not being reloaded (it is left as it is)",
        t.name.ToString(), why->second->name, why->second->from);
    RETURN_IF_ERROR(
        conn->ExecOk("DELETE FROM " + q, "target table " + t.name.ToString() + ": emptying it"));
  }
  if (!truncate.empty())
    RETURN_IF_ERROR(conn->ExecOk(truncate, "emptying the target tables (TRUNCATE)"));
  return conn->ExecOk("COMMIT", "preparing the target tables: COMMIT");
}

}  // namespace cutover::pg