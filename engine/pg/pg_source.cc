#include "engine/pg/pg_source.h"

#include <chrono>
#include <set>

#include "engine/core/log.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_preflight.h"
#include "engine/pg/pg_source_internal.h"
#include "engine/pg/pg_types.h"
#include "engine/pg/pgoutput.h"

namespace cutover::pg {

Position LsnPosition(uint64_t lsn) {
  return Position{lsn, 0, FormatLsn(lsn)};
}

Status PgSource::CheckChangeCapture(StartReport& problems) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  CheckList checks;
  RETURN_IF_ERROR(CheckPgCapture(*conn, checks));  // the same checks test-connection shows
  problems.RefuseFailed(checks, "source " + conn->redacted_uri());
  return Status::Ok();
}

namespace {
// A relation (of pg_class alias c) whose rows an UPDATE or DELETE can identify once it is
// published: REPLICA IDENTITY FULL, or the index its replica identity names exists.
constexpr const char* kIdentifiesRows =
    "(c.relreplident = 'f' OR EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND "
    "CASE c.relreplident WHEN 'd' THEN i.indisprimary WHEN 'i' THEN i.indisreplident "
    "ELSE false END))";
}  // namespace

Status PgSource::CheckCapturedTables(const std::vector<TableSchemaPtr>& tables,
                                     StartReport& problems) {
  // A partitioned table is published through its root: each leaf partition must identify its
  // rows, or the application's UPDATE and DELETE on it fail once the publication exists (what
  // PublishExactly refuses; found here before anything is created).
  std::unique_ptr<PgConn> conn;
  for (const auto& t : tables) {
    if (!partitioned_.count(t->name)) continue;
    if (!conn) {
      ASSIGN_OR_RETURN(conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
    }
    ASSIGN_OR_RETURN(
        auto blind,
        conn->ExecParams(
            std::string("SELECT n.nspname, c.relname FROM pg_partition_tree("
                        "format('%I.%I', $1::text, $2::text)::regclass) p "
                        "JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON "
                        "n.oid = c.relnamespace WHERE p.isleaf AND c.relkind = 'r' "
                        "AND NOT ") +
                kIdentifiesRows + " ORDER BY 1, 2",
            {t->name.schema.c_str(), t->name.name.c_str()},
            "checking the replica identities of the partitions of " + t->name.ToString()));
    for (int i = 0; i < blind.rows(); ++i) {
      const TableName part{blind.str(i, 0), blind.str(i, 1)};
      problems.Refuse(
          "table " + part.ToString() + " (partition of " + t->name.ToString() + ")",
          "has no replica identity (no primary key or replica identity index, or "
          "REPLICA IDENTITY NOTHING): published through " +
              t->name.ToString() + ", it would make the application's UPDATE and DELETE on it fail",
          "ALTER TABLE " + part.ToString() +
              " REPLICA IDENTITY DEFAULT (with a primary key) or FULL, or leave " +
              t->name.ToString() + " out with --exclude-tables '" + t->name.ToString() + "'");
    }
  }
  return Status::Ok();
}

Result<std::map<TableName, TableSize>> PgSource::EstimateTableSizes(
    const std::vector<TableSchemaPtr>& tables) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  return EstimatePgTableSizes(*conn, tables);
}

