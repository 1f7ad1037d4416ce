#include "engine/sqlite/sqlite_capture.h"

#include <fmt/format.h>

#include "engine/core/log.h"

namespace cutover::sqlite {

namespace {

std::string Q(std::string_view ident) {
  return SqliteConn::QuoteIdent(ident);
}

std::string Literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

std::string TriggerPrefix(const std::string& task) {
  return "_cutover_" + task + ":";
}

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back on error.
template <typename F>
Status InWriteTransaction(SqliteConn& conn, const std::string& what, F body) {
  RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE", what + ": BEGIN IMMEDIATE"));
  Status s = body();
  if (s.ok()) s = conn.Exec("COMMIT", what + ": COMMIT");
  if (!s.ok() && conn.in_transaction()) (void)conn.Exec("ROLLBACK");
  return s;
}

Result<std::string> TriggerSql(SqliteConn& conn, const std::string& name) {
  ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' "
                                         "AND name = ?1",
                                         "reading trigger " + name));
  RETURN_IF_ERROR(st->BindText(1, name));
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? std::string(st->column_text(0)) : std::string();
}

Result<bool> IsCaptured(SqliteConn& conn, const std::string& task, const std::string& table) {
  ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT 1 FROM " + Q(MetaTableName(task)) +
                                             " WHERE kind = 'table' AND name = ?1",
                                         "reading task " + task + "'s captured tables"));
  RETURN_IF_ERROR(st->BindText(1, table));
  return st->Step();
}

Status MissingTriggers(const std::string& task, const std::string& table) {
  return FailedPrecondition(
      "table main." + table + ": the change-capture triggers of task " + task +
      " are gone (was the table dropped or rebuilt?), so changes made since then were not "
      "captured; run `cutover task drop` for this task and start it again");
}

}  // namespace

std::string ChangeTableName(const std::string& task) {
  return "_cutover_changes_" + task;
}

std::string MetaTableName(const std::string& task) {
  return "_cutover_meta_" + task;
}

std::string BoundaryName(uint64_t seq) {
  return fmt::format("{:020}", seq);
}

std::vector<std::pair<std::string, std::string>> CaptureTriggers(const std::string& task,
                                                                 const SqliteTableInfo& info,
                                                                 size_t key_width) {
  const TableSchema& t = *info.schema;
  std::string table = Q(t.name.name);
  std::string changes = Q(ChangeTableName(task));
  std::string target = changes + " (tbl, existed";
  for (size_t j = 0; j < key_width; ++j) target += ", k" + std::to_string(j);
  target += ")";
  auto key_of = [&](const char* row) {  // "NEW."a", NEW."b"" (or the bare columns for "")
    std::string s;
    for (size_t j = 0; j < t.key.size(); ++j)
      s += (j ? ", " : "") + std::string(row) + Q(t.columns[t.key[j]].name);
    for (size_t j = t.key.size(); j < key_width; ++j) s += ", NULL";
    return s;
  };
  std::string tbl = Literal(t.name.name);
  // Rows the NEW values collide with: same key, or same values of a unique index.
  std::vector<std::vector<size_t>> sets = info.unique_sets;
  sets.insert(sets.begin(), t.key);
  std::string collide;
  std::string changed;  // WHEN: a key or unique column changes
  std::vector<bool> in_set(t.columns.size(), false);
  for (size_t s = 0; s < sets.size(); ++s) {
    collide += s ? " OR (" : "(";
    for (size_t j = 0; j < sets[s].size(); ++j) {
      const std::string& c = t.columns[sets[s][j]].name;
      collide += (j ? " AND " : "") + Q(c) + " = NEW." + Q(c);
      in_set[sets[s][j]] = true;
    }
    collide += ")";
  }
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (in_set[i])
      changed += (changed.empty() ? "" : " OR ") + std::string("NEW.") + Q(t.columns[i].name) +
                 " IS NOT OLD." + Q(t.columns[i].name);
  std::string same_row, key_changed;
  for (size_t j = 0; j < t.key.size(); ++j) {
    const std::string& c = t.columns[t.key[j]].name;
    same_row += (j ? " AND " : "") + Q(c) + " IS OLD." + Q(c);
    key_changed += (j ? " OR " : "") + std::string("NEW.") + Q(c) + " IS NOT OLD." + Q(c);
  }
  std::string prefix = TriggerPrefix(task) + t.name.name + ":";
  auto name = [&](const char* suffix) { return prefix + suffix; };
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back(name("bi"), "CREATE TRIGGER " + Q(name("bi")) + " BEFORE INSERT ON " + table +
                                   " BEGIN INSERT INTO " + target + " SELECT " + tbl + ", 1, " +
                                   key_of("") + " FROM " + table + " WHERE " + collide + "; END");
  out.emplace_back(name("ai"), "CREATE TRIGGER " + Q(name("ai")) + " AFTER INSERT ON " + table +
                                   " BEGIN INSERT INTO " + target + " VALUES (" + tbl + ", 0, " +
                                   key_of("NEW.") + "); END");
  out.emplace_back(name("bu"), "CREATE TRIGGER " + Q(name("bu")) + " BEFORE UPDATE ON " + table +
                                   " WHEN " + changed + " BEGIN INSERT INTO " + target +
                                   " SELECT " + tbl + ", 1, " + key_of("") + " FROM " + table +
                                   " WHERE (" + collide + ") AND NOT (" + same_row + "); END");
  out.emplace_back(name("au"), "CREATE TRIGGER " + Q(name("au")) + " AFTER UPDATE ON " + table +
                                   " BEGIN INSERT INTO " + target + " VALUES (" + tbl + ", 1, " +
                                   key_of("OLD.") + "); INSERT INTO " + target + " SELECT " + tbl +
                                   ", 0, " + key_of("NEW.") + " WHERE " + key_changed + "; END");
  out.emplace_back(name("ad"), "CREATE TRIGGER " + Q(name("ad")) + " AFTER DELETE ON " + table +
                                   " BEGIN INSERT INTO " + target + " VALUES (" + tbl + ", 1, " +
                                   key_of("OLD.") + "); END");
  return out;
}

