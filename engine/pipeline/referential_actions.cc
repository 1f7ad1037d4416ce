#include "engine/pipeline/referential_actions.h"

#include <set>
#include <string>
#include <unordered_set>

#include "engine/core/schema_objects.h"

namespace cutover {

namespace {

bool Acts(ReferentialAction a) {
  return a == ReferentialAction::kCascade || a == ReferentialAction::kSetNull ||
         a == ReferentialAction::kSetDefault;
}

// "fk_name (col, ...) -> parent (col, ...) ON DELETE x ON UPDATE y"
std::string Describe(const TableSchema& child, const ForeignKey& fk) {
  std::string s = "foreign key " + fk.name + " (";
  for (size_t i = 0; i < fk.columns.size(); ++i)
    s += (i ? ", " : "") + child.columns[fk.columns[i]].name;
  s += ") -> " + fk.parent.ToString() + " (";
  for (size_t i = 0; i < fk.parent_columns.size(); ++i) s += (i ? ", " : "") + fk.parent_columns[i];
  s += ")";
  return s + ReferentialActionsSql(fk);
}

// Indexes of `names` in `t`'s columns; empty when one is missing.
std::vector<size_t> ColumnIndexes(const TableSchema& t, const std::vector<std::string>& names) {
  std::vector<size_t> out;
  for (const std::string& n : names) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name == n) {
        out.push_back(i);
        break;
      }
    }
  }
  if (out.size() != names.size()) out.clear();
  return out;
}

