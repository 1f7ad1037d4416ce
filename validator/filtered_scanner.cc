#include "validator/filtered_scanner.h"

#include "engine/core/row_encoder.h"

namespace cutover::validator {

Status FilteredScanner::Scan(const ScanTable& table, const KeyRange& range, bool want_values,
                             const RowCallback& on_row) {
  if (!table.keep_row && !table.convert_row) return inner_->Scan(table, range, want_values, on_row);
  std::vector<Value> converted;
  RowEncoder encoder;
  return inner_->Scan(table, range, /*want_values=*/true, [&](const ScannedRow& row) {
    if (table.keep_row && !table.keep_row(*row.values)) return Status::Ok();
    ScannedRow out = row;
    if (table.convert_row) {
      // The converted values, encoded as the engine's scanner encodes decoded values.
      converted = *row.values;
      table.convert_row(converted);
      encoder.Begin();
      for (size_t i = 0; i < converted.size(); ++i)
        AppendCanonical(converted[i], i < table.rules.size() ? table.rules[i] : CanonicalRule{},
                        encoder.Column());
      out = encoder.Finish(table.key);
      out.values = &converted;
    }
    if (!want_values) out.values = nullptr;
    return on_row(out);
  });
}

Result<std::optional<RangeScanner::ServerSummary>> FilteredScanner::SummarizeOnServer(
    const ScanTable& table, const KeyRange& range) {
  if (table.keep_row || table.convert_row) return std::optional<ServerSummary>();
  return inner_->SummarizeOnServer(table, range);
}

}  // namespace cutover::validator
