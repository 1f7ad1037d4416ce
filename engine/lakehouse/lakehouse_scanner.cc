#include "engine/lakehouse/lakehouse_scanner.h"

#include <algorithm>
#include <map>

#include "engine/core/row_encoder.h"
#include "engine/lakehouse/lakehouse_fold.h"
#include "engine/lakehouse/object_store.h"
#include "engine/lakehouse/value_text.h"

namespace cutover::lakehouse {

int CompareKeyValue(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
  auto cmp = [](auto x, auto y) { return x < y ? -1 : y < x ? 1 : 0; };
  switch (a.kind()) {
    case ValueKind::kNull:
    case ValueKind::kUnchanged:
      return 0;
    case ValueKind::kBool:
    case ValueKind::kInt64:
    case ValueKind::kDate:
    case ValueKind::kTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      return cmp(a.as_int64(), b.as_int64());
    case ValueKind::kUInt64:
      return cmp(a.as_uint64(), b.as_uint64());
    case ValueKind::kFloat64:
      return cmp(a.as_double(), b.as_double());
    default:
      return a.str().compare(b.str()) < 0 ? -1 : a.str() == b.str() ? 0 : 1;
  }
}

namespace {

int CompareKeys(const std::vector<Value>& row, const std::vector<size_t>& key,
                const std::vector<Value>& bound) {
  for (size_t i = 0; i < key.size() && i < bound.size(); ++i)
    if (int c = CompareKeyValue(row[key[i]], bound[i])) return c;
  return 0;
}

bool InRange(const std::vector<Value>& row, const std::vector<size_t>& key,
             const validator::KeyRange& r) {
  if (r.lo && CompareKeys(row, key, *r.lo) < 0) return false;
  if (r.hi) {
    int c = CompareKeys(row, key, *r.hi);
    if (c > 0 || (c == 0 && !r.hi_inclusive)) return false;
  }
  return true;
}

class LakehouseScanner final : public validator::RangeScanner {
 public:
  explicit LakehouseScanner(std::unique_ptr<ObjectStore> store) : store_(std::move(store)) {}

  Status Scan(const validator::ScanTable& t, const validator::KeyRange& range, bool want_values,
              const validator::RowCallback& on_row) override {
    ASSIGN_OR_RETURN(const Loaded* l, Load(t));
    std::vector<Value> values;
    for (const auto& full : l->rows) {
      values.clear();
      for (size_t idx : l->index) values.push_back(full[idx]);
      if (!t.key.empty() && !InRange(values, t.key, range)) continue;
      enc_.Begin();
      for (size_t i = 0; i < values.size(); ++i) {
        AppendCanonical(values[i], t.rules[i], enc_.Column());
      }
      validator::ScannedRow row = enc_.Finish(t.key);
      if (want_values) row.values = &values;
      RETURN_IF_ERROR(on_row(row));
    }
    return Status::Ok();
  }

  Result<std::vector<std::vector<Value>>> SplitKeys(const validator::ScanTable& t,
                                                    const validator::KeyRange& range, int64_t every,
                                                    int64_t) override {
    ASSIGN_OR_RETURN(const Loaded* l, Load(t));
    std::vector<std::vector<Value>> keys;
    for (const auto& full : l->rows) {
      std::vector<Value> values;
      for (size_t idx : l->index) values.push_back(full[idx]);
      if (!InRange(values, t.key, range)) continue;
      std::vector<Value> k;
      for (size_t i : t.key) k.push_back(values[i]);
      keys.push_back(std::move(k));
    }
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
      for (size_t i = 0; i < a.size(); ++i)
        if (int c = CompareKeyValue(a[i], b[i])) return c < 0;
      return false;
    });
    std::vector<std::vector<Value>> out;
    if (every <= 0) return out;
    for (size_t i = static_cast<size_t>(every); i < keys.size(); i += static_cast<size_t>(every))
      out.push_back(keys[i]);
    return out;
  }

  std::string Display(const Value& v) const override {
    if (v.is_null()) return "NULL";
    std::string out;
    AppendValueText(v, out);
    return out;
  }

 private:
  struct Loaded {
    std::vector<std::vector<Value>> rows;
    std::vector<size_t> index;  // compared column i = table column index[i]
  };

  Result<const Loaded*> Load(const validator::ScanTable& t) {
    auto it = loaded_.find(t.name);
    if (it != loaded_.end()) return &it->second;
    ASSIGN_OR_RETURN(auto manifests, ReadAllManifests(*store_));
    for (const Manifest& m : manifests) {
      auto mt = m.tables.find(t.name);
      if (mt == m.tables.end()) continue;
      ASSIGN_OR_RETURN(FoldedTable folded, FoldTable(*store_, m.settings, mt->second));
      Loaded l;
      l.rows = std::move(folded.rows);
      for (const Column& c : t.columns) {
        size_t found = mt->second.columns.size();
        for (size_t i = 0; i < mt->second.columns.size(); ++i)
          if (mt->second.columns[i].name == c.name) found = i;
        if (found == mt->second.columns.size())
          return NotFound("table " + t.name.ToString() + ": no column " + c.name + " in " +
                          store_->Describe());
        l.index.push_back(found);
      }
      return &loaded_.emplace(t.name, std::move(l)).first->second;
    }
    return NotFound("table " + t.name.ToString() + ": no task manifest in " + store_->Describe() +
                    " lists it");
  }

  std::unique_ptr<ObjectStore> store_;
  std::map<TableName, Loaded> loaded_;
  validator::RowEncoder enc_;
};

}  // namespace

Result<std::unique_ptr<validator::RangeScanner>> OpenLakehouseScanner(const std::string& uri) {
  ASSIGN_OR_RETURN(auto store, OpenObjectStore(uri));
  return std::unique_ptr<validator::RangeScanner>(new LakehouseScanner(std::move(store)));
}

}  // namespace cutover::lakehouse
