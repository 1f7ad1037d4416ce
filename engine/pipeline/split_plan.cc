#include "engine/pipeline/split_plan.h"

#include <charconv>

#include "engine/core/log.h"

namespace cutover {

namespace {

SplitTable Fresh(const std::vector<KeyRange>& ranges, const std::string& column,
                 const std::string& shape) {
  SplitTable s;
  for (size_t i = 0; i < ranges.size(); ++i) {
    RangeLoadState r;
    r.index = static_cast<int>(i);
    r.column = column;
    r.range = ranges[i];
    r.shape = shape;
    s.ranges.push_back(r);
  }
  return s;
}

}  // namespace

Result<std::optional<SplitTable>> PlanSplit(const TableSchema& table, const SplitSettings& settings,
                                            int64_t size,
                                            const std::vector<RangeLoadState>& earlier,
                                            bool resumable, Snapshot& snapshot) {
  const std::string name = table.name.ToString();
  std::optional<size_t> column = SplitColumn(table);
  const task::ParallelLoad* rule =
      settings.mapping ? settings.mapping->ParallelLoadFor(table.name) : nullptr;
  if (rule && rule->type == task::ParallelLoadType::kNone) return std::optional<SplitTable>();

  // Resume: the earlier ranges, when some committed, the split column is still the same and
  // the table still has the columns the done ranges were loaded with (a fresh snapshot's rows
  // of another shape would not fit them: the table is loaded again whole, from this snapshot).
  const std::string shape = ColumnsFingerprint(table);
  bool any_done = false;
  for (const auto& r : earlier) any_done |= r.done;
  bool same_shape =
      earlier.empty() || earlier.front().shape.empty() || earlier.front().shape == shape;
  if (any_done && resumable && !same_shape)
    Log(LogLevel::kInfo,
        "table {}: its columns changed since its split load began (the source's schema changed "
        "while the task was down); it is loaded again whole, from this snapshot",
        name);
  if (any_done && resumable && same_shape && column &&
      table.columns[*column].name == earlier.front().column) {
    SplitTable s;
    s.resumed = true;
    s.ranges = earlier;
    for (auto& r : s.ranges) r.range.column = *column;
    return std::optional<SplitTable>(std::move(s));
  }

  if (rule) {
    const std::string what = "table-settings rule " + rule->rule_id + " (table " + name + ")";
    if (!column)
      return InvalidArgument(what +
                             ": parallel-load needs a table whose first primary-key "
                             "column is an integer; this one has none");
    const std::string& col = table.columns[*column].name;
    if (rule->type == task::ParallelLoadType::kRanges) {
      if (rule->columns.size() != 1 || rule->columns[0] != col)
        return InvalidArgument(what +
                               ": parallel-load ranges split on the first primary-key "
                               "column only; use \"columns\": [\"" +
                               col + "\"]");
      std::vector<int64_t> bounds;
      for (const auto& b : rule->boundaries) {
        int64_t v = 0;
        auto r = std::from_chars(b[0].data(), b[0].data() + b[0].size(), v);
        if (r.ec != std::errc() || r.ptr != b[0].data() + b[0].size())
          return InvalidArgument(what + ": boundary '" + b[0] + "' is not an integer (column " +
                                 col + ")");
        bounds.push_back(v);
      }
      auto ranges = RangesFromBounds(*column, bounds);
      if (!ranges.ok()) return ranges.status().WithContext(what);
      return std::optional<SplitTable>(Fresh(*ranges, col, shape));
    }
    Log(LogLevel::kWarn,
        "{}: parallel-load {} is loaded as {} even key ranges of {} (cutover reads a "
        "partitioned table through its root, not partition by partition)",
        what,
        rule->type == task::ParallelLoadType::kPartitionsAuto ? "partitions-auto"
                                                              : "partitions-list",
        settings.parallel, col);
  } else {
    if (settings.larger_than <= 0 || size <= settings.larger_than)
      return std::optional<SplitTable>();
    if (!column) {
      Log(LogLevel::kInfo,
          "table {} is above --split-tables-larger-than but is loaded whole: its first "
          "primary-key column is not an integer",
          name);
      return std::optional<SplitTable>();
    }
  }
  ASSIGN_OR_RETURN(auto bounds, snapshot.KeyBounds(table, *column));
  if (!bounds) return std::optional<SplitTable>();  // empty table
  std::vector<KeyRange> ranges =
      EvenRanges(*column, bounds->first, bounds->second, std::max(settings.parallel, 1));
  if (ranges.size() < 2 && !rule) return std::optional<SplitTable>();
  return std::optional<SplitTable>(Fresh(ranges, table.columns[*column].name, shape));
}

}  // namespace cutover
