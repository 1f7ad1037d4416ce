// Unit tests of the workloads (pure: a fake Session answers Prepare's size queries), the SQL
// dialect helpers and --mix parsing. The real engines are exercised by
// tests/integration/load_*_test.cc.
#include <gtest/gtest.h>

#include <set>

#include "engine/core/load_session.h"
#include "loadgen/workload.h"

namespace cutover::loadgen {
namespace {

// Answers every QueryInt with 1000 and refuses everything else.
class SizesOnlySession : public Session {
 public:
  std::string engine() const override { return "fake"; }
  std::string ColumnSql(const ColumnDef& c) const override {
    return std::string(c.type == ColType::kMoney ? "money" : "t") + (c.nullable ? " NULL" : "");
  }
  std::string TableOptionsSql() const override { return " OPTIONS"; }
  std::string AnalyzeSql(const std::string& table) const override { return "ANALYZE " + table; }
  Status RunTransaction(std::span<const Statement>, std::vector<int64_t>&) override {
    return Internal("not in this test");
  }
  Status Exec(std::string_view) override { return Internal("not in this test"); }
  Result<int64_t> QueryInt(std::string_view) override { return int64_t{1000}; }
  Status BulkInsert(const TableDef&, const RowSource&,
                    const std::function<void(int64_t)>&) override {
    return Internal("not in this test");
  }
  bool broken() const override { return false; }
};

// The transaction as text, leaving out the values that come from the clock.
std::string Transcript(const Transaction& txn) {
  std::string out;
  for (const auto& s : txn.statements) {
    out += std::string(s.sql) + " <-";
    for (const auto& v : s.params) {
      if (v.kind() == ValueKind::kTimestamp || v.kind() == ValueKind::kTimestampTz)
        out += " <clock>";
      else
        out += " " + v.DebugString();
    }
    out += "\n";
  }
  for (const auto& op : txn.ops)
    out += "op " + std::to_string(op.op) + "@" + std::to_string(op.rows_statement) + "\n";
  return out;
}

int HighestPlaceholder(std::string_view sql) {
  int highest = 0;
  RewritePlaceholders(sql, [&](int n, std::string&) { highest = std::max(highest, n); });
  return highest;
}

class LoadgenWorkloads : public ::testing::TestWithParam<const char*> {};

TEST_P(LoadgenWorkloads, TheSameSeedBuildsTheSameTransactions) {
  WorkloadOptions o;
  o.txn_size = 3;
  o.rows = 10;  // bulk: ranges that can start anywhere in the 1000 rows
  o.dist = KeyDist::Parse("zipf:0.9").value();
  auto w = MakeWorkload(GetParam(), o);
  ASSERT_TRUE(w.ok());
  SizesOnlySession session;
  ASSERT_TRUE((*w)->Prepare(session).ok());
  std::string run1, run2, other_seed;
  for (uint64_t seq = 0; seq < 200; ++seq) {
    Transaction a, b, c;
    Rng ra(MixSeed(11, seq)), rb(MixSeed(11, seq)), rc(MixSeed(12, seq));
    (*w)->Build(seq, ra, a);
    (*w)->Build(seq, rb, b);
    (*w)->Build(seq, rc, c);
    run1 += Transcript(a);
    run2 += Transcript(b);
    other_seed += Transcript(c);
    // Every statement gets exactly the parameters its placeholders name, and counted
    // statements exist.
    for (const auto& s : a.statements)
      EXPECT_EQ(HighestPlaceholder(s.sql), static_cast<int>(s.params.size())) << s.sql;
    for (const auto& op : a.ops) {
      EXPECT_LT(op.op, static_cast<int>((*w)->OpNames().size()));
      EXPECT_LT(op.rows_statement, static_cast<int>(a.statements.size()));
    }
    EXPECT_FALSE(a.statements.empty());
  }
  EXPECT_EQ(run1, run2);
  if (std::string(GetParam()) != "heartbeat") {
    EXPECT_NE(run1, other_seed);
  }
}

INSTANTIATE_TEST_SUITE_P(All, LoadgenWorkloads,
                         ::testing::Values("oltp", "ecommerce", "bulk", "heartbeat"));

TEST(LoadgenWorkload, OltpNewHistoryKeysNeverCollideBetweenTransactions) {
  WorkloadOptions o;
  o.txn_size = 2;
  auto w = MakeWorkload("oltp", o).value();
  SizesOnlySession session;
  ASSERT_TRUE(w->Prepare(session).ok());
  std::set<std::string> hids;
  for (uint64_t seq = 0; seq < 100; ++seq) {
    Transaction t;
    Rng r(MixSeed(1, seq));
    w->Build(seq, r, t);
    for (const auto& s : t.statements)
      if (s.sql.starts_with("INSERT INTO history")) {
        EXPECT_TRUE(hids.insert(s.params[0].DebugString()).second);
      }
  }
  EXPECT_EQ(hids.size(), 200u);
}

TEST(LoadgenWorkload, EcommerceFollowsTheMix) {
  WorkloadOptions o;
  o.mix = Mix::Parse("0:0:1").value();
  auto w = MakeWorkload("ecommerce", o).value();
  SizesOnlySession session;
  ASSERT_TRUE(w->Prepare(session).ok());
  for (uint64_t seq = 0; seq < 50; ++seq) {
    Transaction t;
    Rng r(MixSeed(1, seq));
    w->Build(seq, r, t);
    for (const auto& s : t.statements) EXPECT_TRUE(s.sql.starts_with("DELETE")) << s.sql;
  }
}

TEST(LoadgenWorkload, UnknownWorkloadIsRefusedWithTheChoices) {
  auto w = MakeWorkload("tpcc", {});
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("oltp, ecommerce, bulk or heartbeat"), std::string::npos);
}

TEST(LoadgenMix, ParsesWeightsAndRejectsBadText) {
  auto m = Mix::Parse("60:30:10");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->insert, 60);
  EXPECT_EQ(m->update, 30);
  EXPECT_EQ(m->del, 10);
  EXPECT_EQ(m->ToString(), "60:30:10");
  for (const char* bad : {"", "1:2", "1:2:3:4", "a:b:c", "0:0:0", "-1:2:3", "1::3", "1:2:3x"}) {
    auto r = Mix::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("--mix"), std::string::npos) << bad;
  }
}

