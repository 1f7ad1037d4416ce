#include "engine/pipeline/table_transform.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/core/civil_time.h"
#include "engine/core/lossy.h"
#include "engine/task/dms_data_type.h"

namespace cutover {

namespace {

// A value as the text an add-column expression reads ($column).
std::string ValueText(const Value& v) {
  auto time_of_day = [](int64_t us) {
    int64_t s = us / kMicrosPerSecond, f = us % kMicrosPerSecond;
    std::string out = fmt::format("{:02d}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60);
    return f ? out + fmt::format(".{:06d}", f) : out;
  };
  switch (v.kind()) {
    case ValueKind::kInt64:
      return std::to_string(v.as_int64());
    case ValueKind::kUInt64:
      return std::to_string(v.as_uint64());
    case ValueKind::kBool:
      return v.as_bool() ? "1" : "0";  // SQLite's booleans
    case ValueKind::kFloat64:
      return fmt::format("{}", v.as_double());
    case ValueKind::kDate:
      return task::FormatUtcMicros(v.as_micros_or_days() * kMicrosPerDay).substr(0, 10);
    case ValueKind::kTime:
      return time_of_day(v.as_micros_or_days());
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      std::string t = task::FormatUtcMicros(v.as_micros_or_days());
      return t.substr(t.size() - 7) == ".000000" ? t.substr(0, t.size() - 7) : t;
    }
    default:
      return v.str();  // text, decimal, bytes, JSON, UUID, engine text
  }
}

char OpLetter(ChangeOp op) {
  return op == ChangeOp::kDelete ? 'D' : op == ChangeOp::kUpdate ? 'U' : 'I';
}

}  // namespace

void TableTransform::ShapeRow(std::vector<Value>& row, ChangeOp op, const RowOrigin& origin) const {
  if (!shapes_ || row.empty()) return;
  std::vector<Value> out;
  out.reserve(kept_.size() + added_.size());
  task::ExpressionContext ctx;
  ctx.op = OpLetter(op);
  ctx.source_op = OpLetter(origin.txn ? origin.source_op : op);
  ctx.full_load = origin.txn == nullptr;
  ctx.now_us = origin.load_started_us;
  if (origin.txn) {
    ctx.commit_time_us = origin.txn->commit_time_us;
    ctx.transaction_id = origin.txn->xid;
    ctx.stream_position = origin.txn->position.text;
  }
  ctx.schema = source_->name.schema;
  ctx.table = source_->name.name;
  for (size_t k = 0; k < added_.size(); ++k) {
    // Added columns first into a side buffer: they may read columns that do not travel.
    const std::vector<size_t>& reads = added_reads_[k];
    auto column = [&](size_t i) -> std::optional<std::string> {
      const Value& v = row[reads[i]];
      if (v.is_null() || v.is_unchanged()) return std::nullopt;  // SQL: NULL || x is NULL
      return ValueText(v);
    };
    auto v = added_[k].expression.Evaluate(column, ctx);
    out.push_back(v ? Value::String(ValueKind::kText, std::move(*v)) : Value::Null());
  }
  std::vector<Value> shaped;
  shaped.reserve(kept_.size() + added_.size());
  for (size_t i : kept_) shaped.push_back(std::move(row[i]));
  for (auto& v : out) shaped.push_back(std::move(v));
  row = std::move(shaped);
}

Status TableTransform::ConvertRow(std::vector<Value>& row, ConversionRefusal* refusal) const {
  bool key_only = false;
  return Convert(row, /*old_image=*/false, key_only, refusal);
}

Status TableTransform::ConvertOldImage(std::vector<Value>& row, bool& key_only,
                                       ConversionRefusal* refusal) const {
  return Convert(row, /*old_image=*/true, key_only, refusal);
}

Status TableTransform::Convert(std::vector<Value>& row, bool old_image, bool& key_only,
                               ConversionRefusal* refusal) const {
  for (const Conversion& c : conversions_) {
    if (c.column >= row.size()) continue;
    Value& v = row[c.column];
    if (old_image && key_only && !target_->IsKeyColumn(c.column)) {
      v = Value::Null();  // a placeholder of a key-only image
      continue;
    }
    auto refused = c.conversion.Convert(v);
    if (!refused) continue;
    if (old_image && !target_->IsKeyColumn(c.column)) {
      key_only = true;  // the image still finds its row by the key
      v = Value::Null();
      continue;
    }
    std::string error = "column " + target_->columns[c.column].name + ": " +
                        task::ValueConversion::KindText(v) + " does not convert to " +
                        c.conversion.type_text() + " exactly (" + refused->reason + "); " + c.rule;
    if (refusal) *refusal = ConversionRefusal{refused->truncation, error};
    std::string key = RowKeyText(*target_, row);
    return FailedPrecondition("table " + target_->name.ToString() +
                              (key.empty() ? "" : ", key (" + key + ")") + ", " + error);
  }
  return Status::Ok();
}

TableTransforms::TableTransforms(std::shared_ptr<const task::TableMapping> mapping,
                                 std::string target_schema)
    : mapping_(mapping), routing_(std::move(mapping), std::move(target_schema)) {}

bool TableTransforms::empty() const {
  return routing_.empty() &&
         (!mapping_ || (!mapping_->filters_anything() && !mapping_->maps_columns() &&
                        !mapping_->changes_types() && !mapping_->defines_keys()));
}

Result<const TableTransform*> TableTransforms::For(const TableSchemaPtr& source, bool in_stream) {
  auto it = cache_.find(source.get());
  if (it != cache_.end()) return it->second.get();
  auto t = std::make_unique<TableTransform>();
  t->source_ = source;
  t->target_ = routing_.Route(source);
  if (mapping_) {
    auto filters = mapping_->Filters(source->name);
    if (!filters.empty()) {
      ASSIGN_OR_RETURN(t->filter_, RowFilter::Compile(*source, filters));
    }
  }
  // Source column index -> target column index (-1: does not travel).
  std::vector<long> new_index(source->columns.size());
  for (size_t i = 0; i < new_index.size(); ++i) new_index[i] = static_cast<long>(i);
  if (mapping_ && mapping_->maps_columns()) {
    std::vector<std::string> names;
    for (const auto& c : source->columns) names.push_back(c.name);
    ASSIGN_OR_RETURN(task::ColumnMapping m, mapping_->MapColumns(source->name, names));
    if (m.changes_anything) {
      auto shaped = std::make_shared<TableSchema>(*t->target_);
      shaped->columns.clear();
      new_index.assign(source->columns.size(), -1);
      std::set<std::string> seen;
      for (size_t i = 0; i < source->columns.size(); ++i) {
        if (m.target_names[i].empty()) {
          // A stream's schema may key a table by every column (PostgreSQL REPLICA IDENTITY
          // FULL): there a removed column only leaves the key; the primary key was checked at
          // start (tables the task was started with).
          if (source->IsKeyColumn(i) && !in_stream)
            return InvalidArgument("table mapping rule " + m.removed_by[i] +
                                   " removes key column " + source->columns[i].name + " of " +
                                   source->name.ToString() +
                                   ": changes could not find their target rows; keep the column");
          continue;
        }
        Column c = source->columns[i];
        c.name = m.target_names[i];
        new_index[i] = static_cast<long>(shaped->columns.size());
        t->kept_.push_back(i);
        shaped->columns.push_back(std::move(c));
      }
      for (const auto& a : m.added) {
        Column c;
        c.name = a.name;
        c.kind = ValueKind::kText;  // added columns are text (docs/dms.md)
        c.nullable = true;
        c.type = ColumnType::Of(TypeFamily::kText);  // unbounded text on every target
        shaped->columns.push_back(std::move(c));
        t->has_operation_column_ = t->has_operation_column_ || a.has_operation;
      }
      for (const auto& c : shaped->columns) {
        if (!seen.insert(c.name).second)
          return InvalidArgument("table mapping: column rules give two columns of " +
                                 source->name.ToString() + " the target name " + c.name);
      }
      if (shaped->columns.empty())
        return InvalidArgument("table mapping: the column rules leave no column of " +
                               source->name.ToString());
      std::vector<size_t> key;
      for (size_t k : shaped->key)
        if (new_index[k] >= 0) key.push_back(static_cast<size_t>(new_index[k]));
      if (key.empty() && !shaped->key.empty())
        return InvalidArgument("table mapping: the column rules remove every key column of " +
                               source->name.ToString());
      shaped->key = std::move(key);
      std::vector<ForeignKey> fks;
      for (ForeignKey fk : shaped->foreign_keys) {
        bool kept = true;
        for (size_t& c : fk.columns) {
          if (new_index[c] < 0)
            kept = false;
          else
            c = static_cast<size_t>(new_index[c]);
        }
        if (kept) fks.push_back(std::move(fk));
      }
      shaped->foreign_keys = std::move(fks);
      std::vector<Index> indexes;  // schema objects: those on removed columns go with them
      for (Index ix : shaped->indexes) {
        bool kept = true;
        for (IndexPart& part : ix.parts) {
          if (!part.column) continue;
          if (new_index[*part.column] < 0)
            kept = false;
          else
            part.column = static_cast<size_t>(new_index[*part.column]);
        }
        if (kept) indexes.push_back(std::move(ix));
      }
      shaped->indexes = std::move(indexes);
      t->added_ = std::move(m.added);
      for (const auto& a : t->added_) {
        std::vector<size_t> reads;
        for (const auto& name : a.expression.columns())
          for (size_t i = 0; i < source->columns.size(); ++i)
            if (source->columns[i].name == name) reads.push_back(i);
        t->added_reads_.push_back(std::move(reads));
      }
      t->target_ = std::move(shaped);
      t->shapes_ = true;
    }
  }
  if (mapping_ && (mapping_->changes_types() || mapping_->defines_keys()))
    RETURN_IF_ERROR(ApplyTypesAndKey(*t, new_index));
  const TableTransform* out = t.get();
  cache_.emplace(source.get(), std::move(t));
  return out;
}

Status TableTransforms::ApplyTypesAndKey(TableTransform& t, const std::vector<long>& new_index) {
  const TableSchema& source = *t.source_;
  auto shaped = std::make_shared<TableSchema>(*t.target_);
  bool changed = false;
  // change-data-type: the target column's neutral type (values travel unchanged).
  for (size_t i = 0; i < source.columns.size() && mapping_->changes_types(); ++i) {
    if (new_index[i] < 0) continue;
    const Column& sc = source.columns[i];
    const task::TypeChange* change =
        mapping_->TypeChangeFor(source.name, sc.name, task::DmsTypeName(sc));
    if (!change) continue;
    size_t target = static_cast<size_t>(new_index[i]);
    Column& tc = shaped->columns[target];
    ASSIGN_OR_RETURN(task::TypeChangePlan plan, task::PlanTypeChange(sc, *change));
    plan.column.name = tc.name;
    tc = std::move(plan.column);
    if (plan.conversion)
      t.conversions_.push_back(
          {target, std::move(*plan.conversion),
           "table mapping rule " + change->rule_id + " (change-data-type " + change->type + ")"});
    changed = true;
  }
  // define-primary-key: the target's key, by which changes find their rows.
  if (const task::DefinedKey* def = mapping_->KeyFor(source.name)) {
    std::vector<size_t> key;
    bool needs_full_before = false;
    for (const std::string& name : def->columns) {
      size_t i = 0;
      while (i < source.columns.size() && source.columns[i].name != name) ++i;
      if (i == source.columns.size())
        return InvalidArgument("table mapping rule " + def->rule_id +
                               " (define-primary-key): table " + source.name.ToString() +
                               " has no column " + name);
      if (new_index[i] < 0)
        return InvalidArgument("table mapping rule " + def->rule_id +
                               " (define-primary-key): key column " + name + " of " +
                               source.name.ToString() +
                               " does not travel (a column rule removes it); keep the column");
      key.push_back(static_cast<size_t>(new_index[i]));
      shaped->columns[static_cast<size_t>(new_index[i])].nullable = false;  // a primary key's
      if (!source.IsKeyColumn(i)) needs_full_before = true;
    }
    if (key != shaped->key) {
      shaped->key = std::move(key);
      t.key_rule_ = def->rule_id;
      t.needs_full_before_ = needs_full_before;
      changed = true;
    }
  }
  if (changed) t.target_ = std::move(shaped);
  return Status::Ok();
}

Result<bool> TableTransforms::Apply(Change& c, const TransactionInfo* txn) {
  const RowOrigin origin{txn, c.op, 0};
  if (c.op == ChangeOp::kTruncate) {
    for (auto& t : c.truncated) {
      ASSIGN_OR_RETURN(const TableTransform* tt, For(t, true));
      t = tt->target();
    }
    if (!c.truncated.empty()) c.table = c.truncated.front();
    return true;
  }
  ASSIGN_OR_RETURN(const TableTransform* t, For(c.table, true));
  if (t->needs_full_before_ && (c.op == ChangeOp::kUpdate || c.op == ChangeOp::kDelete) &&
      (c.before.empty() || c.before_is_key_only)) {
    // The defined key has columns the source's old image lacks: the target row cannot be found.
    return FailedPrecondition(
        "table " + c.table->name.ToString() + ": table mapping rule " + t->key_rule_ +
        " (define-primary-key) keys the table by columns the source's change does not carry in "
        "its old image (a " +
        std::string(c.op == ChangeOp::kUpdate ? "update" : "delete") +
        " sends only the source's own key); give the table full old images (PostgreSQL: ALTER "
        "TABLE " +
        c.table->name.ToString() + " REPLICA IDENTITY FULL) and restart");
  }
  const RowFilter& f = t->filter();
  if (!f.empty()) {
    auto old_verdict = [&]() {
      if (c.before.empty()) return FilterVerdict::kUnknown;
      return f.Evaluate(c.before, c.before_is_key_only);
    };
    switch (c.op) {
      case ChangeOp::kRead:
      case ChangeOp::kInsert:
        if (f.Evaluate(c.after) == FilterVerdict::kFail) return false;
        break;
      case ChangeOp::kDelete:
        if (old_verdict() == FilterVerdict::kFail) return false;
        break;
      case ChangeOp::kUpdate: {
        FilterVerdict before = old_verdict();
        FilterVerdict after = f.Evaluate(c.after);
        if (after == FilterVerdict::kUnknown) after = before;  // the filtered column is unchanged
        bool complete = std::none_of(c.after.begin(), c.after.end(),
                                     [](const Value& v) { return v.is_unchanged(); });
        if (after == FilterVerdict::kFail) {
          if (before == FilterVerdict::kFail) return false;
          // Moves out of the filter (or may have): the target row goes.
          c.op = ChangeOp::kDelete;
          if (c.before.empty()) {
            c.before = std::move(c.after);  // the key did not change: it is in the new image
            c.before_is_key_only = true;
          }
          c.after.clear();
        } else if (after == FilterVerdict::kPass && before == FilterVerdict::kFail && complete) {
          c.op = ChangeOp::kInsert;  // moves into the filter: the target has no row yet
          c.before.clear();
          c.before_is_key_only = false;
        }
        break;
      }
      case ChangeOp::kTruncate:
        break;
    }
  }
  if (t->has_operation_column_ && c.op == ChangeOp::kDelete) {
    // operation_indicator: the row stays, marked deleted (DMS). Only the key and the added
    // columns are written; the others keep their target values.
    std::vector<Value> after = c.before;
    for (size_t i = 0; i < after.size(); ++i) {
      if (c.before_is_key_only && !c.table->IsKeyColumn(i)) after[i] = Value::Unchanged();
    }
    c.op = ChangeOp::kUpdate;
    t->ShapeRow(after, ChangeOp::kDelete, origin);
    // Added columns other than the indicator are computed from a possibly partial image.
    c.after = std::move(after);
  } else {
    t->ShapeRow(c.after, c.op, origin);
  }
  t->ShapeRow(c.before, c.op, origin);
  c.table = t->target();
  if (t->converts_values()) {
    ConversionRefusal refused;
    // The old image first: a refused new value is then reported under the converted key.
    Status s = t->ConvertOldImage(c.before, c.before_is_key_only, &refused);
    if (s.ok()) s = t->ConvertRow(c.after, &refused);
    if (!s.ok()) {
      refusal_ = std::move(refused);
      return s;
    }
  }
  return true;
}

}  // namespace cutover
