// The tables of the conformance contract, written once and rendered in every engine's dialect.
//
// Design. The contract's tables are shaped like real schemas, not like a type list:
//   "Customer"  (~2000 rows) CamelCase names, nullable columns, decimals at the limit of
//               DECIMAL(12,4), text with 2-, 3- and 4-byte characters, timestamps with
//               microseconds, bytes (empty and with zero bytes);
//   "OrderLine" a composite key (integer, text with multibyte characters);
//   event_log   a lower-case table with a bigint key, timestamps and bytes.
// Every statement uses only SQL the three dialects share once the engine row has set its session
// up (identifiers in double quotes, no backslash escapes); values differ only in how a bytes
// literal is spelled. The CDC workloads cover each operation kind the contract names; the OLTP
// writer runs transfers, delete-and-reinsert and key changes from its own session until stopped.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "tests/conformance/support/engines.h"

namespace cutover::testing::conformance {

// A contract table: the name a source gives it and its compared columns.
struct ContractTable {
  std::string name;
  std::vector<CanonCol> cols;
};
const std::vector<ContractTable>& ShapedTables();  // Customer, OrderLine, event_log
inline constexpr int kCustomerRows = 2000;

// CREATE TABLE and INSERT of the shaped tables for `engine`.
std::string CreateShapedTables(const Engine& engine);

// CDC workload, one script: inserts, updates of non-key columns (to and from NULL), updates of a
// key (single and composite), deletes, a multi-row transaction over the three tables, then a
// transaction rolled back on the source, then one marker row (event_log id 900000).
std::string EveryCdcOperation(const Engine& engine);
// Row 900000 of event_log (the marker the rolled-back transaction is followed by).
inline constexpr const char* kMarkerKey = "900000";
// Customer rows the rolled-back transaction inserted (must never reach the target).
inline constexpr const char* kRolledBackCustomer = "987654";

// A small workload numbered `n` (distinct keys per n): an insert, an update, a key change and a
// delete, in two transactions; used around stops and restarts.
std::string SmallWorkload(const Engine& engine, int n);

// The tables the OLTP writer uses: kc_accounts (`accounts` rows) and kc_events.
std::string CreateKcTables(const Engine& engine, int accounts);
const std::vector<ContractTable>& KcTables();
// Random transactions on `db` until `stop` (at most 5 minutes): transfers with an event row,
// delete-and-reinsert, key changes there and back, bulk note updates. Counts commits.
void RunKcWriter(const Database& db, int seed, int accounts, const std::atomic<bool>& stop,
                 std::atomic<long>& committed);

}  // namespace cutover::testing::conformance
