// The generated-column translator (engine/core/generated_columns.h): PostgreSQL expressions as
// pg_get_expr prints them, translated for MariaDB and SQLite targets, and the refusals of what
// those engines would compute differently.
#include "engine/core/generated_columns.h"

#include <gtest/gtest.h>

namespace cutover {
namespace {

TableSchema InvoiceLine() {
  TableSchema t;
  t.name = {"public", "InvoiceLine"};
  t.engine = "postgresql";
  auto add = [&](const char* name, ValueKind kind, const char* type) {
    Column c;
    c.name = name;
    c.kind = kind;
    c.type_name = type;
    t.columns.push_back(c);
  };
  add("InvoiceLineId", ValueKind::kInt64, "integer");
  add("UnitPrice", ValueKind::kDecimal, "numeric(10,2)");
  add("Quantity", ValueKind::kInt64, "integer");
  add("Note", ValueKind::kText, "text");
  add("Ratio", ValueKind::kFloat64, "double precision");
  add("Small", ValueKind::kFloat64, "real");
  add("we`ird\"", ValueKind::kText, "text");
  return t;
}

Column Generated(const char* expr, ValueKind kind, const char* type) {
  Column c;
  c.name = "G";
  c.kind = kind;
  c.type_name = type;
  c.generated = expr;
  return c;
}

std::string To(const std::string& target, const char* expr, ValueKind kind, const char* type) {
  auto r = TranslateGeneratedExpression(InvoiceLine(), Generated(expr, kind, type), target);
  return r.ok() ? *r : "refused: " + r.status().message();
}

TEST(GeneratedColumns, SameEngineKeepsTheExpression) {
  EXPECT_EQ(To("postgresql", "(\"UnitPrice\" / 3)", ValueKind::kDecimal, "numeric"),
            "(\"UnitPrice\" / 3)");
}

TEST(GeneratedColumns, ArithmeticAndCasts) {
  const char* total = "(\"UnitPrice\" * (\"Quantity\")::numeric)";
  EXPECT_EQ(To("mariadb", total, ValueKind::kDecimal, "numeric(10,2)"),
            "(`UnitPrice` * `Quantity`)");
  EXPECT_EQ(To("sqlite", total, ValueKind::kDecimal, "numeric(10,2)"),
            "round((\"UnitPrice\" * \"Quantity\"), 2)");
  EXPECT_EQ(
      To("mariadb", "((\"Quantity\" + 1) - (- \"InvoiceLineId\"))", ValueKind::kInt64, "integer"),
      "((`Quantity` + 1) - (- `InvoiceLineId`))");
  EXPECT_EQ(To("sqlite", "(\"Quantity\" * '-2'::integer)", ValueKind::kInt64, "integer"),
            "(\"Quantity\" * (-2))");
  EXPECT_EQ(To("sqlite", "(\"Ratio\" * 2.5)", ValueKind::kFloat64, "double precision"),
            "(\"Ratio\" * 2.5)");
}

TEST(GeneratedColumns, TextAndFunctions) {
  EXPECT_EQ(To("mariadb", "(('#'::text || \"Note\") || 'it''s\\'::text)", ValueKind::kText, "text"),
            "CONCAT(CONCAT('#', `Note`), 'it''s\\\\')");
  EXPECT_EQ(To("sqlite", "('#'::text || \"Note\")", ValueKind::kText, "text"), "('#' || \"Note\")");
  EXPECT_EQ(To("mariadb", "upper(COALESCE(\"Note\", 'none'::text))", ValueKind::kText, "text"),
            "UPPER(COALESCE(`Note`, 'none'))");
  EXPECT_EQ(To("mariadb", "length(\"Note\")", ValueKind::kInt64, "integer"), "CHAR_LENGTH(`Note`)");
  EXPECT_EQ(To("sqlite", "length(\"Note\")", ValueKind::kInt64, "integer"), "length(\"Note\")");
  EXPECT_EQ(To("mariadb", "(\"we`ird\"\"\" || \"Note\")", ValueKind::kText, "text"),
            "CONCAT(`we``ird\"`, `Note`)");
  EXPECT_EQ(To("sqlite", "(\"we`ird\"\"\" || \"Note\")", ValueKind::kText, "text"),
            "(\"we`ird\"\"\" || \"Note\")");
}

TEST(GeneratedColumns, RefusesWhatTargetsComputeDifferently) {
  auto refused = [](const std::string& s, const std::string& why) {
    return s.rfind("refused: ", 0) == 0 && s.find(why) != std::string::npos;
  };
  EXPECT_PRED2(refused, To("mariadb", "(\"Quantity\" / 2)", ValueKind::kInt64, "integer"),
               "division");
  EXPECT_PRED2(refused, To("sqlite", "lower(\"Note\")", ValueKind::kText, "text"), "ASCII");
  EXPECT_PRED2(refused, To("mariadb", "md5(\"Note\")", ValueKind::kText, "text"), "function md5()");
  EXPECT_PRED2(refused, To("mariadb", "(\"Quantity\")::text", ValueKind::kText, "text"), "cast of");
  EXPECT_PRED2(refused,
               To("mariadb", "(\"UnitPrice\")::numeric(5,1)", ValueKind::kDecimal, "numeric(5,1)"),
               "rounds");
  EXPECT_PRED2(refused, To("mariadb", "(\"Quantity\" > 2)", ValueKind::kBool, "boolean"),
               "operator >");
  EXPECT_PRED2(refused, To("mariadb", "(\"Small\" * 2)", ValueKind::kFloat64, "real"),
               "not a number");
  EXPECT_PRED2(refused, To("mariadb", "(\"Nope\" + 1)", ValueKind::kInt64, "integer"), "Nope");
  // SQLite computes decimals in doubles: only numeric(p <= 15, s), rounded to s.
  EXPECT_PRED2(refused, To("sqlite", "(\"UnitPrice\" * 2)", ValueKind::kDecimal, "numeric(20,2)"),
               "binary floating point");
  EXPECT_PRED2(refused, To("sqlite", "(\"UnitPrice\" * 2)", ValueKind::kDecimal, "numeric"),
               "binary floating point");
}

}  // namespace
}  // namespace cutover

