#include "engine/mariadb/maria_source.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>
#include <tuple>

#include "engine/core/log.h"
#include "engine/core/table_pattern.h"
#include "engine/mariadb/maria_preflight.h"
#include "engine/mariadb/maria_snapshot.h"
#include "engine/mariadb/maria_types.h"

namespace cutover::mariadb {

namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "json_valid(`col`)" -> "col"; "" when the clause is anything else.
std::string JsonValidColumn(const std::string& clause) {
  static const std::string kPrefix = "json_valid(`";
  if (clause.rfind(kPrefix, 0) != 0 || clause.size() < kPrefix.size() + 2) return "";
  if (clause.compare(clause.size() - 2, 2, "`)") != 0) return "";
  std::string name = clause.substr(kPrefix.size(), clause.size() - kPrefix.size() - 2);
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    out.push_back(name[i]);
    if (name[i] == '`' && i + 1 < name.size() && name[i + 1] == '`') ++i;
  }
  return out;
}

}  // namespace

Result<Position> MakeBinlogPosition(const std::string& file, uint64_t offset,
                                    const std::string& gtid_state) {
  if (file == kNoBinlog) return Position{0, 0, std::string(kNoBinlog) + ":0"};
  size_t dot = file.rfind('.');
  uint64_t seq = 0;
  if (dot == std::string::npos ||
      std::from_chars(file.data() + dot + 1, file.data() + file.size(), seq).ec != std::errc()) {
    return InvalidArgument("binlog file name '" + file + "' has no numeric extension");
  }
  Position p;
  p.major = seq;
  p.minor = offset;
  p.text = file + ":" + std::to_string(offset);
  if (!gtid_state.empty()) p.text += " " + gtid_state;
  return p;
}

Result<BinlogCoordinates> ParseBinlogPosition(const std::string& text) {
  BinlogCoordinates c;
  size_t space = text.find(' ');
  std::string head = text.substr(0, space);
  if (space != std::string::npos) c.gtid_state = text.substr(space + 1);
  size_t colon = head.rfind(':');
  if (colon == std::string::npos ||
      std::from_chars(head.data() + colon + 1, head.data() + head.size(), c.offset).ec !=
          std::errc()) {
    return InvalidArgument("MariaDB position '" + text +
                           "': expected 'binlog-file:offset [gtid-state]'");
  }
  c.file = head.substr(0, colon);
  return c;
}

Result<std::unique_ptr<MariaSource>> MariaSource::Open(const std::string& uri,
                                                       const MariaSourceOptions& options) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "source catalog"));
  return std::unique_ptr<MariaSource>(new MariaSource(uri, options, std::move(conn)));
}

namespace {

ReferentialAction ParseRule(const std::string& rule) {
  if (rule == "CASCADE") return ReferentialAction::kCascade;
  if (rule == "SET NULL") return ReferentialAction::kSetNull;
  if (rule == "SET DEFAULT") return ReferentialAction::kSetDefault;
  if (rule == "RESTRICT") return ReferentialAction::kRestrict;
  return ReferentialAction::kNoAction;
}

// ON DELETE / ON UPDATE rules by constraint name.
using ForeignKeyRules = std::map<std::string, std::pair<std::string, std::string>>;

// The rules of `table`'s foreign keys as SHOW CREATE TABLE states them. information_schema.
// REFERENTIAL_CONSTRAINTS lists a key only to a user with a privilege on the table beyond SELECT,
// while KEY_COLUMN_USAGE and SHOW CREATE TABLE need only SELECT: without this, a task's user with
// SELECT and the replication privileges would see such keys without their actions, and a
// CASCADE the binlog does not carry would silently not be reproduced. A rule SHOW CREATE TABLE
// leaves out is MariaDB's default, RESTRICT (as REFERENTIAL_CONSTRAINTS reports it).
Result<ForeignKeyRules> ForeignKeyRulesFromDdl(MariaConn& conn, const std::string& db,
                                               const std::string& table) {
  ASSIGN_OR_RETURN(MariaRows r, conn.Query("SHOW CREATE TABLE " + MariaConn::QuoteIdent(db) + "." +
                                               MariaConn::QuoteIdent(table),
                                           "reading the foreign keys of " + db + "." + table));
  ForeignKeyRules out;
  if (r.rows.empty() || r.rows[0].size() < 2 || !r.rows[0][1]) return out;
  static const char* const kRules[] = {"SET DEFAULT", "SET NULL", "NO ACTION", "CASCADE",
                                       "RESTRICT"};
  auto rule_after = [](const std::string& tail, const std::string& on) {
    size_t at = tail.find(on);
    if (at == std::string::npos) return std::string("RESTRICT");
    for (const char* rule : kRules)
      if (tail.compare(at + on.size(), std::string(rule).size(), rule) == 0)
        return std::string(rule);
    return std::string("RESTRICT");
  };
  std::istringstream ddl(*r.rows[0][1]);
  for (std::string line; std::getline(ddl, line);) {
    size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, 11, "CONSTRAINT ") != 0) continue;
    size_t name_end = line.find(" FOREIGN KEY ", start);
    if (name_end == std::string::npos) continue;
    std::string quoted = line.substr(start + 11, name_end - start - 11);
    if (quoted.size() < 2 || quoted.front() != '`' || quoted.back() != '`') continue;
    std::string name;  // `a``b` -> a`b
    for (size_t i = 1; i + 1 < quoted.size(); ++i) {
      name += quoted[i];
      if (quoted[i] == '`') ++i;
    }
    const std::string tail = line.substr(line.rfind(')') + 1);  // after the referenced columns
    out[name] = {rule_after(tail, " ON DELETE "), rule_after(tail, " ON UPDATE ")};
  }
  return out;
}

