#include "engine/mariadb/maria_sink.h"

#include <errmsg.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "engine/core/generated_columns.h"
#include "engine/core/log.h"
#include "engine/core/lossy.h"
#include "engine/core/naming.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_target_types.h"

namespace cutover::mariadb {

namespace {

constexpr const char* kCheckpointTable = "_cutover_checkpoint";
constexpr const char* kTableStateTable = "_cutover_table_state";

std::string CheckpointDdl(const std::string& db) {
  return "CREATE TABLE IF NOT EXISTS " + MariaConn::QuoteIdent(db) + "." + kCheckpointTable +
         " (task VARCHAR(255) NOT NULL PRIMARY KEY, position VARCHAR(255) NOT NULL,"
         " updated_at DATETIME(6) NOT NULL)"
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

std::string TableStateDdl(const std::string& db) {
  return "CREATE TABLE IF NOT EXISTS " + MariaConn::QuoteIdent(db) + "." + kTableStateTable +
         " (task VARCHAR(255) NOT NULL, table_schema VARCHAR(255) NOT NULL,"
         " table_name VARCHAR(255) NOT NULL, snapshot_position VARCHAR(255) NOT NULL,"
         " `rows` BIGINT NOT NULL, loaded_at DATETIME(6) NOT NULL,"
         " PRIMARY KEY (task, table_schema, table_name))"
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

Status CreateControlTables(MariaConn& conn, const std::string& db) {
  RETURN_IF_ERROR(conn.Exec(CheckpointDdl(db), "creating control table " + db + "." +
                                                   kCheckpointTable + " on the target"));
  return conn.Exec(TableStateDdl(db),
                   "creating control table " + db + "." + kTableStateTable + " on the target");
}

// Everything a statement about one table needs, computed once per table schema.
struct TablePlan {
  TableName target;
  std::string qualified;    // `db`.`table`
  std::string column_list;  // `a`, `b`, ...
  std::vector<MariaTargetColumn> columns;
};

TablePlan MakePlan(const TableSchema& t, const std::string& db) {
  TablePlan p;
  p.target = TargetTableName(t, "mariadb", db);
  p.qualified = MariaConn::QualifiedName(p.target);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) p.column_list += ", ";
    p.column_list += MariaConn::QuoteIdent(t.columns[i].name);
  }
  p.columns = PlanMariaTable(t);
  return p;
}

// Appends `text` escaped for a string literal (backslash escapes, the server's default
// sql_mode here; the connection is utf8mb4, where no multi-byte character contains a quote or
// backslash byte).
void AppendEscaped(std::string& out, const std::string& text) {
  for (char ch : text) {
    switch (ch) {
      case '\0':
        out += "\\0";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out.push_back(ch);
    }
  }
}

void AppendLiteral(std::string& out, MariaText how, const std::string& text) {
  switch (how) {
    case MariaText::kNull:
      out += "NULL";
      return;
    case MariaText::kBare:
      out += text;
      return;
    case MariaText::kString:
      out.push_back('\'');
      break;
    case MariaText::kBinary:
      out += "_binary'";
      break;
  }
  AppendEscaped(out, text);
  out.push_back('\'');
}

// Encodes column `i` of `row` (the full load's and both apply modes' one conversion): a value
// hitting a lossy rule is reported (engine/core/lossy.h), errors name table, key and column.
Result<MariaText> Encode(const TablePlan& plan, const TableSchema& t, const std::vector<Value>& row,
                         size_t i, std::string& scratch) {
  LossyRule applied;
  Result<MariaText> how = EncodeForMaria(plan.columns[i], row[i], scratch, applied);
  if (!how.ok()) return RowContext(how.status(), t, row);
  if (applied != LossyRule::kNone) LossyNotices::Run().Hit(t, i, applied, row);
  return how;
}

// Appends the SQL literal of column `i` of `row`.
Status AppendValue(std::string& out, const TablePlan& plan, const TableSchema& t,
                   const std::vector<Value>& row, size_t i, std::string& scratch) {
  ASSIGN_OR_RETURN(MariaText how, Encode(plan, t, row, i, scratch));
  AppendLiteral(out, how, scratch);
  return Status::Ok();
}

// Appends the SQL literal of `v` for column `i`: a parameter of a foreign-key action step (a
// value the target already holds), encoded by the rule it was written with; nothing to announce.
Status AppendMatchValue(std::string& out, const TablePlan& plan, const TableSchema& t, size_t i,
                        const Value& v, std::string& scratch) {
  LossyRule applied;
  Result<MariaText> how = EncodeForMaria(plan.columns[i], v, scratch, applied);
  if (!how.ok()) return how.status().WithContext("table " + t.name.ToString());
  AppendLiteral(out, *how, scratch);
  return Status::Ok();
}

// "(v1, v2, ...)" of a whole row.
Status AppendRowTuple(std::string& out, const TablePlan& plan, const TableSchema& t,
                      const std::vector<Value>& row, std::string& scratch) {
  out.push_back('(');
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ", ";
    RETURN_IF_ERROR(AppendValue(out, plan, t, row, i, scratch));
  }
  out.push_back(')');
  return Status::Ok();
}

// Parses "Label: N" out of mysql_info() text; -1 when absent.
int64_t InfoNumber(const char* info, const char* label) {
  if (!info) return -1;
  const char* p = std::strstr(info, label);
  if (!p) return -1;
  return std::atoll(p + std::strlen(label));
}

// ---------------------------------------------------------------------------------------------
// Sessions (engine/core/target_session.h)

// Connects a target session whose lock waits are bounded; `writes_rows` (load and apply) also
// switches foreign-key checks and actions off for it.
Result<std::unique_ptr<MariaConn>> ConnectTarget(const std::string& uri, const SinkOptions& o,
                                                 std::string_view purpose, bool writes_rows,
                                                 const MariaConnectOptions& connect = {}) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, purpose, connect));
  std::string bound = std::to_string(o.lock_timeout.count());
  std::string set =
      "SET SESSION lock_wait_timeout = " + bound + ", innodb_lock_wait_timeout = " + bound;
  if (writes_rows) set += ", foreign_key_checks = 0";
  RETURN_IF_ERROR(
      conn->Exec(set, "setting up the target session (lock wait bounds" +
                          std::string(writes_rows ? ", foreign_key_checks = 0)" : ")")));
  return conn;
}

bool IsLockTimeout(const Status& s) {
  return !s.ok() && s.message().find("(error 1205)") != std::string::npos;
}

