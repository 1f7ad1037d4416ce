// NetEffect: the folding rules one by one, then a randomized equivalence check: applying a random
// consistent change sequence row by row, and applying its net effect in bulk, must give the same
// table from the same starting state.
#include "engine/pipeline/net_effect.h"

#include <algorithm>
#include <map>
#include <random>

#include <gtest/gtest.h>

namespace cutover {
namespace {

// (id bigint primary key, v text, big text) — `big` plays the TOASTed column.
TableSchemaPtr Table() {
  static TableSchemaPtr t = [] {
    auto s = std::make_shared<TableSchema>();
    s->name = TableName{"public", "t"};
    s->columns = {Column{"id", ValueKind::kInt64, false, "bigint"},
                  Column{"v", ValueKind::kText, true, "text"},
                  Column{"big", ValueKind::kText, true, "text"}};
    s->key = {0};
    return s;
  }();
  return t;
}

using Row = std::vector<Value>;
Value T(const std::string& s) {
  return Value::String(ValueKind::kText, s);
}
Row R(int64_t id, const std::string& v, Value big) {
  return {Value::Int64(id), T(v), big};
}

Change Ins(int64_t id, const std::string& v, const std::string& big = "B") {
  Change c;
  c.op = ChangeOp::kInsert;
  c.table = Table();
  c.after = R(id, v, T(big));
  return c;
}
Change Upd(int64_t id, const std::string& v, Value big = Value::Unchanged(), int64_t old_id = -1) {
  Change c;
  c.op = ChangeOp::kUpdate;
  c.table = Table();
  c.after = R(id, v, big);
  if (old_id >= 0) {
    c.before = {Value::Int64(old_id), Value::Null(), Value::Null()};
    c.before_is_key_only = true;
  }
  return c;
}
Change Del(int64_t id) {
  Change c;
  c.op = ChangeOp::kDelete;
  c.table = Table();
  c.before = {Value::Int64(id), Value::Null(), Value::Null()};
  c.before_is_key_only = true;
  return c;
}

std::string Show(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const Row& r : rows) {
    std::string s;
    for (const Value& v : r) s += (s.empty() ? "" : "|") + v.DebugString();
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  std::string joined;
  for (auto& s : out) joined += s + ";";
  return joined;
}

// Every update of `b`, whatever its group.
std::vector<std::vector<Value>> UpdateRows(const TableBatch& b) {
  std::vector<std::vector<Value>> out;
  for (const UpdateGroup& g : b.updates) out.insert(out.end(), g.rows.begin(), g.rows.end());
  return out;
}

struct Folded {
  std::string deletes, updates, inserts;
};
Folded Fold(const std::vector<Change>& changes) {
  NetEffect n;
  for (const Change& c : changes) EXPECT_TRUE(n.Add(c));
  auto batches = n.Drain();
  EXPECT_TRUE(n.empty());
  if (batches.empty()) return {};
  EXPECT_EQ(batches.size(), 1u);
  return {Show(batches[0].deletes), Show(UpdateRows(batches[0])), Show(batches[0].inserts)};
}

TEST(NetEffectTest, InsertThenUpdatesIsOneInsertOfTheFinalRow) {
  Folded f = Fold({Ins(1, "a", "big1"), Upd(1, "b"), Upd(1, "c")});
  EXPECT_EQ(f.inserts, "1|text('c')|text('big1');");
  EXPECT_EQ(f.updates, "");
  EXPECT_EQ(f.deletes, "");
}

TEST(NetEffectTest, RepeatedUpdatesAreOneUpdate) {
  Folded f = Fold({Upd(7, "a"), Upd(7, "b"), Upd(7, "c", T("new big"))});
  EXPECT_EQ(f.updates, "7|text('c')|text('new big');");
}

TEST(NetEffectTest, UnchangedColumnsTakeTheLastKnownValueOrStayUnchanged) {
  EXPECT_EQ(Fold({Upd(1, "a", T("x")), Upd(1, "b")}).updates, "1|text('b')|text('x');");
  EXPECT_EQ(Fold({Upd(1, "a"), Upd(1, "b")}).updates, "1|text('b')|<unchanged>;");
}

// Updates carrying the same columns share a group (one statement shape for every sink); the
// group's `columns` says which they carry.
TEST(NetEffectTest, UpdatesAreGroupedByTheColumnsTheyCarry) {
  NetEffect n;
  for (const Change& c : {Upd(1, "a"), Upd(2, "b", T("x")), Upd(3, "c"), Upd(4, "d", T("y"))})
    EXPECT_TRUE(n.Add(c));
  auto batches = n.Drain();
  ASSERT_EQ(batches.size(), 1u);
  const TableBatch& b = batches[0];
  EXPECT_EQ(b.size(), 4u);
  ASSERT_EQ(b.updates.size(), 2u);
  std::map<std::string, std::string> groups;
  for (const UpdateGroup& g : b.updates) {
    for (const Row& r : g.rows) EXPECT_EQ(UpdateGroup::ColumnsOf(r), g.columns);
    groups[g.columns] = Show(g.rows);
  }
  EXPECT_EQ(groups["110"], "1|text('a')|<unchanged>;3|text('c')|<unchanged>;");
  EXPECT_EQ(groups["111"], "2|text('b')|text('x');4|text('d')|text('y');");
}

TEST(NetEffectTest, InsertThenDeleteIsNothingAndDeleteThenInsertIsAnUpdate) {
  Folded gone = Fold({Ins(1, "a"), Upd(1, "b"), Del(1)});
  EXPECT_EQ(gone.inserts + gone.updates + gone.deletes, "");
  Folded back = Fold({Del(2), Ins(2, "again", "B2")});
  EXPECT_EQ(back.updates, "2|text('again')|text('B2');");
  EXPECT_EQ(back.deletes, "");
  EXPECT_EQ(Fold({Upd(3, "x"), Del(3)}).deletes, "3|NULL|NULL;");
}

TEST(NetEffectTest, KeyChangeIsDeleteOfOldKeyAndInsertOfNewKey) {
  Folded f = Fold({Upd(10, "moved", T("B"), /*old_id=*/1)});
  EXPECT_EQ(f.deletes, "1|NULL|NULL;");
  EXPECT_EQ(f.inserts, "10|text('moved')|text('B');");
  // The unchanged column of the new row is known from earlier in the run.
  Folded g = Fold({Ins(1, "a", "known"), Upd(10, "moved", Value::Unchanged(), 1)});
  EXPECT_EQ(g.deletes, "");
  EXPECT_EQ(g.inserts, "10|text('moved')|text('known');");
}

TEST(NetEffectTest, UnfoldableChangesAreRefused) {
  NetEffect n;
  EXPECT_FALSE(n.Add(Upd(10, "moved", Value::Unchanged(), 1)));  // value of `big` unknown
  Change trunc;
  trunc.op = ChangeOp::kTruncate;
  trunc.table = Table();
  trunc.truncated = {Table()};
  EXPECT_FALSE(n.Add(trunc));
  EXPECT_TRUE(n.empty());
}

TEST(NetEffectTest, KeysAndBytesAreCounted) {
  NetEffect n;
  EXPECT_TRUE(n.Add(Ins(1, "a", std::string(1000, 'x'))));
  EXPECT_TRUE(n.Add(Upd(1, "b")));
  EXPECT_TRUE(n.Add(Ins(2, "a")));
  EXPECT_EQ(n.keys(), 2u);
  EXPECT_GE(n.approx_bytes(), 1000u);
  n.Drain();
  EXPECT_EQ(n.keys(), 0u);
  EXPECT_EQ(n.approx_bytes(), 0u);
}

// Applies a change row by row to a model table, as the target would.
void ApplyRow(std::map<int64_t, Row>& m, const Change& c) {
  switch (c.op) {
    case ChangeOp::kInsert:
      m[c.after[0].as_int64()] = c.after;
      break;
    case ChangeOp::kDelete:
      m.erase(c.before[0].as_int64());
      break;
    case ChangeOp::kUpdate: {
      int64_t old_key = c.before.empty() ? c.after[0].as_int64() : c.before[0].as_int64();
      Row row = m.at(old_key);
      m.erase(old_key);
      for (size_t i = 0; i < row.size(); ++i)
        if (!c.after[i].is_unchanged()) row[i] = c.after[i];
      m[c.after[0].as_int64()] = row;
      break;
    }
    default:
      FAIL();
  }
}

TEST(NetEffectTest, RandomSequencesGiveTheSameTableAsRowByRowApply) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 300; ++round) {
    std::map<int64_t, Row> start;
    for (int64_t id = 1; id <= 12; ++id)
      if (rng() % 2) start[id] = R(id, "s" + std::to_string(id), T("big" + std::to_string(id)));
    std::map<int64_t, Row> by_row = start;
    NetEffect net;
    std::vector<Change> seq;
    for (int step = 0; step < 40; ++step) {
      int64_t id = 1 + rng() % 15;
      std::string v = "r" + std::to_string(round) + "s" + std::to_string(step);
      Change c;
      if (!by_row.count(id)) {
        c = Ins(id, v, "ib" + v);
      } else if (rng() % 4 == 0) {
        c = Del(id);
      } else if (rng() % 5 == 0) {
        int64_t to = 1 + rng() % 15;
        if (by_row.count(to)) continue;
        c = Upd(to, v, rng() % 2 ? Value::Unchanged() : T("kb" + v), id);
      } else {
        c = Upd(id, v, rng() % 2 ? Value::Unchanged() : T("ub" + v));
      }
      if (!net.Add(c)) {
        // Unfoldable: drain what came before into the model, then apply this change alone.
        for (const TableBatch& b : net.Drain()) {
          for (const Row& r : b.deletes) start.erase(r[0].as_int64());
          for (const Row& r : UpdateRows(b)) {
            Row& cur = start.at(r[0].as_int64());
            for (size_t i = 0; i < r.size(); ++i)
              if (!r[i].is_unchanged()) cur[i] = r[i];
          }
          for (const Row& r : b.inserts) {
            ASSERT_FALSE(start.count(r[0].as_int64()));
            start[r[0].as_int64()] = r;
          }
        }
        ApplyRow(start, c);
      }
      ApplyRow(by_row, c);
    }
    for (const TableBatch& b : net.Drain()) {
      for (const Row& r : b.deletes) {
        ASSERT_TRUE(start.count(r[0].as_int64())) << "delete of an absent row";
        start.erase(r[0].as_int64());
      }
      for (const Row& r : UpdateRows(b)) {
        ASSERT_TRUE(start.count(r[0].as_int64())) << "update of an absent row";
        Row& cur = start.at(r[0].as_int64());
        for (size_t i = 0; i < r.size(); ++i)
          if (!r[i].is_unchanged()) cur[i] = r[i];
      }
      for (const Row& r : b.inserts) {
        ASSERT_FALSE(start.count(r[0].as_int64())) << "insert of an existing row";
        start[r[0].as_int64()] = r;
      }
    }
    ASSERT_EQ(start.size(), by_row.size()) << "round " << round;
    for (auto& [id, row] : by_row) {
      ASSERT_TRUE(start.count(id)) << "round " << round << " id " << id;
      for (size_t i = 0; i < row.size(); ++i)
        ASSERT_EQ(start[id][i], row[i]) << "round " << round << " id " << id << " col " << i;
    }
  }
}

}  // namespace
}  // namespace cutover
