// Generated columns: how a target computes what the source's change stream does not carry.
//
// Design: PostgreSQL's pgoutput and COPY leave generated columns out (docs/protocols.md), so the
// only faithful way to have them on the target is to let the target compute them from the
// replicated columns. A PostgreSQL target takes the source's expression verbatim. A MariaDB or
// SQLite target gets a translation, and only of a small subset whose result is known to be the
// same on both engines: column references, numeric and string literals, + - *, unary minus,
// `||`, coalesce, length, lower/upper (MariaDB only), and casts that do not change the value
// (an integer or decimal to numeric, text to text). Everything else (division, whose integer
// semantics differ; other functions; casts that format) is refused with the reason, and the
// task refuses to start naming table, column and expression (docs/types.md, "Generated
// columns"). Translation is a pure function of the source schema and the target engine, so the
// pipeline's start check and the sink's CREATE TABLE always agree.
//
// Generated columns whose values do travel (MariaDB binlog images and SQLite tables hold them)
// stay in TableSchema::columns and land in plain target columns; they are only announced.
// A pre-created target table (--table-prep truncate|do-nothing) is checked by each sink against
// its catalog with CheckPrecreatedColumns: a computed column must exist there as a generated
// column (a plain one would never be filled by CDC), and a column cutover writes must not be a
// generated column there.
#pragma once

#include <string>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/start_report.h"
#include "engine/core/status.h"

namespace cutover {

// The expression the target engine `target_engine` ("postgresql", "mariadb", "sqlite") must
// compute for `column`, a generated column of `table` (`column.generated` is the source's
// expression, in `table.engine`'s dialect), ready to put in `GENERATED ALWAYS AS (...)`.
// Same engine: the source's text. Otherwise an error saying which part of the expression
// cannot be computed identically on the target.
Result<std::string> TranslateGeneratedExpression(const TableSchema& table, const Column& column,
                                                 const std::string& target_engine);

// Translates `expression`, a CHECK condition (or a domain's, `value_column` replacing VALUE) in
// `table.engine`'s dialect (PostgreSQL or MariaDB), for `target_engine`, with the same
// translator: comparisons (= <> < <= > >=) of columns and literals, IN lists (PostgreSQL's
// `= ANY (ARRAY[...])` too), BETWEEN, IS [NOT] NULL, AND / OR / NOT, over the value expressions
// above. Comparisons of text follow each engine's collation: a case-insensitive MariaDB column
// checked on PostgreSQL compares case-sensitively (docs/types.md, "Schema objects"). The same
// engine, without `value_column`: `expression` as it is. Anything else is an error saying what.
Result<std::string> TranslateCondition(const TableSchema& table, const std::string& expression,
                                       const std::string& target_engine,
                                       const std::string& value_column = "");

// Adds to `problems` every computed column of `tables` that a `target_engine` target creating
// the tables itself (`target_creates_tables`: --table-prep drop-and-create) cannot compute,
// naming table, column and expression, with the remedy. A pre-created table brings its own
// generated columns (CheckPrecreatedColumns), so nothing is translated then.
void CheckGeneratedColumns(const std::vector<TableSchemaPtr>& tables,
                           const std::string& target_engine, bool target_creates_tables,
                           StartReport& problems);

// Logs once, at task start, how each generated column of `tables` is carried (computed by the
// target with which expression, or the source's values in a plain column).
void AnnounceGeneratedColumns(const std::vector<TableSchemaPtr>& tables,
                              const std::string& target_engine, bool target_creates_tables);

// A column of an existing target table, as the sink's catalog describes it.
struct TargetColumn {
  std::string name;
  bool generated = false;  // computed by the target (GENERATED ALWAYS AS ...)
};

// Checks an existing target table `target` (its `columns`, in any order) against the source
// table `source` for generated columns, adding to `problems`: a computed source column missing
// there, or a plain column there (CDC would never fill it); a column whose values cutover
// writes that is generated there (the target would refuse the writes). `case_insensitive`:
// column names match regardless of case (MariaDB).
void CheckPrecreatedColumns(const TableSchema& source, const TableName& target,
                            const std::vector<TargetColumn>& columns, bool case_insensitive,
                            StartReport& problems);

}  // namespace cutover
