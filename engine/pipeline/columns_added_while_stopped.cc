// Columns added on the source while the task was stopped: see the header.
#include "engine/pipeline/columns_added_while_stopped.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "engine/core/log.h"

namespace cutover {

namespace {

std::string Fold(const std::string& name, bool case_insensitive) {
  if (!case_insensitive) return name;
  std::string s = name;
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string List(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

Result<TableSchemaPtr> StartShapeOnTarget(const TableSchemaPtr& table,
                                          const TargetTableColumns& target) {
  std::vector<std::string> on_target;  // folded names of the columns cutover writes there
  for (const TargetColumn& c : target.columns)
    if (!c.generated) on_target.push_back(Fold(c.name, target.case_insensitive));
  auto has = [&](const std::string& name) {
    return std::find(on_target.begin(), on_target.end(), Fold(name, target.case_insensitive)) !=
           on_target.end();
  };
  std::vector<std::string> missing;
  size_t first_missing = table->columns.size();
  for (size_t i = 0; i < table->columns.size(); ++i) {
    if (has(table->columns[i].name)) continue;
    missing.push_back(table->columns[i].name);
    first_missing = std::min(first_missing, i);
  }
  if (missing.empty()) return table;

  const std::string name = table->name.ToString();
  std::vector<std::string> extra;  // target columns the task does not write
  for (const TargetColumn& c : target.columns) {
    if (c.generated) continue;
    bool written = false;
    for (const Column& col : table->columns)
      written = written ||
                Fold(col.name, target.case_insensitive) == Fold(c.name, target.case_insensitive);
    if (!written) extra.push_back(c.name);
  }
  const std::string remedy =
      ": apply the change on the target by hand (ALTER TABLE) and restart the task";
  if (!extra.empty()) {
    return FailedPrecondition(
        "table " + name + ": the target lacks column(s) " + List(missing) +
        " of the source and has column(s) " + List(extra) +
        " the source no longer has (renamed or dropped and added while the task was stopped? "
        "the two cannot be told apart)" +
        remedy);
  }
  if (first_missing + missing.size() != table->columns.size()) {
    return FailedPrecondition("table " + name + ": the target lacks column(s) " + List(missing) +
                              " of the source, not at the end of the table (added while the "
                              "task was stopped, with FIRST or AFTER?)" +
                              remedy);
  }
  for (size_t k : table->key) {
    if (k >= first_missing) {
      return FailedPrecondition("table " + name + ": the target lacks key column " +
                                table->columns[k].name + " of the source" + remedy);
    }
  }
  // The table as the target has it: its first columns. Indexes and foreign keys on a missing
  // column are left out of the copy, so that no column index in it points past its columns.
  auto shape = std::make_shared<TableSchema>(*table);
  shape->columns.resize(first_missing);
  std::erase_if(shape->indexes, [&](const Index& i) {
    return std::any_of(i.parts.begin(), i.parts.end(),
                       [&](const IndexPart& p) { return p.column && *p.column >= first_missing; });
  });
  std::erase_if(shape->foreign_keys, [&](const ForeignKey& fk) {
    return std::any_of(fk.columns.begin(), fk.columns.end(),
                       [&](size_t c) { return c >= first_missing; });
  });
  return TableSchemaPtr(shape);
}

Result<std::vector<TableSchemaPtr>> StartShapes(Sink& sink,
                                                const std::vector<TableSchemaPtr>& targets) {
  ASSIGN_OR_RETURN(auto on_target, sink.ReadTargetColumns(targets));
  std::vector<TableSchemaPtr> shapes;
  shapes.reserve(targets.size());
  for (const TableSchemaPtr& t : targets) {
    auto it = on_target.find(t->name);
    if (it == on_target.end()) {
      shapes.push_back(t);
      continue;
    }
    ASSIGN_OR_RETURN(TableSchemaPtr shape, StartShapeOnTarget(t, it->second));
    if (shape != t) {
      std::string added;
      for (size_t i = shape->columns.size(); i < t->columns.size(); ++i)
        added += (added.empty() ? "" : ", ") + t->columns[i].name;
      Log(LogLevel::kInfo,
          "table {}: the target lacks column(s) {} of the source (added while the task was "
          "stopped): added on the target at the table's next change",
          t->name.ToString(), added);
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

}  // namespace cutover
