// VisibleFiles of a lakehouse target: what a downstream reader can see now, for the scenario
// runner (engine/core/driver.h, EngineDriver::ReadVisibleFiles).
//
// Design: only the manifests say what is committed, so everything is read from them: the number
// and size of the data files they list, and the load generator's heartbeat as it stands in the
// latest committed file of the cutover_heartbeat table (folded like any table, lakehouse_fold.h).
// The runner's lag is then the time from the source writing a heartbeat to a reader being able
// to see it in a file: end to end, including CdcMaxBatchInterval's wait and the manifest write.
#pragma once

#include "engine/core/driver.h"
#include "engine/core/status.h"
#include "engine/lakehouse/object_store.h"

namespace cutover::lakehouse {

Result<VisibleFiles> ReadVisibleFiles(ObjectStore& store);

}  // namespace cutover::lakehouse
