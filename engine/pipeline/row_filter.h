// RowFilter: a table's DMS source filters (selection rule "filters"), compiled against the
// table's schema and evaluated on source rows.
//
// Semantics (as DMS documents them): the conditions of one filter are OR-ed, the filters of a
// table AND-ed. Values are compared as the column's type: integers, floats and decimals as
// numbers, dates as dates ('YYYY-MM-DD'), timestamps as timestamps ('YYYY-MM-DD HH:MM:SS[.f]',
// UTC for a zoned column), times as 'HH:MM:SS[.f]', booleans as true/false/1/0, everything else
// as text in byte order. A NULL column value satisfies only `null` (as in SQL). A filter value
// that does not read as the column's type is an error at compile time naming the rule.
//
// Evaluation is three-valued: a row image may lack the filtered column's value (a PostgreSQL
// key-only old image, an unchanged TOAST value), and then the answer is kUnknown; the caller
// (table_transform.h) decides what a change with an unknown side means.
//
// Push-down: Compile also builds the ReadFilter (engine/core/read_filter.h) the full load hands
// to a source that evaluates filters in its query: the filters whose operands have an exact form
// in the column's kind (integers as integers, decimals of at most 18 digits on columns of at most
// 18 digits, dates, times, timestamps, booleans, text; never floating point, whose rounding the
// engines and cutover do not share). The load still evaluates every row read with Evaluate.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/core/read_filter.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/task/table_mapping.h"

namespace cutover {

enum class FilterVerdict { kPass, kFail, kUnknown };

class RowFilter {
 public:
  RowFilter() = default;
  // kInvalidArgument naming rule, table, column and value when a filter names a column the
  // table lacks or a value that is not of the column's type.
  static Result<RowFilter> Compile(const TableSchema& table,
                                   const std::vector<task::SourceFilter>& filters);

  bool empty() const { return filters_.empty(); }
  // Whether every filtered column of `table` is a key column (a key-only image then suffices).
  bool OnlyKeyColumns() const { return only_key_columns_; }
  // What a source may push into its full-load query; null without filters.
  const std::shared_ptr<const ReadFilter>& read_filter() const { return read_filter_; }

  // `row` is in the source table's column order. `key_only`: only key columns hold values.
  FilterVerdict Evaluate(const std::vector<Value>& row, bool key_only = false) const;

  // A comparable form of a value or a filter operand (public for the unit tests).
  struct Operand {
    enum class Kind { kNumber, kInteger, kText, kNone } kind = Kind::kNone;
    long double number = 0;  // floats, decimals
    int64_t integer = 0;     // dates (days), times and timestamps (µs), booleans
    std::string text;
  };

 private:
  struct Condition {
    task::FilterOp op;
    Operand a, b;  // value, or start / end
  };
  struct Filter {
    size_t column;
    bool is_key;
    std::vector<Condition> conditions;
  };
  std::vector<Filter> filters_;
  bool only_key_columns_ = true;
  std::shared_ptr<const ReadFilter> read_filter_;
};

}  // namespace cutover
