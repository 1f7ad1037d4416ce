#include "validator/changed_keys.h"

#include <algorithm>

namespace cutover::validator {

namespace {

// The key of `row` (an image of `t`), or nothing when a key column holds no value.
bool KeyOf(const TableSchema& t, const std::vector<Value>& row, const std::vector<Value>* fallback,
           std::vector<Value>& out) {
  out.clear();
  for (size_t k : t.key) {
    const Value* v = k < row.size() ? &row[k] : nullptr;
    if ((v == nullptr || v->is_unchanged()) && fallback != nullptr && k < fallback->size())
      v = &(*fallback)[k];
    if (v == nullptr || v->is_unchanged()) return false;
    out.push_back(*v);
  }
  return true;
}

}  // namespace

std::string PrintedKey(const std::vector<Value>& key) {
  std::string s;
  for (const Value& v : key) {
    s += v.DebugString();
    s += '\x1f';
  }
  return s;
}

void ChangedKeys::Note(const Change& c) {
  auto now = Clock::now();
  std::lock_guard<std::mutex> l(mu_);
  if (c.op == ChangeOp::kTruncate) {
    for (const TableSchemaPtr& t : c.truncated) {
      OverflowLocked(t->name);
      seen_.insert(t->name);
    }
    return;
  }
  const TableSchema& t = *c.table;
  if (t.key.empty()) return;
  seen_.insert(t.name);
  std::vector<std::string> columns;
  for (size_t k : t.key) columns.push_back(k < t.columns.size() ? t.columns[k].name : "?");
  std::vector<Value> now_key, old_key;
  bool has_now =
      !c.after.empty() && KeyOf(t, c.after, c.before.empty() ? nullptr : &c.before, now_key);
  bool has_old = !c.before.empty() && KeyOf(t, c.before, nullptr, old_key);
  if (has_now && has_old && PrintedKey(old_key) == PrintedKey(now_key)) has_old = false;
  if (has_now) Put(Key{t.name, columns, std::move(now_key), 0}, now);
  if (has_old) Put(Key{t.name, std::move(columns), std::move(old_key), 0}, now);
}

void ChangedKeys::Put(Key key, Clock::time_point when) {
  auto& table = held_[key.table];
  std::string printed = PrintedKey(key.values);
  auto it = table.find(printed);
  if (it != table.end()) {  // changed again: due after the delay from now, retries anew
    it->second.key.retries = std::min(it->second.key.retries, key.retries);
    it->second.due = std::max(it->second.due, when);
    return;
  }
  if (count_ >= max_keys_) {  // full: this table falls back to a whole-table validation
    OverflowLocked(key.table);
    return;
  }
  if (overflowed_.count(key.table)) return;  // its whole-table validation will see the row
  table.emplace(std::move(printed), Held{std::move(key), when});
  ++count_;
}

std::vector<ChangedKeys::Key> ChangedKeys::Take(Clock::duration delay, size_t max) {
  auto limit = Clock::now() - delay;
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::pair<Clock::time_point, std::pair<const TableName*, const std::string*>>> due;
  for (const auto& [table, keys] : held_)
    for (const auto& [printed, h] : keys)
      if (h.due <= limit) due.push_back({h.due, {&table, &printed}});
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (due.size() > max) due.resize(max);
  std::vector<Key> out;
  out.reserve(due.size());
  std::vector<std::pair<TableName, std::string>> taken;
  for (const auto& d : due) taken.emplace_back(*d.second.first, *d.second.second);
  for (const auto& [table, printed] : taken) {
    auto& keys = held_[table];
    auto it = keys.find(printed);
    out.push_back(std::move(it->second.key));
    keys.erase(it);
    --count_;
  }
  return out;
}

void ChangedKeys::Retry(Key key) {
  std::lock_guard<std::mutex> l(mu_);
  Put(std::move(key), Clock::now());
}

std::set<TableName> ChangedKeys::TakeOverflowed() {
  std::lock_guard<std::mutex> l(mu_);
  std::set<TableName> out;
  out.swap(overflowed_);
  return out;
}

void ChangedKeys::Overflow(const TableName& table) {
  std::lock_guard<std::mutex> l(mu_);
  OverflowLocked(table);
}

void ChangedKeys::OverflowLocked(const TableName& table) {
  auto it = held_.find(table);
  if (it != held_.end()) {
    count_ -= it->second.size();
    held_.erase(it);
  }
  overflowed_.insert(table);
}

size_t ChangedKeys::Pending(const TableName& table) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = held_.find(table);
  return it == held_.end() ? 0 : it->second.size();
}

size_t ChangedKeys::Pending() const {
  std::lock_guard<std::mutex> l(mu_);
  return count_;
}

std::set<TableName> ChangedKeys::Tables() const {
  std::lock_guard<std::mutex> l(mu_);
  return seen_;
}

}  // namespace cutover::validator
