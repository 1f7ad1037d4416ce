#include "engine/pg/pg_switch.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_source_internal.h"
#include "engine/pg/pgoutput.h"

namespace cutover::pg {

namespace {

int64_t ToInt(std::string_view s) {
  return std::strtoll(std::string(s).c_str(), nullptr, 10);
}

// The next value `seq` (a quoted, qualified name from the catalog) hands out and its
// increment: "last_value + increment" once called, else last_value (its start, or what setval
// left). With a cache, last_value may be ahead of what was handed out: never behind.
Result<std::pair<int64_t, int64_t>> SequenceNext(PgConn& conn, const std::string& seq) {
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT last_value, is_called, (SELECT seqincrement FROM "
                                         "pg_sequence WHERE seqrelid = " +
                                             conn.QuoteLiteral(seq) + "::regclass) FROM " + seq,
                                         "reading sequence " + seq));
  if (r.rows() == 0) return NotFound("sequence " + seq + " not found");
  int64_t inc = ToInt(r.get(0, 2));
  int64_t next = ToInt(r.get(0, 0)) + (r.get(0, 1) == "t" ? inc : 0);
  return std::make_pair(next, inc);
}

}  // namespace

Result<SourceLogMark> ReadPgLogMark(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, "cutover switch"));
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text, "
                              "pg_current_wal_lsn()::text FROM pg_stat_user_tables",
                              "reading the source's row counters and WAL position"));
  ASSIGN_OR_RETURN(uint64_t lsn, ParseLsn(r.get(0, 1)));
  SourceLogMark m;
  m.writes = r.str(0, 0);
  m.end = LsnPosition(lsn > 0 ? lsn - 1 : 0);
  return m;
}

Result<std::vector<KeyGenerator>> ReadPgKeyGenerators(const std::string& uri,
                                                      const std::vector<TableName>& tables) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, "cutover switch"));
  std::vector<KeyGenerator> out;
  std::set<std::string> schemas;
  for (const TableName& t : tables) {
    schemas.insert(t.schema);
    std::string rel = conn->QuoteIdent(t.schema) + "." + conn->QuoteIdent(t.name);
    ASSIGN_OR_RETURN(PgResult cols,
                     conn->ExecParams("SELECT a.attname, pg_get_serial_sequence($1, a.attname) "
                                      "FROM pg_attribute a WHERE a.attrelid = $1::regclass AND "
                                      "a.attnum > 0 AND NOT a.attisdropped AND "
                                      "pg_get_serial_sequence($1, a.attname) IS NOT NULL "
                                      "ORDER BY a.attnum",
                                      {rel.c_str()}, "reading the key generators of " + rel));
    for (int i = 0; i < cols.rows(); ++i) {
      KeyGenerator g;
      g.table = t;
      g.column = cols.str(i, 0);
      g.sequence = cols.str(i, 1);
      ASSIGN_OR_RETURN(auto next, SequenceNext(*conn, g.sequence));
      g.next = next.first;
      out.push_back(std::move(g));
    }
  }
  // Sequences no column owns (an application's nextval('order_no')): carried by name.
  for (const std::string& schema : schemas) {
    ASSIGN_OR_RETURN(
        PgResult r,
        conn->ExecParams("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                         "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE c.relkind = 'S' AND n.nspname = $1 AND NOT EXISTS (SELECT 1 "
                         "FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid "
                         "= c.oid AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0) "
                         "ORDER BY 1",
                         {schema.c_str()}, "listing the sequences of schema " + schema));
    for (int i = 0; i < r.rows(); ++i) {
      KeyGenerator g;
      g.sequence = r.str(i, 0);
      ASSIGN_OR_RETURN(auto next, SequenceNext(*conn, g.sequence));
      g.next = next.first;
      out.push_back(std::move(g));
    }
  }
  return out;
}

