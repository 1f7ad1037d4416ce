// DMS add-column expressions (engine/task/column_expression.h): every construct of the
// supported subset evaluated with SQLite's meaning, header variables in CDC and in the full
// load, and one precise error for what is not supported.
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "engine/task/column_expression.h"

namespace cutover::task {
namespace {

using Text = std::optional<std::string>;

// Evaluates `expr` on a row where $a = "Ab c", $n = "12", $z is NULL.
Text Eval(const std::string& expr, const ExpressionContext& ctx = {}) {
  auto e = ColumnExpression::Parse(expr);
  EXPECT_TRUE(e.ok()) << expr << ": " << e.status().message();
  if (!e.ok()) return "<error>";
  return e->Evaluate(
      [&](size_t i) -> Text {
        const std::string& name = e->columns()[i];
        if (name == "a") return std::string("Ab c");
        if (name == "n") return std::string("12");
        return std::nullopt;
      },
      ctx);
}

std::string ParseError(const std::string& expr) {
  auto e = ColumnExpression::Parse(expr);
  return e.ok() ? "" : e.status().message();
}

TEST(ColumnExpression, ValuesAndConcatenation) {
  EXPECT_EQ(Eval("'it''s'"), "it's");
  EXPECT_EQ(Eval("$a||'-'||$n||7"), "Ab c-127");
  EXPECT_EQ(Eval("$a||$z"), std::nullopt);  // NULL || x is NULL
  EXPECT_EQ(Eval("NULL"), std::nullopt);
  EXPECT_EQ(Eval("('x')||(('y'))"), "xy");
}

TEST(ColumnExpression, Functions) {
  EXPECT_EQ(Eval("upper($a)"), "AB C");
  EXPECT_EQ(Eval("lower($a)"), "ab c");
  EXPECT_EQ(Eval("upper('é')"), "é");  // ASCII only, as SQLite without ICU
  EXPECT_EQ(Eval("trim('  x  ')"), "x");
  EXPECT_EQ(Eval("ltrim('  x  ')"), "x  ");
  EXPECT_EQ(Eval("rtrim('xxaxx', 'x')"), "xxa");
  EXPECT_EQ(Eval("substr('héllo', 2, 3)"), "éll");
  EXPECT_EQ(Eval("substr('hello', -3)"), "llo");
  EXPECT_EQ(Eval("substring('hello', 0, 2)"), "h");  // position 0 is before the first
  EXPECT_EQ(Eval("substr('hello', 4, 10)"), "lo");
  EXPECT_EQ(Eval("length('héllo')"), "5");
  EXPECT_EQ(Eval("length($z)"), std::nullopt);
  EXPECT_EQ(Eval("replace('a-b-c', '-', '+')"), "a+b+c");
  EXPECT_EQ(Eval("coalesce($z, NULL, $n, 'x')"), "12");
  EXPECT_EQ(Eval("ifnull($z, 'none')"), "none");
  EXPECT_EQ(Eval("IFNULL($a, 'none')"), "Ab c");
  auto now = Eval("datetime('now')");
  ASSERT_TRUE(now);
  EXPECT_EQ(now->size(), 19u);
  EXPECT_EQ((*now)[10], ' ');
  EXPECT_EQ(Eval("date('now')")->size(), 10u);
}

TEST(ColumnExpression, ComparisonsAndCase) {
  EXPECT_EQ(Eval("$n = 12"), "1");
  EXPECT_EQ(Eval("$n > 9"), "1");       // numerically: "12" > "9"
  EXPECT_EQ(Eval("'12' < '9x'"), "1");  // as text when one side is not a number
  EXPECT_EQ(Eval("$a <> 'Ab c'"), "0");
  EXPECT_EQ(Eval("$a != 'x'"), "1");
  EXPECT_EQ(Eval("$z = 1"), std::nullopt);
  EXPECT_EQ(Eval("CASE WHEN $n >= 10 THEN 'big' ELSE 'small' END"), "big");
  EXPECT_EQ(Eval("case when $n < 10 then 'small' when $n < 100 then 'mid' end"), "mid");
  EXPECT_EQ(Eval("CASE WHEN $z = 1 THEN 'x' END"), std::nullopt);  // NULL is not true
  EXPECT_EQ(Eval("CASE $n WHEN 11 THEN 'a' WHEN 12 THEN 'b' ELSE 'c' END"), "b");
  EXPECT_EQ(Eval("CASE WHEN upper($a) = 'AB C' THEN lower($a) || '!' END"), "ab c!");
}

TEST(ColumnExpression, HeaderVariablesInCdcAndFullLoad) {
  ExpressionContext cdc;
  cdc.op = 'U';
  cdc.source_op = 'U';
  cdc.commit_time_us = 1717243200123456;  // 2024-06-01 12:00:00.123456 UTC
  cdc.transaction_id = "750";
  cdc.stream_position = "0/16B3F28";
  cdc.schema = "shop";
  cdc.table = "orders";
  EXPECT_EQ(Eval("$AR_H_COMMIT_TIMESTAMP", cdc), "2024-06-01 12:00:00.123456");
  EXPECT_EQ(Eval("$AR_H_TIMESTAMP", cdc), "2024-06-01 12:00:00.123456");
  EXPECT_EQ(Eval("$AR_H_OPERATION", cdc), "UPDATE");
  EXPECT_EQ(Eval("$AR_H_TRANSACTION_ID||'@'||$AR_H_STREAM_POSITION", cdc), "750@0/16B3F28");
  EXPECT_EQ(Eval("$AR_M_SOURCE_SCHEMA||'.'||$AR_M_SOURCE_TABLE_NAME", cdc), "shop.orders");
  EXPECT_EQ(Eval("operation_indicator('D', 'U', 'I')", cdc), "U");
  cdc.source_op = cdc.op = 'D';
  EXPECT_EQ(Eval("$AR_H_OPERATION", cdc), "DELETE");
  cdc.commit_time_us = 0;  // the source does not record it
  EXPECT_EQ(Eval("$AR_H_COMMIT_TIMESTAMP", cdc), std::nullopt);

  ExpressionContext load;
  load.full_load = true;
  load.now_us = 86400000000;  // 1970-01-02
  load.schema = "shop";
  load.table = "orders";
  EXPECT_EQ(Eval("$AR_H_COMMIT_TIMESTAMP", load), "1970-01-02 00:00:00.000000");
  EXPECT_EQ(Eval("$AR_H_OPERATION", load), "INSERT");
  EXPECT_EQ(Eval("$AR_H_STREAM_POSITION||'|'||$AR_H_TRANSACTION_ID", load), "|");
  EXPECT_EQ(FormatUtcMicros(-1), "1969-12-31 23:59:59.999999");
}

TEST(ColumnExpression, WhatIsNotSupportedIsNamed) {
  EXPECT_NE(ParseError("$AR_H_USER").find("header variable $AR_H_USER is not supported"),
            std::string::npos);
  EXPECT_NE(ParseError("soundex($a)").find("function soundex() is not supported"),
            std::string::npos);
  EXPECT_NE(ParseError("datetime($a)").find("datetime() is evaluated for 'now' only"),
            std::string::npos);
  EXPECT_NE(ParseError("upper($a, 1)").find("upper() takes 1 argument(s)"), std::string::npos);
  EXPECT_NE(ParseError("CASE WHEN 1 'x' END").find("THEN expected"), std::string::npos);
  EXPECT_NE(ParseError("'a' + 1").find("unexpected text at \"+ 1\""), std::string::npos);
  EXPECT_NE(ParseError("'a").find("unterminated string"), std::string::npos);
  EXPECT_NE(ParseError("$a ||").find("a value is missing"), std::string::npos);
}

}  // namespace
}  // namespace cutover::task
