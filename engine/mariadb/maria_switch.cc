#include "engine/mariadb/maria_switch.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "engine/core/trigger_creation.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_source.h"

namespace cutover::mariadb {

namespace {

int64_t ToInt(const std::optional<std::string>& s) {
  return s ? std::strtoll(s->c_str(), nullptr, 10) : 0;
}

struct AutoIncrement {
  std::string column;
  int64_t next = 1;  // the table's counter
};

// The AUTO_INCREMENT column of `t` and the table's counter; nullopt when it has none.
Result<std::optional<AutoIncrement>> ReadAutoIncrement(MariaConn& conn, const TableName& t) {
  ASSIGN_OR_RETURN(
      MariaRows r,
      conn.Query("SELECT c.COLUMN_NAME, t.AUTO_INCREMENT FROM information_schema.COLUMNS c "
                 "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND "
                 "t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = " +
                     conn.QuoteLiteral(t.schema) + " AND c.TABLE_NAME = " +
                     conn.QuoteLiteral(t.name) + " AND c.EXTRA LIKE '%auto_increment%'",
                 "reading the AUTO_INCREMENT of " + t.ToString()));
  if (r.rows.empty() || !r.rows[0][0]) return std::optional<AutoIncrement>();
  AutoIncrement a;
  a.column = *r.rows[0][0];
  a.next = r.rows[0][1] ? ToInt(r.rows[0][1]) : 1;
  return std::optional<AutoIncrement>(a);
}

}  // namespace

Result<SourceLogMark> ReadMariaLogMark(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "cutover switch"));
  ASSIGN_OR_RETURN(MariaRows g, conn->Query("SELECT @@global.gtid_binlog_pos", "reading GTIDs"));
  ASSIGN_OR_RETURN(MariaRows st, conn->Query("SHOW MASTER STATUS", "reading the binlog position"));
  if (st.rows.empty() || !st.rows[0][0] || !st.rows[0][1]) {
    return FailedPrecondition("source: SHOW MASTER STATUS is empty (binary log off?)");
  }
  const std::string file = *st.rows[0][0];
  uint64_t pos = std::strtoull(st.rows[0][1]->c_str(), nullptr, 10);
  ASSIGN_OR_RETURN(MariaRows at, conn->Query("SELECT BINLOG_GTID_POS(" + conn->QuoteLiteral(file) +
                                                 ", " + std::to_string(pos) + ")",
                                             "reading the GTID position"));
  SourceLogMark m;
  m.writes = g.rows.empty() ? "" : g.rows[0][0].value_or("");
  ASSIGN_OR_RETURN(
      m.end, MakeBinlogPosition(file, pos, at.rows.empty() ? "" : at.rows[0][0].value_or("")));
  return m;
}

Result<std::vector<KeyGenerator>> ReadMariaKeyGenerators(const std::string& uri,
                                                         const std::vector<TableName>& tables) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "cutover switch"));
  std::vector<KeyGenerator> out;
  for (const TableName& t : tables) {
    ASSIGN_OR_RETURN(auto a, ReadAutoIncrement(*conn, t));
    if (!a) continue;
    KeyGenerator g;
    g.table = t;
    g.column = a->column;
    g.sequence = "AUTO_INCREMENT";
    g.next = a->next;
    out.push_back(std::move(g));
  }
  return out;
}

Result<std::vector<KeyGeneratorSet>> AdvanceMariaKeyGenerators(
    const std::string& uri, const std::vector<KeyGeneratorFloor>& floors) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "cutover switch"));
  std::map<TableName, std::map<std::string, int64_t>> by_table;
  for (const KeyGeneratorFloor& f : floors) {
    if (f.table.name.empty()) continue;  // free-standing sequences: not carried to MariaDB
    int64_t& at = by_table[f.table][f.column];
    at = std::max(at, f.at_least);
  }
  std::vector<KeyGeneratorSet> out;
  for (const auto& [table, columns] : by_table) {
    ASSIGN_OR_RETURN(auto a, ReadAutoIncrement(*conn, table));
    if (!a) continue;
    KeyGeneratorSet set;
    set.table = table;
    set.column = a->column;
    set.generator = "AUTO_INCREMENT";
    set.before = a->next;
    int64_t wanted = 1;
    for (const auto& [column, at] : columns)
      if (column.empty() || column == a->column) wanted = std::max(wanted, at);
    std::string rel = MariaConn::QualifiedName(table);
    ASSIGN_OR_RETURN(MariaRows mx,
                     conn->Query("SELECT max(" + MariaConn::QuoteIdent(a->column) + ") FROM " + rel,
                                 "reading the largest " + a->column + " of " + rel));
    if (!mx.rows.empty() && mx.rows[0][0]) wanted = std::max(wanted, ToInt(mx.rows[0][0]) + 1);
    set.next = std::max(set.before, wanted);
    if (set.next > set.before) {
      RETURN_IF_ERROR(
          conn->Exec("ALTER TABLE " + rel + " AUTO_INCREMENT = " + std::to_string(set.next),
                     "raising the AUTO_INCREMENT of " + rel));
    }
    out.push_back(std::move(set));
  }
  return out;
}

Result<std::vector<TriggerOutcome>> CreateMariaTriggers(const std::string& uri,
                                                        const std::vector<TableTriggers>& tables) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "cutover switch"));
  return CreateTriggersAtSwitch(
      tables,
      [&](const std::string& name, const std::string& what) -> Result<bool> {
        ASSIGN_OR_RETURN(MariaRows r,
                         conn->Query("SELECT EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS "
                                     "WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = " +
                                         conn->QuoteLiteral(name),
                                     what));
        return !r.rows.empty();
      },
      [&](const std::string& definition, const std::string& what) {
        return conn->Exec(definition, what);
      });
}

}  // namespace cutover::mariadb