TEST(LoadgenDialect, PlaceholdersAndTables) {
  std::string out =
      RewritePlaceholders("a = $1 AND b = $12 AND c = '$x'",
                          [](int n, std::string& o) { o += "?" + std::to_string(n); });
  EXPECT_EQ(out, "a = ?1 AND b = ?12 AND c = '$x'");
  TableDef t{
      "orders",
      {{"id", ColType::kBigInt}, {"total", ColType::kMoney}, {"at", ColType::kTimestampTz, true}},
      {"id"}};
  // Each engine's column DDL is its session's (engine/<x>/<x>_load_session.cc, exercised on
  // real servers by tests/integration/load_engines_test.cc); CreateTableSql assembles it.
  SizesOnlySession session;
  EXPECT_EQ(CreateTableSql(session, t),
            "CREATE TABLE orders (id t, total money, at t NULL, PRIMARY KEY (id)) OPTIONS");
  EXPECT_EQ(DropTableSql(t), "DROP TABLE IF EXISTS orders");
  EXPECT_EQ(FormatMicros(0), "1970-01-01 00:00:00.000000");
  EXPECT_EQ(FormatMicros(1767225600123456), "2026-01-01 00:00:00.123456");
  EXPECT_EQ(FormatMicros(1767225600100000), "2026-01-01 00:00:00.100000");
}

TEST(LoadgenWorkload, MoneyAndWords) {
  EXPECT_EQ(Money(123456).str(), "1234.56");
  EXPECT_EQ(Money(-5).str(), "-0.05");
  EXPECT_EQ(Money(0).kind(), ValueKind::kDecimal);
  Rng a(1), b(1);
  std::string w = Words(a, 64000);
  EXPECT_EQ(w.size(), 64000u);
  EXPECT_EQ(w, Words(b, 64000));
}

}  // namespace
}  // namespace cutover::loadgen
