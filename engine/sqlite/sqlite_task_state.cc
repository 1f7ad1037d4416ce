#include "engine/sqlite/sqlite_task_state.h"

#include "engine/sqlite/sqlite_catalog.h"
#include "engine/sqlite/sqlite_sink_internal.h"

namespace cutover::sqlite {

Result<std::optional<TaskState>> ReadSqliteTaskState(SqliteConn& conn, const std::string& task) {
  ASSIGN_OR_RETURN(bool has_checkpoint, TableExists(conn, kCheckpointTable));
  ASSIGN_OR_RETURN(bool has_table_state, TableExists(conn, kTableStateTable));
  ASSIGN_OR_RETURN(bool has_stats, TableExists(conn, kTableStatsTable));
  ASSIGN_OR_RETURN(bool has_ranges, TableExists(conn, kLoadRangeTable));
  ASSIGN_OR_RETURN(bool has_validation, TableExists(conn, kTableValidationTable));
  if (!has_checkpoint && !has_table_state) return std::optional<TaskState>();
  TaskState state;
  if (has_checkpoint) {
    ASSIGN_OR_RETURN(auto cp,
                     conn.Prepare(std::string("SELECT position, substr(updated_at, 1, 19) FROM ") +
                                      kCheckpointTable + " WHERE task = ?1",
                                  "reading the checkpoint"));
    RETURN_IF_ERROR(cp->BindText(1, task));
    ASSIGN_OR_RETURN(bool row, cp->Step());
    if (row) {
      state.applied = Position{0, 0, std::string(cp->column_text(0))};
      state.applied_at = std::string(cp->column_text(1));
    }
  }
  if (has_table_state) {
    ASSIGN_OR_RETURN(
        auto ts,
        conn.Prepare(std::string("SELECT table_schema, table_name, "
                                 "snapshot_position, rows, substr(loaded_at, 1, 19) FROM ") +
                         kTableStateTable + " WHERE task = ?1",
                     "reading the table state"));
    RETURN_IF_ERROR(ts->BindText(1, task));
    for (;;) {
      ASSIGN_OR_RETURN(bool r, ts->Step());
      if (!r) break;
      TableLoadState s;
      s.snapshot.text = std::string(ts->column_text(2));
      s.rows = ts->column_int64(3);
      s.loaded_at = std::string(ts->column_text(4));
      state.loaded[TableName{std::string(ts->column_text(0)), std::string(ts->column_text(1))}] = s;
    }
  }
  if (has_ranges) {
    ASSIGN_OR_RETURN(auto lr,
                     conn.Prepare(std::string("SELECT table_schema, table_name, range_no, "
                                              "key_column, lo, hi, snapshot_position, "
                                              "rows, shape FROM ") +
                                      kLoadRangeTable + " WHERE task = ?1 ORDER BY 1, 2, 3",
                                  "reading load ranges"));
    RETURN_IF_ERROR(lr->BindText(1, task));
    for (;;) {
      ASSIGN_OR_RETURN(bool r, lr->Step());
      if (!r) break;
      RangeLoadState s;
      s.index = static_cast<int>(lr->column_int64(2));
      s.column = std::string(lr->column_text(3));
      if (!lr->is_null(4)) s.range.lo = lr->column_int64(4);
      if (!lr->is_null(5)) s.range.hi = lr->column_int64(5);
      s.done = !lr->is_null(6);
      if (s.done) {
        s.snapshot.text = std::string(lr->column_text(6));
        s.rows = lr->column_int64(7);
      }
      if (!lr->is_null(8)) s.shape = std::string(lr->column_text(8));
      state.ranges[TableName{std::string(lr->column_text(0)), std::string(lr->column_text(1))}]
          .push_back(s);
    }
  }
  if (has_stats) {
    ASSIGN_OR_RETURN(auto st, conn.Prepare(std::string("SELECT table_schema, table_name, inserts, "
                                                       "updates, deletes, ddls, substr(updated_at, "
                                                       "1, 19) FROM ") +
                                               kTableStatsTable + " WHERE task = ?1",
                                           "reading table statistics"));
    RETURN_IF_ERROR(st->BindText(1, task));
    for (;;) {
      ASSIGN_OR_RETURN(bool r, st->Step());
      if (!r) break;
      TableChangeTotals& t =
          state
              .changes[TableName{std::string(st->column_text(0)), std::string(st->column_text(1))}];
      t.inserts = st->column_int64(2);
      t.updates = st->column_int64(3);
      t.deletes = st->column_int64(4);
      t.ddls = st->column_int64(5);
      t.updated_at = std::string(st->column_text(6));
    }
  }
  if (has_validation) {
    ASSIGN_OR_RETURN(auto v, conn.Prepare(std::string("SELECT table_schema, table_name, state, "
                                                      "failed_records, detail, "
                                                      "substr(validated_at, 1, 19) FROM ") +
                                              kTableValidationTable + " WHERE task = ?1",
                                          "reading validation state"));
    RETURN_IF_ERROR(v->BindText(1, task));
    for (;;) {
      ASSIGN_OR_RETURN(bool r, v->Step());
      if (!r) break;
      TableValidationState& t = state.validation[TableName{std::string(v->column_text(0)),
                                                           std::string(v->column_text(1))}];
      t.state = std::string(v->column_text(2));
      t.failed_records = v->column_int64(3);
      t.detail = std::string(v->column_text(4));
      t.validated_at = std::string(v->column_text(5));
    }
  }
  return std::optional<TaskState>(std::move(state));
}

Result<std::optional<TaskState>> ReadSqliteTaskState(const std::string& uri,
                                                     const std::string& task) {
  auto conn = SqliteConn::Open(uri, "task state", SqliteOpenOptions{.wal = false, .create = false});
  if (!conn.ok() && conn.status().code() == StatusCode::kNotFound)
    return std::optional<TaskState>();  // no file: cutover never wrote there
  if (!conn.ok()) return conn.status();
  return ReadSqliteTaskState(**conn, task);
}

}  // namespace cutover::sqlite
