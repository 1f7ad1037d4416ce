#include "engine/sqlite/sqlite_source.h"

#include "engine/core/table_pattern.h"
#include "engine/sqlite/sqlite_capture.h"
#include "engine/sqlite/sqlite_catalog.h"
#include "engine/sqlite/sqlite_position.h"
#include "engine/sqlite/sqlite_snapshot.h"
#include "engine/sqlite/sqlite_stream.h"

namespace cutover::sqlite {

Result<std::unique_ptr<SqliteSource>> SqliteSource::Open(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(uri, "source", SqliteOpenOptions{.create = false}));
  return std::unique_ptr<SqliteSource>(new SqliteSource(uri, std::move(conn)));
}

Result<std::vector<TableSchemaPtr>> SqliteSource::DiscoverTables(const TableSelection& patterns,
                                                                 StartReport& problems) {
  ASSIGN_OR_RETURN(auto names, ListUserTables(*conn_));
  TablePatterns select(patterns);
  std::vector<TableSchemaPtr> out;
  for (const auto& name : names) {
    if (!select.Select(TableName{kMainSchema, name})) continue;
    ASSIGN_OR_RETURN(SqliteTableInfo info, ReadTableInfo(*conn_, name));
    auto table = std::make_shared<TableSchema>(*info.schema);
    RETURN_IF_ERROR(ReadSqliteSchemaObjects(*conn_, *table));
    out.push_back(std::move(table));
  }
  select.ReportUnused(problems);
  return out;
}

Result<std::vector<SourceObject>> SqliteSource::ListOtherObjects(
    const std::vector<TableSchemaPtr>& tables) {
  (void)tables;  // one schema: main
  return ListSqliteViews(*conn_);
}

Status SqliteSource::CheckCapturedTables(const std::vector<TableSchemaPtr>& tables,
                                         StartReport& problems) {
  // The capture triggers record keys that are found again by equality: a key column with
  // another collation would find other rows (what PrepareCapture refuses).
  for (const auto& t : tables) {
    ASSIGN_OR_RETURN(SqliteTableInfo info, ReadTableInfo(*conn_, t->name.name));
    if (info.non_binary_key.empty()) continue;
    problems.Refuse("table " + t->name.ToString(),
                    "key column " + info.non_binary_key +
                        " does not compare bytewise, so its changes cannot be captured exactly",
                    "use the BINARY collation for key columns, or leave the table out with "
                    "--exclude-tables '" +
                        t->name.ToString() + "'");
  }
  return Status::Ok();
}

Result<CdcSetup> SqliteSource::PrepareCdc(const std::string& task,
                                          const std::vector<TableSchemaPtr>& tables,
                                          bool want_snapshot) {
  std::vector<SqliteTableInfo> infos;
  for (const auto& t : tables) {
    ASSIGN_OR_RETURN(SqliteTableInfo info, ReadTableInfo(*conn_, t->name.name));
    if (ColumnSignature(*info.schema) != ColumnSignature(*t))
      return FailedPrecondition("table " + t->name.ToString() +
                                ": its columns changed while the task was starting; run it again");
    infos.push_back(std::move(info));
  }
  CdcSetup setup;
  RETURN_IF_ERROR(PrepareCapture(*conn_, task, infos, setup.created));
  if (want_snapshot && setup.created) {
    ASSIGN_OR_RETURN(setup.snapshot, OpenSqliteSnapshot(uri_, task));
  }
  return setup;
}

Result<std::unique_ptr<Snapshot>> SqliteSource::OpenSnapshot(const std::string& task) {
  return OpenSqliteSnapshot(uri_, task);
}

Result<std::unique_ptr<ChangeStream>> SqliteSource::OpenStream(
    const std::string& task, const std::vector<TableSchemaPtr>& tables, const Position& from) {
  return OpenSqliteStream(uri_, task, tables, from);
}

Result<Position> SqliteSource::ParsePosition(const std::string& text) const {
  return ParseSqlitePosition(text);
}

Status SqliteSource::DropTask(const std::string& task) {
  return DropCapture(*conn_, task);
}

Result<std::map<TableName, TableSize>> SqliteSource::EstimateTableSizes(
    const std::vector<TableSchemaPtr>& tables) {
  std::map<TableName, TableSize> out;
  for (const auto& t : tables) {
    ASSIGN_OR_RETURN(auto st,
                     conn_->Prepare("SELECT count(*) FROM " + SqliteConn::QuoteIdent(t->name.name),
                                    "counting rows of " + t->name.ToString()));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) out[t->name].rows = st->column_int64(0);
  }
  return out;
}

}  // namespace cutover::sqlite
