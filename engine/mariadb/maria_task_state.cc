#include "engine/mariadb/maria_task_state.h"

#include "engine/mariadb/maria_sink_internal.h"

namespace cutover::mariadb {

Result<std::optional<TaskState>> ReadMariaTaskState(MariaConn& conn, const std::string& task) {
  const std::string& db = conn.uri().database;
  ASSIGN_OR_RETURN(MariaRows present,
                   conn.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                              "TABLE_SCHEMA = " +
                                  conn.QuoteLiteral(db) + " AND TABLE_NAME IN ('" +
                                  kCheckpointTable + "', '" + kTableStateTable + "')",
                              "looking for the control tables on the target"));
  bool has_checkpoint = false, has_table_state = false;
  for (const auto& row : present.rows) {
    has_checkpoint |= row[0] == std::optional<std::string>(kCheckpointTable);
    has_table_state |= row[0] == std::optional<std::string>(kTableStateTable);
  }
  if (!has_checkpoint && !has_table_state) return std::optional<TaskState>();
  std::string qdb = MariaConn::QuoteIdent(db) + ".";
  TaskState state;
  if (has_checkpoint) {
    ASSIGN_OR_RETURN(MariaRows cp, conn.Query("SELECT position FROM " + qdb + kCheckpointTable +
                                                  " WHERE task = " + conn.QuoteLiteral(task),
                                              "reading checkpoint"));
    if (!cp.rows.empty() && cp.rows[0][0]) state.applied = Position{0, 0, *cp.rows[0][0]};
  }
  if (has_table_state) {
    ASSIGN_OR_RETURN(
        MariaRows ts,
        conn.Query("SELECT table_schema, table_name, snapshot_position, `rows` FROM " + qdb +
                       kTableStateTable + " WHERE task = " + conn.QuoteLiteral(task),
                   "reading table state"));
    for (const auto& row : ts.rows) {
      TableLoadState s;
      s.snapshot.text = row[2].value_or("");
      s.rows = std::stoll(row[3].value_or("0"));
      state.loaded[TableName{row[0].value_or(""), row[1].value_or("")}] = s;
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
