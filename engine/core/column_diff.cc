#include "engine/core/column_diff.h"

#include <map>
#include <optional>

namespace cutover {

namespace {

bool SameType(const Column& a, const Column& b) {
  return a.type_id == b.type_id && a.type_name == b.type_name && a.kind == b.kind;
}

// Where column `i` of `cols` sits among the kept columns (those whose name is in both schemas):
// the index in `after` of the last kept column before it, or -1 when none is.
int Anchor(const std::vector<Column>& cols, size_t i,
           const std::map<std::string, size_t>& in_before,
           const std::map<std::string, size_t>& in_after) {
  for (size_t j = i; j-- > 0;) {
    const std::string& n = cols[j].name;
    if (in_before.count(n) && in_after.count(n)) return static_cast<int>(in_after.at(n));
  }
  return -1;
}

}  // namespace

std::vector<ColumnChange> DiffColumns(const TableSchema& before, const TableSchema& after) {
  std::map<std::string, size_t> in_before, in_after;
  for (size_t i = 0; i < before.columns.size(); ++i) in_before[before.columns[i].name] = i;
  for (size_t i = 0; i < after.columns.size(); ++i) in_after[after.columns[i].name] = i;

  std::vector<size_t> dropped, added;  // indexes into before / after
  for (size_t i = 0; i < before.columns.size(); ++i)
    if (!in_after.count(before.columns[i].name)) dropped.push_back(i);
  for (size_t i = 0; i < after.columns.size(); ++i)
    if (!in_before.count(after.columns[i].name)) added.push_back(i);

  std::vector<ColumnChange> renames, drops, retypes, adds;
  // A rename: the one column dropped and the one added between the same kept neighbours.
  std::vector<bool> add_taken(added.size(), false);
  for (size_t d : dropped) {
    int anchor = Anchor(before.columns, d, in_before, in_after);
    std::optional<size_t> match;
    int candidates = 0;
    for (size_t k = 0; k < added.size(); ++k) {
      if (add_taken[k] || Anchor(after.columns, added[k], in_before, in_after) != anchor) continue;
      ++candidates;
      if (SameType(before.columns[d], after.columns[added[k]])) match = k;
    }
    if (match && candidates == 1) {
      add_taken[*match] = true;
      renames.push_back({ColumnChange::Kind::kRename, before.columns[d].name,
                         after.columns[added[*match]].name, added[*match]});
    } else {
      drops.push_back({ColumnChange::Kind::kDrop, before.columns[d].name, "", 0});
    }
  }
  for (size_t i = 0; i < after.columns.size(); ++i) {
    auto b = in_before.find(after.columns[i].name);
    if (b != in_before.end() && !SameType(before.columns[b->second], after.columns[i]))
      retypes.push_back({ColumnChange::Kind::kRetype, after.columns[i].name, "", i});
  }
  for (size_t k = 0; k < added.size(); ++k)
    if (!add_taken[k])
      adds.push_back({ColumnChange::Kind::kAdd, after.columns[added[k]].name, "", added[k]});

  std::vector<ColumnChange> out;
  for (auto* part : {&renames, &drops, &retypes, &adds})
    for (ColumnChange& c : *part) out.push_back(std::move(c));
  return out;
}

std::string DescribeColumnChanges(const std::vector<ColumnChange>& changes,
                                  const TableSchema& after) {
  std::string out;
  for (const ColumnChange& c : changes) {
    if (!out.empty()) out += "; ";
    switch (c.kind) {
      case ColumnChange::Kind::kRename:
        out += "rename column " + c.name + " to " + c.new_name;
        break;
      case ColumnChange::Kind::kDrop:
        out += "drop column " + c.name;
        break;
      case ColumnChange::Kind::kRetype:
        out += "column " + c.name + " type " + after.columns[c.after_index].type_name;
        break;
      case ColumnChange::Kind::kAdd: {
        const Column& col = after.columns[c.after_index];
        out += "add column " + c.name + " " + col.type_name;
        if (!col.default_value.source_text.empty())
          out += " DEFAULT " + col.default_value.source_text;
        if (!col.nullable) out += " NOT NULL";
        break;
      }
    }
  }
  return out;
}

}  // namespace cutover
