#include "engine/sqlite/sqlite_row.h"

#include "engine/sqlite/sqlite_types.h"

namespace cutover::sqlite {

std::string ColumnListSql(const TableSchema& table) {
  std::string s;
  for (size_t i = 0; i < table.columns.size(); ++i)
    s += (i ? ", " : "") + SqliteConn::QuoteIdent(table.columns[i].name);
  return s;
}

std::string SelectColumnsSql(const TableSchema& table) {
  return "SELECT " + ColumnListSql(table) + " FROM " + SqliteConn::QuoteIdent(table.name.name);
}

Status DecodeSqliteRow(const TableSchema& table, SqliteStmt& stmt, int first_col,
                       std::vector<Value>& row) {
  row.resize(table.columns.size());
  for (size_t i = 0; i < table.columns.size(); ++i) {
    int col = first_col + static_cast<int>(i);
    Status s = DecodeSqliteColumn(table.columns[i], stmt, col, row[i]);
    if (s.ok()) continue;
    std::string key;
    for (size_t j = 0; j < table.key.size(); ++j) {
      int k = first_col + static_cast<int>(table.key[j]);
      key += (j ? ", " : "") + table.columns[table.key[j]].name + "=" +
             (stmt.is_null(k) ? std::string("NULL") : std::string(stmt.column_text(k)));
    }
    return s.WithContext("table " + table.name.ToString() +
                         (key.empty() ? "" : ", row with key (" + key + ")"));
  }
  return Status::Ok();
}

}  // namespace cutover::sqlite