// Fills `t.foreign_keys` from the KEY_COLUMN_USAGE x REFERENTIAL_CONSTRAINTS rows (ordered by
// table, constraint, position); a key whose rules REFERENTIAL_CONSTRAINTS hides (NULL) takes them
// from `hidden`. InnoDB does not log what these keys' actions do (endpoint.h,
// Source::StreamCarriesForeignKeyActions), so the pipeline needs them to reproduce it.
void AddForeignKeys(TableSchema& t, const MariaRows& fks, const ForeignKeyRules& hidden) {
  for (const auto& r : fks.rows) {
    if (r[0].value_or("") != t.name.name) continue;
    const std::string name = r[1].value_or("");
    if (t.foreign_keys.empty() || t.foreign_keys.back().name != name) {
      ForeignKey fk;
      fk.name = name;
      fk.parent = TableName{r[3].value_or(""), r[4].value_or("")};
      std::string on_delete = r[6].value_or(""), on_update = r[7].value_or("");
      if (!r[6]) {
        auto it = hidden.find(name);
        if (it != hidden.end()) std::tie(on_delete, on_update) = it->second;
      }
      fk.on_delete = ParseRule(on_delete);
      fk.on_update = ParseRule(on_update);
      t.foreign_keys.push_back(std::move(fk));
    }
    ForeignKey& fk = t.foreign_keys.back();
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].name == r[2].value_or("")) fk.columns.push_back(i);
    fk.parent_columns.push_back(r[5].value_or(""));
  }
}

// Fills `t`'s secondary indexes (STATISTICS rows ordered by table, index, position), its CHECK
// constraints (but the json_valid() ones MariaDB adds to JSON columns itself) and its triggers.
void AddSchemaObjects(TableSchema& t, const MariaRows& indexes, const MariaRows& checks,
                      const MariaRows& triggers,
                      const std::map<std::pair<std::string, std::string>, bool>& json_columns) {
  for (const auto& r : indexes.rows) {
    if (r[0].value_or("") != t.name.name) continue;
    const std::string name = r[1].value_or("");
    if (t.indexes.empty() || t.indexes.back().name != name) {
      Index ix;
      ix.name = name;
      ix.unique = r[2].value_or("1") == "0";
      std::string type = Upper(r[5].value_or("BTREE"));
      ix.method = type == "FULLTEXT" ? "fulltext" : type == "SPATIAL" ? "spatial" : "btree";
      t.indexes.push_back(std::move(ix));
    }
    IndexPart part;
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].name == r[3].value_or("")) part.column = i;
    if (!part.column) part.expression = r[3].value_or("");
    if (r[4]) part.prefix = std::stoi(*r[4]);
    part.descending = r[6].value_or("A") == "D";
    t.indexes.back().parts.push_back(std::move(part));
  }
  for (const auto& r : checks.rows) {
    if (r[0].value_or("") != t.name.name || !r[1]) continue;
    std::string col = JsonValidColumn(*r[1]);
    if (!col.empty() && json_columns.count({t.name.name, col})) continue;
    t.checks.push_back({r[2].value_or(""), *r[1]});
  }
  // The trigger as MariaDB would create it: no DEFINER (the target's user owns it), in the
  // order the rows come (ACTION_ORDER within a timing and event: created in that order, they
  // keep it).
  for (const auto& r : triggers.rows) {
    if (r[0].value_or("") != t.name.name) continue;
    Trigger tr;
    tr.name = r[1].value_or("");
    if (r[4])
      tr.definition = "CREATE TRIGGER " + MariaConn::QuoteIdent(tr.name) + " " + r[2].value_or("") +
                      " " + r[3].value_or("") + " ON " + MariaConn::QuoteIdent(t.name.name) +
                      " FOR EACH ROW " + *r[4];
    t.triggers.push_back(std::move(tr));
  }
}

