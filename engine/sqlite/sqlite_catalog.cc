#include "engine/sqlite/sqlite_catalog.h"

#include <algorithm>
#include <cctype>
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

namespace {

// Where the quoted name or string starting at `i` ends (its closing character).
size_t QuotedEnd(const std::string& s, size_t i) {
  char close = s[i] == '[' ? ']' : s[i];
  size_t end = s.find(close, i + 1);
  while (end != std::string::npos && close != ']' && end + 1 < s.size() && s[end + 1] == close)
    end = s.find(close, end + 2);  // a doubled quote
  return end == std::string::npos ? s.size() - 1 : end;
}

bool IsQuote(char c) {
  return c == '\'' || c == '"' || c == '`' || c == '[';
}

}  // namespace

std::vector<std::string> SplitParenthesised(const std::string& sql, size_t open, size_t* close) {
  std::vector<std::string> parts(1);
  int depth = 0;
  size_t i = open + 1;
  for (; i < sql.size(); ++i) {
    char c = sql[i];
    if (IsQuote(c)) {
      size_t end = QuotedEnd(sql, i);
      parts.back() += sql.substr(i, end - i + 1);
      i = end;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && depth-- == 0) break;
    if (c == ',' && depth == 0) {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
  }
  if (close) *close = i;
  return parts;
}

size_t FindKeyword(const std::string& text, const std::string& word, size_t from) {
  int depth = 0;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t i = from; i < text.size(); ++i) {
    char c = text[i];
    if (IsQuote(c)) {
      i = QuotedEnd(text, i);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth != 0 || i + word.size() > text.size()) continue;
    if (sqlite3_strnicmp(text.c_str() + i, word.c_str(), static_cast<int>(word.size())) == 0 &&
        (i == 0 || !ident(text[i - 1])) &&
        (i + word.size() == text.size() || !ident(text[i + word.size()])))
      return i;
  }
  return std::string::npos;
}

std::string LeadingName(const std::string& text, size_t* after) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) {
    if (after) *after = text.size();
    return "";
  }
  size_t i;
  std::string name;
  if (IsQuote(text[b])) {
    i = QuotedEnd(text, b) + 1;
    name = text.substr(b + 1, i - b - 2);
    char q = text[b] == '[' ? ']' : text[b];
    for (size_t at = 0; (at = name.find(std::string(2, q), at)) != std::string::npos; ++at)
      name.erase(at, 1);  // a doubled quote
  } else {
    i = text.find_first_of(" \t\r\n(,", b);
    if (i == std::string::npos) i = text.size();
    name = text.substr(b, i - b);
  }
  if (after) *after = i;
  return name;
}

namespace {

// The expression of generated column `column` in a CREATE TABLE statement: the text between
// the parentheses after `AS` in that column's definition ("" when not found). SQLite keeps it
// nowhere else (pragma table_xinfo only says that the column is generated).
std::string GeneratedExpression(const std::string& sql, const std::string& column) {
  size_t open = sql.find('(');
  if (open == std::string::npos) return "";
  std::vector<std::string> parts = SplitParenthesised(sql, open);  // the column definitions
  for (const std::string& part : parts) {
    size_t b = part.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) continue;
    std::string name;
    size_t i;
    if (IsQuote(part[b])) {
      i = QuotedEnd(part, b) + 1;
      name = part.substr(b + 1, i - b - 2);
    } else {
      i = part.find_first_of(" \t\r\n", b);
      if (i == std::string::npos) continue;
      name = part.substr(b, i - b);
    }
    if (sqlite3_stricmp(name.c_str(), column.c_str()) != 0) continue;
    // The top-level word AS, then the parenthesised expression.
    for (; i + 2 < part.size(); ++i) {
      if (IsQuote(part[i])) {
        i = QuotedEnd(part, i);
        continue;
      }
      bool word = sqlite3_strnicmp(part.c_str() + i, "AS", 2) == 0 &&
                  (i == 0 || !std::isalnum(static_cast<unsigned char>(part[i - 1]))) &&
                  !std::isalnum(static_cast<unsigned char>(part[i + 2])) && part[i + 2] != '_';
      if (!word) continue;
      size_t p = part.find_first_not_of(" \t\r\n", i + 2);
      if (p == std::string::npos || part[p] != '(') continue;
      int d = 0;
      for (size_t j = p; j < part.size(); ++j) {
        if (IsQuote(part[j])) {
          j = QuotedEnd(part, j);
          continue;
        }
        if (part[j] == '(') ++d;
        if (part[j] == ')' && --d == 0) return part.substr(p + 1, j - p - 1);
      }
      return "";
    }
  }
  return "";
}

}  // namespace

