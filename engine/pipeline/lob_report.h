// LobReport: which values AWS DMS would truncate in limited LOB mode, found while cutover copies
// them whole.
//
// DMS moves LOB columns (unbounded text and binary, JSON) in limited LOB mode unless told
// otherwise: a value longer than LobMaxSize KB (TargetMetadata, 32 by default) or a table's
// lob-settings bulk-max-size KB is cut to that size on the target, with a warning in the task
// log only. A rehearsal must show which data that would damage. cutover itself never truncates:
// this stage only measures. For every LOB column it counts the values over the task's limit,
// with the largest size and the key of the first one, and logs them: per table at the end of its
// full load, and during CDC the first value per column at once and the counts when the task
// stops.
//
// Design: the limits are a pure function of the task files (DMS's TargetMetadata LOB keys, the
// table-settings lob-settings of the mapping); the stage sees target-shaped rows (after the
// table mapping), so it reports under the target's column names.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/value.h"
#include "engine/task/table_mapping.h"

namespace cutover {

// DMS's task-level LOB settings (TargetMetadata), with DMS's defaults.
struct LobPolicy {
  bool support_lobs = true;    // SupportLobs: false, DMS leaves LOB columns out (reported)
  bool full_lob_mode = false;  // FullLobMode: true, DMS copies LOBs whole
  bool limited_mode = true;    // LimitedSizeLobMode
  int64_t lob_max_kb = 32;     // LobMaxSize (KB)
};

class LobReport {
 public:
  // `mapping` may be null (no table-settings rules).
  LobReport(LobPolicy policy, std::shared_ptr<const task::TableMapping> mapping);

  // Whether `c` is a LOB column as DMS treats it (unbounded text or bytes, JSON).
  static bool IsLob(const Column& c);

  // Measures `row` (target-shaped, `table`'s columns). Thread-safe. `during_cdc`: the first
  // value over the limit per column is logged at once.
  void Observe(const TableSchema& table, const std::vector<Value>& row, bool during_cdc);
  // Logs `table`'s counts and forgets them (the end of its full load).
  void ReportTable(const TableName& table);
  // Logs every count not yet reported (the task stops).
  void ReportAll();

  // The limit a table's LOB values are held to, in bytes; -1: DMS would not truncate.
  // `why` names the setting ("LobMaxSize 32 KB", "rule 4 bulk-max-size 16 KB").
  int64_t LimitFor(const TableName& source, std::string* why) const;

 private:
  struct Plan {
    const TableSchema* schema = nullptr;  // the object last seen (compared, never followed)
    std::vector<std::string> names;       // the table's columns the plan was made for
    int64_t limit = -1;
    std::string why;
    std::vector<size_t> columns;  // LOB columns of the table
  };
  struct Count {
    int64_t values = 0;
    int64_t largest = 0;
    std::string first_key;
    bool logged_first = false;
  };
  const Plan& PlanLocked(const TableSchema& table);
  void ReportLocked(const TableName& table);

  LobPolicy policy_;
  std::shared_ptr<const task::TableMapping> mapping_;
  std::mutex mu_;
  std::map<TableName, Plan> plans_;
  // (table, column) -> counts, and the limit text per table.
  std::map<TableName, std::map<std::string, Count>> counts_;
  std::map<TableName, std::string> why_;
};

}  // namespace cutover
