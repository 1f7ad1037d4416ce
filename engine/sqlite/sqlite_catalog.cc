#include "engine/sqlite/sqlite_catalog.h"

#include <algorithm>
#include <map>

#include "engine/sqlite/sqlite_types.h"

namespace cutover::sqlite {

Result<std::vector<std::string>> ListUserTables(SqliteConn& conn) {
  ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' "
                                         "AND type = 'table' ORDER BY name",
                                         "listing tables"));
  std::vector<std::string> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    std::string name(st->column_text(0));
    if (name.rfind("sqlite_", 0) == 0 || name.rfind("_cutover_", 0) == 0) continue;
    out.push_back(std::move(name));
  }
  return out;
}

Result<bool> TableExists(SqliteConn& conn, const std::string& name) {
  ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND "
                                         "name = ?1",
                                         "looking for table " + name));
  RETURN_IF_ERROR(st->BindText(1, name));
  return st->Step();
}

Result<SqliteTableInfo> ReadTableInfo(SqliteConn& conn, const std::string& table) {
  std::string what = "table main." + table;
  auto schema = std::make_shared<TableSchema>();
  schema->name = TableName{kMainSchema, table};
  schema->engine = kSqliteEngine;
  std::map<int, size_t> key_by_position;
  {
    // hidden: 0 ordinary, 2/3 generated columns (replicated as plain columns), 1 virtual-table
    // hidden columns (left out).
    ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name, type, \"notnull\", pk FROM "
                                           "pragma_table_xinfo(?1) WHERE hidden <> 1 ORDER BY cid",
                                           what + ": reading columns"));
    RETURN_IF_ERROR(st->BindText(1, table));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      Column c;
      c.name = std::string(st->column_text(0));
      c.type_name = std::string(st->column_text(1));
      c.kind = SqliteKindForDeclaredType(c.type_name);
      c.nullable = st->column_int64(2) == 0;
      if (int pk = static_cast<int>(st->column_int64(3)); pk > 0)
        key_by_position[pk] = schema->columns.size();
      schema->columns.push_back(std::move(c));
    }
  }
  if (schema->columns.empty()) return NotFound(what + ": no such table");
  for (const auto& [pos, index] : key_by_position) schema->key.push_back(index);

  SqliteTableInfo info;
  auto index_of = [&](std::string_view name) -> int {
    for (size_t i = 0; i < schema->columns.size(); ++i)
      if (schema->columns[i].name == name) return static_cast<int>(i);
    return -1;
  };
  ASSIGN_OR_RETURN(auto idx, conn.Prepare("SELECT name FROM pragma_index_list(?1) WHERE "
                                          "\"unique\" = 1 AND origin <> 'pk' AND partial = 0",
                                          what + ": reading unique indexes"));
  RETURN_IF_ERROR(idx->BindText(1, table));
  ASSIGN_OR_RETURN(auto cols, conn.Prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno",
                                           what + ": reading unique index columns"));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, idx->Step());
    if (!row) break;
    cols->Reset();
    RETURN_IF_ERROR(cols->BindText(1, idx->column_text(0)));
    std::vector<size_t> set;
    bool plain = true;
    for (;;) {
      ASSIGN_OR_RETURN(bool c, cols->Step());
      if (!c) break;
      int i = cols->is_null(0) ? -1 : index_of(cols->column_text(0));
      if (i < 0)
        plain = false;  // an expression
      else
        set.push_back(static_cast<size_t>(i));
    }
    if (plain && !set.empty()) info.unique_sets.push_back(std::move(set));
  }
  // Estimated rows for progress: sqlite_stat1 when ANALYZE has run (first number of its stat).
  ASSIGN_OR_RETURN(bool has_stat, TableExists(conn, "sqlite_stat1"));
  if (has_stat) {
    ASSIGN_OR_RETURN(auto stat, conn.Prepare("SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 "
                                             "WHERE tbl = ?1 LIMIT 1",
                                             what + ": reading sqlite_stat1"));
    RETURN_IF_ERROR(stat->BindText(1, table));
    ASSIGN_OR_RETURN(bool row, stat->Step());
    if (row) schema->estimated_rows = stat->column_int64(0);
  }
  info.schema = std::move(schema);
  return info;
}

std::string ColumnSignature(const TableSchema& t) {
  std::string s;
  for (size_t i = 0; i < t.columns.size(); ++i)
    s += (i ? ", " : "") + t.columns[i].name + " " + t.columns[i].type_name;
  s += "; key (";
  for (size_t j = 0; j < t.key.size(); ++j) s += (j ? ", " : "") + t.columns[t.key[j]].name;
  return s + ")";
}

}  // namespace cutover::sqlite