// The values of `cols` of `row`; false when one is NULL or unknown (such a row references
// nothing).
bool Pick(const std::vector<Value>& row, const std::vector<size_t>& cols, std::vector<Value>& out) {
  out.clear();
  for (size_t c : cols) {
    if (c >= row.size() || row[c].is_null() || row[c].is_unchanged()) return false;
    out.push_back(row[c]);
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

void ReferentialActions::CheckTask(const std::vector<TableSchemaPtr>& tables,
                                   StartReport& problems) {
  for (const auto& t : tables) {
    for (const ForeignKey& fk : t->foreign_keys) {
      if (!fk.HasAction()) continue;
      std::string object = "table " + t->name.ToString();
      if (fk.on_delete == ReferentialAction::kSetDefault ||
          fk.on_update == ReferentialAction::kSetDefault) {
        problems.Refuse(object,
                        Describe(*t, fk) +
                            ": the source performs SET DEFAULT without logging it and cutover "
                            "cannot reproduce it on the target",
                        "change the action to SET NULL, CASCADE or RESTRICT, or leave the table "
                        "out with --exclude-tables '" +
                            t->name.ToString() + "'");
        continue;
      }
      const TableSchema* parent = FindTable(tables, fk.parent);
      if (!parent) {
        problems.Refuse(
            object,
            Describe(*t, fk) +
                ": the source performs this action without logging it, and cutover reproduces "
                "it from the changes of " +
                fk.parent.ToString() +
                ", which is not in the task (its deletes and key updates would never be read, "
                "and the rows of " +
                t->name.ToString() + " they change would silently differ)",
            "include " + fk.parent.ToString() + " in the task (--tables), or leave " +
                t->name.ToString() + " out with --exclude-tables '" + t->name.ToString() + "'");
        continue;
      }
      if (ColumnIndexes(*parent, fk.parent_columns).empty() ||
          fk.columns.size() != fk.parent_columns.size()) {
        problems.Refuse(object,
                        Describe(*t, fk) +
                            ": the source's catalog describes it incompletely "
                            "(a referenced column is missing)",
                        "leave the table out with --exclude-tables '" + t->name.ToString() + "'");
      }
    }
  }
}

ReferentialActions::ReferentialActions(const std::vector<TableSchemaPtr>& tables)
    : tables_(tables) {
  for (const auto& t : tables_) {
    for (const ForeignKey& fk : t->foreign_keys) {
      if (!fk.HasAction()) continue;
      const TableSchema* parent = FindTable(tables_, fk.parent);
      if (!parent) continue;  // refused at start (CheckTask)
      Edge e;
      e.child = t;
      e.fk = &fk;
      e.parent_columns = ColumnIndexes(*parent, fk.parent_columns);
      if (e.parent_columns.empty() || e.parent_columns.size() != fk.columns.size()) continue;
      by_parent_[fk.parent].push_back(std::move(e));
    }
  }
  for (const auto& [parent, edges] : by_parent_) {
    std::set<TableName> seen;
    std::vector<TableName> todo{parent};
    while (!todo.empty()) {
      TableName n = todo.back();
      todo.pop_back();
      if (const auto* es = EdgesOf(n)) {
        for (const Edge& e : *es)
          if (seen.insert(e.child->name).second) todo.push_back(e.child->name);
      }
    }
    reach_[parent].assign(seen.begin(), seen.end());
  }
}

const std::vector<ReferentialActions::Edge>* ReferentialActions::EdgesOf(
    const TableName& parent) const {
  auto it = by_parent_.find(parent);
  return it == by_parent_.end() ? nullptr : &it->second;
}

bool ReferentialActions::Triggers(const Change& c) const {
  return (c.op == ChangeOp::kDelete || c.op == ChangeOp::kUpdate) && c.table &&
         EdgesOf(c.table->name) != nullptr;
}

const std::vector<TableName>& ReferentialActions::Reach(const TableName& parent) const {
  static const std::vector<TableName> kNone;
  auto it = reach_.find(parent);
  return it == reach_.end() ? kNone : it->second;
}

std::vector<TableName> ReferentialActions::Related(const TableName& t) const {
  std::set<TableName> seen{t};
  std::vector<TableName> todo{t};
  while (!todo.empty()) {
    TableName n = todo.back();
    todo.pop_back();
    for (const auto& [parent, edges] : by_parent_) {
      for (const Edge& e : edges) {
        const TableName* other = nullptr;
        if (parent == n) other = &e.child->name;
        if (e.child->name == n) other = &parent;
        if (other && seen.insert(*other).second) todo.push_back(*other);
      }
    }
  }
  return {seen.begin(), seen.end()};
}

// ---------------------------------------------------------------------------------------------
// The walk

struct ReferentialActions::Walk {
  Applier& applier;
  const std::function<bool(const TableName&)>& skip;
};

Status ReferentialActions::Apply(const Change& c, Applier& applier,
                                 const std::function<bool(const TableName&)>& skip) const {
  Walk w{applier, skip};
  if (c.op == ChangeOp::kDelete) return OnDelete(w, c.table->name, c.before, 1);
  if (c.op == ChangeOp::kUpdate && !c.before.empty())
    return OnUpdate(w, c.table->name, c.before, c.after, 1);
  return Status::Ok();
}

Status ReferentialActions::OnDelete(Walk& w, const TableName& t, const std::vector<Value>& old,
                                    int depth) const {
  const auto* edges = EdgesOf(t);
  if (!edges) return Status::Ok();
  for (const Edge& e : *edges) {
    ReferentialStep::Kind kind;
    if (e.fk->on_delete == ReferentialAction::kCascade)
      kind = ReferentialStep::Kind::kDelete;
    else if (e.fk->on_delete == ReferentialAction::kSetNull)
      kind = ReferentialStep::Kind::kSetNull;
    else
      continue;
    RETURN_IF_ERROR(Step(w, e, kind, old, nullptr, depth));
  }
  return Status::Ok();
}

Status ReferentialActions::OnUpdate(Walk& w, const TableName& t, const std::vector<Value>& old,
                                    const std::vector<Value>& now, int depth) const {
  const auto* edges = EdgesOf(t);
  if (!edges) return Status::Ok();
  for (const Edge& e : *edges) {
    ReferentialStep::Kind kind;
    if (e.fk->on_update == ReferentialAction::kCascade)
      kind = ReferentialStep::Kind::kSetValues;
    else if (e.fk->on_update == ReferentialAction::kSetNull)
      kind = ReferentialStep::Kind::kSetNull;
    else
      continue;
    bool changed = false;
    for (size_t c : e.parent_columns) {
      if (c < now.size() && !now[c].is_unchanged() && c < old.size() && now[c] != old[c])
        changed = true;
    }
    if (!changed) continue;
    RETURN_IF_ERROR(Step(w, e, kind, old, &now, depth));
  }
  return Status::Ok();
}

Status ReferentialActions::Step(Walk& w, const Edge& e, ReferentialStep::Kind kind,
                                const std::vector<Value>& old, const std::vector<Value>* now,
                                int depth) const {
  const TableSchema& child = *e.child;
  if (w.skip(child.name)) return Status::Ok();
  std::vector<Value> match;
  if (!Pick(old, e.parent_columns, match)) return Status::Ok();  // references nothing
  if (depth > kMaxDepth) {
    return FailedPrecondition("foreign-key actions from " + e.fk->parent.ToString() +
                              " nest deeper than " + std::to_string(kMaxDepth) + " levels at " +
                              Describe(child, *e.fk) + " (a cycle of ON UPDATE CASCADE?)");
  }
  ReferentialStep step;
  step.kind = kind;
  step.table = e.child;
  step.columns = e.fk->columns;
  step.match = std::move(match);
  step.constraint = e.fk->name;
  if (kind == ReferentialStep::Kind::kSetValues) {
    for (size_t c : e.parent_columns) step.values.push_back((*now)[c]);
  }

  // What the touched rows imply next: for a delete, every key referencing the child with an
  // ON DELETE action; for an update of the FK columns, every key referencing one of them with
  // an ON UPDATE action.
  std::set<size_t> returning;
  if (const auto* next = EdgesOf(child.name)) {
    for (const Edge& n : *next) {
      bool relevant;
      if (kind == ReferentialStep::Kind::kDelete) {
        relevant = Acts(n.fk->on_delete);
      } else {
        relevant = false;
        if (Acts(n.fk->on_update)) {
          for (size_t pc : n.parent_columns)
            for (size_t fc : step.columns)
              if (pc == fc) relevant = true;
        }
      }
      if (relevant) returning.insert(n.parent_columns.begin(), n.parent_columns.end());
    }
  }
  step.returning.assign(returning.begin(), returning.end());

  auto rows = w.applier.ApplyReferential(step);
  if (!rows.ok()) {
    std::string keyval;
    for (size_t i = 0; i < step.match.size(); ++i)
      keyval += (i ? ", " : "") + step.match[i].DebugString();
    return rows.status().WithContext(Describe(child, *e.fk) + " for " + e.fk->parent.ToString() +
                                     " (" + keyval + ")");
  }
  if (step.returning.empty() || rows->empty()) return Status::Ok();

  // Continue from each distinct set of referenced values of the touched rows.
  std::unordered_set<std::string> seen;
  std::string key;
  std::vector<Value> before(child.columns.size(), Value::Unchanged());
  for (const auto& r : *rows) {
    key.clear();
    for (const Value& v : r) v.AppendKeyBytes(key);
    if (!seen.insert(key).second) continue;
    for (size_t i = 0; i < step.returning.size() && i < r.size(); ++i)
      before[step.returning[i]] = r[i];
    if (kind == ReferentialStep::Kind::kDelete) {
      RETURN_IF_ERROR(OnDelete(w, child.name, before, depth + 1));
    } else {
      std::vector<Value> after = before;
      for (size_t j = 0; j < step.columns.size(); ++j) {
        after[step.columns[j]] =
            kind == ReferentialStep::Kind::kSetNull ? Value::Null() : step.values[j];
      }
      RETURN_IF_ERROR(OnUpdate(w, child.name, before, after, depth + 1));
    }
  }
  return Status::Ok();
}

}  // namespace cutover
