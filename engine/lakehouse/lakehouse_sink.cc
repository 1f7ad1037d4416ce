#include "engine/lakehouse/lakehouse_sink.h"

#include <chrono>
#include <map>
#include <set>

#include "engine/core/log.h"
#include "engine/core/naming.h"
#include "engine/lakehouse/lakehouse_layout.h"
#include "engine/lakehouse/row_file.h"

namespace cutover::lakehouse {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The manifest entry of `table`, created from its schema when new. `replaced`: a load that
// replaces the table's files (they all take `table`'s columns).
ManifestTable& EntryOf(Manifest& m, const TableSchema& table, bool replaced) {
  TableName name = LandingName(table);
  auto [it, fresh] = m.tables.try_emplace(name);
  ManifestTable& t = it->second;
  if (fresh || replaced) {
    t.name = name;
    t.source = table.name;
    t.source_engine = table.engine;
    t.columns = table.columns;
    t.key = table.key;
    t.shapes.clear();
  }
  return t;
}

// Whether `table`'s rows have the columns the manifest entry says the table has now.
bool SameColumns(const ManifestTable& e, const TableSchema& table) {
  if (e.columns.size() != table.columns.size()) return false;
  for (size_t i = 0; i < e.columns.size(); ++i)
    if (e.columns[i].name != table.columns[i].name || e.columns[i].kind != table.columns[i].kind)
      return false;
  return true;
}

// Full-load rows sort before every change of their table: the pipeline applies to a table only
// the changes of transactions at or after the snapshot it was loaded from.
const std::string& LoadRowPosition() {
  static const std::string p = RowPosition(Position{}, 0);
  return p;
}

class LakehouseLoader final : public TableLoader {
 public:
  LakehouseLoader(TaskFiles& files, const TableSchema& table, TablePrep prep, uint32_t first)
      : files_(files),
        table_(table),
        name_(LandingName(table)),
        prep_(prep),
        counter_(first),
        timestamp_(TimestampText(NowMicros())) {}

  Status Write(const std::vector<Value>& row) override {
    const LakehouseSettings& s = files_.settings();
    if (file_ && file_->bytes() >= s.max_file_size_kb * 1024) RETURN_IF_ERROR(Close());
    if (!file_) {
      ASSIGN_OR_RETURN(file_, OpenRowFile(files_.store(), LoadFileKey(s, name_, counter_++), s,
                                          table_.columns, s.include_op_for_full_load));
    }
    Status st = file_->Write('I', timestamp_, row, LoadRowPosition());
    if (!st.ok()) return st.WithContext("table " + table_.name.ToString());
    return Status::Ok();
  }

  Status Commit(const Position& snapshot, int64_t rows) override {
    RETURN_IF_ERROR(Close());
    return files_.Update([&](Manifest& m) {
      ManifestTable& t = EntryOf(m, table_, prep_ != TablePrep::kDoNothing);
      std::vector<std::string> obsolete;
      if (prep_ != TablePrep::kDoNothing) {
        // A transaction file holds other tables' rows too: only its entry goes (the next
        // start's clean-up deletes it once no table lists it).
        for (const auto& f : t.files)
          if (!f.txn) obsolete.push_back(f.key);
        t.files.clear();
      }
      for (auto& f : done_) t.files.push_back(f);
      t.loaded = TableLoadState{snapshot, rows};
      t.next_load = counter_;
      return obsolete;
    });
  }

 private:
  Status Close() {
    if (!file_) return Status::Ok();
    RETURN_IF_ERROR(file_->Complete());
    done_.push_back({file_->key(), true, file_->has_op(), file_->rows(), file_->bytes()});
    file_.reset();
    return Status::Ok();
  }

  TaskFiles& files_;
  const TableSchema& table_;
  TableName name_;
  TablePrep prep_;
  uint32_t counter_;
  std::string timestamp_;
  std::unique_ptr<RowFile> file_;
  std::vector<CommittedFile> done_;
};

class LakehouseApplier final : public Applier {
 public:
  explicit LakehouseApplier(TaskFiles& files) : files_(files), s_(files.settings()) {}

