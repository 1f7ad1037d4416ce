// ChangedKeys (validator/changed_keys.h): which keys a change notes, deduplication, the delay,
// retries, the overflow rule; and the revalidation counters' detail text round trip.
#include "validator/changed_keys.h"

#include <gtest/gtest.h>

#include "validator/task_validation.h"

namespace cutover::validator {
namespace {

using namespace std::chrono_literals;

TableSchemaPtr Table(const std::string& name, bool keyed = true) {
  auto t = std::make_shared<TableSchema>();
  t->name = TableName{"public", name};
  t->columns = {Column{}, Column{}};
  t->columns[0].name = "id";
  t->columns[1].name = "v";
  if (keyed) t->key = {0};
  return t;
}

Change Make(ChangeOp op, const TableSchemaPtr& t, std::vector<Value> before,
            std::vector<Value> after) {
  Change c;
  c.op = op;
  c.table = t;
  c.before = std::move(before);
  c.after = std::move(after);
  return c;
}

std::vector<Value> Row(int64_t id, const std::string& v) {
  return {Value::Int64(id), Value::String(ValueKind::kText, v)};
}

TEST(ChangedKeys, NotesEachChangedRowOnceAndTheOldKeyOfAKeyUpdate) {
  ChangedKeys keys(100);
  auto t = Table("t");
  keys.Note(Make(ChangeOp::kInsert, t, {}, Row(1, "a")));
  keys.Note(Make(ChangeOp::kUpdate, t, {}, Row(1, "b")));  // same row: one key
  keys.Note(Make(ChangeOp::kDelete, t, Row(2, "x"), {}));
  keys.Note(Make(ChangeOp::kUpdate, t, Row(3, "y"), Row(4, "y")));  // key change: 3 and 4
  keys.Note(Make(ChangeOp::kUpdate, t, Row(5, "y"), Row(5, "z")));  // same key: once
  keys.Note(Make(ChangeOp::kInsert, Table("nokey", false), {}, Row(9, "k")));  // keyless: none
  EXPECT_EQ(keys.Pending(t->name), 5u);
  EXPECT_EQ(keys.Pending(), 5u);
  EXPECT_TRUE(keys.Take(1h, 100).empty());  // not old enough
  auto due = keys.Take(0s, 100);
  ASSERT_EQ(due.size(), 5u);
  EXPECT_EQ(due[0].columns, std::vector<std::string>{"id"});
  EXPECT_EQ(keys.Pending(), 0u);
}

TEST(ChangedKeys, TakesABoundedBatchOldestFirstAndRetriesComeBack) {
  ChangedKeys keys(100);
  auto t = Table("t");
  for (int i = 1; i <= 5; ++i) keys.Note(Make(ChangeOp::kInsert, t, {}, Row(i, "a")));
  auto due = keys.Take(0s, 2);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].values[0], Value::Int64(1));
  EXPECT_EQ(keys.Pending(), 3u);
  due[0].retries = 1;
  keys.Retry(due[0]);
  EXPECT_EQ(keys.Pending(), 4u);
  // A change of a retried row resets its retries.
  keys.Note(Make(ChangeOp::kUpdate, t, {}, Row(1, "b")));
  for (const auto& k : keys.Take(0s, 100)) {
    if (k.values[0] == Value::Int64(1)) {
      EXPECT_EQ(k.retries, 0);
    }
  }
}

TEST(ChangedKeys, OverflowDropsTheTablesKeysForAWholeTableValidation) {
  ChangedKeys keys(3);
  auto t = Table("t"), u = Table("u");
  keys.Note(Make(ChangeOp::kInsert, u, {}, Row(1, "a")));
  for (int i = 1; i <= 5; ++i) keys.Note(Make(ChangeOp::kInsert, t, {}, Row(i, "a")));
  EXPECT_EQ(keys.Pending(t->name), 0u);  // dropped: t is validated whole instead
  EXPECT_EQ(keys.Pending(u->name), 1u);
  EXPECT_EQ(keys.TakeOverflowed(), std::set<TableName>{t->name});
  EXPECT_TRUE(keys.TakeOverflowed().empty());
  keys.Note(Make(ChangeOp::kInsert, t, {}, Row(7, "a")));  // collected again afterwards
  EXPECT_EQ(keys.Pending(t->name), 1u);
  // Its whole-table validation put off: dropped and not collected until handed out again.
  keys.Overflow(t->name);
  keys.Note(Make(ChangeOp::kInsert, t, {}, Row(8, "a")));
  EXPECT_EQ(keys.Pending(t->name), 0u);
  EXPECT_EQ(keys.TakeOverflowed(), std::set<TableName>{t->name});
  // A truncate: the table is validated whole.
  Change tr;
  tr.op = ChangeOp::kTruncate;
  tr.table = t;
  tr.truncated = {t};
  keys.Note(tr);
  EXPECT_EQ(keys.Pending(t->name), 0u);
  EXPECT_EQ(keys.TakeOverflowed(), std::set<TableName>{t->name});
}

TEST(RevalidationCounts, RoundTripThroughTheDetailLine) {
  RevalidationCounts c{12, 1, 3, 2};
  std::string detail = "2000 source rows, 2000 target rows, 0 differing; " +
                       FormatRevalidationCounts(c) + "; failed: id=5 (different)";
  auto back = ParseRevalidationCounts(detail);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->revalidated, 12);
  EXPECT_EQ(back->failed, 1);
  EXPECT_EQ(back->pending, 3);
  EXPECT_EQ(back->suspended, 2);
  EXPECT_FALSE(ParseRevalidationCounts("2000 source rows, 2000 target rows, 0 differing"));
}

}  // namespace
}  // namespace cutover::validator
