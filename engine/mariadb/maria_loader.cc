// MariaSink's full load (maria_sink.h): the table created before its transaction (DDL commits
// implicitly), then one LOAD DATA LOCAL INFILE fed from a bounded chunk queue by a loader
// thread (or multi-row INSERTs), the table_state row, COMMIT. Under error policies that divert
// a refused row, MariaLoadApplier's multi-row INSERTs under savepoints instead (below).
#include <errmsg.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/core/generated_columns.h"
#include "engine/core/load_refusals.h"
#include "engine/core/log.h"
#include "engine/core/schema_objects.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_sink.h"
#include "engine/mariadb/maria_sink_internal.h"
#include "engine/mariadb/maria_target_types.h"

namespace cutover::mariadb {

namespace {

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

// The table_state row of a loaded table, in the open transaction.
Status RecordTableLoaded(MariaConn& conn, const std::string& task, const TableSchema& table,
                         const Position& snapshot, int64_t rows) {
  return conn.Exec(
      "INSERT INTO " + MariaConn::QuoteIdent(conn.uri().database) + "." + kTableStateTable +
          " (task, table_schema, table_name, snapshot_position, `rows`, loaded_at) VALUES (" +
          conn.QuoteLiteral(task) + ", " + conn.QuoteLiteral(table.name.schema) + ", " +
          conn.QuoteLiteral(table.name.name) + ", " + conn.QuoteLiteral(snapshot.text) + ", " +
          std::to_string(rows) +
          ", UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE snapshot_position = "
          "VALUES(snapshot_position), `rows` = VALUES(`rows`), loaded_at = VALUES(loaded_at)",
      "table " + table.name.ToString() + ": recording load state");
}

// The rows of a load under error policies that divert a refused row (engine/core/
// load_refusals.h): ApplyErrors (engine/pipeline/apply_errors.h) sends them in windows under
// savepoints of the loader's open transaction; each window is one multi-row INSERT (LOAD DATA
// cannot stop at a row: it turns refusals into warnings), sent at Flush. Its refusals are
// classified, and recorded, as the CDC applier's (maria_refusals.cc).
class MariaLoadApplier : public Applier {
 public:
  MariaLoadApplier(MariaConn& conn, const std::string& task, const TableSchema& table,
                   const TablePlan& plan, size_t statement_bytes)
      : conn_(conn),
        task_(task),
        table_(table),
        plan_(plan),
        statement_bytes_(statement_bytes),
        what_("table " + table.name.ToString()) {}

  Status Begin() override { return Internal("a load's rows have no Begin"); }
  Status Commit(const Position&) override { return Internal("a load's rows have no Commit"); }

  Status Apply(const Change& c) override {
    tuple_.clear();  // a value cutover cannot write refuses the row before anything is kept
    RETURN_IF_ERROR(AppendRowTuple(tuple_, plan_, table_, c.after, scratch_));
    if (insert_.empty())
      insert_ = "INSERT INTO " + plan_.qualified + " (" + plan_.column_list + ") VALUES ";
    else
      insert_ += ", ";
    insert_ += tuple_;
    ++buffered_;
    if (insert_.size() >= statement_bytes_) return Flush();
    return Status::Ok();
  }
  Status Flush() override {
    if (insert_.empty()) return Status::Ok();
    std::string sql;
    sql.swap(insert_);
    int64_t n = buffered_;
    buffered_ = 0;
    std::string what = what_ + ": INSERT of " + std::to_string(n) + " row(s)";
    // Not MariaConn::Exec: its draining of further results resets the affected-row count.
    if (mysql_real_query(conn_.raw(), sql.data(), sql.size()) != 0) return conn_.LastError(what);
    if (unsigned w = mysql_warning_count(conn_.raw()); w > 0) {
      return FailedPrecondition(what + ": MariaDB reported " + std::to_string(w) +
                                " warning(s): it " + kNotStoredExactly);
    }
    applied_.Flushed(n);
    return Status::Ok();
  }
  int64_t applied() const { return applied_.count(); }

  bool SupportsSavepoints() const override { return true; }
  Status Savepoint(const std::string& name) override {
    RETURN_IF_ERROR(Flush());
    applied_.Savepoint(name);
    return conn_.Exec("SAVEPOINT " + name, "savepoint " + name);
  }
  Status ReleaseSavepoint(const std::string& name) override {
    RETURN_IF_ERROR(Flush());
    return conn_.Exec("RELEASE SAVEPOINT " + name, "release of savepoint " + name);
  }
  Status RollbackToSavepoint(const std::string& name) override {
    insert_.clear();
    buffered_ = 0;
    applied_.RolledBack(name);
    return conn_.Exec("ROLLBACK TO SAVEPOINT " + name, "rollback to savepoint " + name);
  }
  ApplyErrorKind ClassifyError(const Status& s) const override { return ClassifyMariaError(s); }

