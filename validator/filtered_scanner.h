// FilteredScanner: a RangeScanner that applies ScanTable::keep_row (the task's DMS source
// filters) and ScanTable::convert_row (its value conversions) around an engine's scanner, so every
// comparison path of the validator (summaries, bisection, row matching, the values of a reported
// difference) sees only the rows the task replicates.
//
// Design: the filter is evaluated on decoded Values (engine/pipeline/row_filter.h), which the
// engine scanners produce only on request; a filtered table is therefore always scanned with
// values (slower than the canonical fast path) and never summarised on the server (a server
// digest covers every row of the range). Tables without a filter pass straight through, at no
// cost. Key splits stay the engine's own: they only choose where ranges are cut.
//
// ScanTable::convert_row (the task's change-data-type conversions, task/value_conversion.h)
// is applied here as well: the kept row's values are converted and encoded again (RowEncoder),
// so the source side's key bytes and row hash are those of the values the task wrote. A value
// that does not convert stays as it is and so differs from whatever the target holds.
#pragma once

#include <memory>

#include "engine/core/range_scanner.h"

namespace cutover::validator {

class FilteredScanner final : public RangeScanner {
 public:
  explicit FilteredScanner(std::unique_ptr<RangeScanner> inner) : inner_(std::move(inner)) {}

  Status Scan(const ScanTable& table, const KeyRange& range, bool want_values,
              const RowCallback& on_row) override;
  Result<std::vector<std::vector<Value>>> SplitKeys(const ScanTable& table, const KeyRange& range,
                                                    int64_t every, int64_t known_rows) override {
    return inner_->SplitKeys(table, range, every, known_rows);
  }
  Result<std::optional<ServerSummary>> SummarizeOnServer(const ScanTable& table,
                                                         const KeyRange& range) override;
  std::string Display(const Value& v) const override { return inner_->Display(v); }

 private:
  std::unique_ptr<RangeScanner> inner_;
};

}  // namespace cutover::validator
