// ColumnExpression: a DMS add-column expression, parsed once and evaluated per row.
//
// DMS evaluates these with SQLite; cutover evaluates the subset a rehearsal uses, with SQLite's
// meaning, and refuses anything else at start (the caller names the rule):
//   values      'text' ('' is a quote), numbers, NULL, $column (the source row's value as text),
//               header variables $AR_H_COMMIT_TIMESTAMP, $AR_H_TIMESTAMP, $AR_H_OPERATION,
//               $AR_H_STREAM_POSITION, $AR_H_TRANSACTION_ID, metadata $AR_M_SOURCE_SCHEMA,
//               $AR_M_SOURCE_TABLE_NAME, and operation_indicator('D','U','I')
//   operators   a || b (NULL if either is NULL), comparisons = == <> != < <= > >= (numerically
//               when both sides read as numbers, else as text in byte order; NULL when either
//               side is NULL), parentheses
//   CASE        CASE WHEN c THEN v [WHEN ...] [ELSE v] END and CASE x WHEN v THEN r ... END
//   functions   upper, lower (ASCII letters, as SQLite without ICU), trim / ltrim / rtrim (x
//               [, characters]), substr / substring (x, start [, length]; characters, 1-based,
//               negative start from the end), length (characters), replace (x, from, to),
//               coalesce (a, b, ...), ifnull (a, b), datetime('now'), date('now') (UTC)
// Every value is text or NULL: the added column is text (docs/dms.md).
//
// Header values (ExpressionContext): in CDC, the source transaction's commit time (the time of
// the change for $AR_H_TIMESTAMP too; NULL when the source does not record it), its position
// and id, and the operation (INSERT, UPDATE, DELETE); for full-load rows, as DMS: the time the
// table's load started for both timestamps, INSERT, and empty position and transaction id.
// Timestamps are written 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace cutover::task {

struct ExpressionContext {
  char op = 'I';  // 'I' insert (and full-load row), 'U' update, 'D' delete: operation_indicator
  char source_op = 'I';  // the source's own operation, for $AR_H_OPERATION
  bool full_load = false;
  int64_t commit_time_us = 0;  // CDC: µs since the epoch (UTC); 0: unknown
  int64_t now_us = 0;          // full load: when the table's load started
  std::string_view transaction_id;
  std::string_view stream_position;
  std::string_view schema, table;  // the source table
};

class ColumnExpression {
 public:
  // kInvalidArgument saying what cannot be evaluated and where ("at ...").
  static Result<ColumnExpression> Parse(std::string_view text);

  // Source columns the expression reads ($name), in order of first use: Evaluate's `column`
  // is called with an index into this list.
  const std::vector<std::string>& columns() const { return columns_; }
  bool uses_operation_indicator() const { return uses_operation_; }

  // The value (nullopt: NULL). `column(i)` gives the row's value of columns()[i] as text, nullopt
  // for NULL.
  std::optional<std::string> Evaluate(
      const std::function<std::optional<std::string>(size_t)>& column,
      const ExpressionContext& ctx) const;

  struct Node;  // the parsed tree (column_expression.cc)

 private:
  std::shared_ptr<const Node> root_;
  std::vector<std::string> columns_;
  bool uses_operation_ = false;
};

// 'YYYY-MM-DD HH:MM:SS.ffffff' of `micros` since the epoch (UTC).
std::string FormatUtcMicros(int64_t micros);

}  // namespace cutover::task