// `s` when it is not a lock wait that ran out; else `s` naming `table` and the sessions that may
// hold it (asked on a connection of its own).
Status ExplainLockWait(const std::string& uri, const SinkOptions& o, const Status& s,
                       const TableName& table) {
  if (!IsLockTimeout(s)) return s;
  std::vector<std::string> holders;
  auto conn = MariaConn::Connect(uri, "lock diagnosis");
  if (conn.ok()) {
    MariaConn& c = **conn;
    auto describe = [](const MariaRows& r, size_t i, const std::string& prefix) {
      return prefix + "session " + r.rows[i][0].value_or("?") + " (" + r.rows[i][1].value_or("?") +
             "@" + r.rows[i][2].value_or("?") + ", " + r.rows[i][3].value_or("?") + " for " +
             r.rows[i][4].value_or("?") + " s" +
             (r.rows[i][5] ? ", running: " + *r.rows[i][5] : "") + ")";
    };
    auto mdl = c.Query(
        "SELECT p.ID, p.USER, p.HOST, GROUP_CONCAT(DISTINCT m.LOCK_MODE), p.TIME, LEFT(p.INFO, "
        "100) FROM information_schema.METADATA_LOCK_INFO m JOIN information_schema.PROCESSLIST p "
        "ON p.ID = m.THREAD_ID WHERE m.TABLE_SCHEMA = " +
        c.QuoteLiteral(table.schema) + " AND m.TABLE_NAME = " + c.QuoteLiteral(table.name) +
        " GROUP BY p.ID, p.USER, p.HOST, p.TIME, p.INFO");
    if (mdl.ok()) {
      for (size_t i = 0; i < mdl->rows.size(); ++i) holders.push_back(describe(*mdl, i, ""));
    } else {  // without the metadata_lock_info plugin: the sessions in a transaction
      auto trx = c.Query(
          "SELECT p.ID, p.USER, p.HOST, CONCAT('transaction open, ', p.COMMAND), "
          "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), LEFT(p.INFO, 100) FROM "
          "information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = "
          "t.trx_mysql_thread_id WHERE p.ID <> CONNECTION_ID() ORDER BY t.trx_started");
      for (size_t i = 0; trx.ok() && i < trx->rows.size(); ++i)
        holders.push_back(describe(*trx, i, i ? "" : "one of: "));
    }
  }
  return LockWaitTimedOut(s, "table " + table.ToString(), holders, o.lock_timeout);
}

// ---------------------------------------------------------------------------------------------
// Full load

// A bounded queue of byte chunks from the pipeline thread (producer) to the infile callback on
// the loader thread (consumer).
class ChunkQueue {
 public:
  // Producer. Waits while the queue is full; false when the consumer has gone.
  bool Push(std::string&& chunk) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return chunks_.size() < kMaxChunks || finished_; });
    if (finished_) return false;
    chunks_.push_back(std::move(chunk));
    cv_.notify_all();
    return true;
  }
  // Producer: no more chunks (end of data), or `cancel`: the data is incomplete.
  void Close(bool cancel) {
    std::lock_guard<std::mutex> lock(mu_);
    (cancel ? cancelled_ : closed_) = true;
    cv_.notify_all();
  }
  // Consumer: up to `len` bytes; 0 at the end; -1 if the producer cancelled.
  int Read(char* buf, unsigned len) {
    std::unique_lock<std::mutex> lock(mu_);
    while (pos_ == current_.size()) {
      cv_.wait(lock, [&] { return !chunks_.empty() || closed_ || cancelled_; });
      if (cancelled_) return -1;
      if (chunks_.empty()) return 0;  // closed and drained
      current_ = std::move(chunks_.front());
      chunks_.pop_front();
      pos_ = 0;
      cv_.notify_all();
    }
    size_t n = std::min<size_t>(len, current_.size() - pos_);
    std::memcpy(buf, current_.data() + pos_, n);
    pos_ += n;
    return static_cast<int>(n);
  }
  // Consumer: the statement has ended; producers stop waiting.
  void Finish() {
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
    cv_.notify_all();
  }

 private:
  static constexpr size_t kMaxChunks = 4;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  std::string current_;  // consumer's chunk being read
  size_t pos_ = 0;
  bool closed_ = false, cancelled_ = false, finished_ = false;
};

// libmariadb's LOCAL INFILE callbacks, reading from the ChunkQueue given as userdata.
int InfileInit(void** ptr, const char*, void* userdata) {
  *ptr = userdata;
  return 0;
}
int InfileRead(void* ptr, char* buf, unsigned len) {
  return static_cast<ChunkQueue*>(ptr)->Read(buf, len);
}
void InfileEnd(void*) {}
int InfileError(void*, char* msg, unsigned len) {
  std::snprintf(msg, len, "the rows being loaded were abandoned by cutover");
  return CR_UNKNOWN_ERROR;
}

enum class LoadMethod { kInfile, kInsert };

// CUTOVER_MARIA_LOAD=insert selects multi-row INSERTs instead of LOAD DATA LOCAL, for the
// benchmark that compares them (bench/macro/maria_load_methods.sh).
LoadMethod ConfiguredLoadMethod() {
  const char* env = std::getenv("CUTOVER_MARIA_LOAD");
  return env && std::string(env) == "insert" ? LoadMethod::kInsert : LoadMethod::kInfile;
}

class MariaTableLoader : public TableLoader {
 public:
  MariaTableLoader(std::unique_ptr<MariaConn> conn, std::string task, const TableSchema& table,
                   TablePlan plan, LoadMethod method, size_t max_packet)
      : conn_(std::move(conn)),
        task_(std::move(task)),
        table_(table),
        plan_(std::move(plan)),
        method_(method),
        statement_bytes_(std::min<size_t>(kStatementBytes, max_packet / 2)),
        what_("table " + table.name.ToString()) {}

  ~MariaTableLoader() override {
    if (thread_.joinable()) {
      queue_.Close(/*cancel=*/true);  // abandoned without Commit: the LOAD fails, nothing stays
      thread_.join();
    }
  }

