#include "engine/pipeline/start_checks.h"

namespace cutover {

Status CheckCdcStart(Source& source, const std::vector<TableSchemaPtr>& tables,
                     StartReport& problems) {
  for (const auto& t : tables) {
    if (!t->key.empty()) continue;
    problems.Refuse("table " + t->name.ToString(),
                    "has no primary key (nor replica identity index): its updates and deletes "
                    "cannot be replicated",
                    "add a primary key, or leave the table out with --exclude-tables '" +
                        t->name.ToString() + "'");
  }
  return source.CheckChangeCapture(problems);
}

}  // namespace cutover
