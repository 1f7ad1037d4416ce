// oltp: TPC-B-like transfers, the same transaction as pgbench's built-in tpcb-like script, so
// `cutover load --workload oltp --max` compares with pgbench at the same scale and clients.
//
// Per transfer: UPDATE accounts (+delta), SELECT the account balance, UPDATE tellers,
// UPDATE branches, INSERT history. Scale N: N branches, 10 N tellers, 100,000 N accounts (as
// pgbench). aid is drawn with --dist, tid and bid uniformly (pgbench draws all uniformly),
// delta uniformly in [-5000, 5000]. history has a primary key (hid) so replication can carry it:
// hid = max(hid) at start + seq * txn_size + j + 1.
#include <algorithm>

#include "engine/core/load_session.h"
#include "loadgen/workload.h"

namespace cutover::loadgen {
namespace {

constexpr int64_t kAccountsPerBranch = 100000;
constexpr int64_t kTellersPerBranch = 10;

constexpr std::string_view kUpdateAccount =
    "UPDATE accounts SET abalance = abalance + $1 WHERE aid = $2";
constexpr std::string_view kSelectAccount = "SELECT abalance FROM accounts WHERE aid = $1";
constexpr std::string_view kUpdateTeller =
    "UPDATE tellers SET tbalance = tbalance + $1 WHERE tid = $2";
constexpr std::string_view kUpdateBranch =
    "UPDATE branches SET bbalance = bbalance + $1 WHERE bid = $2";
constexpr std::string_view kInsertHistory =
    "INSERT INTO history (hid, tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, $5, $6)";

class OltpWorkload : public Workload {
 public:
  explicit OltpWorkload(const WorkloadOptions& o) : o_(o) {}

  std::string_view name() const override { return "oltp"; }
  std::vector<std::string> OpNames() const override { return {"transfer"}; }

  std::vector<TableDef> Tables() const override {
    return {
        {"branches",
         {{"bid", ColType::kInt},
          {"bbalance", ColType::kBigInt},
          {"filler", ColType::kShortText, true}},
         {"bid"}},
        {"tellers",
         {{"tid", ColType::kInt},
          {"bid", ColType::kInt},
          {"tbalance", ColType::kBigInt},
          {"filler", ColType::kShortText, true}},
         {"tid"}},
        {"accounts",
         {{"aid", ColType::kBigInt},
          {"bid", ColType::kInt},
          {"abalance", ColType::kBigInt},
          {"filler", ColType::kShortText, true}},
         {"aid"}},
        {"history",
         {{"hid", ColType::kBigInt},
          {"tid", ColType::kInt},
          {"bid", ColType::kInt},
          {"aid", ColType::kBigInt},
          {"delta", ColType::kInt},
          {"mtime", ColType::kTimestamp},
          {"filler", ColType::kShortText, true}},
         {"hid"}},
    };
  }

  int64_t InitialRows() const override {
    return o_.scale * (1 + kTellersPerBranch + kAccountsPerBranch);
  }

  Status Populate(Session& session, uint64_t, Progress& progress) override {
    auto tables = Tables();
    const std::string filler(84, ' ');  // pgbench's char(84) rows
    RETURN_IF_ERROR(FillTable(
        session, tables[0], o_.scale,
        [&](int64_t i, std::vector<Value>& r) {
          r[0] = Value::Int64(i);
          r[1] = Value::Int64(0);
          r[2] = Value::Null();
        },
        progress));
    RETURN_IF_ERROR(FillTable(
        session, tables[1], o_.scale * kTellersPerBranch,
        [&](int64_t i, std::vector<Value>& r) {
          r[0] = Value::Int64(i);
          r[1] = Value::Int64((i - 1) / kTellersPerBranch + 1);
          r[2] = Value::Int64(0);
          r[3] = Value::Null();
        },
        progress));
    return FillTable(
        session, tables[2], o_.scale * kAccountsPerBranch,
        [&](int64_t i, std::vector<Value>& r) {
          r[0] = Value::Int64(i);
          r[1] = Value::Int64((i - 1) / kAccountsPerBranch + 1);
          r[2] = Value::Int64(0);
          r[3] = Value::String(ValueKind::kText, filler);
        },
        progress);
  }

  Status Prepare(Session& session) override {
    ASSIGN_OR_RETURN(branches_, session.QueryInt("SELECT count(*) FROM branches"));
    if (branches_ < 1) {
      return FailedPrecondition("oltp: table branches is empty: run with --init first");
    }
    ASSIGN_OR_RETURN(tellers_, session.QueryInt("SELECT count(*) FROM tellers"));
    ASSIGN_OR_RETURN(accounts_, session.QueryInt("SELECT count(*) FROM accounts"));
    ASSIGN_OR_RETURN(history_base_, session.QueryInt("SELECT max(hid) FROM history"));
    return Status::Ok();
  }

  void Build(uint64_t seq, Rng& rng, Transaction& txn) const override {
    struct Transfer {
      int64_t aid, tid, bid, delta, hid;
    };
    std::vector<Transfer> transfers(static_cast<size_t>(o_.txn_size));
    for (int j = 0; j < o_.txn_size; ++j) {
      Transfer& t = transfers[j];
      t.aid = o_.dist.Sample(rng, accounts_);
      t.tid = rng.Range(1, tellers_);
      t.bid = rng.Range(1, branches_);
      t.delta = rng.Range(-5000, 5000);
      t.hid = history_base_ + static_cast<int64_t>(seq) * o_.txn_size + j + 1;
    }
    // Several transfers in one transaction lock rows table by table, in key order, so that
    // concurrent transactions cannot deadlock (one transfer alone cannot either).
    auto in_order = [&](auto key) {
      std::vector<const Transfer*> v;
      for (const auto& t : transfers) v.push_back(&t);
      std::stable_sort(v.begin(), v.end(),
                       [&](const Transfer* a, const Transfer* b) { return key(*a) < key(*b); });
      return v;
    };
    for (const Transfer* t : in_order([](const Transfer& t) { return t.aid; })) {
      txn.statements.push_back({kUpdateAccount, {Value::Int64(t->delta), Value::Int64(t->aid)}});
      txn.statements.push_back({kSelectAccount, {Value::Int64(t->aid)}});
    }
    for (const Transfer* t : in_order([](const Transfer& t) { return t.tid; }))
      txn.statements.push_back({kUpdateTeller, {Value::Int64(t->delta), Value::Int64(t->tid)}});
    for (const Transfer* t : in_order([](const Transfer& t) { return t.bid; }))
      txn.statements.push_back({kUpdateBranch, {Value::Int64(t->delta), Value::Int64(t->bid)}});
    const Value now = Value::Timestamp(NowTimestampTz().as_micros_or_days());
    for (const Transfer& t : transfers) {
      txn.statements.push_back({kInsertHistory,
                                {Value::Int64(t.hid), Value::Int64(t.tid), Value::Int64(t.bid),
                                 Value::Int64(t.aid), Value::Int64(t.delta), now}});
      txn.ops.push_back({0, static_cast<int>(txn.statements.size()) - 1});
    }
  }

 private:
  WorkloadOptions o_;
  int64_t branches_ = 0, tellers_ = 0, accounts_ = 0, history_base_ = 0;
};

}  // namespace

std::unique_ptr<Workload> MakeOltpWorkload(const WorkloadOptions& options) {
  return std::make_unique<OltpWorkload>(options);
}

}  // namespace cutover::loadgen
