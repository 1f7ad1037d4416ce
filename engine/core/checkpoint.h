// Checkpoint and TaskState: what the target remembers about a task, so a restart neither loses
// nor duplicates anything.
//
// The checkpoint is written by the sink in the same target transaction as the data it covers;
// per-table load state is written in the same transaction as the table's last loaded rows.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/core/position.h"
#include "engine/core/schema.h"

namespace cutover {

struct TableLoadState {
  Position snapshot;  // position of the snapshot the table was loaded from
  int64_t rows = 0;
};

struct TaskState {
  std::optional<Position> applied;             // last source transaction applied by CDC
  std::map<TableName, TableLoadState> loaded;  // tables whose full load committed
};

}  // namespace cutover
