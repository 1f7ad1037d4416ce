#include "engine/lakehouse/row_file.h"

namespace cutover::lakehouse {

Result<std::unique_ptr<RowFile>> OpenRowFile(ObjectStore& store, const std::string& key,
                                             const LakehouseSettings& s,
                                             const std::vector<Column>& columns, bool with_op) {
  if (s.format == DataFormat::kParquet) return OpenParquetRowFile(store, key, s, columns, with_op);
  return OpenCsvRowFile(store, key, s, columns, with_op);
}

}  // namespace cutover::lakehouse
