// DMS source filters and column rules: parsing of every rule shape (and one precise line per
// bad input), filter evaluation per operator and column type, column mapping, and the pipeline
// stage that rewrites changes crossing a filter's boundary.
#include <string>

#include <gtest/gtest.h>

#include "engine/pipeline/row_filter.h"
#include "engine/pipeline/table_transform.h"
#include "engine/task/table_mapping.h"

namespace cutover {
namespace {

using task::ParseTableMapping;

std::shared_ptr<const task::TableMapping> Parse(const std::string& rules) {
  auto m = ParseTableMapping(R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-name": "s", "rule-action": "include",
       "object-locator": {"schema-name": "s", "table-name": "t"}, "filters": [)" +
                                 rules.substr(0, rules.find('|')) + "]}" +
                                 rules.substr(rules.find('|') + 1) + "]}",
                             "m.json", nullptr);
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (!m.ok()) return nullptr;
  return std::make_shared<task::TableMapping>(std::move(m).value());
}

std::string Error(const std::string& doc) {
  auto m = ParseTableMapping(doc, "m.json", nullptr);
  return m.ok() ? "" : m.status().message();
}

TableSchemaPtr Table() {
  auto t = std::make_shared<TableSchema>();
  t->name = {"s", "t"};
  t->engine = "postgresql";
  t->columns = {{"id", ValueKind::kInt64},    {"price", ValueKind::kDecimal},
                {"made", ValueKind::kDate},   {"at", ValueKind::kTimestamp},
                {"region", ValueKind::kText}, {"ok", ValueKind::kBool},
                {"secret", ValueKind::kText}};
  t->key = {0};
  return t;
}

std::vector<Value> Row(int64_t id, const char* price, int64_t made_days, int64_t at_us,
                       const char* region) {
  return {Value::Int64(id),
          Value::String(ValueKind::kDecimal, price),
          Value::Date(made_days),
          Value::Timestamp(at_us),
          region ? Value::String(ValueKind::kText, region) : Value::Null(),
          Value::Bool(true),
          Value::String(ValueKind::kText, "s")};
}

FilterVerdict Eval(const std::string& filter, const std::vector<Value>& row) {
  auto m = Parse(filter + "|");
  auto t = Table();
  auto f = RowFilter::Compile(*t, m->Filters(t->name));
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f->Evaluate(row);
}

constexpr int64_t k2024_02_01 = 19754;  // days since 1970-01-01

TEST(DmsFilters, EveryOperatorComparesAsTheColumnType) {
  auto r = Row(10, "9.50", k2024_02_01, k2024_02_01 * 86400000000LL + 3600000000LL, "eu");
  auto cond = [](const std::string& col, const std::string& c) {
    return R"({"filter-type": "source", "column-name": ")" + col + R"(", "filter-conditions": [)" +
           c + "]}";
  };
  using V = FilterVerdict;
  // Numbers numerically: "10" > "9" although "10" < "9" as text.
  EXPECT_EQ(Eval(cond("id", R"({"filter-operator": "gte", "value": "9"})"), r), V::kPass);
  EXPECT_EQ(Eval(cond("id", R"({"filter-operator": "ste", "value": "9"})"), r), V::kFail);
  EXPECT_EQ(Eval(cond("id", R"({"filter-operator": "lte", "value": "10"})"), r), V::kPass);
  EXPECT_EQ(Eval(cond("price", R"({"filter-operator": "eq", "value": "9.5"})"), r), V::kPass);
  EXPECT_EQ(Eval(cond("price", R"({"filter-operator": "noteq", "value": "9.5"})"), r), V::kFail);
  EXPECT_EQ(Eval(cond("price", R"({"filter-operator": "between", "start-value": "9",
                                   "end-value": "10"})"),
                 r),
            V::kPass);
  EXPECT_EQ(Eval(cond("price", R"({"filter-operator": "notbetween", "start-value": "9",
                                   "end-value": "10"})"),
                 r),
            V::kFail);
  // Dates as dates, timestamps as timestamps.
  EXPECT_EQ(Eval(cond("made", R"({"filter-operator": "eq", "value": "2024-02-01"})"), r), V::kPass);
  EXPECT_EQ(Eval(cond("made", R"({"filter-operator": "gte", "value": "2024-02-02"})"), r),
            V::kFail);
  EXPECT_EQ(Eval(cond("at", R"({"filter-operator": "between", "start-value": "2024-02-01",
                                "end-value": "2024-02-01 01:00:00"})"),
                 r),
            V::kPass);
  EXPECT_EQ(Eval(cond("at", R"({"filter-operator": "gte", "value": "2024-02-01T01:00:00.5"})"), r),
            V::kFail);
  // Text in byte order; NULL only satisfies null.
  EXPECT_EQ(Eval(cond("region", R"({"filter-operator": "eq", "value": "eu"})"), r), V::kPass);
  auto nul = Row(1, "1", 0, 0, nullptr);
  EXPECT_EQ(Eval(cond("region", R"({"filter-operator": "noteq", "value": "eu"})"), nul), V::kFail);
  EXPECT_EQ(Eval(cond("region", R"({"filter-operator": "null"})"), nul), V::kPass);
  EXPECT_EQ(Eval(cond("region", R"({"filter-operator": "notnull"})"), nul), V::kFail);
  EXPECT_EQ(Eval(cond("ok", R"({"filter-operator": "eq", "value": "true"})"), r), V::kPass);
  // Conditions OR-ed, filters AND-ed.
  std::string either = cond("id", R"({"filter-operator": "eq", "value": "1"},
                                     {"filter-operator": "eq", "value": "10"})");
  EXPECT_EQ(Eval(either, r), V::kPass);
  EXPECT_EQ(Eval(either + "," + cond("region", R"({"filter-operator": "null"})"), r), V::kFail);
  // A missing value (unchanged TOAST) is unknown, unless another filter already fails.
  auto partial = r;
  partial[4] = Value::Unchanged();
  EXPECT_EQ(Eval(cond("region", R"({"filter-operator": "null"})"), partial), V::kUnknown);
}