// Makes publication `pub` publish exactly `tables` (creating it if missing) and checks that it
// does, in one transaction: on any difference nothing is changed and the error names the tables.
static Status PublishExactly(PgConn& conn, const std::string& pub,
                             const std::vector<TableSchemaPtr>& tables) {
  // ONLY on every table: without it an inheritance parent publishes its children too, and a
  // child without a replica identity then makes the application's UPDATE/DELETE on the parent
  // fail on the source. A partitioned table is published as its root (its partitions are
  // published through it, under the root's name).
  std::string list;
  std::set<TableName> wanted;
  for (size_t i = 0; i < tables.size(); ++i) {
    list += (i ? ", ONLY " : "ONLY ") + QualifiedName(conn, tables[i]->name);
    wanted.insert(tables[i]->name);
  }
  const std::string what = "publication " + pub;
  auto published = [&]() -> Result<std::set<TableName>> {
    ASSIGN_OR_RETURN(auto r, conn.ExecParams("SELECT schemaname, tablename FROM "
                                             "pg_publication_tables WHERE pubname = $1",
                                             {pub.c_str()}, what + ": reading its tables"));
    std::set<TableName> out;
    for (int i = 0; i < r.rows(); ++i) out.insert(TableName{r.str(i, 0), r.str(i, 1)});
    return out;
  };
  auto names = [](const std::vector<TableName>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].ToString();
    return s;
  };
  // Created or changed and checked in one transaction: a publication that would publish more
  // than the task's tables is rolled back, never visible to the source's sessions.
  RETURN_IF_ERROR(conn.ExecOk("BEGIN", what + ": BEGIN"));
  auto rollback = [&](Status s) {
    (void)conn.ExecOk("ROLLBACK");
    return s;
  };
  ASSIGN_OR_RETURN(auto has_pub, conn.ExecParams("SELECT 1 FROM pg_publication WHERE pubname = $1",
                                                 {pub.c_str()}, "looking up " + what));
  std::vector<TableName> stale;
  Status s;
  if (has_pub.rows() == 0) {
    s = conn.ExecOk("CREATE PUBLICATION " + conn.QuoteIdent(pub) + " FOR TABLE " + list +
                        " WITH (publish_via_partition_root = true)",
                    "creating " + what);
  } else {
    // A publication made by an older cutover (FOR TABLE without ONLY) may publish inheritance
    // children or partitions: SET TABLE replaces its list, which repairs it.
    auto before = published();
    if (!before.ok()) return rollback(before.status());
    for (const auto& t : *before)
      if (!wanted.count(t)) stale.push_back(t);
    s = conn.ExecOk("ALTER PUBLICATION " + conn.QuoteIdent(pub) + " SET TABLE " + list,
                    "updating " + what);
    if (s.ok()) {
      s = conn.ExecOk(
          "ALTER PUBLICATION " + conn.QuoteIdent(pub) + " SET (publish_via_partition_root = true)",
          "updating " + what);
    }
  }
  if (!s.ok()) return rollback(s);
  auto after = published();
  if (!after.ok()) return rollback(after.status());
  std::vector<TableName> extra, missing;
  for (const auto& t : *after)
    if (!wanted.count(t)) extra.push_back(t);
  for (const auto& t : wanted)
    if (!after->count(t)) missing.push_back(t);
  if (!extra.empty() || !missing.empty()) {
    return rollback(FailedPrecondition(
        what + " would publish " +
        (extra.empty() ? "" : "tables outside the task (" + names(extra) + ")") +
        (!extra.empty() && !missing.empty() ? " and " : "") +
        (missing.empty() ? "" : "not all of the task's tables (missing " + names(missing) + ")") +
        "; nothing was changed on the source (a published table without a replica identity "
        "makes the application's UPDATE and DELETE on it fail)"));
  }
  // Every relation an UPDATE/DELETE of the application may now reach through the publication
  // (each table, each leaf partition of a partitioned one) must be able to identify its rows,
  // or PostgreSQL refuses the application's statement.
  // (pg_partition_tree lists nothing for a table that is not partitioned.)
  auto blind = conn.ExecParams(
      "WITH rels AS (SELECT format('%I.%I', schemaname, tablename)::regclass AS oid "
      "FROM pg_publication_tables WHERE pubname = $1), "
      "reached AS (SELECT oid FROM rels UNION SELECT p.relid FROM rels CROSS JOIN LATERAL "
      "pg_partition_tree(rels.oid) p WHERE p.isleaf) "
      "SELECT n.nspname, c.relname FROM reached r JOIN pg_class c ON c.oid = r.oid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND NOT " +
          std::string(kIdentifiesRows) + " ORDER BY 1, 2",
      {pub.c_str()}, what + ": checking replica identities");
  if (!blind.ok()) return rollback(blind.status());
  if (blind->rows() > 0) {
    std::vector<TableName> v;
    for (int i = 0; i < blind->rows(); ++i) v.push_back({blind->str(i, 0), blind->str(i, 1)});
    return rollback(FailedPrecondition(
        what + " would publish " + names(v) +
        " without a replica identity (no primary key or replica identity index): the "
        "application's UPDATE and DELETE on them would fail; nothing was changed on the source. "
        "Add a primary key to each, or leave the table they belong to out (--exclude-tables)"));
  }
  RETURN_IF_ERROR(conn.ExecOk("COMMIT", what + ": COMMIT"));
  if (!stale.empty()) {
    Log(LogLevel::kWarn,
        "{} also published {} (made by an older cutover without ONLY); it now publishes "
        "exactly the task's tables",
        what, names(stale));
  }
  return Status::Ok();
}