// A column default as information_schema.COLUMNS.COLUMN_DEFAULT prints it (MariaDB 10.2+:
// strings quoted, numbers bare, "NULL", functions with parentheses); absent: no default.
ColumnDefault ParseMariaDefault(const std::optional<std::string>& text, ValueKind kind) {
  ColumnDefault d;
  if (!text) return d;
  d.source_text = *text;
  const std::string& t = *text;
  if (t == "NULL") return d;
  std::string lower = t;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("current_timestamp", 0) == 0 || lower == "now()") {
    d.kind = DefaultKind::kCurrentTimestamp;
    return d;
  }
  if (t.size() >= 2 && t.front() == '\'' && t.back() == '\'') {
    std::string lit;
    for (size_t i = 1; i + 1 < t.size(); ++i) {
      if ((t[i] == '\'' || t[i] == '\\') && i + 2 < t.size()) ++i;
      lit += t[i];
    }
    d.kind = DefaultKind::kLiteral;
    d.literal = lit;
    d.quoted = true;
    return d;
  }
  bool number = !t.empty();
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || (c == '-' && i == 0)))
      number = false;
  }
  if (number) {
    d.kind = DefaultKind::kLiteral;
    d.literal = t;
    d.quoted = kind == ValueKind::kText;  // a number in a text column stays text
    return d;
  }
  d.kind = DefaultKind::kExpression;
  return d;
}

}  // namespace

