#include "engine/sqlite/sqlite_preflight.h"

#include <unistd.h>

#include <filesystem>

#include "engine/sqlite/sqlite_conn.h"

namespace cutover::sqlite {

Status CheckSqliteEndpoint(const std::string& uri, EndpointRole role, CheckList& checks) {
  ASSIGN_OR_RETURN(std::string path, SqlitePathOfUri(uri));
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const bool exists = access(path.c_str(), F_OK) == 0;
  const std::string ftitle = role == EndpointRole::kSource
                                 ? "the source file exists and is a SQLite database"
                                 : "the target file is a SQLite database or can be created";
  std::unique_ptr<SqliteConn> conn;
  if (exists) {
    auto opened =
        SqliteConn::Open(uri, "test-connection", SqliteOpenOptions{.wal = false, .create = false});
    if (!opened.ok()) {
      checks.Fail("sqlite.file", ftitle, opened.status().message(),
                  "point the URI at a SQLite database file");
      return Status::Ok();
    }
    conn = std::move(*opened);
    checks.Pass("sqlite.file", ftitle, path);
  } else if (role == EndpointRole::kSource) {
    checks.Fail("sqlite.file", ftitle, "SQLite database " + path + " does not exist",
                "check the path in the URI (sqlite:///absolute/path or sqlite://relative/path)");
    return Status::Ok();
  } else {
    checks.Pass("sqlite.file", ftitle, path + " does not exist yet: the task creates it");
  }

  const std::string wtitle = role == EndpointRole::kSource
                                 ? "the file and its directory are writable (capture triggers, "
                                   "change table, WAL files)"
                                 : "the file and its directory are writable";
  std::string not_writable;
  if (exists && access(path.c_str(), W_OK) != 0) not_writable = path;
  if (access(dir.c_str(), W_OK) != 0)
    not_writable += (not_writable.empty() ? "" : " and ") + ("directory " + dir);
  if (not_writable.empty()) {
    checks.Pass("sqlite.writable", wtitle, path);
  } else {
    checks.Fail("sqlite.writable", wtitle, not_writable + " not writable by this user",
                "run cutover as a user who may write the file and its directory");
  }

  const std::string jtitle = "journal_mode is WAL (the task's reads never block writers)";
  if (!conn) {
    checks.NotApplicable("sqlite.journal_mode", jtitle, "the file is created in WAL mode");
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto stmt, conn->Prepare("PRAGMA journal_mode", "reading journal_mode"));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  const std::string mode = row ? std::string(stmt->column_text(0)) : "";
  if (mode == "wal") {
    checks.Pass("sqlite.journal_mode", jtitle, "journal_mode=wal");
  } else {
    checks.Warn("sqlite.journal_mode", jtitle,
                "journal_mode=" + mode + ": the task switches the file to WAL when it starts",
                "give the application's writers a busy_timeout (PRAGMA busy_timeout = 5000): "
                "the switch and the task's capture need short write locks");
  }
  return Status::Ok();
}

}  // namespace cutover::sqlite
