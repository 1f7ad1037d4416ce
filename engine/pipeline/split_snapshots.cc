#include "engine/pipeline/split_snapshots.h"

#include <algorithm>

namespace cutover {

void SplitSnapshots::Add(const TableName& table,
                         std::vector<std::pair<KeyRange, Position>> ranges) {
  if (ranges.empty()) return;
  Table t;
  t.earliest = t.latest = ranges.front().second;
  for (const auto& [range, pos] : ranges) {
    t.earliest = std::min(t.earliest, pos);
    t.latest = std::max(t.latest, pos);
  }
  if (!(t.earliest < t.latest)) return;  // one snapshot: the table rule covers it
  t.ranges = std::move(ranges);
  tables_[table] = std::move(t);
}

Result<SplitSnapshots::Verdict> SplitSnapshots::Decide(Change& c, const Position& txn) const {
  if (!c.table) return Verdict::kNotSplit;
  auto it = tables_.find(c.table->name);
  if (it == tables_.end()) return Verdict::kNotSplit;
  const Table& t = it->second;
  if (!(txn < t.latest)) return Verdict::kApply;  // after every range's snapshot
  if (txn < t.earliest) return Verdict::kSkip;    // before every range's snapshot
  const size_t column = t.ranges.front().first.column;
  auto applies = [&](const std::vector<Value>& row) -> Result<bool> {
    if (column >= row.size() || row[column].kind() != ValueKind::kInt64)
      return Internal("table " + c.table->name.ToString() + ": the change's key column " +
                      std::to_string(column) + " holds no integer");
    int64_t k = row[column].as_int64();
    for (const auto& [range, pos] : t.ranges)
      if (range.Contains(k)) return !(txn < pos);
    return Internal("table " + c.table->name.ToString() + ": key " + std::to_string(k) +
                    " is in none of its load ranges");
  };
  const std::vector<Value>& old_row = c.before.empty() ? c.after : c.before;
  switch (c.op) {
    case ChangeOp::kInsert:
    case ChangeOp::kRead: {
      ASSIGN_OR_RETURN(bool a, applies(c.after));
      return a ? Verdict::kApply : Verdict::kSkip;
    }
    case ChangeOp::kDelete: {
      ASSIGN_OR_RETURN(bool a, applies(old_row));
      return a ? Verdict::kApply : Verdict::kSkip;
    }
    case ChangeOp::kUpdate: {
      ASSIGN_OR_RETURN(bool old_applies, applies(old_row));
      ASSIGN_OR_RETURN(bool new_applies, applies(c.after));
      if (old_applies == new_applies) return old_applies ? Verdict::kApply : Verdict::kSkip;
      if (old_applies) {  // the row left an applied range for one that already has it
        c.op = ChangeOp::kDelete;
        if (c.before.empty()) c.before = c.after;
        c.after.clear();
        return Verdict::kApply;
      }
      for (const Value& v : c.after)
        if (v.kind() == ValueKind::kUnchanged)
          return FailedPrecondition(
              "table " + c.table->name.ToString() +
              ": an update moved a row into a load range read from an earlier snapshot, but the "
              "source did not send all its values; reload the table (cutover task drop, or "
              "--table-prep drop-and-create on a new task)");
      c.op = ChangeOp::kInsert;  // the row came into an applied range from one that had it
      c.before.clear();
      c.before_is_key_only = false;
      return Verdict::kApply;
    }
    default:
      return Verdict::kNotSplit;
  }
}

Status SplitSnapshots::CheckTruncate(const TableName& table, const Position& txn) const {
  auto it = tables_.find(table);
  if (it == tables_.end()) return Status::Ok();
  const Table& t = it->second;
  if (txn < t.earliest || !(txn < t.latest)) return Status::Ok();
  return FailedPrecondition(
      "table " + table.ToString() + " was truncated on the source at " + txn.text +
      ", between the snapshots its load ranges were read from (" + t.earliest.text + " and " +
      t.latest.text +
      ", a split load resumed after a restart): it cannot be truncated in part; "
      "reload the table (drop the task with `cutover task drop` and start it again)");
}

}  // namespace cutover
