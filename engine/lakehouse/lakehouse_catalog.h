// LakehouseCatalog: the Source a lakehouse target offers (EngineCapabilities::readable) so
// `cutover validate` can list its tables: every table a task manifest in the folder describes,
// with the columns and key recorded there and the engine "lakehouse". Snapshots and change
// capture are refused: files are no replication source.
#pragma once

#include <memory>
#include <string>

#include "engine/core/endpoint.h"

namespace cutover::lakehouse {

Result<std::unique_ptr<Source>> OpenLakehouseCatalog(const std::string& uri);

}  // namespace cutover::lakehouse
