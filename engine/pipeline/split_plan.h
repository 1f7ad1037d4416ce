// PlanSplit: which tables of a full load are split into key ranges, and into which ranges
// (engine/core/load_split.h).
//
// A table is split when the sink loads ranges, the table has an integer first key column, and
// either a DMS table-settings parallel-load rule names it (ranges: the rule's boundaries;
// partitions-auto / partitions-list: `parallel` even ranges, said in one line, since cutover
// reads a partitioned table through its root) or its size (the source's statistics) is above
// the threshold (`parallel` even ranges between the key's smallest and largest value in the
// snapshot). A parallel-load of type none keeps the table whole. A table whose earlier split
// load has ranges done resumes with exactly those ranges, done ones kept, unless foreign-key
// actions link it to other tables (then it is loaded again whole, like them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/load_split.h"
#include "engine/task/table_mapping.h"

namespace cutover {

struct SplitSettings {
  int64_t larger_than = 0;  // bytes; 0: size never splits a table
  int parallel = 4;         // ranges of an automatic split
  const task::TableMapping* mapping = nullptr;
};

struct SplitTable {
  std::vector<RangeLoadState> ranges;  // KeyRange::column set; some done when resumed
  bool resumed = false;                // the ranges come from the target's state
};

// The split of `table` (a source schema) read from `snapshot`, or nullopt to load it whole.
// `size`: the source's estimate (-1 unknown); `earlier`: the target's ranges of the table from
// an earlier run (empty: none); `resumable`: whether done ranges may be kept.
// kInvalidArgument when a parallel-load rule cannot be applied to the table (naming the rule).
Result<std::optional<SplitTable>> PlanSplit(const TableSchema& table, const SplitSettings& settings,
                                            int64_t size,
                                            const std::vector<RangeLoadState>& earlier,
                                            bool resumable, Snapshot& snapshot);

}  // namespace cutover