  Status Start() {
    if (method_ == LoadMethod::kInsert) return Status::Ok();
    std::string sql = "LOAD DATA LOCAL INFILE 'cutover-stream' INTO TABLE " + plan_.qualified +
                      " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\'"
                      " LINES TERMINATED BY '\\n' (";
    std::string set;
    for (size_t i = 0; i < table_.columns.size(); ++i) {
      if (i) sql += ", ";
      std::string ident = MariaConn::QuoteIdent(table_.columns[i].name);
      if (plan_.columns[i].is_bit) {  // LOAD DATA would store the digits' bytes in a BIT column
        std::string var = "@c" + std::to_string(i);
        sql += var;
        set += (set.empty() ? " SET " : ", ") + ident + " = CAST(" + var + " AS UNSIGNED)";
      } else {
        sql += ident;
      }
    }
    sql += ")" + set;
    mysql_set_local_infile_handler(conn_->raw(), InfileInit, InfileRead, InfileEnd, InfileError,
                                   &queue_);
    thread_ = std::thread([this, sql = std::move(sql)] {
      if (mysql_real_query(conn_->raw(), sql.data(), sql.size()) != 0) {
        load_status_ = conn_->LastError(what_ + ": LOAD DATA LOCAL INFILE");
      } else {
        loaded_rows_ = static_cast<int64_t>(mysql_affected_rows(conn_->raw()));
        warnings_ = mysql_warning_count(conn_->raw());
      }
      queue_.Finish();
    });
    buf_.reserve(kChunkBytes + 4096);
    return Status::Ok();
  }

  Status Write(const std::vector<Value>& row) override {
    ++rows_sent_;
    if (method_ == LoadMethod::kInsert) return WriteInsert(row);
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) buf_.push_back('\t');
      Result<MariaText> how = Encode(plan_, table_, row, i, scratch_);
      if (!how.ok()) return how.status();
      if (*how == MariaText::kNull) {
        buf_ += "\\N";
        continue;
      }
      for (char ch : scratch_) {
        switch (ch) {
          case '\\':
            buf_ += "\\\\";
            break;
          case '\t':
            buf_ += "\\t";
            break;
          case '\n':
            buf_ += "\\n";
            break;
          case '\0':
            buf_ += "\\0";
            break;
          default:
            buf_.push_back(ch);
        }
      }
    }
    buf_.push_back('\n');
    if (buf_.size() >= kChunkBytes) return PushChunk();
    return Status::Ok();
  }

  Status Commit(const Position& snapshot, int64_t rows) override {
    if (method_ == LoadMethod::kInsert) {
      RETURN_IF_ERROR(FlushInsert());
    } else {
      RETURN_IF_ERROR(PushChunk());
      queue_.Close(/*cancel=*/false);
      thread_.join();
      RETURN_IF_ERROR(load_status_);
      RETURN_IF_ERROR(CheckStored(loaded_rows_, warnings_, "LOAD DATA"));
    }
    if (rows != rows_sent_)
      return Internal(what_ + ": " + std::to_string(rows_sent_) + " rows written but " +
                      std::to_string(rows) + " reported");
    RETURN_IF_ERROR(conn_->Exec(
        "INSERT INTO " + MariaConn::QuoteIdent(conn_->uri().database) + "." + kTableStateTable +
            " (task, table_schema, table_name, snapshot_position, `rows`, loaded_at) VALUES (" +
            conn_->QuoteLiteral(task_) + ", " + conn_->QuoteLiteral(table_.name.schema) + ", " +
            conn_->QuoteLiteral(table_.name.name) + ", " + conn_->QuoteLiteral(snapshot.text) +
            ", " + std::to_string(rows) +
            ", UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE snapshot_position = "
            "VALUES(snapshot_position), `rows` = VALUES(`rows`), loaded_at = VALUES(loaded_at)",
        what_ + ": recording load state"));
    return conn_->Exec("COMMIT", what_ + ": COMMIT");
  }

 private:
  static constexpr size_t kChunkBytes = 256 * 1024;
  static constexpr size_t kStatementBytes = 4 * 1024 * 1024;

  Status PushChunk() {
    if (buf_.empty()) return Status::Ok();
    std::string chunk;
    chunk.reserve(kChunkBytes + 4096);
    chunk.swap(buf_);
    if (queue_.Push(std::move(chunk))) return Status::Ok();
    thread_.join();  // the statement ended early: its error says why
    RETURN_IF_ERROR(load_status_);
    return Internal(what_ + ": LOAD DATA ended before every row was sent");
  }

  // LOAD DATA LOCAL skips duplicate keys and turns bad values into warnings (it cannot stop the
  // client's stream), and a multi-row INSERT may warn too: any difference fails the table.
  Status CheckStored(int64_t stored, unsigned warnings, const char* how) {
    if (warnings > 0) {
      auto w = conn_->Query("SHOW WARNINGS LIMIT 1", what_ + ": reading warnings");
      std::string first = w.ok() && !w->rows.empty() && w->rows[0].size() >= 3
                              ? w->rows[0][2].value_or("") + " (" + w->rows[0][1].value_or("") + ")"
                              : "(warning text unavailable)";
      return InvalidArgument(
          what_ + ": " + how + " reported " + std::to_string(warnings) +
          " warning(s), the target would not hold the rows exactly; first: " + first);
    }
    if (stored != statement_rows_sent()) {
      return FailedPrecondition(what_ + ": " + how + " stored " + std::to_string(stored) + " of " +
                                std::to_string(statement_rows_sent()) +
                                " rows (rows with the same key already in the target table?)");
    }
    return Status::Ok();
  }
  int64_t statement_rows_sent() const {
    return method_ == LoadMethod::kInsert ? insert_rows_ : rows_sent_;
  }

  Status WriteInsert(const std::vector<Value>& row) {
    if (insert_.empty())
      insert_ = "INSERT INTO " + plan_.qualified + " (" + plan_.column_list + ") VALUES ";
    else
      insert_ += ", ";
    RETURN_IF_ERROR(AppendRowTuple(insert_, plan_, table_, row, scratch_));
    ++insert_rows_;
    if (insert_.size() >= statement_bytes_) return FlushInsert();
    return Status::Ok();
  }

  Status FlushInsert() {
    if (insert_.empty()) return Status::Ok();
    // Not MariaConn::Exec: its draining of further results resets the affected-row count.
    if (mysql_real_query(conn_->raw(), insert_.data(), insert_.size()) != 0)
      return conn_->LastError(what_ + ": INSERT of " + std::to_string(insert_rows_) + " rows");
    RETURN_IF_ERROR(CheckStored(static_cast<int64_t>(mysql_affected_rows(conn_->raw())),
                                mysql_warning_count(conn_->raw()), "INSERT"));
    insert_.clear();
    insert_rows_ = 0;
    return Status::Ok();
  }

  std::unique_ptr<MariaConn> conn_;
  std::string task_;
  TableSchema table_;
  TablePlan plan_;
  LoadMethod method_;
  size_t statement_bytes_;
  std::string what_;
  int64_t rows_sent_ = 0;
  std::string scratch_;
  // LOAD DATA
  ChunkQueue queue_;
  std::thread thread_;
  std::string buf_;
  Status load_status_;       // written by the loader thread, read after join
  int64_t loaded_rows_ = 0;  // idem
  unsigned warnings_ = 0;    // idem
  // INSERT
  std::string insert_;
  int64_t insert_rows_ = 0;
};

