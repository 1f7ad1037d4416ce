// heartbeat: the single row of cutover_heartbeat set to the generator's wall clock (UTC, µs) and
// a sequence number. The runner writes it every 100 ms, alone (--workload heartbeat) or beside
// another workload (--heartbeat). A harness reading the row on the target computes the
// replication lag as (target clock - source_time); seq tells which beat arrived. The table lives
// in the default schema/database so that a replication task's default "all tables" carries it.
#include "engine/core/load_session.h"
#include "loadgen/workload.h"

namespace cutover::loadgen {
namespace {

constexpr std::string_view kBeat =
    "UPDATE cutover_heartbeat SET source_time = $1, seq = $2 WHERE id = 1";
constexpr std::string_view kFirstBeat =
    "INSERT INTO cutover_heartbeat (id, source_time, seq) VALUES (1, $1, $2)";

class HeartbeatWorkload : public Workload {
 public:
  std::string_view name() const override { return "heartbeat"; }
  std::vector<std::string> OpNames() const override { return {"beat"}; }

  std::vector<TableDef> Tables() const override {
    return {
        {"cutover_heartbeat",
         {{"id", ColType::kInt}, {"source_time", ColType::kTimestampTz}, {"seq", ColType::kBigInt}},
         {"id"}}};
  }

  int64_t InitialRows() const override { return 1; }

  Status Populate(Session& session, uint64_t, Progress& progress) override {
    std::vector<int64_t> affected;
    Statement first{kFirstBeat, {NowTimestampTz(), Value::Int64(0)}};
    RETURN_IF_ERROR(session.RunTransaction({&first, 1}, affected));
    progress.Add(1);
    return Status::Ok();
  }

  // Creates the table and its row if they are missing (so --heartbeat needs no --init), then
  // continues the sequence where it stopped.
  Status Prepare(Session& session) override {
    auto seq = session.QueryInt("SELECT max(seq) FROM cutover_heartbeat");
    if (!seq.ok()) {
      if (session.broken()) return seq.status();
      RETURN_IF_ERROR(session.Exec(CreateTableSql(session, Tables()[0]))
                          .WithContext("creating cutover_heartbeat"));
      seq = int64_t{0};
    }
    ASSIGN_OR_RETURN(int64_t rows, session.QueryInt("SELECT count(*) FROM cutover_heartbeat"));
    if (rows == 0) {
      Progress none("heartbeat", 1, Progress::Mode::kQuiet);
      RETURN_IF_ERROR(Populate(session, 0, none));
    }
    base_ = *seq;
    return Status::Ok();
  }

  void Build(uint64_t seq, Rng&, Transaction& txn) const override {
    txn.statements.push_back(
        {kBeat, {NowTimestampTz(), Value::Int64(base_ + static_cast<int64_t>(seq) + 1)}});
    txn.ops.push_back({0, 0});
  }

 private:
  int64_t base_ = 0;
};

}  // namespace

std::unique_ptr<Workload> MakeHeartbeatWorkload(const WorkloadOptions&) {
  return std::make_unique<HeartbeatWorkload>();
}

}  // namespace cutover::loadgen
