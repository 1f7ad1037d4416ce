#include "engine/mariadb/maria_task_state.h"

#include "engine/mariadb/maria_sink_internal.h"

namespace cutover::mariadb {

Result<std::optional<TaskState>> ReadMariaTaskState(MariaConn& conn, const std::string& task) {
  const std::string& db = conn.uri().database;
  ASSIGN_OR_RETURN(
      MariaRows present,
      conn.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                 "TABLE_SCHEMA = " +
                     conn.QuoteLiteral(db) + " AND TABLE_NAME IN ('" + kCheckpointTable + "', '" +
                     kTableStateTable + "', '" + kTableStatsTable + "', '" + kTableValidationTable +
                     "', '" + kLoadRangeTable + "')",
                 "looking for the control tables on the target"));
  bool has_checkpoint = false, has_table_state = false, has_stats = false;
  bool has_validation = false, has_ranges = false;
  for (const auto& row : present.rows) {
    has_checkpoint |= row[0] == std::optional<std::string>(kCheckpointTable);
    has_table_state |= row[0] == std::optional<std::string>(kTableStateTable);
    has_stats |= row[0] == std::optional<std::string>(kTableStatsTable);
    has_ranges |= row[0] == std::optional<std::string>(kLoadRangeTable);
    has_validation |= row[0] == std::optional<std::string>(kTableValidationTable);
  }
  if (!has_checkpoint && !has_table_state) return std::optional<TaskState>();
  std::string qdb = MariaConn::QuoteIdent(db) + ".";
  TaskState state;
  if (has_checkpoint) {
    ASSIGN_OR_RETURN(
        MariaRows cp,
        conn.Query("SELECT position, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s') FROM " + qdb +
                       kCheckpointTable + " WHERE task = " + conn.QuoteLiteral(task),
                   "reading checkpoint"));
    if (!cp.rows.empty() && cp.rows[0][0]) {
      state.applied = Position{0, 0, *cp.rows[0][0]};
      state.applied_at = cp.rows[0][1].value_or("");
    }
  }
  if (has_table_state) {
    ASSIGN_OR_RETURN(
        MariaRows ts,
        conn.Query("SELECT table_schema, table_name, snapshot_position, `rows`, "
                   "DATE_FORMAT(loaded_at, '%Y-%m-%d %H:%i:%s') FROM " +
                       qdb + kTableStateTable + " WHERE task = " + conn.QuoteLiteral(task),
                   "reading table state"));
    for (const auto& row : ts.rows) {
      TableLoadState s;
      s.snapshot.text = row[2].value_or("");
      s.rows = std::stoll(row[3].value_or("0"));
      s.loaded_at = row[4].value_or("");
      state.loaded[TableName{row[0].value_or(""), row[1].value_or("")}] = s;
    }
  }
  if (has_ranges) {
    ASSIGN_OR_RETURN(MariaRows lr,
                     conn.Query("SELECT table_schema, table_name, range_no, key_column, lo, hi, "
                                "snapshot_position, `rows`, shape FROM " +
                                    qdb + kLoadRangeTable + " WHERE task = " +
                                    conn.QuoteLiteral(task) + " ORDER BY 1, 2, 3",
                                "reading load ranges"));
    for (const auto& row : lr.rows) {
      RangeLoadState s;
      s.index = std::stoi(row[2].value_or("0"));
      s.column = row[3].value_or("");
      if (row[4]) s.range.lo = std::stoll(*row[4]);
      if (row[5]) s.range.hi = std::stoll(*row[5]);
      s.done = row[6].has_value();
      if (s.done) {
        s.snapshot.text = *row[6];
        s.rows = std::stoll(row[7].value_or("0"));
      }
      s.shape = row[8].value_or("");
      state.ranges[TableName{row[0].value_or(""), row[1].value_or("")}].push_back(s);
    }
  }
  if (has_stats) {
    // `state` came with error policies: a table of an older cutover lacks it.
    ASSIGN_OR_RETURN(MariaRows has_state,
                     conn.Query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE "
                                "TABLE_SCHEMA = " +
                                    conn.QuoteLiteral(db) + " AND TABLE_NAME = '" +
                                    kTableStatsTable + "' AND COLUMN_NAME = 'state'",
                                "looking for the state column of the table statistics"));
    bool state_column = !has_state.rows.empty() && has_state.rows[0][0].value_or("0") != "0";
    ASSIGN_OR_RETURN(MariaRows st,
                     conn.Query("SELECT table_schema, table_name, inserts, updates, deletes, ddls, "
                                "DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s'), " +
                                    std::string(state_column ? "state" : "NULL") + " FROM " + qdb +
                                    kTableStatsTable + " WHERE task = " + conn.QuoteLiteral(task),
                                "reading table statistics"));
    for (const auto& row : st.rows) {
      TableChangeTotals& t = state.changes[TableName{row[0].value_or(""), row[1].value_or("")}];
      t.inserts = std::stoll(row[2].value_or("0"));
      t.updates = std::stoll(row[3].value_or("0"));
      t.deletes = std::stoll(row[4].value_or("0"));
      t.ddls = std::stoll(row[5].value_or("0"));
      t.updated_at = row[6].value_or("");
      t.state = row[7].value_or("");
    }
  }
  if (has_validation) {
    ASSIGN_OR_RETURN(
        MariaRows v,
        conn.Query("SELECT table_schema, table_name, state, failed_records, detail, "
                   "DATE_FORMAT(validated_at, '%Y-%m-%d %H:%i:%s') FROM " +
                       qdb + kTableValidationTable + " WHERE task = " + conn.QuoteLiteral(task),
                   "reading validation state"));
    for (const auto& row : v.rows) {
      TableValidationState& t =
          state.validation[TableName{row[0].value_or(""), row[1].value_or("")}];
      t.state = row[2].value_or("");
      t.failed_records = std::stoll(row[3].value_or("0"));
      t.detail = row[4].value_or("");
      t.validated_at = row[5].value_or("");
    }
  }
  return std::optional<TaskState>(std::move(state));
}

Result<std::optional<TaskState>> ReadMariaTaskState(const std::string& uri,
                                                    const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, "task state"));
  return ReadMariaTaskState(*conn, task);
}

}  // namespace cutover::mariadb