TEST(DmsFilters, ValueNotOfTheColumnsTypeIsNamed) {
  auto m = Parse(R"({"filter-type": "source", "column-name": "made", "filter-conditions": [
      {"filter-operator": "gte", "value": "last tuesday"}]}|)");
  auto t = Table();
  auto f = RowFilter::Compile(*t, m->Filters(t->name));
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find(
                "table mapping rule 1: filter on s.t.made: value \"last tuesday\" is not a"),
            std::string::npos)
      << f.status().message();
  auto m2 = Parse(R"({"filter-type": "source", "column-name": "nope", "filter-conditions": [
      {"filter-operator": "null"}]}|)");
  auto f2 = RowFilter::Compile(*t, m2->Filters(t->name));
  ASSERT_FALSE(f2.ok());
  EXPECT_NE(f2.status().message().find("s.t.nope: the table has no such column"),
            std::string::npos);
}

TEST(DmsFilters, BadFilterShapesNameFileAndPath) {
  std::string sel = R"({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-action":
      "include", "object-locator": {"schema-name": "s", "table-name": "t"}, "filters": )";
  EXPECT_NE(Error(sel + R"([{"filter-type": "source", "column-name": "a", "filter-conditions":
      [{"filter-operator": "like", "value": "x"}]}]}]})")
                .find("m.json: $.rules[0].filters[0].filter-conditions[0].filter-operator: "
                      "'like' is not one of eq, noteq, ste, lte, gte, between, notbetween, "
                      "null, notnull"),
            std::string::npos);
  EXPECT_NE(Error(sel + R"([{"filter-type": "source", "column-name": "a", "filter-conditions":
      [{"filter-operator": "between", "value": "x"}]}]}]})")
                .find("m.json: $.rules[0].filters[0].filter-conditions[0]: between needs "
                      "\"start-value\" and \"end-value\""),
            std::string::npos);
  EXPECT_NE(Error(sel + R"([{"filter-type": "target", "column-name": "a", "filter-conditions":
      [{"filter-operator": "null"}]}]}]})")
                .find("m.json: $.rules[0].filters[0].filter-type: 'target' is not one of source"),
            std::string::npos);
  EXPECT_NE(Error(sel + R"([{"filter-type": "source", "column-name": "a", "filter-conditions":
      [{"filter-operator": "eq"}]}]}]})")
                .find("filter-conditions[0]: eq needs \"value\""),
            std::string::npos);
  EXPECT_NE(Error(sel + R"("x"}]})").find("m.json: $.rules[0].filters:"), std::string::npos);
}