  Status Begin() override { return Status::Ok(); }
  void TransactionBegins(const TransactionInfo& txn) override {
    txn_ = txn;
    seq_ = 0;
    // The source's commit time; when it has none (SQLite), the time the change was read.
    commit_time_us_ = txn.commit_time_us ? txn.commit_time_us : NowMicros();
  }

  Status Apply(const Change& c) override {
    if (c.op == ChangeOp::kTruncate)
      return FailedPrecondition("table " + c.table->name.ToString() + ": TRUNCATE at " +
                                txn_.position.text +
                                " cannot be written as rows to a file target; reload the table "
                                "(a new task, or drop-and-create) instead");
    char op = c.op == ChangeOp::kDelete ? 'D' : c.op == ChangeOp::kUpdate ? 'U' : 'I';
    if (s_.cdc_inserts_only && op != 'I') return Status::Ok();
    if (s_.cdc_inserts_and_updates && op == 'D') return Status::Ok();
    const TableSchema& table = *c.table;
    const std::vector<Value>* row = &c.after;
    if (op == 'D') {
      row = c.before.empty() ? &c.after : &c.before;
    } else if (op == 'U') {
      bool unchanged = false;
      for (const Value& v : c.after) unchanged |= v.is_unchanged();
      if (unchanged) {
        filled_ = c.after;
        for (size_t i = 0; i < filled_.size(); ++i) {
          if (!filled_[i].is_unchanged()) continue;
          if (c.before.empty() || c.before_is_key_only || c.before[i].is_unchanged())
            return FailedPrecondition(
                "table " + table.name.ToString() + " column " + table.columns[i].name +
                ": the source did not send its value in an update at " + txn_.position.text +
                " (PostgreSQL TOAST); a file row needs every value: ALTER TABLE " +
                table.name.ToString() + " REPLICA IDENTITY FULL");
          filled_[i] = c.before[i];
        }
        row = &filled_;
      }
    }
    if (op == 'D' && (c.before.empty() || c.before_is_key_only)) {
      keyed_ = *row;  // only the key is known: the other columns are NULL
      for (size_t i = 0; i < keyed_.size(); ++i)
        if (!table.IsKeyColumn(i)) keyed_[i] = Value::Null();
      row = &keyed_;
    }
    // An update that changes the key: the old key's row is deleted, then the new one written,
    // so a fold by key drops the old key.
    if (op == 'U' && !c.before.empty() && !s_.cdc_inserts_and_updates) {
      bool moved = false;
      for (size_t k : table.key) moved |= !(c.before[k] == (*row)[k]);
      if (moved) {
        keyed_ = c.before;
        if (c.before_is_key_only)
          for (size_t i = 0; i < keyed_.size(); ++i)
            if (!table.IsKeyColumn(i)) keyed_[i] = Value::Null();
        RETURN_IF_ERROR(WriteRow(c.table, 'D', keyed_));
      }
    }
    return WriteRow(c.table, op, *row);
  }

  Status WriteRow(const TableSchemaPtr& t, char op, const std::vector<Value>& row) {
    const TableSchema& table = *t;
    ++seq_;
    if (s_.preserve_transactions) return WriteTransactionRow(t, op, row);
    Open& o = open_[LandingName(table)];
    if (o.file && o.file->bytes() >= s_.max_file_size_kb * 1024) RETURN_IF_ERROR(Close(o));
    if (!o.file) {
      o.table = t;
      ASSIGN_OR_RETURN(o.file,
                       OpenRowFile(files_.store(), NewCdcKey(LandingName(table)), s_, table.columns,
                                   !s_.cdc_inserts_only || s_.include_op_for_full_load));
    }
    Status st =
        o.file->Write(op, TimestampText(commit_time_us_), row, RowPosition(txn_.position, seq_));
    if (!st.ok()) return st.WithContext("table " + table.name.ToString());
    return Status::Ok();
  }

