// Same-table split: the range plans (even widths, DMS boundaries), size parsing, and how CDC
// judges a change to a table whose ranges were loaded from two snapshots (SplitSnapshots).
#include <gtest/gtest.h>

#include "engine/core/load_split.h"
#include "engine/pipeline/split_snapshots.h"
#include "engine/task/table_mapping.h"

namespace cutover {
namespace {

TEST(LoadSplit, EvenRangesCoverEveryValueOnce) {
  auto r = EvenRanges(0, 1, 100, 4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_FALSE(r[0].lo);
  EXPECT_FALSE(r[3].hi);
  for (int64_t v :
       {INT64_MIN, int64_t{0}, int64_t{1}, int64_t{26}, int64_t{99}, int64_t{100}, INT64_MAX}) {
    int hits = 0;
    for (const auto& k : r) hits += k.Contains(v);
    EXPECT_EQ(hits, 1) << v;
  }
  EXPECT_EQ(EvenRanges(0, 5, 6, 4).size(), 2u);  // narrower than asked
  EXPECT_EQ(EvenRanges(0, INT64_MIN, INT64_MAX, 3).size(), 3u);
}

TEST(LoadSplit, DmsBoundariesAreInclusiveUpperBounds) {
  auto r = RangesFromBounds(2, {1000, 2000});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].ToString(), "[-inf, 1001)");
  EXPECT_EQ((*r)[1].ToString(), "[1001, 2001)");
  EXPECT_EQ((*r)[2].ToString(), "[2001, +inf)");
  EXPECT_TRUE((*r)[0].Contains(1000));
  EXPECT_FALSE(RangesFromBounds(0, {5, 5}).ok());
}

TEST(LoadSplit, ParsesSizes) {
  EXPECT_EQ(ParseByteSize("512MB").value(), int64_t{512} << 20);
  EXPECT_EQ(ParseByteSize("64kB").value(), 64 << 10);
  EXPECT_EQ(ParseByteSize("2 GiB").value(), int64_t{2} << 30);
  EXPECT_EQ(ParseByteSize("1000").value(), 1000);
  EXPECT_EQ(ParseByteSize("off").value(), 0);
  EXPECT_FALSE(ParseByteSize("12 parsecs").ok());
  EXPECT_FALSE(ParseByteSize("").ok());
}

TableSchemaPtr Table() {
  auto s = std::make_shared<TableSchema>();
  s->name = TableName{"public", "t"};
  s->columns = {Column{"id", ValueKind::kInt64, false, "bigint"},
                Column{"v", ValueKind::kText, true, "text"}};
  s->key = {0};
  return s;
}

Position P(uint64_t lsn) {
  return Position{lsn, 0, std::to_string(lsn)};
}

// Ranges [.., 100) loaded at 10, [100, ..) at 20.
SplitSnapshots Mixed() {
  SplitSnapshots s;
  s.Add(TableName{"public", "t"},
        {{KeyRange{0, std::nullopt, 100}, P(10)}, {KeyRange{0, 100, std::nullopt}, P(20)}});
  return s;
}

Change Update(int64_t from, int64_t to) {
  Change c;
  c.op = ChangeOp::kUpdate;
  c.table = Table();
  if (from != to) c.before = {Value::Int64(from), Value::Null()};
  c.after = {Value::Int64(to), Value::String(ValueKind::kText, "x")};
  return c;
}

TEST(SplitSnapshots, JudgesByTheRangeOfTheKey) {
  SplitSnapshots s = Mixed();
  ASSERT_FALSE(s.empty());
  Change c = Update(5, 5);
  EXPECT_EQ(s.Decide(c, P(15)).value(), SplitSnapshots::Verdict::kApply);  // range loaded at 10
  c = Update(500, 500);
  EXPECT_EQ(s.Decide(c, P(15)).value(), SplitSnapshots::Verdict::kSkip);  // in the copy taken at 20
  EXPECT_EQ(s.Decide(c, P(20)).value(), SplitSnapshots::Verdict::kApply);
  EXPECT_EQ(s.Decide(c, P(5)).value(), SplitSnapshots::Verdict::kSkip);
  Change other = Update(1, 1);
  auto renamed = std::make_shared<TableSchema>(*Table());
  renamed->name.name = "u";
  other.table = renamed;
  EXPECT_EQ(s.Decide(other, P(15)).value(), SplitSnapshots::Verdict::kNotSplit);
}

TEST(SplitSnapshots, AKeyMovingBetweenRangesKeepsWhatIsMissing) {
  SplitSnapshots s = Mixed();
  Change out = Update(5, 500);  // leaves an applied range for one whose copy has it
  EXPECT_EQ(s.Decide(out, P(15)).value(), SplitSnapshots::Verdict::kApply);
  EXPECT_EQ(out.op, ChangeOp::kDelete);
  EXPECT_EQ(out.before[0].as_int64(), 5);
  Change in = Update(500, 5);  // comes into an applied range from one whose copy lacks it
  EXPECT_EQ(s.Decide(in, P(15)).value(), SplitSnapshots::Verdict::kApply);
  EXPECT_EQ(in.op, ChangeOp::kInsert);
  EXPECT_TRUE(in.before.empty());
  Change toast = Update(500, 5);
  toast.after[1] = Value::Unchanged();
  EXPECT_FALSE(s.Decide(toast, P(15)).ok());
}

TEST(SplitSnapshots, OneSnapshotIsNotRegisteredAndTruncateBetweenIsRefused) {
  SplitSnapshots same;
  same.Add(TableName{"public", "t"},
           {{KeyRange{0, std::nullopt, 100}, P(10)}, {KeyRange{0, 100, std::nullopt}, P(10)}});
  EXPECT_TRUE(same.empty());
  SplitSnapshots s = Mixed();
  EXPECT_FALSE(s.CheckTruncate(TableName{"public", "t"}, P(15)).ok());
  EXPECT_TRUE(s.CheckTruncate(TableName{"public", "t"}, P(25)).ok());
  EXPECT_TRUE(s.CheckTruncate(TableName{"public", "t"}, P(5)).ok());
}

TEST(LoadSplit, DmsParallelLoadRulesParse) {
  const char* doc = R"({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
     "object-locator": {"schema-name": "app", "table-name": "%"}},
    {"rule-type": "table-settings", "rule-id": "2", "rule-name": "split",
     "object-locator": {"schema-name": "app", "table-name": "orders"},
     "parallel-load": {"type": "ranges", "columns": ["id"], "boundaries": [["100"], [200]]}},
    {"rule-type": "table-settings", "rule-id": "3", "rule-name": "auto",
     "object-locator": {"schema-name": "app", "table-name": "ev%"},
     "parallel-load": {"type": "partitions-auto"}}]})";
  auto m = task::ParseTableMapping(doc, "m.json", nullptr);
  ASSERT_TRUE(m.ok()) << m.status().message();
  const task::ParallelLoad* p = m->ParallelLoadFor(TableName{"app", "orders"});
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->type, task::ParallelLoadType::kRanges);
  EXPECT_EQ(p->columns, std::vector<std::string>{"id"});
  ASSERT_EQ(p->boundaries.size(), 2u);
  EXPECT_EQ(p->boundaries[1][0], "200");
  ASSERT_NE(m->ParallelLoadFor(TableName{"app", "events"}), nullptr);
  EXPECT_EQ(m->ParallelLoadFor(TableName{"app", "users"}), nullptr);

  auto bad = task::ParseTableMapping(
      R"({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-action": "include",
       "object-locator": {"schema-name": "a", "table-name": "%"}},
      {"rule-type": "table-settings", "rule-id": "2",
       "object-locator": {"schema-name": "a", "table-name": "t"},
       "parallel-load": {"type": "ranges", "columns": ["id"], "boundaries": [["1", "2"]]}}]})",
      "bad.json", nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("$.rules[1].parallel-load.boundaries[0]"),
            std::string::npos)
      << bad.status().message();
}