Result<size_t> MaxAllowedPacket(MariaConn& conn) {
  ASSIGN_OR_RETURN(MariaRows r,
                   conn.Query("SELECT @@max_allowed_packet", "reading max_allowed_packet"));
  if (r.rows.empty() || !r.rows[0][0])
    return Internal("SELECT @@max_allowed_packet returned nothing");
  return static_cast<size_t>(std::stoull(*r.rows[0][0]));
}

// ---------------------------------------------------------------------------------------------
// CDC apply

class MariaApplier : public Applier {
 public:
  MariaApplier(std::unique_ptr<MariaConn> conn, std::string task, size_t max_packet,
               std::string uri, SinkOptions options)
      : conn_(std::move(conn)),
        task_(std::move(task)),
        uri_(std::move(uri)),
        options_(options),
        db_(conn_->uri().database),
        packet_bytes_(std::min<size_t>(kPacketBytes, max_packet - 1024)),
        statement_bytes_(std::min<size_t>(kStatementBytes, packet_bytes_)),
        max_statement_(max_packet - 1024) {}

  Status Init() {
    if (mysql_set_server_option(conn_->raw(), MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0)
      return conn_->LastError("enabling multi-statement packets on the apply connection");
    return Status::Ok();
  }

  Status Begin() override { return Queue("START TRANSACTION", Text("START TRANSACTION")); }

  Status Apply(const Change& c) override {
    switch (c.op) {
      case ChangeOp::kRead:
      case ChangeOp::kInsert:
        return ApplyInsert(c);
      case ChangeOp::kUpdate:
        return ApplyUpdate(c);
      case ChangeOp::kDelete:
        return ApplyDelete(c);
      case ChangeOp::kTruncate:
        return ApplyTruncate(c);
    }
    return Internal("unknown change op");
  }

  Status ApplyBatch(const TableBatch& b) override {
    const TableSchema& t = *b.table;
    const TablePlan& plan = PlanOf(b.table);
    bulk_target_ = plan.target;
    if (!b.deletes.empty()) RETURN_IF_ERROR(BulkDelete(t, plan, b.deletes));
    if (!b.updates.empty()) {
      // Rows with the same unchanged (TOAST) columns share a statement.
      std::unordered_map<std::string, std::vector<const std::vector<Value>*>> by_mask;
      for (const auto& row : b.updates) {
        std::string mask(row.size(), '1');
        for (size_t i = 0; i < row.size(); ++i)
          if (row[i].is_unchanged()) mask[i] = '0';
        by_mask[mask].push_back(&row);
      }
      for (auto& [mask, rows] : by_mask) RETURN_IF_ERROR(BulkUpsert(t, plan, mask, rows));
    }
    if (!b.inserts.empty()) RETURN_IF_ERROR(BulkInsert(t, plan, b.inserts));
    return Status::Ok();
  }

  // One statement on the child table, queued like any change; when the caller needs the touched
  // rows' values, the packet is sent and a SELECT ... FOR UPDATE reads them first.
  Result<std::vector<std::vector<Value>>> ApplyReferential(const ReferentialStep& st) override {
    const TableSchema& t = *st.table;
    const TablePlan& plan = PlanOf(st.table);
    std::string where = " WHERE ";
    for (size_t j = 0; j < st.columns.size(); ++j) {
      where += (j ? " AND " : "") + MariaConn::QuoteIdent(t.columns[st.columns[j]].name) + " = ";
      RETURN_IF_ERROR(AppendMatchValue(where, plan, t, st.columns[j], st.match[j], scratch_));
    }
    std::string what =
        std::string(st.kind == ReferentialStep::Kind::kDelete ? "delete" : "update") + " on " +
        t.name.ToString() + " by foreign key " + st.constraint;
    std::vector<std::vector<Value>> rows;
    if (!st.returning.empty()) {
      RETURN_IF_ERROR(Flush());
      std::string sql = "SELECT ";
      for (size_t j = 0; j < st.returning.size(); ++j)
        sql += (j ? ", " : "") + MariaConn::QuoteIdent(t.columns[st.returning[j]].name);
      sql += " FROM " + plan.qualified + where + " FOR UPDATE";
      RETURN_IF_ERROR(ReadRows(sql, "reading the rows of the " + what, rows));
    }
    if (st.kind == ReferentialStep::Kind::kDelete) {
      stmt_ = "DELETE FROM " + plan.qualified + where;
    } else {
      stmt_ = "UPDATE " + plan.qualified + " SET ";
      for (size_t j = 0; j < st.columns.size(); ++j) {
        stmt_ += (j ? ", " : "") + MariaConn::QuoteIdent(t.columns[st.columns[j]].name) + " = ";
        if (st.kind == ReferentialStep::Kind::kSetNull)
          stmt_ += "NULL";
        else
          RETURN_IF_ERROR(AppendMatchValue(stmt_, plan, t, st.columns[j], st.values[j], scratch_));
      }
      stmt_ += where;
    }
    RETURN_IF_ERROR(Queue(stmt_, Text(what)));
    return rows;
  }

  Status Commit(const Position& applied) override {
    std::string sql = "INSERT INTO " + MariaConn::QuoteIdent(db_) + "." + kCheckpointTable +
                      " (task, position, updated_at) VALUES (";
    AppendLiteral(sql, MariaText::kString, task_);
    sql += ", ";
    AppendLiteral(sql, MariaText::kString, applied.text);
    sql +=
        ", UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE position = VALUES(position), updated_at = "
        "VALUES(updated_at)";
    // The changes first, on their own: a statement MariaDB adjusted (a warning or Note) must stop
    // the task before the COMMIT is sent, not in the same packet after it.
    RETURN_IF_ERROR(Flush());
    RETURN_IF_ERROR(Queue(sql, Text("writing checkpoint " + applied.text)));
    RETURN_IF_ERROR(Queue("COMMIT", Text("COMMIT at " + applied.text)));
    return Flush();
  }

 private:
  static constexpr size_t kPacketBytes = 4 * 1024 * 1024;
  static constexpr size_t kStatementBytes = 1024 * 1024;
  static constexpr size_t kFlushStatements = 1000;
  static constexpr size_t kBulkRows = 1000;

  // What a statement in the packet does and how its result is checked. Row changes keep their
  // table and key and are formatted only if a message needs them.
  enum class Check : uint8_t {
    kNone,
    kDeleted,   // affected rows must equal `expected`
    kMatched,   // UPDATE: "Rows matched" must equal `expected`
    kUpserted,  // INSERT ... ON DUPLICATE KEY UPDATE: every row must have existed
  };
  struct Pending {
    std::string what;
    ChangeOp op = ChangeOp::kInsert;
    TableSchemaPtr table;  // set for a row change
    std::vector<Value> key;
    Check check = Check::kNone;
    int64_t expected = 0;
    TableName about;  // the target table a statement writes, when known (lock-wait messages)

    std::string Describe() const {
      if (!table) return what;
      std::string s = std::string(ChangeOpName(op)) + " on " + table->name.ToString() + " key (";
      for (size_t i = 0; i < key.size(); ++i) s += (i ? ", " : "") + key[i].DebugString();
      return s + ")";
    }
  };

  static Pending Text(std::string what, Check check = Check::kNone, int64_t expected = 0) {
    Pending p;
    p.what = std::move(what);
    p.check = check;
    p.expected = expected;
    return p;
  }

  static Pending RowChange(const Change& c, const std::vector<Value>& key_source, Check check) {
    Pending p;
    p.op = c.op;
    p.table = c.table;
    p.check = check;
    p.expected = 1;
    for (size_t k : c.table->key) p.key.push_back(key_source[k]);
    return p;
  }

  const TablePlan& PlanOf(const TableSchemaPtr& t) {
    auto it = plans_.find(t.get());
    if (it == plans_.end()) it = plans_.emplace(t.get(), PlanEntry{t, MakePlan(*t, db_)}).first;
    return it->second.plan;
  }

  // `WHERE k1 = v1 AND k2 = v2` for the key of `src`.
  Status AppendKeyMatch(std::string& sql, const TableSchema& t, const TablePlan& plan,
                        const std::vector<Value>& src) {
    sql += " WHERE ";
    for (size_t j = 0; j < t.key.size(); ++j) {
      size_t k = t.key[j];
      sql += (j ? " AND " : "") + MariaConn::QuoteIdent(t.columns[k].name) + " = ";
      RETURN_IF_ERROR(AppendValue(sql, plan, t, src, k, scratch_));
    }
    return Status::Ok();
  }

  const std::vector<Value>& KeySource(const Change& c) const {
    return c.before.empty() ? c.after : c.before;
  }

  Status ApplyInsert(const Change& c) {
    const TableSchema& t = *c.table;
    const TablePlan& plan = PlanOf(c.table);
    stmt_ = "INSERT INTO " + plan.qualified + " (" + plan.column_list + ") VALUES ";
    RETURN_IF_ERROR(AppendRowTuple(stmt_, plan, t, c.after, scratch_));
    return Queue(stmt_, RowChange(c, c.after, Check::kNone));
  }

  Status ApplyUpdate(const Change& c) {
    const TableSchema& t = *c.table;
    const TablePlan& plan = PlanOf(c.table);
    stmt_ = "UPDATE " + plan.qualified + " SET ";
    int n = 0;
    for (size_t i = 0; i < c.after.size(); ++i) {
      if (c.after[i].is_unchanged()) continue;
      stmt_ += (n++ ? ", " : "") + MariaConn::QuoteIdent(t.columns[i].name) + " = ";
      RETURN_IF_ERROR(AppendValue(stmt_, plan, t, c.after, i, scratch_));
    }
    if (n == 0) return Status::Ok();
    RETURN_IF_ERROR(AppendKeyMatch(stmt_, t, plan, KeySource(c)));
    return Queue(stmt_, RowChange(c, KeySource(c), Check::kMatched));
  }

  Status ApplyDelete(const Change& c) {
    const TableSchema& t = *c.table;
    const TablePlan& plan = PlanOf(c.table);
    stmt_ = "DELETE FROM " + plan.qualified;
    RETURN_IF_ERROR(AppendKeyMatch(stmt_, t, plan, KeySource(c)));
    return Queue(stmt_, RowChange(c, KeySource(c), Check::kDeleted));
  }

  // TRUNCATE TABLE would commit the open transaction: DELETE keeps it atomic.
  Status ApplyTruncate(const Change& c) {
    for (const TableSchemaPtr& t : c.truncated) {
      RETURN_IF_ERROR(
          Queue("DELETE FROM " + PlanOf(t).qualified, Text("truncate of " + t->name.ToString())));
    }
    return Status::Ok();
  }

  // Multi-row statements: `head` + tuples (+ `tail`), cut every kBulkRows rows or
  // statement_bytes_. `tuple(row, out)` appends one row's part.
  template <typename Rows, typename Tuple>
  Status Bulk(const Rows& rows, const std::string& head, const std::string& tail,
              const std::string& what, Check check, Tuple tuple) {
    size_t n = 0;
    stmt_.clear();
    auto flush = [&]() -> Status {
      if (n == 0) return Status::Ok();
      stmt_ += tail;
      Pending p =
          Text(what + " of " + std::to_string(n) + " row(s)", check, static_cast<int64_t>(n));
      p.about = bulk_target_;
      Status s = Queue(stmt_, std::move(p));
      stmt_.clear();
      n = 0;
      return s;
    };
    for (const auto& row : rows) {
      stmt_ += n == 0 ? head : ", ";
      RETURN_IF_ERROR(tuple(row, stmt_));
      if (++n >= kBulkRows || stmt_.size() >= statement_bytes_) RETURN_IF_ERROR(flush());
    }
    return flush();
  }

  Status BulkInsert(const TableSchema& t, const TablePlan& plan,
                    const std::vector<std::vector<Value>>& rows) {
    return Bulk(rows, "INSERT INTO " + plan.qualified + " (" + plan.column_list + ") VALUES ", "",
                "insert into " + t.name.ToString(), Check::kNone,
                [&](const std::vector<Value>& row, std::string& out) {
                  return AppendRowTuple(out, plan, t, row, scratch_);
                });
  }

  Status BulkDelete(const TableSchema& t, const TablePlan& plan,
                    const std::vector<std::vector<Value>>& rows) {
    std::string head = "DELETE FROM " + plan.qualified + " WHERE (";
    for (size_t j = 0; j < t.key.size(); ++j)
      head += (j ? ", " : "") + MariaConn::QuoteIdent(t.columns[t.key[j]].name);
    head += ") IN (";
    return Bulk(rows, head, ")", "delete from " + t.name.ToString(), Check::kDeleted,
                [&](const std::vector<Value>& row, std::string& out) -> Status {
                  out.push_back('(');
                  for (size_t j = 0; j < t.key.size(); ++j) {
                    if (j) out += ", ";
                    RETURN_IF_ERROR(AppendValue(out, plan, t, row, t.key[j], scratch_));
                  }
                  out.push_back(')');
                  return Status::Ok();
                });
  }

  // Updates of existing rows as INSERT ... ON DUPLICATE KEY UPDATE of the changed columns: the
  // key and the changed columns go in, Unchanged columns are neither inserted nor updated.
  Status BulkUpsert(const TableSchema& t, const TablePlan& plan, const std::string& mask,
                    const std::vector<const std::vector<Value>*>& rows) {
    std::vector<size_t> cols, set_cols;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.IsKeyColumn(c)) {
        cols.push_back(c);
      } else if (mask[c] == '1') {
        cols.push_back(c);
        set_cols.push_back(c);
      }
    }
    if (set_cols.empty()) return Status::Ok();  // nothing but the key: the row is unchanged
    std::string head = "INSERT INTO " + plan.qualified + " (";
    for (size_t j = 0; j < cols.size(); ++j)
      head += (j ? ", " : "") + MariaConn::QuoteIdent(t.columns[cols[j]].name);
    head += ") VALUES ";
    std::string tail = " ON DUPLICATE KEY UPDATE ";
    for (size_t j = 0; j < set_cols.size(); ++j) {
      std::string ident = MariaConn::QuoteIdent(t.columns[set_cols[j]].name);
      tail += (j ? ", " : "") + ident + " = VALUES(" + ident + ")";
    }
    return Bulk(rows, head, tail, "update of " + t.name.ToString(), Check::kUpserted,
                [&](const std::vector<Value>* row, std::string& out) -> Status {
                  out.push_back('(');
                  for (size_t j = 0; j < cols.size(); ++j) {
                    if (j) out += ", ";
                    RETURN_IF_ERROR(AppendValue(out, plan, t, *row, cols[j], scratch_));
                  }
                  out.push_back(')');
                  return Status::Ok();
                });
  }

  // Appends one statement to the packet, sending the packet first if it would grow too big.
  Status Queue(const std::string& sql, Pending what) {
    if (sql.size() > max_statement_) {
      return FailedPrecondition(what.Describe() + ": the statement needs " +
                                std::to_string(sql.size()) +
                                " bytes, more than the target's max_allowed_packet allows; raise "
                                "max_allowed_packet on the target");
    }
    if (!packet_.empty() && packet_.size() + sql.size() + 1 > packet_bytes_)
      RETURN_IF_ERROR(Flush());
    if (!packet_.empty()) packet_.push_back(';');
    packet_ += sql;
    pending_.push_back(std::move(what));
    if (pending_.size() >= kFlushStatements) return Flush();
    return Status::Ok();
  }

  // Sends the packet and reads one result per statement. The server stops at the first failing
  // statement; its error, with what the statement did, is returned.
  Status Flush() {
    if (pending_.empty()) return Status::Ok();
    MYSQL* m = conn_->raw();
    Status first;
    Status adjusted;  // the first statement the server reported warnings (or Notes) for
    size_t i = 0;
    TableName about;
    if (mysql_real_query(m, packet_.data(), packet_.size()) != 0) {
      first = conn_->LastError(pending_[0].Describe());
      about = AboutOf(pending_[0]);
    } else {
      for (;;) {
        if (MYSQL_RES* res = mysql_store_result(m)) mysql_free_result(res);
        if (i < pending_.size()) CheckResult(pending_[i]);
        if (unsigned w = mysql_warning_count(m); w > 0 && adjusted.ok()) {
          adjusted = FailedPrecondition(
              (i < pending_.size() ? pending_[i].Describe() : std::string("applying changes")) +
              ": MariaDB reported " + std::to_string(w) +
              " warning(s): it would not store the values exactly (a value cutover does not "
              "check before sending); nothing of this target transaction is committed");
        }
        ++i;
        int next = mysql_next_result(m);
        if (next == -1) break;
        if (next > 0) {
          first =
              conn_->LastError(i < pending_.size() ? pending_[i].Describe() : "applying changes");
          if (i < pending_.size()) about = AboutOf(pending_[i]);
          break;
        }
      }
    }
    packet_.clear();
    pending_.clear();
    if (!about.name.empty()) return ExplainLockWait(uri_, options_, first, about);
    return first.ok() ? adjusted : first;
  }

  TableName AboutOf(const Pending& p) { return p.table ? PlanOf(p.table).target : p.about; }

  // Runs a SELECT (the packet is empty) and returns its rows as values AppendValue gives back
  // exactly: integers and decimals as numbers, binary strings as bytes, the rest as text
  // literals the server converts to the column's type.
  Status ReadRows(const std::string& sql, const std::string& what,
                  std::vector<std::vector<Value>>& rows) {
    MYSQL* m = conn_->raw();
    if (mysql_real_query(m, sql.data(), sql.size()) != 0) return conn_->LastError(what);
    MYSQL_RES* res = mysql_store_result(m);
    if (!res) return conn_->LastError(what);
    unsigned n = mysql_num_fields(res);
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
      unsigned long* lengths = mysql_fetch_lengths(res);
      auto& out = rows.emplace_back();
      for (unsigned i = 0; i < n; ++i) {
        if (!row[i]) {
          out.push_back(Value::Null());
          continue;
        }
        std::string text(row[i], lengths[i]);
        const MYSQL_FIELD* f = mysql_fetch_field_direct(res, i);
        switch (f->type) {
          case MYSQL_TYPE_TINY:
          case MYSQL_TYPE_SHORT:
          case MYSQL_TYPE_INT24:
          case MYSQL_TYPE_LONG:
          case MYSQL_TYPE_LONGLONG:
            if (f->flags & UNSIGNED_FLAG)
              out.push_back(Value::UInt64(std::strtoull(text.c_str(), nullptr, 10)));
            else
              out.push_back(Value::Int64(std::strtoll(text.c_str(), nullptr, 10)));
            break;
          case MYSQL_TYPE_DECIMAL:
          case MYSQL_TYPE_NEWDECIMAL:
            out.push_back(Value::String(ValueKind::kDecimal, std::move(text)));
            break;
          case MYSQL_TYPE_STRING:
          case MYSQL_TYPE_VAR_STRING:
          case MYSQL_TYPE_VARCHAR:
          case MYSQL_TYPE_TINY_BLOB:
          case MYSQL_TYPE_MEDIUM_BLOB:
          case MYSQL_TYPE_LONG_BLOB:
          case MYSQL_TYPE_BLOB:
            out.push_back(Value::String(f->charsetnr == 63 ? ValueKind::kBytes : ValueKind::kText,
                                        std::move(text)));
            break;
          default:
            out.push_back(Value::String(ValueKind::kText, std::move(text)));
        }
      }
    }
    mysql_free_result(res);
    return Status::Ok();
  }

  void CheckResult(const Pending& p) {
    if (p.check == Check::kNone) return;
    MYSQL* m = conn_->raw();
    int64_t missing = 0;
    switch (p.check) {
      case Check::kDeleted:
        missing = p.expected - static_cast<int64_t>(mysql_affected_rows(m));
        break;
      case Check::kMatched: {
        int64_t matched = InfoNumber(mysql_info(m), "Rows matched: ");
        if (matched >= 0) missing = p.expected - matched;
        break;
      }
      case Check::kUpserted: {
        // Multi-row: "Records: N  Duplicates: D"; a single row: 1 affected row = inserted.
        const char* info = mysql_info(m);
        int64_t records = InfoNumber(info, "Records: ");
        int64_t dups = InfoNumber(info, "Duplicates: ");
        if (records >= 0 && dups >= 0)
          missing = records - dups;
        else if (p.expected == 1)
          missing = mysql_affected_rows(m) == 1 ? 1 : 0;
        break;
      }
      case Check::kNone:
        break;
    }
    if (missing <= 0) return;
    missing_rows_ += missing;
    if (++missing_reports_ <= 10) {
      Log(LogLevel::kWarn,
          "{}: {} of {} target row(s) not found (the target differs from the source){}",
          p.Describe(), missing, p.expected,
          p.check == Check::kUpserted ? "; they were inserted with the changed columns" : "");
    }
  }

  struct PlanEntry {
    TableSchemaPtr keep;  // keeps the key pointer valid
    TablePlan plan;
  };

  std::unique_ptr<MariaConn> conn_;
  std::string task_;
  std::string uri_;
  SinkOptions options_;
  TableName bulk_target_;  // the target table of the batch being applied
  std::string db_;
  size_t packet_bytes_;
  size_t statement_bytes_;
  size_t max_statement_;
  std::unordered_map<const TableSchema*, PlanEntry> plans_;
  std::string packet_;
  std::vector<Pending> pending_;
  std::string stmt_;
  std::string scratch_;
  int64_t missing_rows_ = 0;
  int64_t missing_reports_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

