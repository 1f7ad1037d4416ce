// RowEncoder: assembles one row's canonical bytes column by column and derives what a
// RangeScanner reports for it: the key's bytes (the key columns' encodings in key order) and the
// hash of the whole row. Shared by every scanner so that all engines build rows the same way;
// it reuses its buffers, so encoding a row allocates nothing once warmed up.
#pragma once

#include <string>
#include <vector>

#include "engine/core/canonical.h"
#include "engine/core/range_scanner.h"

namespace cutover::validator {

class RowEncoder {
 public:
  // Starts a row; then, for each column in order, call Column() and append its encoding to it.
  void Begin() {
    row_.clear();
    starts_.clear();
  }
  std::string& Column() {
    starts_.push_back(row_.size());
    return row_;
  }
  // Ends the row. The returned views are valid until the next Begin().
  ScannedRow Finish(const std::vector<size_t>& key) {
    starts_.push_back(row_.size());
    key_.clear();
    for (size_t k : key) key_.append(row_, starts_[k], starts_[k + 1] - starts_[k]);
    return ScannedRow{key_, HashCanonicalRow(row_), nullptr};
  }

 private:
  std::string row_, key_;
  std::vector<size_t> starts_;
};

}  // namespace cutover::validator