TEST(LoadSplit, ColumnsFingerprintChangesWithEveryColumnChange) {
  TableSchema t;
  t.name = TableName{"public", "a"};
  Column id;
  id.name = "id";
  id.kind = ValueKind::kInt64;
  id.type_name = "integer";
  id.nullable = false;
  Column v;
  v.name = "v";
  v.kind = ValueKind::kText;
  v.type_name = "character varying(40)";
  t.columns = {id, v};
  const std::string base = ColumnsFingerprint(t);
  EXPECT_EQ(base.size(), 16u);
  EXPECT_EQ(ColumnsFingerprint(t), base);  // a pure function of the columns

  TableSchema added = t;
  added.columns.push_back(v);
  added.columns.back().name = "w";
  TableSchema renamed = t;
  renamed.columns[1].name = "v2";
  TableSchema widened = t;
  widened.columns[1].type_name = "character varying(80)";
  TableSchema nullable = t;
  nullable.columns[0].nullable = true;
  TableSchema reordered = t;
  std::swap(reordered.columns[0], reordered.columns[1]);
  // Name and type text run together must not collide ("v" + "x(1)" vs "vx" + "(1)").
  TableSchema shifted = t;
  shifted.columns[1].name = "vcharacter";
  shifted.columns[1].type_name = " varying(40)";
  for (const TableSchema* other : {&added, &renamed, &widened, &nullable, &reordered, &shifted})
    EXPECT_NE(ColumnsFingerprint(*other), base);
}

}  // namespace
}  // namespace cutover
