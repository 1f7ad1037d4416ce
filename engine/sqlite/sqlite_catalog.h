// SQLite catalog: which tables a database holds and what they look like, read through the
// pragma table functions (pragma_table_list, pragma_table_xinfo, pragma_index_list/info).
//
// Only ordinary tables of the main schema are user tables: views, virtual tables and their
// shadow tables, SQLite's own sqlite_* tables and cutover's _cutover_* objects are not.
// A table's key is its declared PRIMARY KEY. A rowid table without one has no key: it can be
// fully loaded but not captured (its rowids may change on VACUUM, so they identify nothing).
#pragma once

#include <string>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/schema_objects.h"
#include "engine/core/status.h"
#include "engine/sqlite/sqlite_conn.h"

namespace cutover::sqlite {

constexpr const char* kSqliteEngine = "sqlite";
constexpr const char* kMainSchema = "main";

struct SqliteTableInfo {
  TableSchemaPtr schema;  // engine "sqlite", schema "main"
  // Columns of each UNIQUE constraint or index other than the primary key (plain columns only;
  // partial and expression indexes are left out): what INSERT OR REPLACE may delete on.
  std::vector<std::vector<size_t>> unique_sets;
  // The first key column whose collation is not BINARY ("" when none): such keys cannot be
  // captured exactly ('a' and 'A' are one key to the table but two to the change table).
  std::string non_binary_key;
};

// Names of the user tables, sorted.
Result<std::vector<std::string>> ListUserTables(SqliteConn& conn);

// The table's columns, key and unique sets; kNotFound if there is no such table.
Result<SqliteTableInfo> ReadTableInfo(SqliteConn& conn, const std::string& table);

// Whether a table (of any kind) named `name` exists in the main schema.
Result<bool> TableExists(SqliteConn& conn, const std::string& name);

// The engine-neutral description (engine/core/column_type.h) of a column declared `declared`
// whose values are `kind` (SqliteKindForDeclaredType). SQLite enforces no length, precision or
// time range: the declared ones are kept for targets that want them, marked unenforced.
ColumnType DescribeSqliteColumnType(const std::string& declared, ValueKind kind);

// SQL text of sqlite_schema.sql (SQLite keeps CHECK constraints, index expressions and partial
// index predicates nowhere else). Quotes ('', "", ``, []) and nested parentheses are respected.
//
// The top-level comma-separated items of the parenthesised list opening at `open` (a column
// list, CREATE TABLE's definitions), each as written; `close`, when given, receives the
// position of the closing parenthesis (sql.size() when none).
std::vector<std::string> SplitParenthesised(const std::string& sql, size_t open,
                                            size_t* close = nullptr);
// Where the keyword `word` (any case, a whole word, outside quotes and parentheses) first
// occurs in `text` at or after `from`; npos when it does not.
size_t FindKeyword(const std::string& text, const std::string& word, size_t from = 0);
// The identifier `text` starts with (after blanks), unquoted; `after` receives where it ends.
std::string LeadingName(const std::string& text, size_t* after = nullptr);

// The schema objects of `table` (docs/types.md, "Schema objects"): column defaults, the rowid
// key as identity, secondary indexes (unique, partial, expression), foreign keys with their
// actions, CHECK constraints and the names of its triggers (cutover's capture triggers left
// out). sqlite_catalog_objects.cc.
Status ReadSqliteSchemaObjects(SqliteConn& conn, TableSchema& table);

// The views of the database, with their CREATE VIEW (carried to a SQLite target only).
Result<std::vector<SourceObject>> ListSqliteViews(SqliteConn& conn);

// "name type, ...; key (a, b)": compared to notice that a table's columns changed.
std::string ColumnSignature(const TableSchema& t);

}  // namespace cutover::sqlite