  // PreserveTransactions: every table's rows go into one transaction file, in the order the
  // source committed them; the file is listed under each table it has rows of.
  Status WriteTransactionRow(const TableSchemaPtr& t, char op, const std::vector<Value>& row) {
    const TableSchema& table = *t;
    TableName landing = LandingName(table);
    if (txn_file_ && txn_file_->bytes() >= s_.max_file_size_kb * 1024)
      RETURN_IF_ERROR(CloseTransactionFile());
    if (!txn_file_) {
      ASSIGN_OR_RETURN(txn_file_, OpenTransactionFile(files_.store(), NewTransactionKey(), s_));
    }
    auto& [schema, rows] = txn_tables_[landing];
    if (schema && schema.get() != t.get() && !SameShape(*schema, table)) {
      // The table's rows changed shape without AlterTable (the pipeline's schema pointer
      // moved): one file entry has one shape, so the file is completed first.
      RETURN_IF_ERROR(CloseTransactionFile());
      return WriteTransactionRow(t, op, row);
    }
    schema = t;
    ++rows;
    Status st = txn_file_->Write(op, landing, TimestampText(commit_time_us_), row,
                                 RowPosition(txn_.position, seq_));
    if (!st.ok()) return st.WithContext("table " + table.name.ToString());
    return Status::Ok();
  }

  static bool SameShape(const TableSchema& a, const TableSchema& b) {
    if (a.columns.size() != b.columns.size()) return false;
    for (size_t i = 0; i < a.columns.size(); ++i)
      if (a.columns[i].name != b.columns[i].name || a.columns[i].kind != b.columns[i].kind)
        return false;
    return true;
  }

  std::optional<bool> CommitDue(std::chrono::steady_clock::duration age) const override {
    if (age >= std::chrono::seconds(s_.cdc_max_batch_interval_s)) return true;
    if (txn_file_ && txn_file_->bytes() >= s_.cdc_min_file_size_kb * 1024) return true;
    for (const auto& [t, o] : open_)
      if (o.file && o.file->bytes() >= s_.cdc_min_file_size_kb * 1024) return true;
    return false;
  }

  // A source schema change (Applier::AlterTable): the table's open file is completed (a file
  // never mixes shapes) and the change is committed with the group, in order with its files:
  // the manifest records the shape of the files written before it (lakehouse_manifest.h), and
  // later files carry the new columns.
  Status AlterTable(const TableSchema& before, const TableSchema& after,
                    const std::vector<ColumnChange>& changes) override {
    (void)before;
    auto it = open_.find(LandingName(after));
    if (it != open_.end()) RETURN_IF_ERROR(Close(it->second));
    if (txn_tables_.count(LandingName(after))) RETURN_IF_ERROR(CloseTransactionFile());
    done_.push_back(
        {LandingName(after), nullptr, {}, std::make_shared<TableSchema>(after), changes});
    return Status::Ok();
  }

  Status Commit(const Position& applied) override {
    for (auto& [t, o] : open_) RETURN_IF_ERROR(Close(o));
    RETURN_IF_ERROR(CloseTransactionFile());
    Status st = files_.Update([&](Manifest& m) -> Result<std::vector<std::string>> {
      for (const Done& d : done_) {
        if (d.after) {
          auto e = m.tables.find(d.table);
          if (e != m.tables.end()) e->second.FollowSchemaChange(*d.after, d.changes);
          continue;
        }
        ManifestTable& e = EntryOf(m, *d.schema, false);
        if (!SameColumns(e, *d.schema))
          return FailedPrecondition(
              "table " + d.schema->name.ToString() + ": rows with " +
              std::to_string(d.schema->columns.size()) + " columns arrived for files of " +
              std::to_string(e.columns.size()) +
              " without a schema change seen (the source table changed while the task was "
              "stopped, docs/ddl.md): reload the table");
        e.files.push_back(d.file);
      }
      m.applied = applied;
      return std::vector<std::string>();
    });
    open_.clear();
    done_.clear();
    return st;
  }