Result<std::vector<TableSchemaPtr>> MariaSource::DiscoverTables(const TableSelection& patterns,
                                                                StartReport& problems) {
  const std::string db = conn_->uri().database;
  const std::string in_db = "TABLE_SCHEMA = " + conn_->QuoteLiteral(db);
  ASSIGN_OR_RETURN(MariaRows tables,
                   conn_->Query("SELECT TABLE_NAME, ENGINE, TABLE_ROWS FROM "
                                "information_schema.TABLES WHERE " +
                                    in_db +
                                    " AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE "
                                    "'\\_cutover\\_%' ORDER BY TABLE_NAME",
                                "listing source tables"));
  ASSIGN_OR_RETURN(MariaRows columns,
                   conn_->Query("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, "
                                "CHARACTER_SET_NAME, COLLATION_NAME, IS_NULLABLE, IS_GENERATED, "
                                "GENERATION_EXPRESSION, EXTRA, COLUMN_DEFAULT FROM "
                                "information_schema.COLUMNS WHERE " +
                                    in_db + " ORDER BY TABLE_NAME, ORDINAL_POSITION",
                                "reading source columns"));
  ASSIGN_OR_RETURN(MariaRows checks,
                   conn_->Query("SELECT TABLE_NAME, CHECK_CLAUSE, CONSTRAINT_NAME FROM "
                                "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = " +
                                    conn_->QuoteLiteral(db),
                                "reading source check constraints"));
  ASSIGN_OR_RETURN(
      MariaRows keys,
      conn_->Query("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                   "WHERE " +
                       in_db + " AND INDEX_NAME = 'PRIMARY' ORDER BY TABLE_NAME, SEQ_IN_INDEX",
                   "reading source primary keys"));

  // Foreign keys of the database's tables (the referencing side), one row per column in order.
  ASSIGN_OR_RETURN(
      MariaRows fks,
      conn_->Query(
          "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, "
          "k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
          "r.DELETE_RULE, r.UPDATE_RULE FROM information_schema.KEY_COLUMN_USAGE k "
          "LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = "
          "k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = "
          "k.CONSTRAINT_NAME WHERE k." +
              in_db +
              " AND k.REFERENCED_TABLE_NAME IS NOT NULL "
              "ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
          "reading source foreign keys"));

  // Secondary indexes, one row per part, and triggers (schema objects).
  ASSIGN_OR_RETURN(
      MariaRows indexes,
      conn_->Query("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, "
                   "COLLATION FROM information_schema.STATISTICS WHERE " +
                       in_db +
                       " AND INDEX_NAME <> 'PRIMARY' ORDER BY TABLE_NAME, INDEX_NAME, "
                       "SEQ_IN_INDEX",
                   "reading source indexes"));
  ASSIGN_OR_RETURN(MariaRows triggers,
                   conn_->Query("SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, "
                                "EVENT_MANIPULATION, ACTION_STATEMENT FROM "
                                "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = " +
                                    conn_->QuoteLiteral(db) + " ORDER BY 1, 3, 4, ACTION_ORDER",
                                "reading source triggers"));

  std::map<std::pair<std::string, std::string>, bool> json_columns;
  for (const auto& r : checks.rows) {
    if (!r[0] || !r[1]) continue;
    std::string col = JsonValidColumn(*r[1]);
    if (!col.empty()) json_columns[{*r[0], col}] = true;
  }

  TablePatterns selection(patterns);
  std::vector<TableSchemaPtr> out;
  for (const auto& t : tables.rows) {
    TableName name{db, t[0].value_or("")};
    if (!selection.Select(name)) continue;
    auto schema = std::make_shared<TableSchema>();
    schema->name = name;
    schema->engine = "mariadb";
    schema->estimated_rows = t[2] ? std::stoll(*t[2]) : -1;
    // A table refused here is still described as far as possible (StartReport::
    // KeepRefusedTable): the later start checks name its other problems in the same run.
    bool refused = false;
    const std::string engine = Upper(t[1].value_or(""));
    if (engine != "INNODB") {
      problems.Refuse("table " + name.ToString(),
                      "uses the " + t[1].value_or("?") +
                          " storage engine: cutover needs InnoDB for a consistent snapshot and "
                          "transactional change capture",
                      "ALTER TABLE ... ENGINE=InnoDB, or leave the table out with "
                      "--exclude-tables '" +
                          name.name + "'");
      refused = true;
    }
    for (const auto& c : columns.rows) {
      if (c[0] != t[0]) continue;
      MariaColumnInfo info;
      info.name = c[1].value_or("");
      info.data_type = c[2].value_or("");
      info.column_type = c[3].value_or("");
      info.charset = c[4].value_or("");
      info.collation = c[5].value_or("");
      info.nullable = c[6].value_or("YES") == "YES";
      info.is_json = json_columns.count({name.name, info.name}) > 0;
      auto column = MariaColumn(info);
      if (!column.ok()) {
        // The problem names the column; the remedy is about the table, since a table is
        // replicated with all its columns.
        std::string why = column.status().message();
        const std::string prefix = "column " + info.name + ": ";
        if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
        problems.Refuse("column " + name.ToString() + "." + info.name, why,
                        "a table is replicated with all its columns: leave table " + name.name +
                            " out with --exclude-tables '" + name.name +
                            "', or change the column's type");
        refused = true;
        continue;
      }
      if (c[7].value_or("NEVER") == "ALWAYS") {
        // A generated column: binlog row images (binlog_row_image=FULL) and the snapshot both
        // hold its values, so they travel like any other column's into a plain target column.
        column->generated = c[8].value_or("");
        column->generated_stored = Upper(c[9].value_or("")).find("STORED") != std::string::npos;
      } else {
        column->default_value = ParseMariaDefault(c[10], column->kind);
        const std::string extra = Upper(c[9].value_or(""));
        if (extra.find("AUTO_INCREMENT") != std::string::npos)
          column->identity = Identity::kAutoIncrement;
        if (extra.find("ON UPDATE") != std::string::npos)
          column->on_update_current_timestamp = true;
      }
      schema->columns.push_back(std::move(*column));
    }
    for (const auto& k : keys.rows) {
      if (k[0] != t[0]) continue;
      for (size_t i = 0; i < schema->columns.size(); ++i) {
        if (schema->columns[i].name == k[1].value_or("")) schema->key.push_back(i);
      }
    }
    ForeignKeyRules hidden;
    for (const auto& r : fks.rows) {
      if (r[0] != t[0] || r[6]) continue;
      ASSIGN_OR_RETURN(hidden, ForeignKeyRulesFromDdl(*conn_, db, name.name));
      break;
    }
    AddForeignKeys(*schema, fks, hidden);
    AddSchemaObjects(*schema, indexes, checks, triggers, json_columns);
    if (refused) {
      problems.KeepRefusedTable(std::move(schema));
    } else {
      out.push_back(std::move(schema));
    }
  }
  selection.ReportUnused(problems);
  if (out.empty() && problems.empty())
    return NotFound("the source database " + db + " has no tables to replicate");
  return out;
}

