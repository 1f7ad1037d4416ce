// TableTransforms: the stage between the source and the sink that applies a task's table
// mapping to what travels: where each table lands (TableRouting), which rows travel (source
// filters, row_filter.h) and which columns, under which names (column rules, add-column).
//
// Design: sources read and stream their tables as they are; sinks write the schema they are
// given. This stage sits between them, once for every engine: per source schema object it
// builds a target schema (routed names, travelling columns renamed, added columns appended,
// key and foreign-key column indexes remapped) and rewrites rows and changes into it. The
// target schema keeps the source's TableName (`name`), so task state, snapshots and the
// validator's pairing keep keying tables by their source names.
//
// Filters in CDC. A change is judged by its old and new images:
//   insert / full-load row: travels when the new image passes;
//   delete: dropped when the old image is known to fail, applied otherwise (a key-only old
//           image cannot tell: the delete is applied, and finds no row when the row was out);
//   update: new passes, old fails -> insert; new fails, old passes or unknown -> delete;
//           both fail -> dropped; otherwise an update. An unchanged (TOAST) filtered column
//           takes its membership from the old image.
// DMS applies an update that moves a row out of the filter as nothing (the row stays stale on
// the target) and one that moves a row in as an update of a missing row; cutover deletes and
// inserts instead, so the target holds exactly the rows the filter selects.
//
// change-data-type gives a target column another engine-neutral type. A change within the same
// kind of value (a wider integer, a longer string) lets values travel as they are
// (task/dms_data_type.h refuses a narrowing at start); a change of kind (int4 -> string,
// string -> int8, numeric -> int4, date -> string) converts every value of the full load and of
// CDC, new and old images, keys included, after the filter has judged the source row
// (task/value_conversion.h). A value that does not convert exactly is a data error naming table,
// key, column, the value's kind and the rule: it stops the full load; in CDC the pipeline hands
// it to the task's DataErrorPolicy (DataTruncationErrorPolicy for a text too long), as it would
// a target's refusal (apply_errors.h), or stops the task with that line. An old image's value
// outside the key that does not convert makes the image key-only instead (ConvertOldImage).
// define-primary-key gives the target table its key: sinks create it and find CDC rows by it, the
// validator pairs rows by it. A key with columns outside the source's own key needs full old images
// (MariaDB always, PostgreSQL REPLICA IDENTITY FULL); a change without one stops the task naming
// the rule.
//
// operation_indicator (add-column): as in DMS, a source delete becomes an update of the
// target row that sets the column to the delete mark (the row stays); inserts and full-load
// rows carry the insert mark, updates the update mark. Header variables ($AR_H_...) read the
// row's RowOrigin: the source transaction in CDC, the load's start time in the full load
// (task/column_expression.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/core/change.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/pipeline/row_filter.h"
#include "engine/pipeline/table_routing.h"
#include "engine/task/table_mapping.h"
#include "engine/task/value_conversion.h"

namespace cutover {

// Where a row comes from, for add-column header variables.
struct RowOrigin {
  const TransactionInfo* txn = nullptr;  // CDC: the source transaction; null: a full-load row
  ChangeOp source_op = ChangeOp::kRead;  // the source's operation (before filter rewrites)
  int64_t load_started_us = 0;           // full load: when the table's load started (UTC µs)
};

// A value a change-data-type rule could not convert.
struct ConversionRefusal {
  bool truncation = false;  // a text too long for the target's length
  std::string error;        // "column c: a text value does not convert to int4 exactly: ..."
};

// The transform of one source table.
class TableTransform {
 public:
  const TableSchemaPtr& source() const { return source_; }
  const TableSchemaPtr& target() const { return target_; }
  const RowFilter& filter() const { return filter_; }
  bool shapes_rows() const { return shapes_; }

  // A source row image -> the target's columns, in place. `op` feeds operation_indicator,
  // `origin` the header variables.
  void ShapeRow(std::vector<Value>& row, ChangeOp op, const RowOrigin& origin = {}) const;

  // Whether change-data-type rules convert values of this table (ConvertRow does something).
  bool converts_values() const { return !conversions_.empty(); }
  // A shaped row image (ShapeRow's result) -> the target's kinds of value, in place. A value
  // that does not convert: kFailedPrecondition "table t, key (...), column c: ..." and, when
  // `refusal` is given, what an error policy needs.
  Status ConvertRow(std::vector<Value>& row, ConversionRefusal* refusal = nullptr) const;
  // An old image: as ConvertRow, except that a value outside the target's key that does not
  // convert only makes the image key-only (`key_only` set, the value a placeholder): an old
  // image serves to find the row, and a change that repairs a refused value must still apply.
  Status ConvertOldImage(std::vector<Value>& row, bool& key_only,
                         ConversionRefusal* refusal = nullptr) const;

 private:
  friend class TableTransforms;
  TableSchemaPtr source_;
  TableSchemaPtr target_;
  RowFilter filter_;
  bool shapes_ = false;
  std::vector<size_t> kept_;                      // source column index of each travelling column
  std::vector<task::AddedColumn> added_;          // appended after them
  std::vector<std::vector<size_t>> added_reads_;  // per added column: source columns it reads
  bool has_operation_column_ = false;
  struct Conversion {
    size_t column;  // target column index
    task::ValueConversion conversion;
    std::string rule;  // "table mapping rule 7 (change-data-type int4)"
  };
  std::vector<Conversion> conversions_;
  std::string key_rule_;            // define-primary-key: the rule that keys the target table
  bool needs_full_before_ = false;  // the defined key has columns outside the source's key

  // ConvertRow / ConvertOldImage (`old_image`: `key_only` may be set).
  Status Convert(std::vector<Value>& row, bool old_image, bool& key_only,
                 ConversionRefusal* refusal) const;
};

class TableTransforms {
 public:
  TableTransforms() = default;
  TableTransforms(std::shared_ptr<const task::TableMapping> mapping, std::string target_schema);

  // Nothing to do: every table lands under its own name with its rows and columns as they are.
  bool empty() const;

  // The transform of `source` (built once per schema object). kInvalidArgument naming the rule
  // for a filter or add-column that cannot apply, or a removed key column. `in_stream`: a
  // schema from the change stream, whose key may be a replica identity of every column (a
  // removed column then just leaves the key).
  Result<const TableTransform*> For(const TableSchemaPtr& source, bool in_stream = false);

  // Rewrites a source change for the target (see the header comment). Returns false when the
  // change does not travel. `txn`: the change's source transaction (header variables). When a
  // value does not convert (ConvertRow), the error names it, `change` is left shaped for the
  // target (its table the target schema) and TakeConversionRefusal returns the refusal.
  Result<bool> Apply(Change& change, const TransactionInfo* txn = nullptr);
  // The refusal behind Apply's last error, if it was a value that did not convert (once).
  std::optional<ConversionRefusal> TakeConversionRefusal() { return std::exchange(refusal_, {}); }

 private:
  // change-data-type and define-primary-key on `t`'s target schema; `new_index` maps source
  // columns to target ones (-1: removed).
  Status ApplyTypesAndKey(TableTransform& t, const std::vector<long>& new_index);

  std::shared_ptr<const task::TableMapping> mapping_;
  TableRouting routing_;
  std::unordered_map<const TableSchema*, std::unique_ptr<TableTransform>> cache_;
  std::optional<ConversionRefusal> refusal_;
};

}  // namespace cutover
