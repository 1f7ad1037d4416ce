// SqliteSource's catalog of schema objects (docs/types.md, "Schema objects"): what a target
// needs besides the columns and the key. The pragma table functions give defaults
// (pragma_table_xinfo), indexes (pragma_index_list / pragma_index_xinfo) and foreign keys with
// their actions (pragma_foreign_key_list); SQLite keeps CHECK constraints, index expressions and
// partial-index predicates only in the CREATE statements of sqlite_schema, so those are read from
// that text (sqlite_catalog.h, the SQL text helpers).
//
// Names SQLite does not keep are given PostgreSQL's default names, so that a report and a target
// read the same on every pair: a UNIQUE constraint "<table>_<columns>_key", a foreign key
// "<table>_<columns>_fkey", an unnamed CHECK "<table>_<column>_check" (on a column) or
// "<table>_check", "<table>_check1"... (on the table).
//
// A single INTEGER PRIMARY KEY column of a rowid table is the rowid: SQLite hands out max + 1
// (AUTOINCREMENT: past every value ever used) when an INSERT leaves it out, so it is the
// table's identity (Identity::kAutoIncrement).
#include <cctype>
#include <map>

#include "engine/sqlite/sqlite_catalog.h"

namespace cutover::sqlite {

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

ReferentialAction SqliteAction(std::string_view text) {
  if (text == "RESTRICT") return ReferentialAction::kRestrict;
  if (text == "CASCADE") return ReferentialAction::kCascade;
  if (text == "SET NULL") return ReferentialAction::kSetNull;
  if (text == "SET DEFAULT") return ReferentialAction::kSetDefault;
  return ReferentialAction::kNoAction;
}

// A default as pragma_table_xinfo prints it: 0, -1.5, 'text', TRUE, NULL, CURRENT_TIMESTAMP,
// (datetime('now')), or any other expression.
ColumnDefault ParseDefault(const std::string& text) {
  ColumnDefault d;
  d.source_text = text;
  std::string t = Trim(text), u = Upper(t);
  if (t.empty() || u == "NULL") {
    d.kind = DefaultKind::kNone;
    return d;
  }
  if (u == "CURRENT_TIMESTAMP" || u == "(DATETIME('NOW'))" || u == "(DATETIME(\"NOW\"))") {
    d.kind = DefaultKind::kCurrentTimestamp;
    return d;
  }
  if (u == "TRUE" || u == "FALSE") {
    d.kind = DefaultKind::kLiteral;
    d.literal = u == "TRUE" ? "true" : "false";
    return d;
  }
  if (t.size() >= 2 && t.front() == '\'' && t.back() == '\'') {
    std::string v;
    for (size_t i = 1; i + 1 < t.size(); ++i) {
      v += t[i];
      if (t[i] == '\'') ++i;  // a doubled quote
    }
    d.kind = DefaultKind::kLiteral;
    d.literal = v;
    d.quoted = true;
    return d;
  }
  size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  bool digits = i < t.size(), dot = false;
  for (; i < t.size(); ++i) {
    if (t[i] == '.' && !dot) {
      dot = true;
    } else if (!std::isdigit(static_cast<unsigned char>(t[i]))) {
      digits = false;
      break;
    }
  }
  if (digits) {
    d.kind = DefaultKind::kLiteral;
    d.literal = t[0] == '+' ? t.substr(1) : t;
    return d;
  }
  d.kind = DefaultKind::kExpression;
  return d;
}

std::string ColumnsName(const TableSchema& t, const std::vector<size_t>& cols) {
  std::string s;
  for (size_t c : cols) s += "_" + t.columns[c].name;
  return s;
}

int ColumnIndex(const TableSchema& t, std::string_view name) {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (sqlite3_stricmp(t.columns[i].name.c_str(), std::string(name).c_str()) == 0)
      return static_cast<int>(i);
  return -1;
}

// The text of the parenthesised group opening at or after `from` in `text`, without its
// parentheses; `end` receives the position after it.
std::string GroupAfter(const std::string& text, size_t from, size_t* end) {
  size_t open = text.find('(', from);
  if (open == std::string::npos) {
    *end = text.size();
    return "";
  }
  size_t close;
  SplitParenthesised(text, open, &close);
  *end = close + 1;
  return Trim(text.substr(open + 1, close - open - 1));
}

// CHECK constraints of a CREATE TABLE statement, on columns and on the table.
void ReadChecks(const std::string& sql, TableSchema& t) {
  size_t open = sql.find('(');
  if (open == std::string::npos) return;
  int unnamed_table_checks = 0;
  for (const std::string& part : SplitParenthesised(sql, open)) {
    size_t after;
    std::string first = LeadingName(part, &after);
    std::string word = Upper(first);
    bool table_constraint = word == "CONSTRAINT" || word == "CHECK" || word == "PRIMARY" ||
                            word == "UNIQUE" || word == "FOREIGN";
    for (size_t at = FindKeyword(part, "CHECK"); at != std::string::npos;
         at = FindKeyword(part, "CHECK", at + 5)) {
      size_t end;
      std::string expr = GroupAfter(part, at + 5, &end);
      if (expr.empty()) continue;
      // CONSTRAINT <name> right before CHECK names it.
      std::string name;
      for (size_t c = FindKeyword(part, "CONSTRAINT"); c != std::string::npos && c < at;
           c = FindKeyword(part, "CONSTRAINT", c + 10)) {
        size_t name_end;
        std::string n = LeadingName(part.substr(c + 10), &name_end);
        if (Trim(part.substr(c + 10 + name_end, at - c - 10 - name_end)).empty()) name = n;
      }
      if (name.empty()) {
        if (table_constraint) {
          name = t.name.name + "_check" +
                 (unnamed_table_checks ? std::to_string(unnamed_table_checks) : "");
          ++unnamed_table_checks;
        } else {
          name = t.name.name + "_" + first + "_check";
        }
      }
      t.checks.push_back({name, expr});
      at = end - 5;
    }
  }
}

}  // namespace