namespace {

// `sql` (a SHOW CREATE statement) without its DEFINER clause, so the target's user owns what it
// creates, and "CREATE" made "CREATE OR REPLACE" (a restarted task replaces it).
std::string WithoutDefiner(std::string sql) {
  size_t at = sql.find(" DEFINER=");
  if (at != std::string::npos) {
    size_t end = at + 9;
    for (int part = 0; part < 2 && end < sql.size(); ++part) {  // `user`@`host`
      if (sql[end] == '`') {
        end = sql.find('`', end + 1);
        while (end != std::string::npos && end + 1 < sql.size() && sql[end + 1] == '`')
          end = sql.find('`', end + 2);
        end = end == std::string::npos ? sql.size() : end + 1;
      } else {
        while (end < sql.size() && sql[end] != '@' && sql[end] != ' ') ++end;
      }
      if (part == 0 && end < sql.size() && sql[end] == '@') ++end;
    }
    sql.erase(at, end - at);
  }
  if (sql.rfind("CREATE ", 0) == 0 && sql.rfind("CREATE OR REPLACE ", 0) != 0)
    sql.insert(7, "OR REPLACE ");
  return sql;
}

// Removes "`db`." qualifiers (MariaDB qualifies the tables of a view's definition with the
// source database; on the target they must name its own).
std::string Unqualified(std::string sql, const std::string& db) {
  const std::string q = MariaConn::QuoteIdent(db) + ".";
  for (size_t at = sql.find(q); at != std::string::npos; at = sql.find(q, at))
    sql.erase(at, q.size());
  return sql;
}

}  // namespace