Result<bool> CaptureExists(SqliteConn& conn, const std::string& task) {
  return TableExists(conn, ChangeTableName(task));
}

Result<size_t> ChangeKeyWidth(SqliteConn& conn, const std::string& task) {
  ASSIGN_OR_RETURN(auto st,
                   conn.Prepare("SELECT count(*) FROM pragma_table_info(?1) WHERE name LIKE 'k%'",
                                "reading the change table's columns"));
  RETURN_IF_ERROR(st->BindText(1, ChangeTableName(task)));
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? static_cast<size_t>(st->column_int64(0)) : size_t{0};
}

Status PrepareCapture(SqliteConn& conn, const std::string& task,
                      const std::vector<SqliteTableInfo>& tables, bool& created) {
  std::string what = "preparing change capture of task " + task;
  for (const auto& info : tables) {
    if (info.schema->key.empty())
      return FailedPrecondition("table " + info.schema->name.ToString() +
                                " has no primary key: its changes cannot be captured (rowids "
                                "change on VACUUM); add a primary key or leave it out with "
                                "--tables");
  }
  return InWriteTransaction(conn, what, [&]() -> Status {
    ASSIGN_OR_RETURN(bool exists, CaptureExists(conn, task));
    created = !exists;
    if (created) {
      RETURN_IF_ERROR(conn.Exec("CREATE TABLE " + Q(ChangeTableName(task)) +
                                    " (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, existed "
                                    "INTEGER NOT NULL)",
                                what + ": creating the change table"));
      RETURN_IF_ERROR(conn.Exec("CREATE TABLE " + Q(MetaTableName(task)) +
                                    " (kind TEXT NOT NULL, name TEXT NOT NULL, value TEXT, "
                                    "PRIMARY KEY (kind, name)) WITHOUT ROWID",
                                what + ": creating the meta table"));
    }
    ASSIGN_OR_RETURN(size_t width, ChangeKeyWidth(conn, task));
    size_t need = width;
    for (const auto& info : tables) need = std::max(need, info.schema->key.size());
    for (; width < need; ++width) {
      RETURN_IF_ERROR(conn.Exec(
          "ALTER TABLE " + Q(ChangeTableName(task)) + " ADD COLUMN k" + std::to_string(width),
          what + ": widening the change table"));
    }
    ASSIGN_OR_RETURN(auto record, conn.Prepare("INSERT OR REPLACE INTO " + Q(MetaTableName(task)) +
                                                   " (kind, name, value) VALUES ('table', ?1, ?2)",
                                               what + ": recording a captured table"));
    for (const auto& info : tables) {
      const std::string& table = info.schema->name.name;
      auto triggers = CaptureTriggers(task, info, width);
      bool current = true, any = false;
      for (const auto& [name, sql] : triggers) {
        ASSIGN_OR_RETURN(std::string present, TriggerSql(conn, name));
        any = any || !present.empty();
        current = current && present == sql;
      }
      ASSIGN_OR_RETURN(bool captured, IsCaptured(conn, task, table));
      if (captured && !any) return MissingTriggers(task, table);
      if (!current) {
        for (const auto& [name, sql] : triggers) {
          RETURN_IF_ERROR(conn.Exec("DROP TRIGGER IF EXISTS " + Q(name), what));
          RETURN_IF_ERROR(conn.Exec(sql, what + ": creating trigger " + name));
        }
        Log(LogLevel::kInfo, "table main.{}: change-capture triggers of task {} {}", table, task,
            any ? "regenerated" : "created");
      }
      record->Reset();
      RETURN_IF_ERROR(record->BindText(1, table));
      RETURN_IF_ERROR(record->BindText(2, ColumnSignature(*info.schema)));
      RETURN_IF_ERROR(record->Run().status());
    }
    return Status::Ok();
  });
}

