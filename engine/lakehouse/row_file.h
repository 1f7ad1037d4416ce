// RowFile: one data file of a table being written (CSV today; Parquet behind the same
// interface once its writer is in), with DMS's columns around the table's own.
//
// Columns, in order: Op (I/U/D; CDC files, and full-load files with IncludeOpForFullLoad), the
// TimestampColumnName column when set, the table's columns, cutover_position. A header line with
// the column names when AddColumnName. The file is an ObjectUpload: invisible until Complete().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/lakehouse/lakehouse_settings.h"
#include "engine/lakehouse/object_store.h"

namespace cutover::lakehouse {

class RowFile {
 public:
  virtual ~RowFile() = default;
  // `op` 0 when the file has no Op column; `timestamp` ignored without a timestamp column.
  virtual Status Write(char op, const std::string& timestamp, const std::vector<Value>& row,
                       const std::string& position) = 0;
  // Bytes written so far (compressed), for rolling by size.
  virtual int64_t bytes() const = 0;
  virtual int64_t rows() const = 0;
  virtual Status Complete() = 0;
  virtual const std::string& key() const = 0;
  virtual bool has_op() const = 0;
};

Result<std::unique_ptr<RowFile>> OpenRowFile(ObjectStore& store, const std::string& key,
                                             const LakehouseSettings& s,
                                             const std::vector<Column>& columns, bool with_op);

}  // namespace cutover::lakehouse
