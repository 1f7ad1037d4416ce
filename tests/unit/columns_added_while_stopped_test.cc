// StartShapeOnTarget (engine/pipeline/columns_added_while_stopped.h): which schema the CDC loop
// starts a table from, given the columns its target table has after a restart.
#include "engine/pipeline/columns_added_while_stopped.h"

#include <gtest/gtest.h>

#include "engine/core/column_diff.h"

namespace cutover {
namespace {

Column Col(const std::string& name, const std::string& type = "integer", uint32_t id = 23) {
  Column c;
  c.name = name;
  c.type_name = type;
  c.type_id = id;
  return c;
}

TableSchemaPtr Table(std::vector<Column> cols) {
  auto t = std::make_shared<TableSchema>();
  t->name = {"public", "t"};
  t->columns = std::move(cols);
  t->key = {0};
  return t;
}

TargetTableColumns OnTarget(std::vector<std::string> names, bool case_insensitive = false) {
  TargetTableColumns c;
  for (auto& n : names) c.columns.push_back({n, false});
  c.case_insensitive = case_insensitive;
  return c;
}

TEST(ColumnsAddedWhileStopped, ATargetWithEveryColumnStartsFromTheSourceSchemaItself) {
  auto t = Table({Col("id"), Col("a", "text", 25)});
  auto shape = StartShapeOnTarget(t, OnTarget({"id", "a"}));
  ASSERT_TRUE(shape.ok()) << shape.status().ToString();
  EXPECT_EQ(shape->get(), t.get());
}

TEST(ColumnsAddedWhileStopped, ColumnsAddedAtTheEndAreWhatTheNextChangeAdds) {
  auto t = Table({Col("id"), Col("a", "text", 25), Col("note", "text", 25), Col("n")});
  Index on_note;
  on_note.name = "t_note";
  on_note.parts.push_back(IndexPart{.column = 2});
  Index on_a;
  on_a.name = "t_a";
  on_a.parts.push_back(IndexPart{.column = 1});
  auto with_indexes = std::make_shared<TableSchema>(*t);
  with_indexes->indexes = {on_note, on_a};
  auto shape = StartShapeOnTarget(with_indexes, OnTarget({"id", "a"}));
  ASSERT_TRUE(shape.ok()) << shape.status().ToString();
  ASSERT_EQ((*shape)->columns.size(), 2u);
  ASSERT_EQ((*shape)->indexes.size(), 1u);  // the index on a missing column is left out
  EXPECT_EQ((*shape)->indexes[0].name, "t_a");
  EXPECT_EQ(DescribeColumnChanges(DiffColumns(**shape, *with_indexes), *with_indexes),
            "add column note text; add column n integer");
}

TEST(ColumnsAddedWhileStopped, NamesMatchRegardlessOfCaseWhereTheTargetSaysSo) {
  auto t = Table({Col("id"), Col("Name", "text", 25), Col("extra")});
  auto shape = StartShapeOnTarget(t, OnTarget({"ID", "name"}, true));
  ASSERT_TRUE(shape.ok()) << shape.status().ToString();
  EXPECT_EQ((*shape)->columns.size(), 2u);
  EXPECT_FALSE(StartShapeOnTarget(t, OnTarget({"ID", "name"}, false)).ok());
}

TEST(ColumnsAddedWhileStopped, ColumnsTheTargetGeneratesItselfAreNotColumnsItLacksOrHasExtra) {
  auto t = Table({Col("id"), Col("a")});
  TargetTableColumns c = OnTarget({"id", "a"});
  c.columns.push_back({"total", true});
  auto shape = StartShapeOnTarget(t, c);
  ASSERT_TRUE(shape.ok()) << shape.status().ToString();
  EXPECT_EQ(shape->get(), t.get());
}

TEST(ColumnsAddedWhileStopped, TargetOnlyColumnsAreLeftAsTheyAre) {
  auto t = Table({Col("id"), Col("a")});
  auto shape = StartShapeOnTarget(t, OnTarget({"id", "a", "audit"}));
  ASSERT_TRUE(shape.ok()) << shape.status().ToString();
  EXPECT_EQ(shape->get(), t.get());
}

TEST(ColumnsAddedWhileStopped, ARenameWhileStoppedStopsTheTaskNamingBothColumns) {
  auto t = Table({Col("id"), Col("b2"), Col("c")});
  auto shape = StartShapeOnTarget(t, OnTarget({"id", "b", "c"}));
  ASSERT_FALSE(shape.ok());
  const std::string m(shape.status().message());
  EXPECT_NE(m.find("table public.t: the target lacks column(s) b2"), std::string::npos) << m;
  EXPECT_NE(m.find("has column(s) b the source no longer has"), std::string::npos) << m;
  EXPECT_NE(m.find("restart the task"), std::string::npos) << m;
}

TEST(ColumnsAddedWhileStopped, AColumnMissingInTheMiddleStopsTheTask) {
  auto t = Table({Col("id"), Col("first"), Col("a")});
  auto shape = StartShapeOnTarget(t, OnTarget({"id", "a"}));
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(std::string(shape.status().message()).find("not at the end of the table"),
            std::string::npos)
      << shape.status().ToString();
}

TEST(ColumnsAddedWhileStopped, AKeyColumnMissingStopsTheTask) {
  auto t = Table({Col("id"), Col("a"), Col("k")});
  auto keyed = std::make_shared<TableSchema>(*t);
  keyed->key = {0, 2};
  auto shape = StartShapeOnTarget(keyed, OnTarget({"id", "a"}));
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(std::string(shape.status().message()).find("lacks key column k"), std::string::npos)
      << shape.status().ToString();
}

}  // namespace
}  // namespace cutover