  Status RecordException(const ApplyException& e) override {
    return conn_.Exec(RecordExceptionSql(conn_.uri().database, task_, e, plan_.target),
                      "recording a refused row of " + e.table->name.ToString());
  }
  Status AddChangeCounts(const std::map<TableName, TableChangeTotals>& counts) override {
    for (const auto& [table, n] : counts) {
      RETURN_IF_ERROR(conn_.Exec(AddTableStatsSql(conn_.uri().database, task_, table, n),
                                 "recording the state of " + table.ToString()));
    }
    return Status::Ok();
  }

 private:
  MariaConn& conn_;
  const std::string& task_;
  const TableSchema& table_;
  const TablePlan& plan_;
  size_t statement_bytes_;
  std::string what_;
  std::string insert_, tuple_, scratch_;
  int64_t buffered_ = 0;  // rows in insert_
  AppliedRows applied_;
};

class MariaTableLoader : public TableLoader, public LoadRefusals {
 public:
  // `range`: the loader of one range of a split load (Commit marks the range done); else the
  // whole table.
  MariaTableLoader(std::unique_ptr<MariaConn> conn, std::string task, const TableSchema& table,
                   TablePlan plan, LoadMethod method, size_t max_packet,
                   std::optional<int> range = std::nullopt)
      : range_(range),
        conn_(std::move(conn)),
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

