#include "validator/filtered_scanner.h"

namespace cutover::validator {

Status FilteredScanner::Scan(const ScanTable& table, const KeyRange& range, bool want_values,
                             const RowCallback& on_row) {
  if (!table.keep_row) return inner_->Scan(table, range, want_values, on_row);
  return inner_->Scan(table, range, /*want_values=*/true, [&](const ScannedRow& row) {
    if (!table.keep_row(*row.values)) return Status::Ok();
    if (want_values) return on_row(row);
    ScannedRow without = row;
    without.values = nullptr;
    return on_row(without);
  });
}

Result<std::optional<RangeScanner::ServerSummary>> FilteredScanner::SummarizeOnServer(
    const ScanTable& table, const KeyRange& range) {
  if (table.keep_row) return std::optional<ServerSummary>();
  return inner_->SummarizeOnServer(table, range);
}

}  // namespace cutover::validator
