// SqliteSink's full load (sqlite_sink.h): loaders take turns on the file's one writer; each
// loads its table in one transaction: BEGIN IMMEDIATE, drop-and-create, a prepared INSERT
// stepped per row, the table_state row, COMMIT.
#include <mutex>

#include "engine/core/generated_columns.h"
#include "engine/core/schema_objects.h"
#include "engine/sqlite/sqlite_catalog.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_sink.h"
#include "engine/sqlite/sqlite_sink_internal.h"
#include "engine/sqlite/sqlite_types.h"

namespace cutover::sqlite {

namespace {

std::string CreateTableSql(const TableSchema& t, const TablePlan& plan,
                           const std::vector<TableSchemaPtr>& tables) {
  SqliteSchemaPlan schema = PlanSqliteSchema(t, tables, plan);  // defaults, checks, foreign keys
  std::string sql = "CREATE TABLE " + plan.quoted + " (";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql += (i ? ", " : "") + Q(t.columns[i].name);
    if (!plan.columns[i].declared.empty()) sql += " " + plan.columns[i].declared;
    if (!t.columns[i].nullable || t.IsKeyColumn(i)) sql += " NOT NULL";
    sql += schema.column_clauses[i];
  }
  for (const Column& c : t.computed) {  // columns the target computes itself
    auto expr = TranslateGeneratedExpression(t, c, kSqliteEngine);
    std::string declared = PlanSqliteColumn(c, t.engine).declared;
    sql += ", " + Q(c.name) + (declared.empty() ? "" : " " + declared) + " GENERATED ALWAYS AS (" +
           (expr.ok() ? *expr : c.generated) + ") " + (c.generated_stored ? "STORED" : "VIRTUAL");
  }
  if (!t.key.empty()) {
    sql += ", PRIMARY KEY (";
    for (size_t j = 0; j < t.key.size(); ++j) sql += (j ? ", " : "") + Q(t.columns[t.key[j]].name);
    sql += ")";
  }
  sql += schema.table_constraints + ")";
  // Foreign keys with actions are looked up by their columns (ForeignKey::HasAction).
  for (const ForeignKey& fk : t.foreign_keys) {
    if (!fk.HasAction() || IndexCovers(t, fk)) continue;
    sql += "; CREATE INDEX " + Q("cutover_fk_" + t.name.name + "_" + fk.name) + " ON " +
           plan.quoted + " (";
    for (size_t j = 0; j < fk.columns.size(); ++j)
      sql += (j ? ", " : "") + Q(t.columns[fk.columns[j]].name);
    sql += ")";
  }
  return sql;
}

class SqliteTableLoader : public TableLoader {
 public:
  SqliteTableLoader(std::unique_lock<std::mutex> lock, std::unique_ptr<SqliteConn> conn,
                    std::string task, const TableSchema& table, TablePlan plan,
                    std::unique_ptr<SqliteStmt> insert)
      : lock_(std::move(lock)),
        conn_(std::move(conn)),
        task_(std::move(task)),
        table_(table),
        plan_(std::move(plan)),
        insert_(std::move(insert)) {}

  ~SqliteTableLoader() override {
    insert_.reset();
    (void)RollbackIfOpen(*conn_);  // abandoned without Commit: nothing stays
  }

  Status Write(const std::vector<Value>& row) override {
    insert_->Reset();
    RETURN_IF_ERROR(BindRow(plan_, table_, row, *insert_));
    RETURN_IF_ERROR(insert_->Run().status().WithContext("table " + table_.name.ToString()));
    ++rows_;
    return Status::Ok();
  }

  Status Commit(const Position& snapshot, int64_t rows) override {
    std::string what = "table " + table_.name.ToString();
    if (rows != rows_)
      return Internal(what + ": " + std::to_string(rows_) + " rows written but " +
                      std::to_string(rows) + " reported");
    ASSIGN_OR_RETURN(auto st,
                     conn_->Prepare(std::string("INSERT OR REPLACE INTO ") + kTableStateTable +
                                        " (task, table_schema, table_name, snapshot_position, "
                                        "rows, loaded_at) VALUES (?1, ?2, ?3, ?4, ?5, " +
                                        kNowUtc + ")",
                                    what + ": recording load state"));
    RETURN_IF_ERROR(st->BindText(1, task_));
    RETURN_IF_ERROR(st->BindText(2, table_.name.schema));
    RETURN_IF_ERROR(st->BindText(3, table_.name.name));
    RETURN_IF_ERROR(st->BindText(4, snapshot.text));
    RETURN_IF_ERROR(st->BindInt64(5, rows));
    RETURN_IF_ERROR(st->Run().status());
    st.reset();
    insert_.reset();
    return conn_->Exec("COMMIT", what + ": COMMIT");
  }

 private:
  std::unique_lock<std::mutex> lock_;  // released last, after the rollback
  std::unique_ptr<SqliteConn> conn_;
  std::string task_;
  TableSchema table_;
  TablePlan plan_;
  std::unique_ptr<SqliteStmt> insert_;
  int64_t rows_ = 0;
};

}  // namespace

Result<std::unique_ptr<TableLoader>> SqliteSink::BeginTableLoad(const std::string& task,
                                                                const TableSchema& table,
                                                                TablePrep prep) {
  std::unique_lock<std::mutex> lock(*write_mu_);  // one writer per file: loaders take turns
  ASSIGN_OR_RETURN(auto conn, OpenWriter("load"));
  TablePlan plan = MakePlan(table);
  std::string what = "target table " + plan.target.ToString();
  RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size = -65536", what + ": setting the cache size"));
  RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE", what + ": BEGIN IMMEDIATE"));
  Status s;
  switch (prep) {
    case TablePrep::kDropAndCreate:
      if (s.ok()) s = conn->Exec("DROP TABLE IF EXISTS " + plan.quoted, what + ": dropping");
      if (s.ok()) s = conn->Exec(CreateTableSql(table, plan, task_tables_), what + ": creating");
      break;
    case TablePrep::kTruncate:
      if (s.ok()) s = conn->Exec("DELETE FROM " + plan.quoted, what + ": emptying");
      break;
    case TablePrep::kDoNothing:
      break;
  }
  Result<std::unique_ptr<SqliteStmt>> insert =
      s.ok() ? conn->Prepare(InsertSql(table, plan, false), what + ": INSERT") : s;
  if (!insert.ok()) {
    (void)RollbackIfOpen(*conn);
    return insert.status();
  }
  return std::unique_ptr<TableLoader>(new SqliteTableLoader(
      std::move(lock), std::move(conn), task, table, std::move(plan), std::move(*insert)));
}

}  // namespace cutover::sqlite