MariaSink::MariaSink(std::string uri, SinkOptions options)
    : uri_(std::move(uri)), options_(options) {}

// Pre-created target tables: their generated columns against the source's (generated_columns.h).
static Status CheckPrecreatedGenerated(MariaConn& conn, const std::vector<TableSchemaPtr>& tables,
                                       StartReport& problems) {
  for (const TableSchemaPtr& t : tables) {
    TableName target = MakePlan(*t, conn.uri().database).target;
    ASSIGN_OR_RETURN(MariaRows r,
                     conn.Query("SELECT COLUMN_NAME, IS_GENERATED FROM information_schema.COLUMNS "
                                "WHERE TABLE_SCHEMA = " +
                                    conn.QuoteLiteral(target.schema) +
                                    " AND TABLE_NAME = " + conn.QuoteLiteral(target.name),
                                "target table " + target.ToString() + ": reading columns"));
    std::vector<TargetColumn> columns;
    for (const auto& row : r.rows)
      columns.push_back({row[0].value_or(""), row[1].value_or("NEVER") == "ALWAYS"});
    CheckPrecreatedColumns(*t, target, columns, true, problems);
  }
  return Status::Ok();
}

std::vector<std::string> MariaSink::MappingWarnings(const TableSchema& table) const {
  std::vector<std::string> out;
  for (const MariaTargetColumn& tc : PlanMariaTable(table))
    if (!tc.warning.empty()) out.push_back(tc.warning);
  return out;
}