Result<std::vector<SourceObject>> MariaSource::ListOtherObjects(
    const std::vector<TableSchemaPtr>& tables) {
  (void)tables;  // one database: the URI's
  const std::string& dbname = conn_->uri().database;
  const std::string db = conn_->QuoteLiteral(dbname);
  ASSIGN_OR_RETURN(
      MariaRows r,
      conn_->Query(
          "SELECT 'view', TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = " + db +
              " UNION ALL SELECT 'sequence', TABLE_NAME FROM information_schema.TABLES "
              "WHERE TABLE_TYPE = 'SEQUENCE' AND TABLE_SCHEMA = " +
              db +
              " UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM "
              "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = " +
              db +
              " UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS "
              "WHERE EVENT_SCHEMA = " +
              db + " ORDER BY 1, 2",
          "listing the source's views, routines, sequences and events"));
  ASSIGN_OR_RETURN(MariaRows base,
                   conn_->Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                                "TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = " +
                                    db,
                                "listing the source's tables"));
  std::vector<TableName> all_tables;
  for (const auto& row : base.rows) all_tables.push_back({dbname, row[0].value_or("")});
  std::vector<SourceObject> out;
  for (const auto& row : r.rows) {
    const std::string kind = row[0].value_or(""), name = row[1].value_or("");
    SourceObject o;
    o.entry = {kind, dbname + "." + name, SchemaFate::kNotCarried,
               "cutover carries tables and their objects only; recreate it on the target "
               "(MariaDB: mariadb-dump --no-data --routines --events --skip-triggers)"};
    // Views and routines: their definitions, for a MariaDB target (SHOW CREATE; NULL or an
    // error without the privilege to see them: then not carried, and the note says so).
    if (kind == "view" || kind == "procedure" || kind == "function") {
      o.entry.note =
          "a MariaDB " + kind + " is carried to a MariaDB target only; recreate it there";
      std::string what = kind == "view" ? "VIEW" : kind == "procedure" ? "PROCEDURE" : "FUNCTION";
      Result<MariaRows> shown =
          conn_->Query("SHOW CREATE " + what + " " + MariaConn::QuoteIdent(dbname) + "." +
                           MariaConn::QuoteIdent(name),
                       "reading the definition of " + kind + " " + name);
      size_t col = kind == "view" ? 1 : 2;
      if (shown.ok() && !shown->rows.empty() && shown->rows[0].size() > col &&
          shown->rows[0][col]) {
        o.definition = Unqualified(WithoutDefiner(*shown->rows[0][col]), dbname);
        if (kind == "view") o.uses = TablesNamedIn(o.definition, all_tables);
      } else {
        o.entry.note =
            "the source did not show its definition (privileges?); recreate it on the "
            "target (mariadb-dump --no-data --routines --skip-triggers)";
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

Status MariaSource::CheckChangeCapture(StartReport& report) {
  // InnoDB and keys are checked by DiscoverTables and the pipeline; the settings and privileges
  // are the checks test-connection shows (maria_preflight.h).
  CheckList checks;
  RETURN_IF_ERROR(CheckMariaCapture(*conn_, options_.snapshot_connections > 1, checks));
  report.RefuseFailed(checks, "source " + conn_->redacted_uri());
  return Status::Ok();
}

Result<std::map<TableName, TableSize>> MariaSource::EstimateTableSizes(
    const std::vector<TableSchemaPtr>& tables) {
  return EstimateMariaTableSizes(*conn_, tables);
}

Result<Position> MariaSource::CurrentPosition() {
  ASSIGN_OR_RETURN(MariaRows st, conn_->Query("SHOW MASTER STATUS", "reading the binlog position"));
  if (st.rows.empty() || !st.rows[0][0] || !st.rows[0][1]) {
    return FailedPrecondition("source " + conn_->redacted_uri() +
                              ": SHOW MASTER STATUS is empty (binary log off?)");
  }
  const std::string file = *st.rows[0][0];
  uint64_t pos = std::stoull(*st.rows[0][1]);
  ASSIGN_OR_RETURN(MariaRows g, conn_->Query("SELECT BINLOG_GTID_POS(" + conn_->QuoteLiteral(file) +
                                                 ", " + std::to_string(pos) + ")",
                                             "reading the GTID position"));
  return MakeBinlogPosition(file, pos, g.rows.empty() ? "" : g.rows[0][0].value_or(""));
}

Result<CdcSetup> MariaSource::PrepareCdc(const std::string& task,
                                         const std::vector<TableSchemaPtr>& tables,
                                         bool want_snapshot) {
  (void)tables;
  StartReport problems;
  RETURN_IF_ERROR(CheckChangeCapture(problems));
  RETURN_IF_ERROR(problems.ToStatus("task " + task));
  CdcSetup setup;
  if (want_snapshot) {
    ASSIGN_OR_RETURN(setup.snapshot,
                     OpenAlignedSnapshot(uri_, std::max(1, options_.snapshot_connections)));
    setup.start = setup.snapshot->position();
  } else {
    ASSIGN_OR_RETURN(setup.start, CurrentPosition());
  }
  return setup;
}

Result<std::unique_ptr<Snapshot>> MariaSource::OpenSnapshot(const std::string& task) {
  (void)task;
  return OpenAlignedSnapshot(uri_, std::max(1, options_.snapshot_connections));
}

Result<Position> MariaSource::ParsePosition(const std::string& text) const {
  ASSIGN_OR_RETURN(BinlogCoordinates c, ParseBinlogPosition(text));
  return MakeBinlogPosition(c.file, c.offset, c.gtid_state);
}

Status MariaSource::DropTask(const std::string& task) {
  (void)task;  // no capture object on a MariaDB source
  return Status::Ok();
}

uint32_t MariaSource::DumpServerId(const std::string& task, uint32_t source_server_id) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : task) h = (h ^ c) * 16777619u;
  uint32_t id = 0x40000000u | (h & 0x3fffffffu);  // high range, never 0
  if (id == source_server_id) id ^= 1;
  return id;
}

}  // namespace cutover::mariadb