TEST(DmsColumnRules, EveryActionMapsTheColumns) {
  auto m = Parse(R"j(|,
      {"rule-type": "transformation", "rule-id": "2", "rule-target": "column",
       "rule-action": "convert-uppercase",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "%"}},
      {"rule-type": "transformation", "rule-id": "3", "rule-target": "column",
       "rule-action": "rename", "value": "cost",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "price"}},
      {"rule-type": "transformation", "rule-id": "4", "rule-target": "column",
       "rule-action": "remove-column",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "sec%"}},
      {"rule-type": "transformation", "rule-id": "5", "rule-target": "column",
       "rule-action": "replace-prefix", "old-value": "RE", "value": "X_",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "region"}},
      {"rule-type": "transformation", "rule-id": "6", "rule-target": "column",
       "rule-action": "add-suffix", "value": "_on",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "made"}},
      {"rule-type": "transformation", "rule-id": "7", "rule-target": "column",
       "rule-action": "add-column", "value": "tag",
       "expression": "'k'||$id||'-'||operation_indicator('D', 'U', 'I')",
       "object-locator": {"schema-name": "s", "table-name": "t"}})j");
  ASSERT_TRUE(m);
  auto cm = m->MapColumns({"s", "t"}, {"id", "price", "made", "at", "region", "ok", "secret"});
  ASSERT_TRUE(cm.ok()) << cm.status().message();
  EXPECT_EQ(cm->target_names,
            (std::vector<std::string>{"ID", "cost", "MADE_on", "AT", "X_GION", "OK", ""}));
  EXPECT_EQ(cm->removed_by[6], "4");
  ASSERT_EQ(cm->added.size(), 1u);
  EXPECT_TRUE(cm->added[0].has_operation);

  // The pipeline stage: renamed, removed and added columns in rows and changes.
  TableTransforms transforms(m, "");
  auto t = Table();
  auto tt = transforms.For(t);
  ASSERT_TRUE(tt.ok()) << tt.status().message();
  const TableSchema& target = *(*tt)->target();
  ASSERT_EQ(target.columns.size(), 7u);
  EXPECT_EQ(target.columns[1].name, "cost");
  EXPECT_EQ(target.columns[6].name, "tag");
  Change c;
  c.op = ChangeOp::kInsert;
  c.table = t;
  c.after = Row(5, "1", 0, 0, "eu");
  ASSERT_TRUE(transforms.Apply(c).value());
  ASSERT_EQ(c.after.size(), 7u);
  EXPECT_EQ(c.after[6].str(), "k5-I");
  EXPECT_EQ(c.table.get(), &target);
  // operation_indicator: a delete becomes an update marking the row.
  Change d;
  d.op = ChangeOp::kDelete;
  d.table = t;
  d.before = Row(5, "1", 0, 0, "eu");
  d.before_is_key_only = true;
  ASSERT_TRUE(transforms.Apply(d).value());
  EXPECT_EQ(d.op, ChangeOp::kUpdate);
  EXPECT_EQ(d.after[6].str(), "k5-D");
  EXPECT_TRUE(d.after[1].is_unchanged());
}

TEST(DmsColumnRules, IncludeColumnKeepsOnlyTheNamedColumns) {
  auto m = Parse(R"(|,
      {"rule-type": "transformation", "rule-id": "2", "rule-target": "column",
       "rule-action": "include-column",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "id"}},
      {"rule-type": "transformation", "rule-id": "3", "rule-target": "column",
       "rule-action": "include-column",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "re%"}})");
  auto cm = m->MapColumns({"s", "t"}, {"id", "price", "region"});
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->target_names, (std::vector<std::string>{"id", "", "region"}));
  // Another table is untouched.
  auto other = m->MapColumns({"s", "u"}, {"id", "price"});
  EXPECT_FALSE(other->changes_anything);
}