Result<std::unique_ptr<TableLoader>> MariaSink::BeginTableLoad(const std::string& task,
                                                               const TableSchema& table,
                                                               TablePrep prep) {
  LoadMethod method = ConfiguredLoadMethod();
  // Tables are loaded in parallel in any order: foreign keys of existing target tables must not
  // reject rows whose parents arrive later (the session has foreign_key_checks = 0).
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "load", /*writes_rows=*/true,
                                            MariaConnectOptions{.local_infile = true}));
  TablePlan plan = MakePlan(table, conn->uri().database);
  std::string what = "target table " + plan.target.ToString();
  ASSIGN_OR_RETURN(size_t max_packet, MaxAllowedPacket(*conn));
  if (method == LoadMethod::kInfile) {
    ASSIGN_OR_RETURN(MariaRows r,
                     conn->Query("SELECT @@local_infile", what + ": checking local_infile"));
    if (!r.rows.empty() && r.rows[0][0] == std::optional<std::string>("0")) {
      Log(LogLevel::kInfo, "{}: the target has local_infile=OFF, loading with INSERT statements",
          plan.target.ToString());
      method = LoadMethod::kInsert;
    }
  }
  // DDL commits implicitly in MariaDB, so the table is prepared before its load transaction.
  switch (prep) {
    case TablePrep::kDropAndCreate: {
      std::string ddl = "CREATE TABLE " + plan.qualified + " (";
      for (size_t i = 0; i < table.columns.size(); ++i) {
        const Column& c = table.columns[i];
        ddl += MariaConn::QuoteIdent(c.name) + " " + plan.columns[i].ddl_type;
        if (!c.nullable || table.IsKeyColumn(i)) ddl += " NOT NULL";
        ddl += ", ";
      }
      for (const Column& c : table.computed) {  // columns the target computes itself
        ASSIGN_OR_RETURN(std::string expr, TranslateGeneratedExpression(table, c, engine()));
        ddl += MariaConn::QuoteIdent(c.name) + " " +
               PlanMariaColumn(c, table.engine, false).ddl_type + " GENERATED ALWAYS AS (" + expr +
               ") " + (c.generated_stored ? "STORED" : "VIRTUAL") + ", ";
      }
      // Foreign keys with actions are looked up by their columns (ForeignKey::HasAction).
      for (const ForeignKey& fk : table.foreign_keys) {
        if (!fk.HasAction()) continue;
        ddl += "KEY (";
        for (size_t j = 0; j < fk.columns.size(); ++j)
          ddl += (j ? ", " : "") + MariaConn::QuoteIdent(table.columns[fk.columns[j]].name);
        ddl += "), ";
      }
      if (!table.key.empty()) {
        ddl += "PRIMARY KEY (";
        for (size_t j = 0; j < table.key.size(); ++j)
          ddl += (j ? ", " : "") + MariaConn::QuoteIdent(table.columns[table.key[j]].name);
        ddl += ")";
      } else {
        ddl.resize(ddl.size() - 2);
      }
      ddl += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin";
      // Dropped by PrepareTables already; a no-op then.
      RETURN_IF_ERROR(conn->Exec("DROP TABLE IF EXISTS " + plan.qualified, what + ": dropping"));
      RETURN_IF_ERROR(conn->Exec(ddl, what + ": creating table"));
      break;
    }
    case TablePrep::kTruncate:  // emptied by PrepareTables, from one session
    case TablePrep::kDoNothing:
      break;
  }
  RETURN_IF_ERROR(conn->Exec("START TRANSACTION", what + ": START TRANSACTION"));
  auto loader = std::make_unique<MariaTableLoader>(std::move(conn), task, table, std::move(plan),
                                                   method, max_packet);
  RETURN_IF_ERROR(loader->Start());
  return std::unique_ptr<TableLoader>(std::move(loader));
}

