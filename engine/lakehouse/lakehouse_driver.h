// The lakehouse driver (engine/core/driver.h): a file target in DMS's S3 layout
// (docs/lakehouse.md). Target only, append-only, not transactional (exactly-once through its
// manifest); as a "source" it only lists the tables its manifests describe, for the validator.
#pragma once

#include "engine/core/driver.h"

namespace cutover::lakehouse {

const EngineDriver& Driver();

}  // namespace cutover::lakehouse