// CHECK conditions (TranslateCondition): the forms pg_get_constraintdef and MariaDB's
// CHECK_CLAUSE print, translated; what is outside the subset is refused naming the part.
namespace cutover {
namespace {

// The translation, or "error: ..." naming why not.
std::string Cond(const TableSchema& t, const std::string& expr, const std::string& target,
                 const std::string& value_column = "") {
  auto r = TranslateCondition(t, expr, target, value_column);
  return r.ok() ? *r : "error: " + r.status().message();
}

TEST(TranslateCondition, PostgresChecksForMariaDbAndSqlite) {
  TableSchema t = InvoiceLine();
  EXPECT_EQ(Cond(t, "((\"Quantity\" > 0) AND (\"Quantity\" < 1000))", "mariadb"),
            "((`Quantity` > 0) AND (`Quantity` < 1000))");
  EXPECT_EQ(Cond(t,
                 "((\"Note\")::text = ANY ((ARRAY['a'::character varying, "
                 "'b''c'::character varying])::text[]))",
                 "sqlite"),
            "(\"Note\" IN ('a', 'b''c'))");
  EXPECT_EQ(Cond(t, "\"Note\" IS NOT NULL OR \"Quantity\" BETWEEN 1 AND 9", "mariadb"),
            "((`Note` IS NOT NULL) OR (`Quantity` BETWEEN 1 AND 9))");
  // A domain's VALUE is the column using it.
  EXPECT_EQ(Cond(t, "((VALUE >= 1901) AND (VALUE <= 2155))", "mariadb", "Quantity"),
            "((`Quantity` >= 1901) AND (`Quantity` <= 2155))");
  // The same engine: as it is.
  EXPECT_EQ(Cond(t, "(\"Quantity\" ~ 'x')", "postgresql"), "(\"Quantity\" ~ 'x')");
  EXPECT_FALSE(TranslateCondition(t, "(\"Note\" ~ '^a')", "mariadb").ok());
  EXPECT_FALSE(TranslateCondition(t, "(\"Note\" = 1)", "mariadb").ok());  // text vs number
  EXPECT_FALSE(TranslateCondition(t, "(length(\"Note\") > upper(\"Note\"))", "sqlite").ok());
}

TEST(TranslateCondition, MariaDbChecksForPostgres) {
  TableSchema t = InvoiceLine();
  t.engine = "mariadb";
  EXPECT_EQ(Cond(t, "`Quantity` > 0 and `Quantity` < 1000", "postgresql"),
            "((\"Quantity\" > 0) AND (\"Quantity\" < 1000))");
  EXPECT_EQ(Cond(t, "`Note` in ('it\\'s','b')", "postgresql"), "(\"Note\" IN ('it''s', 'b'))");
}

}  // namespace
}  // namespace cutover
