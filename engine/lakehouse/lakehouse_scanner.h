// The validator's RangeScanner over a lakehouse target (engine/core/range_scanner.h): each table
// is folded once per scanner (lakehouse_fold.h) and its current rows are served from memory,
// range by range, as canonical rows. Key ranges compare key Values by kind (numbers by value,
// text bytewise, as the validator asks of cross-engine pairs).
#pragma once

#include <memory>
#include <string>

#include "engine/core/range_scanner.h"

namespace cutover::lakehouse {

Result<std::unique_ptr<validator::RangeScanner>> OpenLakehouseScanner(const std::string& uri);

// Orders two Values of a key column: by kind, then by payload (bytes for strings).
int CompareKeyValue(const Value& a, const Value& b);

}  // namespace cutover::lakehouse