Status ReadSqliteSchemaObjects(SqliteConn& conn, TableSchema& t) {
  const std::string what = "table main." + t.name.name;
  std::string table_sql;
  bool without_rowid = false;
  {
    ASSIGN_OR_RETURN(auto st,
                     conn.Prepare("SELECT s.sql, l.wr FROM sqlite_schema s JOIN pragma_table_list "
                                  "l ON l.schema = 'main' AND l.name = s.name WHERE s.type = "
                                  "'table' AND s.name = ?1",
                                  what + ": reading its CREATE TABLE"));
    RETURN_IF_ERROR(st->BindText(1, t.name.name));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) {
      table_sql = std::string(st->column_text(0));
      without_rowid = st->column_int64(1) != 0;
    }
  }
  // Defaults, and the rowid key as identity.
  {
    ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name, dflt_value FROM pragma_table_xinfo(?1) "
                                           "WHERE hidden = 0 AND dflt_value IS NOT NULL",
                                           what + ": reading column defaults"));
    RETURN_IF_ERROR(st->BindText(1, t.name.name));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      int i = ColumnIndex(t, st->column_text(0));
      if (i >= 0) t.columns[i].default_value = ParseDefault(std::string(st->column_text(1)));
    }
  }
  if (t.key.size() == 1 && !without_rowid && Upper(t.columns[t.key[0]].type_name) == "INTEGER") {
    Column& c = t.columns[t.key[0]];
    c.identity = Identity::kAutoIncrement;
    if (Upper(table_sql).find("AUTOINCREMENT") != std::string::npos)  // in the column list
      c.identity_sequence = "sqlite_sequence";
  }
  // Secondary indexes: those of CREATE INDEX ('c') and of UNIQUE constraints ('u').
  {
    ASSIGN_OR_RETURN(auto list,
                     conn.Prepare("SELECT l.name, l.\"unique\", l.origin, s.sql FROM "
                                  "pragma_index_list(?1) l LEFT JOIN sqlite_schema s ON s.type = "
                                  "'index' AND s.name = l.name WHERE l.origin <> 'pk' ORDER BY "
                                  "l.name",
                                  what + ": reading indexes"));
    RETURN_IF_ERROR(list->BindText(1, t.name.name));
    ASSIGN_OR_RETURN(auto cols, conn.Prepare("SELECT seqno, cid, name, \"desc\" FROM "
                                             "pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
                                             what + ": reading index columns"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, list->Step());
      if (!row) break;
      Index ix;
      ix.name = std::string(list->column_text(0));
      ix.unique = list->column_int64(1) != 0;
      ix.constraint = list->column_text(2) == "u";
      ix.method = "btree";
      std::string sql = list->is_null(3) ? "" : std::string(list->column_text(3));
      ix.source_text = sql;
      std::vector<std::string> written;  // the parts as CREATE INDEX writes them
      if (!sql.empty()) {
        size_t on = FindKeyword(sql, "ON");
        size_t open = on == std::string::npos ? std::string::npos : sql.find('(', on);
        if (open != std::string::npos) {
          size_t close;
          written = SplitParenthesised(sql, open, &close);
          if (size_t w = FindKeyword(sql, "WHERE", close + 1); w != std::string::npos)
            ix.where = Trim(sql.substr(w + 5));
        }
      }
      cols->Reset();
      RETURN_IF_ERROR(cols->BindText(1, ix.name));
      std::vector<size_t> plain;
      for (;;) {
        ASSIGN_OR_RETURN(bool c, cols->Step());
        if (!c) break;
        IndexPart part;
        part.descending = cols->column_int64(3) != 0;
        int cid = static_cast<int>(cols->column_int64(1));
        int i = cols->is_null(2) ? -1 : ColumnIndex(t, cols->column_text(2));
        if (cid >= 0 && i >= 0) {
          part.column = static_cast<size_t>(i);
          plain.push_back(part.column.value());
        } else {
          size_t seq = static_cast<size_t>(cols->column_int64(0));
          std::string e = seq < written.size() ? Trim(written[seq]) : "?";
          for (const char* suffix : {"DESC", "ASC"}) {
            size_t at = FindKeyword(e, suffix);
            if (at != std::string::npos && Trim(e.substr(at + std::string(suffix).size())).empty())
              e = Trim(e.substr(0, at));
          }
          part.expression = e;
        }
        ix.parts.push_back(std::move(part));
      }
      if (ix.constraint) ix.name = t.name.name + ColumnsName(t, plain) + "_key";
      t.indexes.push_back(std::move(ix));
    }
  }
  // Foreign keys, one row per column.
  {
    ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT id, \"table\", \"from\", \"to\", on_update, "
                                           "on_delete FROM pragma_foreign_key_list(?1) ORDER BY "
                                           "id, seq",
                                           what + ": reading foreign keys"));
    RETURN_IF_ERROR(st->BindText(1, t.name.name));
    std::map<int64_t, ForeignKey> by_id;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      ForeignKey& fk = by_id[st->column_int64(0)];
      fk.parent = TableName{kMainSchema, std::string(st->column_text(1))};
      int i = ColumnIndex(t, st->column_text(2));
      if (i < 0) return Internal(what + ": a foreign key names an unknown column");
      fk.columns.push_back(static_cast<size_t>(i));
      if (!st->is_null(3)) fk.parent_columns.emplace_back(st->column_text(3));
      fk.on_update = SqliteAction(st->column_text(4));
      fk.on_delete = SqliteAction(st->column_text(5));
    }
    for (auto& [id, fk] : by_id) {
      if (fk.parent_columns.empty()) {
        // REFERENCES parent without columns: the parent's primary key.
        ASSIGN_OR_RETURN(auto pk, conn.Prepare("SELECT name FROM pragma_table_info(?1) WHERE pk "
                                               "> 0 ORDER BY pk",
                                               what + ": reading a foreign key's parent key"));
        RETURN_IF_ERROR(pk->BindText(1, fk.parent.name));
        for (;;) {
          ASSIGN_OR_RETURN(bool row, pk->Step());
          if (!row) break;
          fk.parent_columns.emplace_back(pk->column_text(0));
        }
      }
      fk.name = t.name.name + ColumnsName(t, fk.columns) + "_fkey";
      t.foreign_keys.push_back(std::move(fk));
    }
  }
  ReadChecks(table_sql, t);
  // Triggers of the application (cutover's capture triggers are its own).
  {
    ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name, sql FROM sqlite_schema WHERE type = "
                                           "'trigger' AND tbl_name = ?1 AND substr(name, 1, 9) "
                                           "<> '_cutover_' ORDER BY name",
                                           what + ": reading triggers"));
    RETURN_IF_ERROR(st->BindText(1, t.name.name));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      t.triggers.push_back(
          Trigger{std::string(st->column_text(0)), std::string(st->column_text(1)), ""});
    }
  }
  return Status::Ok();
}

Result<std::vector<SourceObject>> ListSqliteViews(SqliteConn& conn) {
  ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'view' "
                                         "ORDER BY name",
                                         "listing the source's views"));
  std::vector<TableName> all_tables;
  {
    ASSIGN_OR_RETURN(auto tables, conn.Prepare("SELECT name FROM sqlite_schema WHERE type = "
                                               "'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE "
                                               "'\\' AND substr(name, 1, 9) <> '_cutover_'",
                                               "listing the source's tables"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, tables->Step());
      if (!row) break;
      all_tables.push_back({std::string(kMainSchema), std::string(tables->column_text(0))});
    }
  }
  std::vector<SourceObject> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    SourceObject o;
    o.entry = {"view", std::string(kMainSchema) + "." + std::string(st->column_text(0)),
               SchemaFate::kNotCarried,
               "a SQLite view is carried to a SQLite target only; recreate it on the target "
               "(sqlite3 FILE .schema shows its CREATE VIEW)"};
    o.definition = std::string(st->column_text(1));
    o.uses = TablesNamedIn(o.definition, all_tables);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace cutover::sqlite
