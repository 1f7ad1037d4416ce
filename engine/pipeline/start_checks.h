// The checks every task start with change capture runs before anything is created, shared by
// `replicate` and `task prepare` so both refuse the same tasks.
//
// Design: a table whose updates and deletes cannot be identified (no primary key or replica
// identity) is refused for CDC; on PostgreSQL it must also stay out of the publication, since
// a published table without a replica identity makes the application's UPDATE/DELETE on it
// fail on the source. The source's own readiness (settings, privileges) joins the same report,
// so one run names every problem (engine/core/start_report.h).
#pragma once

#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/start_report.h"

namespace cutover {

// Adds to `problems` every table of `tables` without a key and every reason the source is not
// ready for change capture. Errors only when the source cannot be asked.
Status CheckCdcStart(Source& source, const std::vector<TableSchemaPtr>& tables,
                     StartReport& problems);

}  // namespace cutover