Result<std::unique_ptr<Applier>> MariaSink::OpenApplier(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "apply", /*writes_rows=*/true));
  RETURN_IF_ERROR(CreateControlTables(*conn, conn->uri().database));
  ASSIGN_OR_RETURN(size_t max_packet, MaxAllowedPacket(*conn));
  auto applier = std::make_unique<MariaApplier>(std::move(conn), task, max_packet, uri_, options_);
  RETURN_IF_ERROR(applier->Init());
  return std::unique_ptr<Applier>(std::move(applier));
}

Status MariaSink::CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                              TablePrep prep, StartReport& problems) {
  (void)task;
  if (tables.empty() || !TriggersSurvive(prep)) return Status::Ok();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "check", /*writes_rows=*/false));
  const std::string& db = conn->uri().database;
  std::string names;
  for (const auto& t : tables)
    names += (names.empty() ? "" : ", ") + conn->QuoteLiteral(MakePlan(*t, db).target.name);
  ASSIGN_OR_RETURN(
      MariaRows r,
      conn->Query("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION "
                  "FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = " +
                      conn->QuoteLiteral(db) + " AND EVENT_OBJECT_TABLE IN (" + names +
                      ") ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME",
                  "looking up triggers of the task's target tables"));
  std::vector<TargetTrigger> triggers;
  for (const auto& row : r.rows) {
    TargetTrigger t;
    t.name = row[0].value_or("");
    t.table = TableName{db, row[1].value_or("")};
    t.event = row[2].value_or("") + " " + row[3].value_or("");
    t.show_definition =
        "SHOW CREATE TRIGGER " + MariaConn::QuoteIdent(db) + "." + MariaConn::QuoteIdent(t.name);
    triggers.push_back(std::move(t));
  }
  RefuseTriggers(triggers, "MariaDB", problems);
  RETURN_IF_ERROR(CheckPrecreatedGenerated(*conn, tables, problems));
  return Status::Ok();
}

