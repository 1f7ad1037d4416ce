#include "engine/pipeline/start_checks.h"

#include <string>

namespace cutover {

namespace {

// One pattern leaving out every keyless table at once (sakila's payment_p2007_01..06:
// 'public.payment_p2007_0%'), or "" when they share no schema and name prefix or the pattern
// would also leave out a table with a key.
std::string CommonExclusion(const std::vector<TableSchemaPtr>& tables,
                            const std::vector<const TableSchema*>& keyless) {
  if (keyless.size() < 2) return "";
  const std::string& schema = keyless[0]->name.schema;
  std::string prefix = keyless[0]->name.name;
  for (const TableSchema* t : keyless) {
    if (t->name.schema != schema) return "";
    size_t n = 0;
    while (n < prefix.size() && n < t->name.name.size() && prefix[n] == t->name.name[n]) ++n;
    prefix.resize(n);
  }
  if (prefix.empty() || prefix.find('%') != std::string::npos) return "";
  for (const auto& t : tables) {
    if (!t->key.empty() && t->name.schema == schema && t->name.name.rfind(prefix, 0) == 0)
      return "";
  }
  return schema + "." + prefix + "%";
}

}  // namespace

Status CheckCdcStart(Source& source, const std::vector<TableSchemaPtr>& tables,
                     StartReport& problems) {
  std::vector<const TableSchema*> keyless;
  for (const auto& t : tables)
    if (t->key.empty()) keyless.push_back(t.get());
  std::string all = CommonExclusion(tables, keyless);
  for (const TableSchema* t : keyless) {
    problems.Refuse("table " + t->name.ToString(),
                    "has no primary key (nor replica identity index): its updates and deletes "
                    "cannot be replicated",
                    "add a primary key, or leave the table out with --exclude-tables '" +
                        t->name.ToString() + "'" +
                        (all.empty() ? ""
                                     : " (all " + std::to_string(keyless.size()) +
                                           " such tables: --exclude-tables '" + all + "')"));
  }
  return source.CheckChangeCapture(problems);
}

}  // namespace cutover