 private:
  struct Open {
    TableSchemaPtr table;
    std::unique_ptr<RowFile> file;
  };
  // What the open group completed, in order: a file of a table, or a schema change (`after`).
  struct Done {
    TableName table;
    TableSchemaPtr schema;  // the file's columns
    CommittedFile file;
    std::shared_ptr<const TableSchema> after;
    std::vector<ColumnChange> changes;
  };

  Status Close(Open& o) {
    if (!o.file) return Status::Ok();
    RETURN_IF_ERROR(o.file->Complete());
    done_.push_back({LandingName(*o.table),
                     o.table,
                     {o.file->key(), false, o.file->has_op(), o.file->rows(), o.file->bytes()},
                     nullptr,
                     {}});
    o.file.reset();
    return Status::Ok();
  }

  // Completes the open transaction file: one entry per table it has rows of.
  Status CloseTransactionFile() {
    if (!txn_file_) return Status::Ok();
    RETURN_IF_ERROR(txn_file_->Complete());
    for (auto& [name, tr] : txn_tables_) {
      CommittedFile f{txn_file_->key(), false, true, tr.second, txn_file_->bytes()};
      f.txn = true;
      done_.push_back({name, tr.first, f, nullptr, {}});
    }
    txn_file_.reset();
    txn_tables_.clear();
    return Status::Ok();
  }

  // A transaction file name after every committed one (names sort in commit order, as DMS
  // says of its CDC_TXN files): its start time, moved on by a millisecond when that would not
  // sort after the last (two files within a millisecond, or a clock that went back).
  std::string NewTransactionKey() {
    if (!last_txn_read_) {
      last_txn_read_ = true;
      files_.Read([&](Manifest& m) {
        for (const auto& [name, t] : m.tables)
          for (const auto& f : t.files)
            if (f.txn && f.key > last_txn_key_) last_txn_key_ = f.key;
        return 0;
      });
    }
    int64_t ms = NowMicros() / 1000;
    std::string key = TransactionFileKey(s_, ms * 1000);
    while (key <= last_txn_key_) key = TransactionFileKey(s_, ++ms * 1000);
    last_txn_key_ = key;
    return key;
  }

  // A CDC file name not used before in its folder: its start time, moved on by a millisecond
  // while taken (two files of one table within a millisecond, or a clock that went back).
  std::string NewCdcKey(const TableName& table) {
    int64_t us = NowMicros();
    int64_t ms = us / 1000;
    if (ms <= last_used_ms_[table]) ms = last_used_ms_[table] + 1;
    std::string key;
    for (;;) {
      key = CdcFileKey(s_, table, ms * 1000);
      bool taken = files_.Read([&](Manifest& m) {
        auto it = m.tables.find(table);
        if (it == m.tables.end()) return false;
        for (const auto& f : it->second.files)
          if (f.key == key) return true;
        return false;
      });
      if (!taken) break;
      ++ms;
    }
    last_used_ms_[table] = ms;
    return key;
  }

  TaskFiles& files_;
  const LakehouseSettings& s_;
  TransactionInfo txn_;
  uint32_t seq_ = 0;
  int64_t commit_time_us_ = 0;
  std::map<TableName, Open> open_;
  std::vector<Done> done_;
  std::map<TableName, int64_t> last_used_ms_;
  std::vector<Value> filled_, keyed_;
  // PreserveTransactions: the open transaction file, and per table its schema and row count.
  std::unique_ptr<TransactionFile> txn_file_;
  std::map<TableName, std::pair<TableSchemaPtr, int64_t>> txn_tables_;
  std::string last_txn_key_;
  bool last_txn_read_ = false;
};

}  // namespace

TableName LandingName(const TableSchema& table) {
  return TableName{table.target_schema.empty() ? table.name.schema : table.target_schema,
                   LandingTableName(table)};
}

Result<TaskState> LakehouseSink::ReadTaskState(const std::string& task) {
  task_ = task;
  ASSIGN_OR_RETURN(auto m, ReadManifest(*store_, task));
  if (!m) return TaskState{};
  return m->ToTaskState();
}