// The engine-neutral description of a column declared `declared` whose values are `kind`
// (SqliteKindForDeclaredType). SQLite enforces no length, precision or time range: the
// declared ones are kept for targets that want them, marked unenforced.
ColumnType DescribeSqliteColumnType(const std::string& declared, ValueKind kind) {
  std::vector<int> mods = TypeTextNumbers(declared);
  ColumnType t;
  t.enforced = false;
  switch (kind) {
    case ValueKind::kBool:
      t.family = TypeFamily::kBool;
      break;
    case ValueKind::kInt64:
      t.family = TypeFamily::kInteger;
      t.bits = 64;
      break;
    case ValueKind::kFloat64:
      t.family = TypeFamily::kFloat;
      t.bits = 64;
      break;
    case ValueKind::kDecimal:
      t.family = TypeFamily::kDecimal;
      if (mods.size() == 2) {
        t.precision = mods[0];
        t.scale = mods[1];
      }
      break;
    case ValueKind::kBytes:
      t.family = TypeFamily::kBytes;
      break;
    case ValueKind::kDate:
      t.family = TypeFamily::kDate;
      break;
    case ValueKind::kTime:
      t.family = TypeFamily::kTime;
      break;
    case ValueKind::kTimestamp:
      t.family = TypeFamily::kTimestamp;
      break;
    case ValueKind::kTimestampTz:
      t.family = TypeFamily::kTimestampTz;
      break;
    case ValueKind::kJson:
      t.family = TypeFamily::kJson;
      break;
    case ValueKind::kUuid:
      t.family = TypeFamily::kUuid;
      break;
    case ValueKind::kText: {
      std::string upper = declared;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      bool fixed = upper.rfind("CHAR", 0) == 0 || upper.rfind("CHARACTER(", 0) == 0 ||
                   upper.rfind("NCHAR", 0) == 0;
      bool var =
          upper.find("VARCHAR") != std::string::npos || upper.find("VARYING") != std::string::npos;
      if ((fixed || var) && mods.size() == 1) {
        t.family = var ? TypeFamily::kVarText : TypeFamily::kFixedText;
        t.length = mods[0];
      } else {
        t.family = TypeFamily::kText;
      }
      break;
    }
    default:
      t.family = TypeFamily::kUnknown;
      break;
  }
  return t;
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
    ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT x.name, x.type, x.\"notnull\", x.pk, x.hidden, "
                                           "s.sql FROM pragma_table_xinfo(?1) x LEFT JOIN "
                                           "sqlite_schema s ON s.type = 'table' AND s.name = ?1 "
                                           "WHERE x.hidden <> 1 ORDER BY x.cid",
                                           what + ": reading columns"));
    RETURN_IF_ERROR(st->BindText(1, table));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      Column c;
      c.name = std::string(st->column_text(0));
      c.type_name = std::string(st->column_text(1));
      c.kind = SqliteKindForDeclaredType(c.type_name);
      c.type = DescribeSqliteColumnType(c.type_name, c.kind);
      c.nullable = st->column_int64(2) == 0;
      if (int hidden = static_cast<int>(st->column_int64(4)); hidden == 2 || hidden == 3) {
        // Generated: read from the table like any column, so its values travel (plain target
        // column); the expression is only announced.
        c.generated = GeneratedExpression(std::string(st->column_text(5)), c.name);
        if (c.generated.empty()) c.generated = "?";
        c.generated_stored = hidden == 3;
      }
      if (int pk = static_cast<int>(st->column_int64(3)); pk > 0)
        key_by_position[pk] = schema->columns.size();
      schema->columns.push_back(std::move(c));
    }
  }
  if (schema->columns.empty()) return NotFound(what + ": no such table");
  for (const auto& [pos, index] : key_by_position) schema->key.push_back(index);

  SqliteTableInfo info;
  for (size_t k : schema->key) {
    const char* collation = nullptr;
    int rc = sqlite3_table_column_metadata(conn.raw(), kMainSchema, table.c_str(),
                                           schema->columns[k].name.c_str(), nullptr, &collation,
                                           nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return conn.ErrorFrom(rc, what + ": reading key column collations");
    if (collation && std::string_view(collation) != "BINARY" && info.non_binary_key.empty())
      info.non_binary_key = schema->columns[k].name + " (COLLATE " + collation + ")";
  }
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
