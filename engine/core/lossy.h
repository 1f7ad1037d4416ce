// Lossy rules: the one place that names docs/types.md's lossy rules (L1-L10), says which are
// announced at task start and which when a value hits them, and records those hits.
//
// Design. A rule that changes every value of a column whatever it holds (the column type itself
// loses something: a zone dropped, a type stored as text) is announced once per column at task
// start (the type-level rules of EngineDriver::TargetRules). A rule that changes only some values
// (NaN, -0, zero dates, trailing spaces, digits past DECIMAL(65,30)) is announced only when a value
// actually hits it: the target's encoder, the single function each target uses for the full load
// and both apply modes, reports the hit here; the first hit per (table, column, rule) in a run is
// logged with the row's key, later ones are counted, and the counts are logged at the end of each
// table's load and periodically during CDC. So a column that holds no such value is never
// announced, and the three paths announce the same values identically because they share the
// encoder.
//
// The rules are data (LossyRuleCatalog): each rule's id, scope, effect and how the validator
// compares values under it are written once, here. Each target engine decides which rules apply
// to which source column in its own plan of the target column (the same plan its encoder uses)
// and exposes that per table through EngineDriver::TargetRules; the sink's start-of-task
// announcements, the validator's comparison (CanonicalRuleFor) and docs/types.md's table of
// lossy rules (LossyRulesMarkdown, checked by a unit test) all read those, not a copy.
//
// Values that cannot be stored at all are not a rule here: the encoder refuses them with an
// error naming table, key (RowContext), column and value.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "engine/core/canonical.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover {

enum class LossyRule : uint8_t {
  kNone = 0,
  kL1CharTrailingSpaces,  // PostgreSQL char(n) -> MariaDB CHAR(n): trailing spaces not returned
  kL2NonFiniteToNull,     // NaN, ±Infinity -> NULL (MariaDB FLOAT/DOUBLE)
  kL3NaNToNull,           // NaN -> NULL (SQLite REAL)
  kL4MinusZero,           // -0 -> +0 (MariaDB, SQLite)
  kL5Rounded30,           // more than 30 fraction digits rounded (MariaDB DECIMAL(65,30))
  kL6UtcWallTime,         // timestamptz -> DATETIME holding UTC wall time (type-level)
  kL7ZeroDateToNull,      // MariaDB zero dates -> NULL (PostgreSQL, SQLite)
  kL8SourceText,          // types without a kind stored as their text form (type-level)
  kL9EnumLabels,          // MariaDB ENUM/SET -> text (type-level)
  kL10BoundedKey,         // text/bytes key columns -> bounded VARCHAR/VARBINARY (type-level)
  // Not lossy: a representation the validator must know to compare (MariaDB TIME, which holds
  // durations, lands in a PostgreSQL interval). No id; not in docs/types.md's lossy table.
  kTimeAsInterval,
};

// When a rule is announced: once per column at task start (every value changes), or when a
// value hits it; kRepresentation rules are never announced (nothing is lost).
enum class LossyScope : uint8_t { kTypeLevel, kValueLevel, kRepresentation };

// One rule as docs/types.md shows it. All strings are static.
struct LossyRuleSpec {
  LossyRule rule;
  const char* id;  // "L1"
  LossyScope scope;
  const char* directions;  // "PostgreSQL char(n) → MariaDB CHAR(n)"
  const char* happens;     // what happens to the values, for people
  const char* announced;   // "start" or "hit ..." as the docs say it
  const char* compares;    // how the validator compares values under the rule
  const char* effect;      // what the rule does to a value, short, for the log
};

// Every rule, L1..L10 then the representations, in that order.
const std::vector<LossyRuleSpec>& LossyRuleCatalog();
// The catalogue's entry for `rule` (not kNone).
const LossyRuleSpec& SpecOf(LossyRule rule);

// The rules a target applies to one source column (the target's plan decides them).
struct ColumnRules {
  std::vector<LossyRule> rules;
  int round_scale = -1;  // kL5Rounded30: the fraction digits the target keeps
  // For type-level rules: what the task announces at start after "column NAME: ", e.g.
  // "timestamptz -> DATETIME(6): L6, the instant is kept as UTC wall time, without a zone".
  std::string note;
  bool Has(LossyRule rule) const;
  void Add(LossyRule rule);  // once
};

// The validator's comparison under `rules`: what each side's values go through before hashing
// (engine/core/canonical.h). Type-level rules need nothing: the canonical encoding already
// compares their values (UTC instants, text, bounded keys are exact).
struct CanonicalRulePair {
  CanonicalRule source, target;
};
CanonicalRulePair CanonicalRuleFor(const ColumnRules& rules);

// docs/types.md's table of lossy rules (header and one row per L rule), rendered from the
// catalogue; a unit test checks the docs hold exactly this.
std::string LossyRulesMarkdown();

// "L7", "" for kNone.
const char* LossyRuleId(LossyRule rule);
// What the rule does to a value, for the log: "MariaDB zero date written as NULL".
const char* LossyRuleEffect(LossyRule rule);

// A value as a person would write it in a message: numbers bare, text quoted (shortened past 60
// characters), dates and times in ISO form, bytes in hex.
std::string ShowValue(const Value& v);

// "id=1, name='x'": the key columns of `row` (the full row, or a row holding at least the key
// columns at their positions). Empty when the table has no key.
std::string RowKeyText(const TableSchema& table, const std::vector<Value>& row);

// `s` with "table T, key (k=v): " in front (just "table T: " without a key), for an error about
// one value of `row`.
Status RowContext(const Status& s, const TableSchema& table, const std::vector<Value>& row);

// Hits of value-level rules in this process's current run (RunReplication resets it).
// Thread-safe: parallel loaders report into it.
class LossyNotices {
 public:
  static LossyNotices& Run();

  void Reset();
  // `rule` changed the value of column `column` of `row`. The first hit per (table, column,
  // rule) is logged as a warning naming table, column, rule and the row's key.
  void Hit(const TableSchema& table, size_t column, LossyRule rule, const std::vector<Value>& row);
  // Logs (and forgets) the counts of hits not yet reported: for `table` only, or all tables.
  void ReportCounts(const TableName& table);
  void ReportCounts();
  // Hits so far in this run (for tests and reports).
  int64_t total() const;

 private:
  using Key = std::tuple<TableName, std::string, LossyRule>;
  void ReportLocked(const Key& key, int64_t n);
  mutable std::mutex mu_;
  std::map<Key, int64_t> unreported_;  // hits since the last count line
  std::map<Key, bool> announced_;
  int64_t total_ = 0;
};

}  // namespace cutover
