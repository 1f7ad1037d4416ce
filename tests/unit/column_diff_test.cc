#include "engine/core/column_diff.h"

#include <gtest/gtest.h>

namespace cutover {
namespace {

Column Col(const std::string& name, const std::string& type = "integer", uint32_t id = 23) {
  Column c;
  c.name = name;
  c.type_name = type;
  c.type_id = id;
  return c;
}

TableSchema Table(std::vector<Column> cols) {
  TableSchema t;
  t.name = {"public", "t"};
  t.columns = std::move(cols);
  return t;
}

std::string Diff(const TableSchema& a, const TableSchema& b) {
  return DescribeColumnChanges(DiffColumns(a, b), b);
}

TEST(ColumnDiffTest, SameColumnsHaveNoChange) {
  auto t = Table({Col("id"), Col("a", "text", 25)});
  EXPECT_TRUE(DiffColumns(t, t).empty());
}

TEST(ColumnDiffTest, AddedColumnCarriesItsDefault) {
  auto before = Table({Col("id"), Col("a")});
  auto after = before;
  Column n = Col("note", "text", 25);
  n.default_value.source_text = "'x'::text";
  n.nullable = false;
  after.columns.push_back(n);
  EXPECT_EQ(Diff(before, after), "add column note text DEFAULT 'x'::text NOT NULL");
}

TEST(ColumnDiffTest, RenameKeepsThePlace) {
  auto before = Table({Col("id"), Col("b", "text", 25), Col("c")});
  auto after = Table({Col("id"), Col("x", "text", 25), Col("c")});
  EXPECT_EQ(Diff(before, after), "rename column b to x");
}

TEST(ColumnDiffTest, DropAndAddElsewhereAreNotARename) {
  auto before = Table({Col("id"), Col("b"), Col("c")});
  auto after = Table({Col("id"), Col("c"), Col("d")});
  EXPECT_EQ(Diff(before, after), "drop column b; add column d integer");
}

TEST(ColumnDiffTest, SamePlaceOtherTypeIsDropAndAdd) {
  auto before = Table({Col("id"), Col("b"), Col("c")});
  auto after = Table({Col("id"), Col("x", "text", 25), Col("c")});
  EXPECT_EQ(Diff(before, after), "drop column b; add column x text");
}

TEST(ColumnDiffTest, WidenedTypeIsARetype) {
  auto before = Table({Col("id"), Col("s", "character varying(10)", 1043)});
  auto after = Table({Col("id"), Col("s", "character varying(50)", 1043)});
  EXPECT_EQ(Diff(before, after), "column s type character varying(50)");
}

TEST(ColumnDiffTest, OrderIsRenamesDropsRetypesAdds) {
  auto before = Table({Col("id"), Col("a"), Col("b", "text", 25), Col("c", "varchar(1)", 1043)});
  auto after = Table({Col("id"), Col("a2"), Col("c", "varchar(9)", 1043), Col("b", "bigint", 20)});
  // a -> a2 renamed in place; b keeps its name, so it is retyped wherever it now sits.
  EXPECT_EQ(Diff(before, after),
            "rename column a to a2; column c type varchar(9); column b type bigint");
}

}  // namespace
}  // namespace cutover