Result<CdcSetup> PgSource::PrepareCdc(const std::string& task,
                                      const std::vector<TableSchemaPtr>& tables,
                                      bool want_snapshot) {
  StartReport problems;
  RETURN_IF_ERROR(CheckChangeCapture(problems));
  RETURN_IF_ERROR(problems.ToStatus("task " + task));
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  std::string pub = PublicationName(task), slot = SlotName(task);
  RETURN_IF_ERROR(PublishExactly(*conn, pub, tables));
  ASSIGN_OR_RETURN(auto has_slot,
                   conn->ExecParams("SELECT wal_status FROM pg_replication_slots WHERE "
                                    "slot_name = $1",
                                    {slot.c_str()}, "looking up replication slot"));
  CdcSetup setup;
  if (has_slot.rows() == 1) {
    if (has_slot.get(0, 0) == "lost") {
      return DataLoss("replication slot " + slot +
                      " has lost required WAL (wal_status=lost); "
                      "drop the task and start again");
    }
    return setup;
  }
  setup.created = true;
  if (want_snapshot) {
    ASSIGN_OR_RETURN(setup.snapshot, CreateSlotWithSnapshot(uri_, slot, false, partitioned_));
  } else {
    ASSIGN_OR_RETURN(auto repl, PgConn::Connect(uri_, ConnMode::kReplication, "cutover"));
    RETURN_IF_ERROR(repl->ExecOk("CREATE_REPLICATION_SLOT " + repl->QuoteIdent(slot) +
                                     " LOGICAL pgoutput (SNAPSHOT 'nothing')",
                                 "creating replication slot " + slot));
  }
  return setup;
}

Result<Position> PgSource::ParsePosition(const std::string& text) const {
  ASSIGN_OR_RETURN(uint64_t lsn, ParseLsn(text));
  return LsnPosition(lsn);
}

Status PgSource::DropTask(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  std::string slot = SlotName(task), pub = PublicationName(task);
  ASSIGN_OR_RETURN(auto active,
                   conn->ExecParams("SELECT active_pid FROM pg_replication_slots WHERE "
                                    "slot_name = $1",
                                    {slot.c_str()}, "looking up replication slot"));
  if (active.rows() == 1) {
    if (!active.is_null(0, 0)) {
      return FailedPrecondition("replication slot " + slot + " is in use by process " +
                                active.str(0, 0) + "; stop the running task first");
    }
    RETURN_IF_ERROR(conn->ExecParams("SELECT pg_drop_replication_slot($1)", {slot.c_str()},
                                     "dropping replication slot " + slot)
                        .status());
  }
  return conn->ExecOk("DROP PUBLICATION IF EXISTS " + conn->QuoteIdent(pub),
                      "dropping publication " + pub);
}

}  // namespace cutover::pg
