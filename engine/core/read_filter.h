// ReadFilter: the part of a table's source filters (DMS selection-rule "filters") that a full-load
// reader may evaluate in its own query, so that a filter keeping few rows of a large table reads
// few rows (filter push-down).
//
// Contract. A reader given a ReadFilter may leave out rows that fail it, and only those; it may
// also ignore the filter or any term of it. The pipeline still evaluates every row it reads with
// the task's whole filter (engine/pipeline/row_filter.h): push-down only cuts what is read, it
// never decides which rows travel. So a source puts a term into its query only where its SQL
// compares the column's values as cutover does (numbers numerically, dates and times as such,
// text in byte order), and reads regardless the rows whose values it would compare differently
// (PostgreSQL numeric NaN, MariaDB zero dates): ReadFilterDialect says both per column.
//
// Semantics (row_filter.h): the terms are AND-ed, the conditions of a term OR-ed; a NULL value
// satisfies only kNull. Operands are Values of the column's kind (kInt64, kUInt64, kDecimal,
// kBool, kDate, kTime, kTimestamp, kTimestampTz, kText); the pipeline builds only operands whose
// comparison in SQL is exactly its own (integers as integers, decimals of at most 18 digits,
// never floating point) and lists the terms it could not express in `kept`.
//
// Engine boundary. A Snapshot that can push filters also implements FilterPushdown (the pipeline
// asks with dynamic_cast), so engine/core/endpoint.h stays as it is; the engines share the SQL
// rendering (ReadCondition) and differ only in their dialect.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/load_split.h"
#include "engine/core/schema.h"
#include "engine/core/value.h"

namespace cutover {

enum class ReadFilterOp { kEq, kNotEq, kLte, kGte, kBetween, kNotBetween, kNull, kNotNull };

struct ReadFilter {
  struct Condition {
    ReadFilterOp op = ReadFilterOp::kEq;
    Value a, b;  // value, or start / end (kBetween, kNotBetween); none for kNull / kNotNull
  };
  struct Term {
    size_t column = 0;  // index into the source table's columns
    std::vector<Condition> any_of;
  };
  std::vector<Term> all_of;
  // The filters the pipeline judges alone, for the log ("price: a floating-point column").
  std::vector<std::string> kept;
};

// How one engine's SQL compares a column. `compared`: the expression compared with literals
// exactly as cutover compares the column's values (e.g. `"name" COLLATE "C"`); empty when the
// engine's comparison differs (then only kNull / kNotNull conditions are pushed). `unsure`: a
// predicate true for the values the engine compares differently from cutover (they are read
// whatever the term says), empty when there are none.
struct FilterColumnSql {
  std::string ident;  // the quoted column name, for IS [NOT] NULL
  std::string compared;
  std::string unsure;
};

class ReadFilterDialect {
 public:
  virtual ~ReadFilterDialect() = default;
  virtual std::string QuoteIdent(const std::string& name) const = 0;
  virtual FilterColumnSql ColumnSql(const Column& column) const = 0;
  // `v` (of `column`'s kind) as a literal that compares with ColumnSql(column).compared as
  // cutover compares; nullopt when it cannot be written (the term is then not pushed).
  virtual std::optional<std::string> Literal(const Column& column, const Value& v) const = 0;
};

// The condition (without "WHERE") a reader of `table` uses: `range`'s key bounds when given and
// the terms of `filter` (may be null) the dialect can evaluate, AND-ed; "" reads every row.
// With a filter, logs what went into the query and what cutover alone judges (info for a whole
// table, debug for a range).
std::string ReadCondition(const TableSchema& table, const KeyRange* range, const ReadFilter* filter,
                          const ReadFilterDialect& dialect);

// Implemented, besides Snapshot, by snapshots that push filters into their queries. Like
// Snapshot::OpenReader (`range` null) / OpenRangeReader, with `filter` applied as the contract
// above says. Same thread-safety and snapshot as those.
class FilterPushdown {
 public:
  virtual ~FilterPushdown() = default;
  virtual Result<std::unique_ptr<TableReader>> OpenFilteredReader(const TableSchema& table,
                                                                  const KeyRange* range,
                                                                  const ReadFilter& filter) = 0;
};

}  // namespace cutover