Status VerifyCapture(SqliteConn& conn, const std::string& task, const TableSchema& expected) {
  const std::string& table = expected.name.name;
  Result<SqliteTableInfo> info = ReadTableInfo(conn, table);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound)
    return MissingTriggers(task, table);
  if (!info.ok()) return info.status();
  std::string now = ColumnSignature(*info->schema), was = ColumnSignature(expected);
  ASSIGN_OR_RETURN(size_t width, ChangeKeyWidth(conn, task));
  bool any = false, current = true;
  for (const auto& [name, sql] : CaptureTriggers(task, *info, width)) {
    ASSIGN_OR_RETURN(std::string present, TriggerSql(conn, name));
    any = any || !present.empty();
    current = current && present == sql;
  }
  if (!any) return MissingTriggers(task, table);
  if (now != was)
    return FailedPrecondition("table main." + table +
                              ": its columns changed while replicating "
                              "(were: " +
                              was + "; now: " + now +
                              "); cutover does not replicate schema changes: change the target "
                              "table the same way, then run the task again");
  if (!current)
    return FailedPrecondition("table main." + table +
                              ": its unique indexes changed, so the change-capture triggers of "
                              "task " +
                              task +
                              " are out of date; run the task again (or `cutover task "
                              "prepare`) to regenerate them");
  return Status::Ok();
}

Status DropCapture(SqliteConn& conn, const std::string& task) {
  std::string what = "dropping change capture of task " + task;
  return InWriteTransaction(conn, what, [&]() -> Status {
    std::string prefix = TriggerPrefix(task);
    ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' "
                                           "AND substr(name, 1, ?2) = ?1",
                                           what + ": listing triggers"));
    RETURN_IF_ERROR(st->BindText(1, prefix));
    RETURN_IF_ERROR(st->BindInt64(2, static_cast<int64_t>(prefix.size())));
    std::vector<std::string> names;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      names.emplace_back(st->column_text(0));
    }
    st.reset();
    for (const auto& n : names)
      RETURN_IF_ERROR(conn.Exec("DROP TRIGGER IF EXISTS " + Q(n), what + ": trigger " + n));
    RETURN_IF_ERROR(conn.Exec("DROP TABLE IF EXISTS " + Q(ChangeTableName(task)), what));
    return conn.Exec("DROP TABLE IF EXISTS " + Q(MetaTableName(task)), what);
  });
}

}  // namespace cutover::sqlite
