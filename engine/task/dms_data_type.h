// DMS data types (the `data-type` object of change-data-type and add-column rules) in cutover's
// engine-neutral terms (engine/core/column_type.h).
//
// Design: a change-data-type rule says what a column should be on the target; every target
// already chooses its column type from the neutral ColumnType alone, so the rule only has to
// produce one, and each sink maps it as it maps any other column. Values travel unchanged
// (a rule never converts a value): a change is accepted only when the new type holds every
// value the source column can hold in the same logical kind -- a wider integer, a longer
// string, more digits, more fraction digits -- and refused at task start otherwise, naming
// the rule and why (a rule that silently rounded or cut values would lose data).
#pragma once

#include <string>

#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/task/table_mapping.h"
#include "engine/task/value_conversion.h"

namespace cutover::task {

// The DMS data types a change-data-type rule may name (DMS's list).
const std::vector<std::string>& DmsDataTypes();

// What a rule does to a column: the target column, and the conversion of its values when the
// rule changes their kind (none: values travel as they are).
struct TypeChangePlan {
  Column column;
  std::optional<ValueConversion> conversion;
};

// The plan of `change` on `source`; kInvalidArgument, naming the rule, when the new type cannot
// hold every value of `source` in the same kind (narrower) or no value of its kind converts.
Result<TypeChangePlan> PlanTypeChange(const Column& source, const TypeChange& change);

// The column a rule asks for: `source` with its type replaced by `change`'s (type text cleared,
// so a target of the source's own engine maps the neutral type too): PlanTypeChange's column.
Result<Column> ChangeColumnType(const Column& source, const TypeChange& change);

// The DMS type name of a column as DMS would describe it ("int4", "string", "numeric", ...),
// for object-locator data-type and messages; "" when DMS has no name for it.
std::string DmsTypeName(const Column& c);

}  // namespace cutover::task