Result<std::map<TableName, TargetTableColumns>> LakehouseSink::ReadTargetColumns(
    const std::vector<TableSchemaPtr>& tables) {
  std::map<TableName, TargetTableColumns> out;
  if (task_.empty() || tables.empty()) return out;
  ASSIGN_OR_RETURN(auto m, ReadManifest(*store_, task_));
  if (!m) return out;
  for (const TableSchemaPtr& t : tables) {
    for (const auto& [landing, entry] : m->tables) {
      if (entry.source != t->name) continue;
      TargetTableColumns& c = out[t->name];
      for (const Column& col : entry.columns) c.columns.push_back({col.name, false});
    }
  }
  return out;
}

Status LakehouseSink::Open(const std::string& task) {
  if (files_) return Status::Ok();
  if (task_.empty()) task_ = task;
  RETURN_IF_ERROR(store_->CheckWritable());
  ASSIGN_OR_RETURN(auto existing, ReadManifest(*store_, task_));
  Manifest m;
  if (existing) {
    RETURN_IF_ERROR(CheckSameFileSettings(existing->settings, settings_));
    m = std::move(*existing);
  } else {
    m.task = task_;
  }
  m.settings = settings_;
  // The clean-up: what no manifest lists under this task's folder was written after the last
  // manifest (or by an interrupted upload), so it was never committed.
  RETURN_IF_ERROR(store_->RemoveAbandoned());
  ASSIGN_OR_RETURN(auto all, ReadAllManifests(*store_));
  std::set<std::string> committed;
  for (const auto& other : all)
    if (other.task != task_)
      for (auto& k : other.Files()) committed.insert(k);
  for (auto& k : m.Files()) committed.insert(k);
  std::string prefix = settings_.bucket_folder.empty() ? "" : settings_.bucket_folder + "/";
  ASSIGN_OR_RETURN(auto keys, store_->List(prefix));
  int removed = 0;
  for (const auto& k : keys) {
    if (k.rfind(kControlPrefix, 0) == 0 || committed.count(k)) continue;
    RETURN_IF_ERROR(store_->Delete(k));
    ++removed;
  }
  if (removed)
    Log(LogLevel::kInfo, "{}: removed {} file(s) written after the task's last manifest",
        store_->Describe(), removed);
  files_ = std::make_unique<TaskFiles>(*store_, std::move(m));
  return Status::Ok();
}

Status LakehouseSink::CreateControlTables() {
  if (task_.empty()) return Status::Ok();  // opened at the first load or applier
  return Open(task_);
}

Result<std::unique_ptr<TableLoader>> LakehouseSink::BeginTableLoad(const std::string& task,
                                                                   const TableSchema& table,
                                                                   TablePrep prep) {
  RETURN_IF_ERROR(Open(task));
  uint32_t first = files_->Read([&](Manifest& m) {
    auto it = m.tables.find(LandingName(table));
    return it == m.tables.end() ? 1u : it->second.next_load;
  });
  return std::unique_ptr<TableLoader>(new LakehouseLoader(*files_, table, prep, first));
}

Result<std::unique_ptr<Applier>> LakehouseSink::OpenApplier(const std::string& task) {
  // An applier after the first is a reconnect after an outage (the change spool's): the last
  // commit may have failed after its files went up (uncommitted files to delete), or after the
  // store took the manifest but its reply was lost (a newer manifest than files_ holds, whose
  // files the next manifest must keep listing). Start again from what the store holds, as a new
  // run does: read the manifest, then clean up.
  if (applier_opened_) files_.reset();
  RETURN_IF_ERROR(Open(task));
  applier_opened_ = true;
  return std::unique_ptr<Applier>(new LakehouseApplier(*files_));
}

Status LakehouseSink::DropTask(const std::string& task) {
  return store_->Delete(ManifestKey(task));
}

}  // namespace cutover::lakehouse
