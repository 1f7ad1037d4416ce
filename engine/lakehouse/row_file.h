// RowFile: one data file of a table being written, CSV (csv_row_file.cc) or Parquet
// (parquet_row_file.cc), with DMS's columns around the table's own.
//
// Columns, in order: Op (I/U/D; CDC files, and full-load files with IncludeOpForFullLoad), the
// TimestampColumnName column when set, the table's columns, cutover_position. CSV: a header line
// with the column names when AddColumnName. Parquet: Op, the timestamp column and
// cutover_position are STRING columns holding the same text as in CSV; the table's columns get
// the types of parquet_types.h. The file is an ObjectUpload: invisible until Complete().
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

// A transaction file (PreserveTransactions, lakehouse_layout.h): CSV rows of every table in
// commit order, each Op, table, schema, [timestamp column], the table's columns,
// cutover_position; no header line. Invisible until Complete(), as a RowFile.
class TransactionFile {
 public:
  virtual ~TransactionFile() = default;
  // `table`: where the row lands (its table folder's schema and name).
  virtual Status Write(char op, const TableName& table, const std::string& timestamp,
                       const std::vector<Value>& row, const std::string& position) = 0;
  virtual int64_t bytes() const = 0;
  virtual int64_t rows() const = 0;
  virtual Status Complete() = 0;
  virtual const std::string& key() const = 0;
};

Result<std::unique_ptr<TransactionFile>> OpenTransactionFile(ObjectStore& store,
                                                             const std::string& key,
                                                             const LakehouseSettings& s);

// The file of `s.format`.
Result<std::unique_ptr<RowFile>> OpenRowFile(ObjectStore& store, const std::string& key,
                                             const LakehouseSettings& s,
                                             const std::vector<Column>& columns, bool with_op);

Result<std::unique_ptr<RowFile>> OpenCsvRowFile(ObjectStore& store, const std::string& key,
                                                const LakehouseSettings& s,
                                                const std::vector<Column>& columns, bool with_op);
Result<std::unique_ptr<RowFile>> OpenParquetRowFile(ObjectStore& store, const std::string& key,
                                                    const LakehouseSettings& s,
                                                    const std::vector<Column>& columns,
                                                    bool with_op);

}  // namespace cutover::lakehouse
