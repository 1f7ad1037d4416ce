#include "engine/sqlite/sqlite_switch.h"

#include <algorithm>
#include <map>

#include "engine/core/log.h"
#include "engine/core/trigger_creation.h"
#include "engine/sqlite/sqlite_capture.h"
#include "engine/sqlite/sqlite_catalog.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_position.h"

namespace cutover::sqlite {

namespace {

// A table's key generator: its rowid key column, whether it is AUTOINCREMENT, and the next
// value it hands out (max + 1, or past sqlite_sequence's).
struct RowidKey {
  std::string column;
  bool autoincrement = false;
  int64_t sequence = 0;  // sqlite_sequence's value (AUTOINCREMENT)
  int64_t max = 0;       // the largest key in the table
  int64_t next() const { return std::max(sequence, max) + 1; }
};

Result<std::optional<RowidKey>> ReadRowidKey(SqliteConn& conn, const std::string& table) {
  auto info = ReadTableInfo(conn, table);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) return std::optional<RowidKey>();
    return info.status();
  }
  auto t = std::make_shared<TableSchema>(*info->schema);
  RETURN_IF_ERROR(ReadSqliteSchemaObjects(conn, *t));
  if (t->key.size() != 1 || t->columns[t->key[0]].identity != Identity::kAutoIncrement)
    return std::optional<RowidKey>();
  RowidKey k;
  k.column = t->columns[t->key[0]].name;
  k.autoincrement = !t->columns[t->key[0]].identity_sequence.empty();
  const std::string what = "table main." + table + ": reading its largest key";
  ASSIGN_OR_RETURN(auto mx, conn.Prepare("SELECT coalesce(max(" + SqliteConn::QuoteIdent(k.column) +
                                             "), 0) FROM " + SqliteConn::QuoteIdent(table),
                                         what));
  ASSIGN_OR_RETURN(bool row, mx->Step());
  if (row) k.max = mx->column_int64(0);
  if (k.autoincrement) {
    ASSIGN_OR_RETURN(auto seq, conn.Prepare("SELECT seq FROM sqlite_sequence WHERE name = ?1",
                                            "table main." + table + ": reading sqlite_sequence"));
    RETURN_IF_ERROR(seq->BindText(1, table));
    ASSIGN_OR_RETURN(bool s, seq->Step());
    if (s) k.sequence = seq->column_int64(0);
  }
  return std::optional<RowidKey>(k);
}

}  // namespace

Result<SourceLogMark> ReadSqliteLogMark(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn,
                   SqliteConn::Open(uri, "cutover switch", SqliteOpenOptions{.create = false}));
  const std::string prefix = ChangeTableName("");
  ASSIGN_OR_RETURN(auto list, conn->Prepare("SELECT name FROM sqlite_schema WHERE type = 'table' "
                                            "AND substr(name, 1, ?1) = ?2 ORDER BY name",
                                            "listing the change tables of this file"));
  RETURN_IF_ERROR(list->BindInt64(1, static_cast<int64_t>(prefix.size())));
  RETURN_IF_ERROR(list->BindText(2, prefix));
  std::vector<std::string> tables;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, list->Step());
    if (!row) break;
    tables.emplace_back(list->column_text(0));
  }
  if (tables.size() != 1) {
    std::string names;
    for (const auto& t : tables) names += (names.empty() ? "" : ", ") + t.substr(prefix.size());
    return FailedPrecondition(
        tables.empty()
            ? "source: no task captures changes in this SQLite file"
            : "source: several tasks capture changes in this SQLite file (" + names +
                  "): cutover switch needs exactly one; drop the others (cutover task drop)");
  }
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT coalesce(max(seq), 0) FROM " +
                                              SqliteConn::QuoteIdent(tables[0]),
                                          "reading the last change of " + tables[0]));
  ASSIGN_OR_RETURN(bool row, st->Step());
  uint64_t seq = row ? static_cast<uint64_t>(st->column_int64(0)) : 0;
  SourceLogMark m;
  m.writes = std::to_string(seq);
  m.end = TransactionPosition(seq);
  return m;
}

