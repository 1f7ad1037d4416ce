#include "engine/pipeline/net_effect.h"

namespace cutover {

NetEffect::TableState& NetEffect::StateFor(const TableSchemaPtr& t) {
  for (auto& ts : tables_)
    if (ts.schema == t) return ts;
  tables_.push_back(TableState{t, {}});
  return tables_.back();
}

void NetEffect::KeyOf(const TableSchema& t, const std::vector<Value>& row, std::string& out) {
  out.clear();
  for (size_t k : t.key) row[k].AppendKeyBytes(out);
}

NetEffect::Entry& NetEffect::EntryFor(TableState& ts, const std::string& key, bool& created) {
  auto [it, inserted] = ts.entries.try_emplace(key);
  created = inserted;
  if (inserted) ++entries_;
  return it->second;
}

void NetEffect::Account(const std::vector<Value>& row) {
  bytes_ += 16 * row.size();
  for (const Value& v : row) bytes_ += v.str().size();
}

bool NetEffect::Add(const Change& c) {
  if (c.op == ChangeOp::kTruncate) return false;
  const TableSchema& t = *c.table;
  TableState& ts = StateFor(c.table);
  bool created = false;
  switch (c.op) {
    case ChangeOp::kRead:
    case ChangeOp::kInsert: {
      KeyOf(t, c.after, key_);
      Entry& e = EntryFor(ts, key_, created);
      if (created) e.existed_before = false;
      e.exists_now = true;
      e.row = c.after;
      Account(c.after);
      return true;
    }
    case ChangeOp::kDelete: {
      KeyOf(t, c.before, key_);
      Entry& e = EntryFor(ts, key_, created);
      if (created) e.existed_before = true;
      e.row = c.before;  // its key columns identify the row to delete
      e.exists_now = false;
      Account(c.before);
      return true;
    }
    case ChangeOp::kUpdate: {
      KeyOf(t, c.after, key_);
      if (!c.before.empty()) {
        KeyOf(t, c.before, old_key_);
      } else {
        old_key_ = key_;
      }
      if (old_key_ == key_) {
        Entry& e = EntryFor(ts, key_, created);
        if (created) {
          e.existed_before = true;
          e.row = c.after;
        } else {
          for (size_t i = 0; i < c.after.size(); ++i) {
            if (!c.after[i].is_unchanged() || !e.exists_now) e.row[i] = c.after[i];
          }
        }
        e.exists_now = true;
        Account(c.after);
        return true;
      }
      // Key change: the new row must be complete (no unknown unchanged columns).
      std::vector<Value> row = c.after;
      auto old = ts.entries.find(old_key_);
      for (size_t i = 0; i < row.size(); ++i) {
        if (!row[i].is_unchanged()) continue;
        if (old != ts.entries.end() && old->second.exists_now && !old->second.row[i].is_unchanged())
          row[i] = old->second.row[i];
        else
          return false;
      }
      Entry& gone = EntryFor(ts, old_key_, created);
      if (created) gone.existed_before = true;
      gone.row = c.before;
      gone.exists_now = false;
      Entry& e = EntryFor(ts, key_, created);
      if (created) e.existed_before = false;
      e.exists_now = true;
      e.row = std::move(row);
      Account(c.after);
      return true;
    }
    case ChangeOp::kTruncate:
      break;
  }
  return false;
}

bool NetEffect::HoldsAny(const std::vector<TableName>& tables) const {
  for (const auto& ts : tables_) {
    if (ts.entries.empty()) continue;
    for (const TableName& t : tables)
      if (ts.schema->name == t) return true;
  }
  return false;
}

std::vector<TableBatch> NetEffect::Drain() {
  std::vector<TableBatch> out;
  std::unordered_map<std::string, size_t> group_of;  // UpdateGroup::columns -> index
  for (auto& ts : tables_) {
    TableBatch b;
    b.table = ts.schema;
    group_of.clear();
    for (auto& [key, e] : ts.entries) {
      if (e.existed_before && !e.exists_now) {
        b.deletes.push_back(std::move(e.row));
      } else if (e.existed_before && e.exists_now) {
        // Rows with the same Unchanged columns share a group, so one statement shape.
        std::string columns = UpdateGroup::ColumnsOf(e.row);
        auto [it, added] = group_of.try_emplace(columns, b.updates.size());
        if (added) b.updates.push_back(UpdateGroup{std::move(columns), {}});
        b.updates[it->second].rows.push_back(std::move(e.row));
      } else if (!e.existed_before && e.exists_now) {
        b.inserts.push_back(std::move(e.row));
      }
    }
    if (b.size() > 0) out.push_back(std::move(b));
  }
  tables_.clear();
  entries_ = 0;
  bytes_ = 0;
  return out;
}

}  // namespace cutover
