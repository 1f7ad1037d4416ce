// Fold: a table's current rows from its committed files, as a lakehouse job computes them.
//
// Design: the files of a table are an append-only log. The current table is, per key, the row
// with the greatest cutover_position, dropped when that row's Op is D (full-load rows, without
// an Op or with I, come first). Only files the manifest lists are read: files written after the
// last manifest are not committed (and are deleted by the next run). This is the query
// docs/lakehouse.md gives users, done in memory by the validator's scanner; a table without a
// key keeps every inserted row (a full-load-only task). CSV files are parsed with value_text.h,
// Parquet files read with parquet/parquet_reader.h (columns found by name, values brought back
// to the table's kinds by parquet_types.h). A transaction file (PreserveTransactions) is listed
// under each table it has rows of, and read for that table's rows only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/object_store.h"

namespace cutover::lakehouse {

struct FoldedTable {
  const ManifestTable* table = nullptr;
  std::vector<std::vector<Value>> rows;  // current rows, one Value per table column
};

// Reads and folds every committed file of `table` (written with `settings`).
Result<FoldedTable> FoldTable(ObjectStore& store, const LakehouseSettings& settings,
                              const ManifestTable& table);

}  // namespace cutover::lakehouse
