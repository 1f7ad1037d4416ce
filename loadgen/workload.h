// Workload: what the load generator writes, written once for every engine (session.h).
//
// Design: a workload is a pure function from (transaction number, its own seeded Rng) to a
// Transaction, plus table definitions and an initial fill. It never looks at results while
// building, which keeps every transaction one round trip (session.h) and makes the operation
// sequence depend on --seed alone: transaction k is the same whichever client runs it and
// whenever. New keys are derived from k as well (base + k * ops_per_txn + j, the base read from
// the database by Prepare), so they never collide between clients. The runner counts, per
// operation name, committed operations and the rows their counting statement changed, which
// is what the summary reports and the tests compare with the database.
//
// Workloads (docs/loadgen.md has the schemas):
//   oltp       TPC-B-like transfer, as pgbench's tpcb-like script: accounts, tellers, branches
//              updated, one history row inserted
//   ecommerce  customers, products, orders, order_items with decimal money, timestamptz, JSON,
//              binary thumbnails, UUIDs, nullable columns, text up to 64 KB; --mix of
//              insert (new order with items) : update (order, product or customer) : delete
//              (order with its items)
//   bulk       one statement updating --rows consecutive rows of bulk_rows
//   heartbeat  cutover_heartbeat's single row set to the generator's clock (runner: every 100 ms)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/load_session.h"
#include "engine/core/progress.h"
#include "loadgen/random.h"

namespace cutover::loadgen {

// --mix insert:update:delete weights.
struct Mix {
  int insert = 50, update = 40, del = 10;
  // "I:U:D", non-negative integers with a positive sum. Errors name the text.
  static Result<Mix> Parse(std::string_view text);
  std::string ToString() const;
};

struct WorkloadOptions {
  int64_t scale = 1;
  KeyDist dist;
  Mix mix;
  int txn_size = 1;     // operations per transaction
  int64_t rows = 1000;  // bulk: rows per update
};

// A transaction as built by a workload.
struct Transaction {
  struct Op {
    int op;              // index into Workload::OpNames()
    int rows_statement;  // its affected rows are added to the op's row count; -1: none
  };
  std::vector<Statement> statements;
  std::vector<Op> ops;
  void Clear() {
    statements.clear();
    ops.clear();
  }
};

class Workload {
 public:
  virtual ~Workload() = default;
  virtual std::string_view name() const = 0;
  // Names of the operations counted in the summary (at most 8).
  virtual std::vector<std::string> OpNames() const = 0;
  virtual std::vector<TableDef> Tables() const = 0;
  // Rows Populate will write (progress total).
  virtual int64_t InitialRows() const = 0;
  // Fills freshly created tables (--init); `progress` counts rows. Deterministic in `seed`.
  virtual Status Populate(Session& session, uint64_t seed, Progress& progress) = 0;
  // Reads what Build needs (table sizes, highest keys) before a run.
  virtual Status Prepare(Session& session) = 0;
  // Appends transaction number `seq` to `txn` (cleared by the caller). Thread-safe.
  virtual void Build(uint64_t seq, Rng& rng, Transaction& txn) const = 0;
};

// "oltp", "ecommerce", "bulk" or "heartbeat"; kInvalidArgument naming the choices otherwise.
Result<std::unique_ptr<Workload>> MakeWorkload(std::string_view name,
                                               const WorkloadOptions& options);

// Shared by the workloads: a Populate loop that bulk-inserts `count` rows made by `make(i, row)`
// (i = 1..count) into `table`, counting them on `progress`.
Status FillTable(Session& session, const TableDef& table, int64_t count,
                 const std::function<void(int64_t, std::vector<Value>&)>& make, Progress& progress);

// Text of about `length` bytes (lower-case words and spaces), deterministic in `rng`.
std::string Words(Rng& rng, size_t length);

// Money as decimal text ("1234.56") from a number of cents.
Value Money(int64_t cents);

}  // namespace cutover::loadgen
