#include "engine/pg/pg_task_state.h"

namespace cutover::pg {

Result<std::optional<TaskState>> ReadPgTaskState(PgConn& conn, const std::string& task) {
  ASSIGN_OR_RETURN(auto exists, conn.Exec("SELECT to_regclass('cutover.checkpoint') IS NOT NULL, "
                                          "to_regclass('cutover.table_state') IS NOT NULL, "
                                          "to_regclass('cutover.table_stats') IS NOT NULL, "
                                          "to_regclass('cutover.table_validation') IS NOT NULL, "
                                          "to_regclass('cutover.load_range') IS NOT NULL",
                                          "looking for the control tables on the target"));
  const bool has_checkpoint = exists.get(0, 0) == "t", has_table_state = exists.get(0, 1) == "t";
  if (!has_checkpoint && !has_table_state) return std::optional<TaskState>();
  TaskState state;
  if (has_checkpoint) {
    ASSIGN_OR_RETURN(auto cp,
                     conn.ExecParams("SELECT position, to_char(updated_at AT TIME ZONE 'UTC', "
                                     "'YYYY-MM-DD HH24:MI:SS') FROM cutover.checkpoint WHERE "
                                     "task = $1",
                                     {task.c_str()}, "reading checkpoint"));
    if (cp.rows() == 1) {
      state.applied = Position{0, 0, cp.str(0, 0)};
      state.applied_at = cp.str(0, 1);
    }
  }
  if (has_table_state) {
    ASSIGN_OR_RETURN(auto ts, conn.ExecParams("SELECT table_schema, table_name, snapshot_position, "
                                              "rows, to_char(loaded_at AT TIME ZONE 'UTC', "
                                              "'YYYY-MM-DD HH24:MI:SS') FROM cutover.table_state "
                                              "WHERE task = $1",
                                              {task.c_str()}, "reading table state"));
    for (int r = 0; r < ts.rows(); ++r) {
      TableLoadState s;
      s.snapshot.text = ts.str(r, 2);
      s.rows = std::stoll(ts.str(r, 3));
      s.loaded_at = ts.str(r, 4);
      state.loaded[TableName{ts.str(r, 0), ts.str(r, 1)}] = s;
    }
  }
  if (exists.get(0, 4) == "t") {
    ASSIGN_OR_RETURN(auto lr,
                     conn.ExecParams("SELECT table_schema, table_name, range_no, "
                                     "key_column, lo, hi, snapshot_position, rows, shape FROM "
                                     "cutover.load_range WHERE task = $1 ORDER BY 1, 2, 3",
                                     {task.c_str()}, "reading load ranges"));
    for (int r = 0; r < lr.rows(); ++r) {
      RangeLoadState s;
      s.index = std::stoi(lr.str(r, 2));
      s.column = lr.str(r, 3);
      if (!lr.is_null(r, 4)) s.range.lo = std::stoll(lr.str(r, 4));
      if (!lr.is_null(r, 5)) s.range.hi = std::stoll(lr.str(r, 5));
      s.done = !lr.is_null(r, 6);
      if (s.done) {
        s.snapshot.text = lr.str(r, 6);
        s.rows = std::stoll(lr.str(r, 7));
      }
      if (!lr.is_null(r, 8)) s.shape = lr.str(r, 8);
      state.ranges[TableName{lr.str(r, 0), lr.str(r, 1)}].push_back(s);
    }
  }
  if (exists.get(0, 2) == "t") {
    ASSIGN_OR_RETURN(auto st, conn.ExecParams("SELECT table_schema, table_name, inserts, updates, "
                                              "deletes, ddls, to_char(updated_at AT TIME ZONE "
                                              "'UTC', 'YYYY-MM-DD HH24:MI:SS'), "
                                              "to_jsonb(s)->>'state' FROM cutover.table_stats s "
                                              "WHERE task = $1",
                                              {task.c_str()}, "reading table statistics"));
    for (int r = 0; r < st.rows(); ++r) {
      TableChangeTotals& t = state.changes[TableName{st.str(r, 0), st.str(r, 1)}];
      t.inserts = std::stoll(st.str(r, 2));
      t.updates = std::stoll(st.str(r, 3));
      t.deletes = std::stoll(st.str(r, 4));
      t.ddls = std::stoll(st.str(r, 5));
      t.updated_at = st.str(r, 6);
      t.state = st.str(r, 7);  // no column (a table of an older cutover), NULL: ""
    }
  }
  if (exists.get(0, 3) == "t") {
    ASSIGN_OR_RETURN(auto v, conn.ExecParams("SELECT table_schema, table_name, state, "
                                             "failed_records, detail, to_char(validated_at AT "
                                             "TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM "
                                             "cutover.table_validation WHERE task = $1",
                                             {task.c_str()}, "reading validation state"));
    for (int r = 0; r < v.rows(); ++r) {
      TableValidationState& t = state.validation[TableName{v.str(r, 0), v.str(r, 1)}];
      t.state = v.str(r, 2);
      t.failed_records = std::stoll(v.str(r, 3));
      t.detail = v.str(r, 4);
      t.validated_at = v.str(r, 5);
    }
  }
  return std::optional<TaskState>(std::move(state));
}

Result<std::optional<TaskState>> ReadPgTaskState(const std::string& uri, const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, "cutover task state"));
  return ReadPgTaskState(*conn, task);
}

}  // namespace cutover::pg
