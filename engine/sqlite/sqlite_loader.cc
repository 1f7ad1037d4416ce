// SqliteSink's full load (sqlite_sink.h): loaders take turns on the file's one writer; each
// loads its table in one transaction: BEGIN IMMEDIATE, drop-and-create, a prepared INSERT
// stepped per row, the table_state row, COMMIT.
#include <mutex>
#include <optional>

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

// Removes the ranges of `table` (an earlier split load), in the open transaction.
Status ClearRanges(SqliteConn& conn, const std::string& task, const TableSchema& table) {
  ASSIGN_OR_RETURN(auto st,
                   conn.Prepare(std::string("DELETE FROM ") + kLoadRangeTable +
                                    " WHERE task = ?1 AND table_schema = ?2 AND "
                                    "table_name = ?3",
                                "table " + table.name.ToString() + ": removing earlier ranges"));
  RETURN_IF_ERROR(st->BindText(1, task));
  RETURN_IF_ERROR(st->BindText(2, table.name.schema));
  RETURN_IF_ERROR(st->BindText(3, table.name.name));
  return st->Run().status();
}

class SqliteTableLoader : public TableLoader {
 public:
  SqliteTableLoader(std::unique_lock<std::mutex> lock, std::unique_ptr<SqliteConn> conn,
                    std::string task, const TableSchema& table, TablePlan plan,
                    std::unique_ptr<SqliteStmt> insert, std::optional<int> range = std::nullopt)
      : range_(range),
        lock_(std::move(lock)),
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
    std::unique_ptr<SqliteStmt> st;
    if (range_) {
      ASSIGN_OR_RETURN(st, conn_->Prepare(std::string("UPDATE ") + kLoadRangeTable +
                                              " SET snapshot_position = ?4, rows = ?5, loaded_at "
                                              "= " +
                                              kNowUtc +
                                              " WHERE task = ?1 AND table_schema = ?2 AND "
                                              "table_name = ?3 AND range_no = ?6",
                                          what + ": recording the range loaded"));
      RETURN_IF_ERROR(st->BindInt64(6, *range_));
    } else {
      RETURN_IF_ERROR(ClearRanges(*conn_, task_, table_));
      ASSIGN_OR_RETURN(st,
                       conn_->Prepare(std::string("INSERT OR REPLACE INTO ") + kTableStateTable +
                                          " (task, table_schema, table_name, "
                                          "snapshot_position, rows, loaded_at) VALUES (?1, "
                                          "?2, ?3, ?4, ?5, " +
                                          kNowUtc + ")",
                                      what + ": recording load state"));
    }
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
  std::optional<int> range_;
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
  return BeginLoad(task, table, prep, std::nullopt);
}

Result<std::unique_ptr<TableLoader>> SqliteSink::BeginRangeLoad(const std::string& task,
                                                                const TableSchema& table,
                                                                int index) {
  return BeginLoad(task, table, TablePrep::kDoNothing, index);
}

Result<std::unique_ptr<TableLoader>> SqliteSink::BeginLoad(const std::string& task,
                                                           const TableSchema& table, TablePrep prep,
                                                           std::optional<int> range) {
  std::unique_lock<std::mutex> lock(*write_mu_);  // one writer per file: loaders take turns
  ASSIGN_OR_RETURN(auto conn, OpenWriter("load"));
  TablePlan plan = MakePlan(table);
  std::string what = "target table " + plan.target.ToString();
  RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size = -65536", what + ": setting the cache size"));
  RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE", what + ": BEGIN IMMEDIATE"));
  Status s = PrepareLoadTable(*conn, table, plan, prep);
  Result<std::unique_ptr<SqliteStmt>> insert =
      s.ok() ? conn->Prepare(InsertSql(table, plan, false), what + ": INSERT") : s;
  if (!insert.ok()) {
    (void)RollbackIfOpen(*conn);
    return insert.status();
  }
  return std::unique_ptr<TableLoader>(new SqliteTableLoader(
      std::move(lock), std::move(conn), task, table, std::move(plan), std::move(*insert), range));
}

