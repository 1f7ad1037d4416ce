// The engines of this build: the one place that names them. Adding an engine is one folder
// under engine/ and one line here (docs/adding-an-engine.md).
#include <vector>

#include "engine/core/driver.h"
#include "engine/lakehouse/lakehouse_driver.h"
#include "engine/mariadb/maria_driver.h"
#include "engine/pg/pg_driver.h"
#include "engine/sqlite/sqlite_driver.h"

namespace cutover {

std::vector<const EngineDriver*> RegisteredEngines() {
  return {&pg::Driver(), &mariadb::Driver(), &sqlite::Driver(), &lakehouse::Driver()};
}

}  // namespace cutover