Result<std::vector<KeyGenerator>> ReadSqliteKeyGenerators(const std::string& uri,
                                                          const std::vector<TableName>& tables) {
  ASSIGN_OR_RETURN(auto conn,
                   SqliteConn::Open(uri, "cutover switch", SqliteOpenOptions{.create = false}));
  std::vector<KeyGenerator> out;
  for (const TableName& t : tables) {
    ASSIGN_OR_RETURN(auto k, ReadRowidKey(*conn, t.name));
    if (!k) continue;
    KeyGenerator g;
    g.table = t;
    g.column = k->column;
    g.sequence = k->autoincrement ? "AUTOINCREMENT" : "rowid";
    g.next = k->next();
    out.push_back(std::move(g));
  }
  return out;
}

Result<std::vector<KeyGeneratorSet>> AdvanceSqliteKeyGenerators(
    const std::string& uri, const std::vector<KeyGeneratorFloor>& floors) {
  ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(uri, "cutover switch", SqliteOpenOptions{}));
  std::map<std::string, std::map<std::string, int64_t>> by_table;
  for (const KeyGeneratorFloor& f : floors) {
    if (f.table.name.empty()) continue;  // free-standing sequences: SQLite has none
    int64_t& at = by_table[f.table.name][f.column];
    at = std::max(at, f.at_least);
  }
  std::vector<KeyGeneratorSet> out;
  for (const auto& [table, columns] : by_table) {
    ASSIGN_OR_RETURN(auto k, ReadRowidKey(*conn, table));
    if (!k) continue;
    KeyGeneratorSet set;
    set.table = TableName{kMainSchema, table};
    set.column = k->column;
    set.generator = k->autoincrement ? "AUTOINCREMENT" : "rowid";
    set.before = k->next();
    int64_t wanted = 1;
    for (const auto& [column, at] : columns)
      if (column.empty() || column == k->column) wanted = std::max(wanted, at);
    set.next = std::max(set.before, wanted);
    if (set.next > set.before && k->autoincrement) {
      const std::string what = "table main." + table + ": raising its sqlite_sequence";
      ASSIGN_OR_RETURN(auto up,
                       conn->Prepare("UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1", what));
      RETURN_IF_ERROR(up->BindText(1, table));
      RETURN_IF_ERROR(up->BindInt64(2, set.next - 1));
      RETURN_IF_ERROR(up->Step().status());
      if (sqlite3_changes(conn->raw()) == 0) {
        ASSIGN_OR_RETURN(auto ins, conn->Prepare("INSERT INTO sqlite_sequence (name, seq) VALUES "
                                                 "(?1, ?2)",
                                                 what));
        RETURN_IF_ERROR(ins->BindText(1, table));
        RETURN_IF_ERROR(ins->BindInt64(2, set.next - 1));
        RETURN_IF_ERROR(ins->Step().status());
      }
    } else if (set.next > set.before) {
      Log(LogLevel::kWarn,
          "table main.{}: its rowid key {} hands out max + 1 = {}, below the source's next value "
          "{}; SQLite cannot skip values without AUTOINCREMENT (keys of rows the source deleted "
          "may be handed out again)",
          table, k->column, set.before, set.next);
      set.next = set.before;
    }
    out.push_back(std::move(set));
  }
  return out;
}

Result<std::vector<TriggerOutcome>> CreateSqliteTriggers(const std::string& uri,
                                                         const std::vector<TableTriggers>& tables) {
  ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(uri, "cutover switch", SqliteOpenOptions{}));
  return CreateTriggersAtSwitch(
      tables,
      [&](const std::string& name, const std::string& what) -> Result<bool> {
        ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT 1 FROM sqlite_schema WHERE type = "
                                                "'trigger' AND name = ?1",
                                                what));
        RETURN_IF_ERROR(st->BindText(1, name));
        return st->Step();
      },
      [&](const std::string& definition, const std::string& what) {
        return conn->Exec(definition, what);
      });
}

}  // namespace cutover::sqlite