Result<std::vector<KeyGeneratorSet>> AdvancePgKeyGenerators(
    const std::string& uri, const std::vector<KeyGeneratorFloor>& floors) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, "cutover switch"));
  // Per table: column -> floor ("" applies to every generator of the table).
  std::map<TableName, std::map<std::string, int64_t>> by_table;
  std::vector<KeyGeneratorSet> out;
  for (const KeyGeneratorFloor& f : floors) {
    if (f.table.name.empty()) continue;
    int64_t& at = by_table[f.table][f.column];
    at = std::max(at, f.at_least);
  }
  auto advance = [&](const std::string& seq, int64_t wanted, KeyGeneratorSet& set) -> Status {
    ASSIGN_OR_RETURN(auto next, SequenceNext(*conn, seq));
    set.generator = seq;
    set.before = next.first;
    set.next = std::max(next.first, wanted);
    if (set.next > set.before) {
      std::string n = std::to_string(set.next);
      RETURN_IF_ERROR(conn->ExecParams("SELECT setval($1::regclass, $2::bigint, false)",
                                       {seq.c_str(), n.c_str()}, "setting sequence " + seq)
                          .status());
    }
    return Status::Ok();
  };
  for (const auto& [table, columns] : by_table) {
    std::string rel = conn->QuoteIdent(table.schema) + "." + conn->QuoteIdent(table.name);
    ASSIGN_OR_RETURN(PgResult cols,
                     conn->ExecParams("SELECT a.attname, pg_get_serial_sequence($1, a.attname), "
                                      "format_type(a.atttypid, NULL) FROM pg_attribute a WHERE "
                                      "a.attrelid = $1::regclass AND a.attnum > 0 AND NOT "
                                      "a.attisdropped AND pg_get_serial_sequence($1, a.attname) "
                                      "IS NOT NULL ORDER BY a.attnum",
                                      {rel.c_str()}, "reading the key generators of " + rel));
    for (int i = 0; i < cols.rows(); ++i) {
      KeyGeneratorSet set;
      set.table = table;
      set.column = cols.str(i, 0);
      int64_t wanted = 1;
      for (const auto& [column, at] : columns)
        if (column.empty() || column == set.column) wanted = std::max(wanted, at);
      ASSIGN_OR_RETURN(PgResult mx, conn->Exec("SELECT max(" + conn->QuoteIdent(set.column) +
                                                   ")::bigint FROM " + rel,
                                               "reading the largest " + set.column + " of " + rel));
      if (mx.rows() > 0 && !mx.is_null(0, 0)) wanted = std::max(wanted, ToInt(mx.get(0, 0)) + 1);
      RETURN_IF_ERROR(advance(cols.str(i, 1), wanted, set).WithContext("table " + rel));
      out.push_back(std::move(set));
    }
  }
  for (const KeyGeneratorFloor& f : floors) {
    if (!f.table.name.empty() || f.sequence.empty()) continue;
    ASSIGN_OR_RETURN(PgResult exists, conn->ExecParams("SELECT to_regclass($1) IS NOT NULL",
                                                       {f.sequence.c_str()}, "finding a sequence"));
    if (exists.get(0, 0) != "t") continue;  // not on the target: the switch names it
    KeyGeneratorSet set;
    RETURN_IF_ERROR(advance(f.sequence, f.at_least, set));
    out.push_back(std::move(set));
  }
  return out;
}

Result<std::vector<TriggerOutcome>> EnablePgTriggers(const std::string& uri,
                                                     const std::vector<TableTriggers>& tables) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, "cutover switch"));
  std::vector<TriggerOutcome> out;
  for (const TableTriggers& tt : tables) {
    const std::string rel =
        conn->QuoteIdent(tt.table.schema) + "." + conn->QuoteIdent(tt.table.name);
    for (const Trigger& tr : tt.triggers) {
      TriggerOutcome o;
      o.name = tt.table.ToString() + "." + tr.name;
      ASSIGN_OR_RETURN(
          PgResult r,
          conn->ExecParams("SELECT (SELECT tgenabled FROM pg_trigger WHERE tgrelid = "
                           "c.oid AND tgname = $2) FROM (SELECT to_regclass($1) AS "
                           "oid) c WHERE c.oid IS NOT NULL",
                           {rel.c_str(), tr.name.c_str()}, "looking up trigger " + o.name));
      if (r.rows() == 0) {
        o.problem = "table " + tt.table.ToString() + " is not on the target";
        out.push_back(std::move(o));
        continue;
      }
      const std::string now = r.str(0, 0);  // "" when the trigger is missing
      const std::string want = tr.mode.empty() ? "O" : tr.mode;
      std::string sql;
      if (now.empty()) {
        if (tr.definition.empty()) {
          o.problem = "missing on the target, and the source did not show its definition";
          out.push_back(std::move(o));
          continue;
        }
        sql = tr.definition + ";";
      }
      const char* enable = want == "A"   ? " ENABLE ALWAYS TRIGGER "
                           : want == "R" ? " ENABLE REPLICA TRIGGER "
                           : want == "D" ? " DISABLE TRIGGER "
                                         : " ENABLE TRIGGER ";
      if (now != want) sql += "ALTER TABLE " + rel + enable + conn->QuoteIdent(tr.name) + ";";
      if (sql.empty()) {
        o.action = want == "D" ? "left disabled" : "already enabled";
        out.push_back(std::move(o));
        continue;
      }
      Status s = conn->ExecOk("BEGIN;" + sql + "COMMIT", "trigger " + o.name);
      if (!s.ok()) {
        (void)conn->ExecOk("ROLLBACK");
        o.problem = s.message();
      } else {
        o.action = want == "D" ? "left disabled" : now.empty() ? "created" : "enabled";
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace cutover::pg
