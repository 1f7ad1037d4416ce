// bulk: large transactions. Each operation is one UPDATE of --rows consecutive rows of
// bulk_rows (the first drawn with --dist), so a transaction changes txn_size x rows rows: what
// a batch job or a data migration does to a replication stream (PostgreSQL streams such
// transactions in chunks before they commit). Scale N: 10,000 N rows.
#include "engine/core/load_session.h"
#include "loadgen/workload.h"

namespace cutover::loadgen {
namespace {

constexpr int64_t kRowsPerScale = 10000;

constexpr std::string_view kUpdateRange =
    "UPDATE bulk_rows SET val = val + 1, updated_at = $1 WHERE id >= $2 AND id < $3";

class BulkWorkload : public Workload {
 public:
  explicit BulkWorkload(const WorkloadOptions& o) : o_(o) {}

  std::string_view name() const override { return "bulk"; }
  std::vector<std::string> OpNames() const override { return {"update"}; }

  std::vector<TableDef> Tables() const override {
    return {{"bulk_rows",
             {{"id", ColType::kBigInt},
              {"val", ColType::kBigInt},
              {"payload", ColType::kShortText},
              {"updated_at", ColType::kTimestampTz}},
             {"id"}}};
  }

  int64_t InitialRows() const override { return o_.scale * kRowsPerScale; }

  Status Populate(Session& session, uint64_t seed, Progress& progress) override {
    const Value start = NowTimestampTz();
    return FillTable(
        session, Tables()[0], InitialRows(),
        [&](int64_t i, std::vector<Value>& r) {
          Rng rng(MixSeed(seed, static_cast<uint64_t>(i)));
          r[0] = Value::Int64(i);
          r[1] = Value::Int64(0);
          r[2] = Value::String(ValueKind::kText, Words(rng, 60));
          r[3] = start;
        },
        progress);
  }

  Status Prepare(Session& session) override {
    ASSIGN_OR_RETURN(rows_, session.QueryInt("SELECT max(id) FROM bulk_rows"));
    if (rows_ < 1) return FailedPrecondition("bulk: table bulk_rows is empty: run --init first");
    return Status::Ok();
  }

  void Build(uint64_t, Rng& rng, Transaction& txn) const override {
    int64_t span = std::min(o_.rows, rows_);
    for (int j = 0; j < o_.txn_size; ++j) {
      int64_t first = o_.dist.Sample(rng, rows_ - span + 1);
      txn.statements.push_back(
          {kUpdateRange, {NowTimestampTz(), Value::Int64(first), Value::Int64(first + span)}});
      txn.ops.push_back({0, static_cast<int>(txn.statements.size()) - 1});
    }
  }

 private:
  WorkloadOptions o_;
  int64_t rows_ = 0;
};

}  // namespace

std::unique_ptr<Workload> MakeBulkWorkload(const WorkloadOptions& options) {
  return std::make_unique<BulkWorkload>(options);
}

}  // namespace cutover::loadgen