Status MariaSink::PrepareTables(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                                TablePrep prep) {
  (void)task;
  if (tables.empty() || prep == TablePrep::kDoNothing) return Status::Ok();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "prepare", /*writes_rows=*/true));
  for (const auto& t : tables) {
    TablePlan plan = MakePlan(*t, conn->uri().database);
    std::string what = "target table " + plan.target.ToString();
    Status s = prep == TablePrep::kTruncate
                   ? conn->Exec("TRUNCATE TABLE " + plan.qualified, what + ": TRUNCATE")
                   : conn->Exec("DROP TABLE IF EXISTS " + plan.qualified, what + ": dropping");
    if (!s.ok()) return ExplainLockWait(uri_, options_, s, plan.target);
  }
  return Status::Ok();
}

Result<TaskState> MariaSink::ReadTaskState(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "state", /*writes_rows=*/false));
  const std::string& db = conn->uri().database;
  RETURN_IF_ERROR(CreateControlTables(*conn, db));
  std::string qdb = MariaConn::QuoteIdent(db) + ".";
  TaskState state;
  ASSIGN_OR_RETURN(MariaRows cp, conn->Query("SELECT position FROM " + qdb + kCheckpointTable +
                                                 " WHERE task = " + conn->QuoteLiteral(task),
                                             "reading checkpoint"));
  if (!cp.rows.empty() && cp.rows[0][0]) state.applied = Position{0, 0, *cp.rows[0][0]};
  ASSIGN_OR_RETURN(
      MariaRows ts,
      conn->Query("SELECT table_schema, table_name, snapshot_position, `rows` FROM " + qdb +
                      kTableStateTable + " WHERE task = " + conn->QuoteLiteral(task),
                  "reading table state"));
  for (const auto& row : ts.rows) {
    TableLoadState s;
    s.snapshot.text = row[2].value_or("");
    s.rows = std::stoll(row[3].value_or("0"));
    state.loaded[TableName{row[0].value_or(""), row[1].value_or("")}] = s;
  }
  return state;
}

Status MariaSink::DropTask(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "task drop", /*writes_rows=*/false));
  const std::string& db = conn->uri().database;
  for (const char* table : {kCheckpointTable, kTableStateTable}) {
    ASSIGN_OR_RETURN(MariaRows exists,
                     conn->Query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                                     conn->QuoteLiteral(db) + " AND TABLE_NAME = '" + table + "'",
                                 "looking for control tables"));
    if (exists.rows.empty()) continue;
    RETURN_IF_ERROR(conn->Exec("DELETE FROM " + MariaConn::QuoteIdent(db) + "." + table +
                                   " WHERE task = " + conn->QuoteLiteral(task),
                               std::string("removing task rows from ") + table));
  }
  return Status::Ok();
}

}  // namespace cutover::mariadb
