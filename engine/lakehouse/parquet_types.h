// ParquetTypes: the Parquet column a lakehouse file gives each source column, and the way a
// value goes into it and comes back.
//
// Design: DMS's S3 target maps its own data types to Parquet (docs/types.md, "→ files: Parquet");
// cutover starts from the engine-neutral column (its value kind, with the ColumnType's bits,
// signedness, precision and scale) and follows DMS's mapping wherever the Parquet type holds
// every value the source column can hold. Where it cannot (a MariaDB date that may be a zero
// date, a MariaDB TIME duration, a decimal without a precision or with more than 38 digits, an
// unenforced SQLite DECIMAL), the column is written as STRING holding exactly the text the CSV
// files hold (value_text.h), so no value is ever changed: the files stay exact, and the
// validator compares them with the source without any lossy rule. Values no Parquet column can
// hold in a typed column (PostgreSQL ±infinity dates and timestamps, NaN in a numeric(p,s)) are
// refused by the writer with the column and the value, and the task stops on them.
#pragma once

#include <vector>

#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"
#include "engine/lakehouse/parquet/parquet_schema.h"

namespace cutover::lakehouse {

// The Parquet column for a table column (name, logical type, nullable).
parquet::ParquetColumn ParquetColumnFor(const Column& column);

// `v` as the writer takes it for `pc`: unchanged, except that a STRING column gets the text form
// of a value of another kind (a date of a MariaDB date column). `scratch` holds the result when
// a conversion was needed; the returned reference is to `v` or to `scratch`.
const Value& ParquetValueFor(const parquet::ParquetColumn& pc, const Value& v, Value& scratch);

// The table column's value from what the Parquet reader returned for it: text of a STRING column
// parsed back to the column's kind (value_text.h), unsigned integers in the column's kind.
// Errors name the column and the text.
Result<Value> ColumnValueFromParquet(Value v, const Column& column);

}  // namespace cutover::lakehouse
