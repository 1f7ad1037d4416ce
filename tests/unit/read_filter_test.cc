// Filter push-down (engine/core/read_filter.h): which DMS filters become a ReadFilter (operands
// with an exact form in the column's kind only), and the SQL condition a reader puts in its
// query, combined with a split range's key bounds. The engines' own dialects run against real
// servers in tests/integration/dms_pushdown_test.cc.
#include <string>

#include <gtest/gtest.h>

#include "engine/core/read_filter.h"
#include "engine/pipeline/row_filter.h"
#include "engine/task/table_mapping.h"

namespace cutover {
namespace {

// A dialect comparing every column as it is (its own quoting), NaN-like values of "price" unsure.
class TestDialect : public ReadFilterDialect {
 public:
  std::string QuoteIdent(const std::string& name) const override { return "\"" + name + "\""; }
  FilterColumnSql ColumnSql(const Column& c) const override {
    FilterColumnSql out{QuoteIdent(c.name), QuoteIdent(c.name), ""};
    if (c.name == "price") out.unsure = out.ident + " = 'NaN'";
    if (c.name == "note") out.compared.clear();  // compared differently by this engine
    return out;
  }
  std::optional<std::string> Literal(const Column& c, const Value& v) const override {
    (void)c;
    switch (v.kind()) {
      case ValueKind::kInt64:
        return std::to_string(v.as_int64());
      case ValueKind::kDate:
        return "date(" + std::to_string(v.as_micros_or_days()) + ")";
      case ValueKind::kTimestamp:
        return "ts(" + std::to_string(v.as_micros_or_days()) + ")";
      case ValueKind::kBool:
        return v.as_bool() ? "true" : "false";
      default:
        return "'" + v.str() + "'";
    }
  }
};

TableSchemaPtr Table() {
  auto t = std::make_shared<TableSchema>();
  t->name = {"s", "t"};
  t->engine = "postgresql";
  t->columns = {{"id", ValueKind::kInt64},    {"price", ValueKind::kDecimal},
                {"made", ValueKind::kDate},   {"at", ValueKind::kTimestamp},
                {"region", ValueKind::kText}, {"weight", ValueKind::kFloat64},
                {"note", ValueKind::kText},   {"big", ValueKind::kDecimal}};
  t->columns[1].type = ColumnType::Of(TypeFamily::kDecimal);
  t->columns[1].type.precision = 10;
  t->columns[1].type.scale = 2;
  t->columns[7].type = ColumnType::Of(TypeFamily::kDecimal);  // unconstrained
  t->key = {0};
  return t;
}

std::string Filter(const std::string& col, const std::string& conds) {
  return R"({"filter-type": "source", "column-name": ")" + col + R"(", "filter-conditions": [)" +
         conds + "]}";
}

RowFilter Compile(const std::string& filters) {
  auto m = task::ParseTableMapping(R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-name": "s", "rule-action": "include",
       "object-locator": {"schema-name": "s", "table-name": "t"}, "filters": [)" +
                                       filters + "]}]}",
                                   "m.json", nullptr);
  EXPECT_TRUE(m.ok()) << m.status().message();
  auto t = Table();
  auto f = RowFilter::Compile(*t, m->Filters(t->name));
  EXPECT_TRUE(f.ok()) << f.status().message();
  return *f;
}

std::string Where(const std::string& filters, const KeyRange* range = nullptr) {
  RowFilter f = Compile(filters);
  EXPECT_TRUE(f.read_filter());
  return ReadCondition(*Table(), range, f.read_filter().get(), TestDialect());
}

TEST(FilterPushdown, EveryOperatorBecomesItsCondition) {
  EXPECT_EQ(Where(Filter("id", R"({"filter-operator": "eq", "value": "7"},
                                  {"filter-operator": "noteq", "value": "-3"})")),
            "(\"id\" = 7 OR \"id\" <> -3)");
  EXPECT_EQ(Where(Filter("id", R"({"filter-operator": "ste", "value": "7"},
                                  {"filter-operator": "gte", "value": "70"})")),
            "(\"id\" <= 7 OR \"id\" >= 70)");
  EXPECT_EQ(Where(Filter("made", R"({"filter-operator": "between", "start-value": "1970-01-02",
                                    "end-value": "1970-01-11"})")),
            "((\"made\" >= date(1) AND \"made\" <= date(10)))");
  EXPECT_EQ(Where(Filter("at", R"({"filter-operator": "notbetween", "start-value": "1970-01-01",
                                  "end-value": "1970-01-01 00:00:01"})")),
            "((\"at\" < ts(0) OR \"at\" > ts(1000000)))");
  EXPECT_EQ(Where(Filter("region", R"({"filter-operator": "null"},
                                      {"filter-operator": "eq", "value": "it's"})")),
            "(\"region\" IS NULL OR \"region\" = 'it's')");
  // Filters AND-ed; a column's unsure values are read whatever the term says.
  EXPECT_EQ(Where(Filter("price", R"({"filter-operator": "gte", "value": "9.50"})") + "," +
                  Filter("region", R"({"filter-operator": "notnull"})")),
            "(\"price\" >= '9.50' OR \"price\" = 'NaN') AND (\"region\" IS NOT NULL)");
}

TEST(FilterPushdown, OnlyExactComparisonsArePushed) {
  // A float column, a non-integer on an integer column, a decimal of unbounded digits and a
  // column the engine compares differently stay with cutover; null tests on them still push.
  RowFilter f = Compile(Filter("weight", R"({"filter-operator": "gte", "value": "1.5"})") + "," +
                        Filter("id", R"({"filter-operator": "ste", "value": "7.5"})") + "," +
                        Filter("big", R"({"filter-operator": "eq", "value": "1"})") + "," +
                        Filter("price", R"({"filter-operator": "eq", "value": "1e3"})") + "," +
                        Filter("weight", R"({"filter-operator": "notnull"})"));
  ASSERT_TRUE(f.read_filter());
  EXPECT_EQ(f.read_filter()->all_of.size(), 1u);
  ASSERT_EQ(f.read_filter()->kept.size(), 4u);
  EXPECT_EQ(f.read_filter()->kept[0], "weight (rule 1): a floating-point column");
  EXPECT_EQ(f.read_filter()->kept[1], "id (rule 1): value \"7.5\" is not an integer");
  EXPECT_EQ(f.read_filter()->kept[2], "big (rule 1): a decimal column of more than 18 digits");
  EXPECT_NE(f.read_filter()->kept[3].find("not a plain decimal"), std::string::npos);
  EXPECT_EQ(ReadCondition(*Table(), nullptr, f.read_filter().get(), TestDialect()),
            "(\"weight\" IS NOT NULL)");
  // The dialect refuses comparisons of "note": that term stays with cutover.
  EXPECT_EQ(Where(Filter("note", R"({"filter-operator": "eq", "value": "x"})") + "," +
                  Filter("note", R"({"filter-operator": "null"})")),
            "(\"note\" IS NULL)");
}

TEST(FilterPushdown, CombinesWithASplitRange) {
  KeyRange r{0, 100, 200};
  EXPECT_EQ(Where(Filter("id", R"({"filter-operator": "gte", "value": "150"})"), &r),
            "\"id\" >= 100 AND \"id\" < 200 AND (\"id\" >= 150)");
  KeyRange last{0, 200, std::nullopt};
  EXPECT_EQ(ReadCondition(*Table(), &last, nullptr, TestDialect()), "\"id\" >= 200");
  EXPECT_EQ(ReadCondition(*Table(), nullptr, nullptr, TestDialect()), "");
}

}  // namespace
}  // namespace cutover