  // Starts LOAD DATA (with the first row: a load under error policies takes none).
  Status Start() {
    started_ = true;
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
    if (!started_) RETURN_IF_ERROR(Start());
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

  Result<Applier*> ApplyRows() override {
    if (started_) return Internal(what_ + ": rows already written");
    if (!rows_)
      rows_ = std::make_unique<MariaLoadApplier>(*conn_, task_, table_, plan_, statement_bytes_);
    return rows_.get();
  }
  int64_t RowsApplied() const override { return rows_ ? rows_->applied() : 0; }
  ApplyErrorKind ClassifyError(const Status& error) const override {
    return ClassifyMariaError(error);
  }

  Status Commit(const Position& snapshot, int64_t rows) override {
    if (rows_) {
      RETURN_IF_ERROR(rows_->Flush());
      rows_sent_ = rows;  // rows the target accepted (RowsApplied)
    } else if (method_ == LoadMethod::kInsert) {
      RETURN_IF_ERROR(FlushInsert());
    } else if (started_) {
      RETURN_IF_ERROR(PushChunk());
      queue_.Close(/*cancel=*/false);
      thread_.join();
      RETURN_IF_ERROR(load_status_);
      RETURN_IF_ERROR(CheckStored(loaded_rows_, warnings_, "LOAD DATA"));
    }
    if (rows != rows_sent_)
      return Internal(what_ + ": " + std::to_string(rows_sent_) + " rows written but " +
                      std::to_string(rows) + " reported");
    const std::string& db = conn_->uri().database;
    std::string where = " WHERE task = " + conn_->QuoteLiteral(task_) +
                        " AND table_schema = " + conn_->QuoteLiteral(table_.name.schema) +
                        " AND table_name = " + conn_->QuoteLiteral(table_.name.name);
    if (range_) {
      RETURN_IF_ERROR(
          conn_->Exec("UPDATE " + MariaConn::QuoteIdent(db) + "." + kLoadRangeTable +
                          " SET snapshot_position = " + conn_->QuoteLiteral(snapshot.text) +
                          ", `rows` = " + std::to_string(rows) + ", loaded_at = UTC_TIMESTAMP(6)" +
                          where + " AND range_no = " + std::to_string(*range_),
                      what_ + ": recording range " + std::to_string(*range_) + " loaded"));
      return conn_->Exec("COMMIT", what_ + ": COMMIT");
    }
    RETURN_IF_ERROR(RecordTableLoaded(*conn_, task_, table_, snapshot, rows));
    // A whole load replaces the ranges of an earlier split load of the table.
    RETURN_IF_ERROR(
        conn_->Exec("DELETE FROM " + MariaConn::QuoteIdent(db) + "." + kLoadRangeTable + where,
                    what_ + ": removing earlier ranges"));
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

  std::optional<int> range_;
  bool started_ = false;                    // Start ran
  std::unique_ptr<MariaLoadApplier> rows_;  // ApplyRows
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
}  // namespace

// What `prep` leaves for the table's own load (kDropAndCreate: drop and create it, with its key).
// DDL commits implicitly in MariaDB, so the table is prepared before its load transaction.
Status MariaSink::CreateLoadTable(MariaConn& conn_ref, const TableSchema& table,
                                  const TablePlan& plan, TablePrep prep) {
  MariaConn* conn = &conn_ref;
  std::string what = "target table " + plan.target.ToString();
  switch (prep) {
    case TablePrep::kDropAndCreate: {
      std::string ddl = "CREATE TABLE " + plan.qualified + " (";
      for (size_t i = 0; i < table.columns.size(); ++i) {
        const Column& c = table.columns[i];
        ddl += MariaConn::QuoteIdent(c.name) + " " + plan.columns[i].ddl_type;
        if (!c.nullable || table.IsKeyColumn(i)) ddl += " NOT NULL";
        ddl += MariaColumnClause(table, i, plan) + ", ";
      }
      for (const Column& c : table.computed) {  // columns the target computes itself
        ASSIGN_OR_RETURN(std::string expr, TranslateGeneratedExpression(table, c, engine()));
        ddl += MariaConn::QuoteIdent(c.name) + " " +
               PlanMariaColumn(c, table.engine, false).ddl_type + " GENERATED ALWAYS AS (" + expr +
               ") " + (c.generated_stored ? "STORED" : "VIRTUAL") + ", ";
      }
      // Foreign keys with actions are looked up by their columns (ForeignKey::HasAction).
      for (const ForeignKey& fk : table.foreign_keys) {
        if (!fk.HasAction() || IndexCovers(table, fk)) continue;
        ddl += "KEY (";
        for (size_t j = 0; j < fk.columns.size(); ++j)
          ddl += (j ? ", " : "") + MariaConn::QuoteIdent(table.columns[fk.columns[j]].name);
        ddl += "), ";
      }
      // AUTO_INCREMENT needs an index that starts with the column.
      for (size_t i = 0; i < table.columns.size(); ++i) {
        if (table.columns[i].identity == Identity::kNone ||
            (!table.key.empty() && table.key[0] == i))
          continue;
        if (MariaColumnClause(table, i, plan).find("AUTO_INCREMENT") == std::string::npos) continue;
        ddl += "KEY (" + MariaConn::QuoteIdent(table.columns[i].name) + "), ";
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
  return Status::Ok();
}

struct MariaSink::LoadSession {
  std::unique_ptr<MariaConn> conn;
  TablePlan plan;
  bool use_insert = false;  // multi-row INSERTs instead of LOAD DATA LOCAL
  size_t max_packet = 0;
};

// --target-load-binlog off (SinkOptions::load_change_log): the rows this load session writes from
// now on skip the binary log. Called after the session created its table, so the CREATE TABLE
// itself is still logged and a replica of the target keeps the schema.
static Status SkipBinlogIfAsked(MariaConn& conn, const SinkOptions& o, const std::string& what) {
  if (o.load_change_log) return Status::Ok();
  return conn.Exec("SET SESSION sql_log_bin = 0",
                   what + ": switching the binary log off for the load (--target-load-binlog off)");
}

// A load session for `table` and the way it sends rows.
Result<MariaSink::LoadSession> MariaSink::ConnectLoad(const TableSchema& table) {
  LoadSession out;
  out.use_insert = ConfiguredLoadMethod() == LoadMethod::kInsert;
  // Tables are loaded in parallel in any order: foreign keys of existing target tables must not
  // reject rows whose parents arrive later (the session has foreign_key_checks = 0).
  ASSIGN_OR_RETURN(out.conn, ConnectTarget(uri_, options_, "load", /*writes_rows=*/true,
                                           MariaConnectOptions{.local_infile = true}));
  out.plan = MakePlan(table, out.conn->uri().database);
  std::string what = "target table " + out.plan.target.ToString();
  ASSIGN_OR_RETURN(out.max_packet, MaxAllowedPacket(*out.conn));
  if (!out.use_insert) {
    ASSIGN_OR_RETURN(MariaRows r,
                     out.conn->Query("SELECT @@local_infile", what + ": checking local_infile"));
    if (!r.rows.empty() && r.rows[0][0] == std::optional<std::string>("0")) {
      Log(LogLevel::kInfo, "{}: the target has local_infile=OFF, loading with INSERT statements",
          out.plan.target.ToString());
      out.use_insert = true;
    }
  }
  return out;
}

Result<std::unique_ptr<TableLoader>> MariaSink::BeginTableLoad(const std::string& task,
                                                               const TableSchema& table,
                                                               TablePrep prep) {
  ASSIGN_OR_RETURN(LoadSession session, ConnectLoad(table));
  std::string what = "target table " + session.plan.target.ToString();
  RETURN_IF_ERROR(CreateLoadTable(*session.conn, table, session.plan, prep));
  RETURN_IF_ERROR(SkipBinlogIfAsked(*session.conn, options_, what));
  RETURN_IF_ERROR(session.conn->Exec("START TRANSACTION", what + ": START TRANSACTION"));
  auto loader = std::make_unique<MariaTableLoader>(
      std::move(session.conn), task, table, std::move(session.plan),
      session.use_insert ? LoadMethod::kInsert : LoadMethod::kInfile, session.max_packet);
  return std::unique_ptr<TableLoader>(std::move(loader));
}

Status MariaSink::BeginSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                                 const std::vector<RangeLoadState>& ranges) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "load", /*writes_rows=*/true));
  TablePlan plan = MakePlan(table, conn->uri().database);
  std::string what = "target table " + plan.target.ToString();
  RETURN_IF_ERROR(CreateLoadTable(*conn, table, plan, prep));
  const std::string ranges_table =
      MariaConn::QuoteIdent(conn->uri().database) + "." + kLoadRangeTable;
  RETURN_IF_ERROR(conn->Exec("START TRANSACTION", what + ": START TRANSACTION"));
  RETURN_IF_ERROR(conn->Exec("DELETE FROM " + ranges_table +
                                 " WHERE task = " + conn->QuoteLiteral(task) +
                                 " AND table_schema = " + conn->QuoteLiteral(table.name.schema) +
                                 " AND table_name = " + conn->QuoteLiteral(table.name.name),
                             what + ": removing earlier ranges"));
  for (size_t i = 0; i < ranges.size(); ++i) {
    const KeyRange& r = ranges[i].range;
    RETURN_IF_ERROR(conn->Exec(
        "INSERT INTO " + ranges_table +
            " (task, table_schema, table_name, range_no, key_column, lo, hi, shape) VALUES (" +
            conn->QuoteLiteral(task) + ", " + conn->QuoteLiteral(table.name.schema) + ", " +
            conn->QuoteLiteral(table.name.name) + ", " + std::to_string(ranges[i].index) + ", " +
            conn->QuoteLiteral(ranges[i].column) + ", " + (r.lo ? std::to_string(*r.lo) : "NULL") +
            ", " + (r.hi ? std::to_string(*r.hi) : "NULL") + ", " +
            conn->QuoteLiteral(ranges[i].shape) + ")",
        what + ": recording its ranges"));
  }
  return conn->Exec("COMMIT", what + ": COMMIT");
}

Result<std::unique_ptr<TableLoader>> MariaSink::BeginRangeLoad(const std::string& task,
                                                               const TableSchema& table,
                                                               int index) {
  ASSIGN_OR_RETURN(LoadSession session, ConnectLoad(table));
  std::string what = "target table " + session.plan.target.ToString();
  RETURN_IF_ERROR(SkipBinlogIfAsked(*session.conn, options_, what));
  RETURN_IF_ERROR(session.conn->Exec("START TRANSACTION", what + ": START TRANSACTION"));
  auto loader = std::make_unique<MariaTableLoader>(
      std::move(session.conn), task, table, std::move(session.plan),
      session.use_insert ? LoadMethod::kInsert : LoadMethod::kInfile, session.max_packet, index);
  return std::unique_ptr<TableLoader>(std::move(loader));
}

Status MariaSink::FinishSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                                  const Position& snapshot, int64_t rows) {
  (void)prep;  // the table was created with its key
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "load", /*writes_rows=*/true));
  std::string what = "target table " + table.name.ToString();
  RETURN_IF_ERROR(conn->Exec("START TRANSACTION", what + ": START TRANSACTION"));
  RETURN_IF_ERROR(RecordTableLoaded(*conn, task, table, snapshot, rows));
  return conn->Exec("COMMIT", what + ": COMMIT");
}

}  // namespace cutover::mariadb
