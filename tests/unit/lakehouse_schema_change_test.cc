// A lakehouse table whose columns changed between its files (docs/lakehouse.md, "Source schema
// changes"): files written before a rename, a drop, a retype and an add fold, with files
// written after, into rows of the current columns (CSV and Parquet), and the manifest keeps
// every file's shape across encode and decode.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "engine/core/column_diff.h"
#include "engine/lakehouse/lakehouse_fold.h"
#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/object_store.h"
#include "engine/lakehouse/row_file.h"

namespace cutover::lakehouse {
namespace {

Column Col(const std::string& name, ValueKind kind, const std::string& type) {
  Column c;
  c.name = name;
  c.kind = kind;
  c.type_name = type;
  return c;
}

TableSchema Schema(std::vector<Column> columns) {
  TableSchema t;
  t.name = {"s", "t"};
  t.engine = "postgresql";
  t.columns = std::move(columns);
  t.key = {0};
  return t;
}

class LakehouseSchemaChange : public ::testing::TestWithParam<DataFormat> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cutover-lake-ddl-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto store = OpenObjectStore("file://" + dir_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    settings_.format = GetParam();
    settings_.add_column_name = true;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `rows` (op, values) as one CDC file of `columns`; its committed entry.
  CommittedFile Write(const std::string& key, const std::vector<Column>& columns,
                      const std::vector<std::pair<char, std::vector<Value>>>& rows) {
    auto f = OpenRowFile(*store_, key, settings_, columns, true);
    EXPECT_TRUE(f.ok()) << f.status().message();
    for (const auto& [op, row] : rows)
      EXPECT_TRUE((*f)->Write(op, "", row, "pos" + std::to_string(++position_)).ok());
    EXPECT_TRUE((*f)->Complete().ok());
    return {(*f)->key(), false, true, (*f)->rows(), (*f)->bytes()};
  }

  std::string Ext() const { return GetParam() == DataFormat::kParquet ? ".parquet" : ".csv"; }

  std::string dir_;
  std::unique_ptr<ObjectStore> store_;
  LakehouseSettings settings_;
  int position_ = 0;
};

TEST_P(LakehouseSchemaChange, EarlierFilesFoldIntoTheCurrentColumns) {
  TableSchema before =
      Schema({Col("id", ValueKind::kInt64, "integer"), Col("a", ValueKind::kText, "text"),
              Col("gone", ValueKind::kInt64, "integer"), Col("n", ValueKind::kInt64, "integer")});
  Column note = Col("note", ValueKind::kText, "text");
  note.default_value.kind = DefaultKind::kLiteral;
  note.default_value.literal = "none";
  note.default_value.quoted = true;
  TableSchema after =
      Schema({Col("id", ValueKind::kInt64, "integer"), Col("a2", ValueKind::kText, "text"),
              Col("n", ValueKind::kDecimal, "numeric(12,2)"), note});
  std::vector<ColumnChange> changes = DiffColumns(before, after);
  ASSERT_EQ(DescribeColumnChanges(changes, after).empty(), false);

  ManifestTable t;
  t.name = t.source = before.name;
  t.source_engine = "postgresql";
  t.columns = before.columns;
  t.key = {0};
  t.files.push_back(Write("s/t/1" + Ext(), before.columns,
                          {{'I',
                            {Value::Int64(1), Value::String(ValueKind::kText, "one"),
                             Value::Int64(10), Value::Int64(5)}},
                           {'I',
                            {Value::Int64(2), Value::String(ValueKind::kText, "two"),
                             Value::Int64(20), Value::Null()}}}));
  t.FollowSchemaChange(after, changes);
  t.files.push_back(Write(
      "s/t/2" + Ext(), after.columns,
      {{'U',
        {Value::Int64(2), Value::String(ValueKind::kText, "two!"),
         Value::String(ValueKind::kDecimal, "7.25"), Value::String(ValueKind::kText, "given")}}}));
  // The shapes survive the manifest's encoding.
  Manifest m;
  m.task = "x";
  m.settings = settings_;
  m.tables[t.name] = t;
  auto back = DecodeManifest(EncodeManifest(m), "test");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(EncodeManifest(*back), EncodeManifest(m));
  const ManifestTable& read = back->tables.at(t.name);
  ASSERT_EQ(read.shapes.size(), 1u);
  EXPECT_EQ(read.files[0].shape, 0);
  EXPECT_EQ(read.files[1].shape, -1);

  auto folded = FoldTable(*store_, settings_, read);
  ASSERT_TRUE(folded.ok()) << folded.status().message();
  std::map<int64_t, std::vector<Value>> rows;
  for (auto& r : folded->rows) rows[r[0].as_int64()] = r;
  ASSERT_EQ(rows.size(), 2u);
  // Row 1 is only in the file before the change: a -> a2, gone ignored, n as a decimal, note
  // the added column's default.
  EXPECT_TRUE(rows[1][1] == Value::String(ValueKind::kText, "one")) << rows[1][1].DebugString();
  EXPECT_TRUE(rows[1][2] == Value::String(ValueKind::kDecimal, "5")) << rows[1][2].DebugString();
  EXPECT_TRUE(rows[1][3] == Value::String(ValueKind::kText, "none")) << rows[1][3].DebugString();
  EXPECT_TRUE(rows[2][1] == Value::String(ValueKind::kText, "two!")) << rows[2][1].DebugString();
  EXPECT_TRUE(rows[2][2] == Value::String(ValueKind::kDecimal, "7.25")) << rows[2][2].DebugString();
  EXPECT_TRUE(rows[2][3] == Value::String(ValueKind::kText, "given")) << rows[2][3].DebugString();

  // A column added later under a dropped column's name is not the old column.
  TableSchema again = after;
  again.columns.push_back(Col("gone", ValueKind::kInt64, "integer"));
  ManifestTable t2 = read;
  t2.FollowSchemaChange(again, DiffColumns(after, again));
  auto folded2 = FoldTable(*store_, settings_, t2);
  ASSERT_TRUE(folded2.ok()) << folded2.status().message();
  for (const auto& r : folded2->rows) EXPECT_TRUE(r[4].is_null()) << r[4].DebugString();
}

INSTANTIATE_TEST_SUITE_P(Formats, LakehouseSchemaChange,
                         ::testing::Values(DataFormat::kCsv, DataFormat::kParquet),
                         [](const auto& info) {
                           return info.param == DataFormat::kCsv ? "csv" : "parquet";
                         });

}  // namespace
}  // namespace cutover::lakehouse