TEST(DmsColumnRules, RemovedKeyAndBadExpressionsAreNamed) {
  auto m = Parse(R"(|,
      {"rule-type": "transformation", "rule-id": "9", "rule-target": "column",
       "rule-action": "remove-column",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "id"}})");
  TableTransforms transforms(m, "");
  auto tt = transforms.For(Table());
  ASSERT_FALSE(tt.ok());
  EXPECT_NE(tt.status().message().find("table mapping rule 9 removes key column id of s.t"),
            std::string::npos);
  std::string head = R"({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-action":
      "include", "object-locator": {"schema-name": "s", "table-name": "t"}},
      {"rule-type": "transformation", "rule-id": "2", "rule-target": "column",
       "object-locator": {"schema-name": "s", "table-name": "t"}, )";
  EXPECT_NE(Error(head + R"("rule-action": "add-column", "value": "x",
       "expression": "$AR_H_USER"}]})")
                .find("m.json: $.rules[1].expression: rule 2: cannot evaluate expression"),
            std::string::npos);
  EXPECT_NE(Error(head + R"("rule-action": "add-column", "expression": "'a'"}]})")
                .find("m.json: $.rules[1]: rule 2: add-column needs \"value\""),
            std::string::npos);
  EXPECT_NE(Error(head + R"("rule-action": "rename"}]})")
                .find("m.json: $.rules[1]: rule 2: rename needs a non-empty \"value\""),
            std::string::npos);
  EXPECT_NE(Error(head + R"("rule-action": "change-data-type", "value": "x"}]})")
                .find("m.json: $.rules[1]: rule 2: change-data-type needs \"data-type\": "
                      "{\"type\": ...}"),
            std::string::npos);
  EXPECT_NE(Error(head + R"("rule-action": "add-before-image-columns"}]})")
                .find("m.json: $.rules[1].rule-action: rule 2: add-before-image-columns on "
                      "columns is not supported"),
            std::string::npos);
  auto e = task::ColumnExpression::Parse("'it''s'||12||$a");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->columns(), std::vector<std::string>{"a"});
  EXPECT_EQ(e->Evaluate([](size_t) { return std::optional<std::string>("x"); }, {}), "it's12x");
  EXPECT_FALSE(task::ColumnExpression::Parse("'a'||").ok());
  EXPECT_FALSE(task::ColumnExpression::Parse("soundex($a)").ok());
}

TEST(DmsFilters, ChangesCrossingTheFilterBecomeInsertsAndDeletes) {
  auto m = Parse(R"({"filter-type": "source", "column-name": "region", "filter-conditions": [
      {"filter-operator": "eq", "value": "eu"}]}|)");
  TableTransforms transforms(m, "");
  auto t = Table();
  auto update = [&](const char* before, const char* after, bool key_only) {
    Change c;
    c.op = ChangeOp::kUpdate;
    c.table = t;
    if (before) c.before = Row(1, "1", 0, 0, before);
    c.before_is_key_only = key_only;
    c.after = Row(1, "1", 0, 0, after);
    bool travels = transforms.Apply(c).value();
    return travels ? std::string(ChangeOpName(c.op)) : std::string("dropped");
  };
  EXPECT_EQ(update("us", "eu", false), ChangeOpName(ChangeOp::kInsert));     // moves in
  EXPECT_EQ(update("eu", "us", false), ChangeOpName(ChangeOp::kDelete));     // moves out
  EXPECT_EQ(update("us", "us", false), "dropped");                           // stays out
  EXPECT_EQ(update("eu", "eu", false), ChangeOpName(ChangeOp::kUpdate));     // stays in
  EXPECT_EQ(update(nullptr, "us", false), ChangeOpName(ChangeOp::kDelete));  // unknown old
  EXPECT_EQ(update(nullptr, "eu", false), ChangeOpName(ChangeOp::kUpdate));  // upserted
  EXPECT_EQ(update("x", "us", true), ChangeOpName(ChangeOp::kDelete));       // key-only old image
  Change ins;
  ins.op = ChangeOp::kInsert;
  ins.table = t;
  ins.after = Row(2, "1", 0, 0, "us");
  EXPECT_FALSE(transforms.Apply(ins).value());
}

}  // namespace
}  // namespace cutover
