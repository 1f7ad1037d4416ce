#include "engine/lakehouse/lakehouse_visible.h"

#include <set>

#include "engine/lakehouse/lakehouse_fold.h"
#include "engine/lakehouse/lakehouse_manifest.h"

namespace cutover::lakehouse {

Result<VisibleFiles> ReadVisibleFiles(ObjectStore& store) {
  VisibleFiles out;
  ASSIGN_OR_RETURN(auto manifests, ReadAllManifests(store));
  std::set<std::string> counted;  // a transaction file is listed under each of its tables
  for (const Manifest& m : manifests) {
    for (const auto& [name, t] : m.tables) {
      for (const CommittedFile& f : t.files) {
        if (!counted.insert(f.key).second) continue;
        ++out.files;
        out.bytes += f.bytes;
      }
      if (name.name != "cutover_heartbeat" || t.files.empty()) continue;
      // The row as of the latest committed file (the heartbeat updates its one row in place).
      ManifestTable last = t;
      last.files = {t.files.back()};
      ASSIGN_OR_RETURN(FoldedTable folded, FoldTable(store, m.settings, last));
      for (size_t c = 0; c < t.columns.size(); ++c) {
        for (const auto& row : folded.rows) {
          const Value& v = row[c];
          if (v.is_null()) continue;
          if (t.columns[c].name == "source_time" &&
              (v.kind() == ValueKind::kTimestamp || v.kind() == ValueKind::kTimestampTz))
            out.heartbeat_us = std::max(out.heartbeat_us.value_or(0), v.as_micros_or_days());
          if (t.columns[c].name == "seq" && v.kind() == ValueKind::kInt64)
            out.heartbeat_seq = std::max(out.heartbeat_seq.value_or(0), v.as_int64());
        }
      }
    }
  }
  return out;
}

}  // namespace cutover::lakehouse