// In the open transaction: what `prep` leaves for the table's own load.
Status SqliteSink::PrepareLoadTable(SqliteConn& conn, const TableSchema& table,
                                    const TablePlan& plan, TablePrep prep) {
  std::string what = "target table " + plan.target.ToString();
  switch (prep) {
    case TablePrep::kDropAndCreate:
      RETURN_IF_ERROR(conn.Exec("DROP TABLE IF EXISTS " + plan.quoted, what + ": dropping"));
      return conn.Exec(CreateTableSql(table, plan, task_tables_), what + ": creating");
    case TablePrep::kTruncate:
      return conn.Exec("DELETE FROM " + plan.quoted, what + ": emptying");
    case TablePrep::kDoNothing:
      break;
  }
  return Status::Ok();
}

Status SqliteSink::BeginSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                                  const std::vector<RangeLoadState>& ranges) {
  std::unique_lock<std::mutex> lock(*write_mu_);
  ASSIGN_OR_RETURN(auto conn, OpenWriter("load"));
  TablePlan plan = MakePlan(table);
  std::string what = "target table " + plan.target.ToString();
  RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE", what + ": BEGIN IMMEDIATE"));
  Status s = PrepareLoadTable(*conn, table, plan, prep);
  if (s.ok()) s = ClearRanges(*conn, task, table);
  for (size_t i = 0; i < ranges.size() && s.ok(); ++i) {
    auto st = conn->Prepare(std::string("INSERT INTO ") + kLoadRangeTable +
                                " (task, table_schema, table_name, range_no, key_column, lo, hi, "
                                "shape) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                            what + ": recording its ranges");
    if (!st.ok()) {
      s = st.status();
      break;
    }
    SqliteStmt& q = **st;
    const RangeLoadState& r = ranges[i];
    s = q.BindText(1, task);
    if (s.ok()) s = q.BindText(2, table.name.schema);
    if (s.ok()) s = q.BindText(3, table.name.name);
    if (s.ok()) s = q.BindInt64(4, r.index);
    if (s.ok()) s = q.BindText(5, r.column);
    if (s.ok() && r.range.lo) s = q.BindInt64(6, *r.range.lo);
    if (s.ok() && r.range.hi) s = q.BindInt64(7, *r.range.hi);
    if (s.ok()) s = q.BindText(8, r.shape);
    if (s.ok()) s = q.Run().status();
  }
  if (s.ok()) s = conn->Exec("COMMIT", what + ": COMMIT");
  if (!s.ok()) (void)RollbackIfOpen(*conn);
  return s;
}

Status SqliteSink::FinishSplitLoad(const std::string& task, const TableSchema& table,
                                   TablePrep prep, const Position& snapshot, int64_t rows) {
  (void)prep;  // the table was created with its key
  std::unique_lock<std::mutex> lock(*write_mu_);
  ASSIGN_OR_RETURN(auto conn, OpenWriter("load"));
  std::string what = "table " + table.name.ToString();
  ASSIGN_OR_RETURN(auto st,
                   conn->Prepare(std::string("INSERT OR REPLACE INTO ") + kTableStateTable +
                                     " (task, table_schema, table_name, "
                                     "snapshot_position, rows, loaded_at) VALUES (?1, "
                                     "?2, ?3, ?4, ?5, " +
                                     kNowUtc + ")",
                                 what + ": recording load state"));
  RETURN_IF_ERROR(st->BindText(1, task));
  RETURN_IF_ERROR(st->BindText(2, table.name.schema));
  RETURN_IF_ERROR(st->BindText(3, table.name.name));
  RETURN_IF_ERROR(st->BindText(4, snapshot.text));
  RETURN_IF_ERROR(st->BindInt64(5, rows));
  return st->Run().status();
}

}  // namespace cutover::sqlite
