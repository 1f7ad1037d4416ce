#include "engine/core/lossy.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "engine/core/civil_time.h"
#include "engine/core/log.h"

namespace cutover {

namespace {

// clang-format off
const std::vector<LossyRuleSpec> kCatalog = {
    {LossyRule::kL1CharTrailingSpaces, "L1", LossyScope::kValueLevel,
     "PostgreSQL char(n) → MariaDB CHAR(n)",
     "MariaDB returns CHAR values without trailing spaces",
     "hit (a value with trailing spaces)", "source without trailing spaces",
     "trailing spaces of a char(n) value are not kept by MariaDB CHAR"},
    {LossyRule::kL2NonFiniteToNull, "L2", LossyScope::kValueLevel,
     "PostgreSQL real/double, SQLite REAL → MariaDB FLOAT/DOUBLE",
     "NaN, +Infinity, -Infinity are stored as NULL (MariaDB has none)",
     "hit", "source NaN/±Infinity as NULL",
     "NaN or Infinity written as NULL (MariaDB has neither)"},
    {LossyRule::kL3NaNToNull, "L3", LossyScope::kValueLevel,
     "PostgreSQL real/double → SQLite REAL",
     "NaN is stored as NULL (SQLite has no NaN); ±Infinity are kept",
     "hit", "source NaN as NULL",
     "NaN written as NULL (SQLite has no NaN)"},
    {LossyRule::kL4MinusZero, "L4", LossyScope::kValueLevel,
     "→ MariaDB FLOAT/DOUBLE, → SQLite REAL",
     "-0 is stored as +0 by both engines",
     "hit", "source -0 as 0",
     "-0 stored as 0 by the target"},
    {LossyRule::kL5Rounded30, "L5", LossyScope::kValueLevel,
     "PostgreSQL numeric without typmod (or p > 65, s > 30, s > p), SQLite DECIMAL without (p,s) "
     "→ MariaDB",
     "DECIMAL(65,30); more than 30 fraction digits rounded half away from zero by cutover",
     "hit (a value with a non-zero digit past the 30th)", "source rounded to 30 digits",
     "more than 30 fraction digits rounded half away from zero for DECIMAL(65,30)"},
    {LossyRule::kL6UtcWallTime, "L6", LossyScope::kTypeLevel,
     "PostgreSQL timestamptz, SQLite TIMESTAMPTZ → MariaDB",
     "DATETIME(n) holding the UTC wall time (MariaDB TIMESTAMP ends in 2038); the instant is "
     "kept, the zone is not",
     "start", "equal as UTC instants",
     "the instant kept as UTC wall time, without its zone"},
    {LossyRule::kL7ZeroDateToNull, "L7", LossyScope::kValueLevel,
     "MariaDB DATE, DATETIME, TIMESTAMP → PostgreSQL, SQLite",
     "zero and partly-zero dates (`0000-00-00`, `2024-00-05`) are written as NULL; into a NOT "
     "NULL column the task stops instead, naming table, key, column and value",
     "hit", "source zero dates as NULL",
     "MariaDB zero date ('0000-00-00...') written as NULL"},
    {LossyRule::kL8SourceText, "L8", LossyScope::kTypeLevel,
     "PostgreSQL types without a logical kind → MariaDB, SQLite",
     "stored as PostgreSQL's text form (LONGTEXT / TEXT)",
     "start", "equal as text",
     "stored as the source's text form"},
    {LossyRule::kL9EnumLabels, "L9", LossyScope::kTypeLevel,
     "MariaDB ENUM, SET → PostgreSQL",
     "text holding the labels; the allowed set is not enforced",
     "start", "equal as text",
     "values become their labels, the allowed set is not enforced"},
    {LossyRule::kL10BoundedKey, "L10", LossyScope::kTypeLevel,
     "PostgreSQL, SQLite text/bytes key columns → MariaDB",
     "VARCHAR(768) / VARBINARY(3072), or less when the key has several columns (InnoDB keys "
     "hold 3072 bytes); longer values are refused (R4)",
     "start", "exact",
     "key column bounded, longer values stop the task"},
    {LossyRule::kTimeAsInterval, "", LossyScope::kRepresentation,
     "MariaDB TIME → PostgreSQL",
     "interval (a PostgreSQL time cannot hold negative durations or 24 h and more)",
     "never (exact)", "the interval as a duration in microseconds",
     "stored as a PostgreSQL interval"},
};
// clang-format on

}  // namespace

const std::vector<LossyRuleSpec>& LossyRuleCatalog() {
  return kCatalog;
}

const LossyRuleSpec& SpecOf(LossyRule rule) {
  for (const LossyRuleSpec& spec : kCatalog)
    if (spec.rule == rule) return spec;
  throw std::logic_error("lossy rule without a catalogue entry");  // a broken invariant
}

const char* LossyRuleId(LossyRule rule) {
  return rule == LossyRule::kNone ? "" : SpecOf(rule).id;
}

const char* LossyRuleEffect(LossyRule rule) {
  return rule == LossyRule::kNone ? "" : SpecOf(rule).effect;
}

bool ColumnRules::Has(LossyRule rule) const {
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

void ColumnRules::Add(LossyRule rule) {
  if (!Has(rule)) rules.push_back(rule);
}

CanonicalRulePair CanonicalRuleFor(const ColumnRules& rules) {
  CanonicalRulePair r;
  for (LossyRule rule : rules.rules) {
    switch (rule) {
      case LossyRule::kL1CharTrailingSpaces:
        r.source.strip_trailing_spaces = r.target.strip_trailing_spaces = true;
        break;
      case LossyRule::kL2NonFiniteToNull:
        r.source.non_finite_float_as_null = true;
        break;
      case LossyRule::kL3NaNToNull:
        r.source.nan_float_as_null = true;
        break;
      case LossyRule::kL4MinusZero:
        r.source.negative_zero_as_zero = true;
        break;
      case LossyRule::kL5Rounded30:
        r.source.round_decimal_scale = rules.round_scale;
        break;
      case LossyRule::kL7ZeroDateToNull:
        r.source.zero_date_as_null = true;
        break;
      case LossyRule::kTimeAsInterval:
        r.target.interval_as_time = true;
        break;
      case LossyRule::kNone:
      case LossyRule::kL6UtcWallTime:  // type-level: the canonical encoding compares them
      case LossyRule::kL8SourceText:
      case LossyRule::kL9EnumLabels:
      case LossyRule::kL10BoundedKey:
        break;
    }
  }
  return r;
}

std::string LossyRulesMarkdown() {
  std::string out =
      "| rule | directions | what happens | announced | how values compare |\n"
      "|---|---|---|---|---|\n";
  for (const LossyRuleSpec& spec : kCatalog) {
    if (spec.scope == LossyScope::kRepresentation) continue;
    out += fmt::format("| {} | {} | {} | {} | {} |\n", spec.id, spec.directions, spec.happens,
                       spec.announced, spec.compares);
  }
  return out;
}

namespace {

std::string Date(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string TimeOfDay(int64_t micros) {
  std::string sign = micros < 0 ? "-" : "";
  uint64_t u = micros < 0 ? -static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  std::string s = fmt::format("{}{:02}:{:02}:{:02}", sign, u / 3600000000ULL, u / 60000000ULL % 60,
                              u / 1000000ULL % 60);
  if (u % 1000000) s += fmt::format(".{:06}", u % 1000000);
  return s;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

std::string ShowValue(const Value& v) {
  int64_t x = 0;
  switch (v.kind()) {
    case ValueKind::kNull:
      return "NULL";
    case ValueKind::kDate:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz: {
      x = v.as_micros_or_days();
      if (x == Value::kInfinity) return "'infinity'";
      if (x == Value::kMinusInfinity) return "'-infinity'";
      if (v.kind() == ValueKind::kDate) return "'" + Date(x) + "'";
      int64_t days = FloorDiv(x, kMicrosPerDay);
      return "'" + Date(days) + " " + TimeOfDay(x - days * kMicrosPerDay) +
             (v.kind() == ValueKind::kTimestampTz ? "+00" : "") + "'";
    }
    case ValueKind::kTime:
      return "'" + TimeOfDay(v.as_micros_or_days()) + "'";
    case ValueKind::kDecimal:
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
    case ValueKind::kOther: {
      const std::string& s = v.str();
      size_t cut = s.size();
      if (cut > 60) {
        cut = 57;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      }
      std::string out = "'";
      for (size_t i = 0; i < cut; ++i) {  // control characters escaped: one line, visible
        unsigned char ch = static_cast<unsigned char>(s[i]);
        if (ch == '\0')
          out += "\\0";
        else if (ch == '\n')
          out += "\\n";
        else if (ch < 0x20)
          out += fmt::format("\\x{:02x}", ch);
        else
          out.push_back(s[i]);
      }
      out += "'";
      if (cut < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
      return out;
    }
    default:
      return v.DebugString();
  }
}

std::string RowKeyText(const TableSchema& table, const std::vector<Value>& row) {
  std::string out;
  for (size_t j = 0; j < table.key.size(); ++j) {
    size_t k = table.key[j];
    out += (j ? ", " : "") + table.columns[k].name + "=" +
           (k < row.size() ? ShowValue(row[k]) : std::string("?"));
  }
  return out;
}

Status RowContext(const Status& s, const TableSchema& table, const std::vector<Value>& row) {
  if (s.ok()) return s;
  std::string key = RowKeyText(table, row);
  return s.WithContext("table " + table.name.ToString() +
                       (key.empty() ? "" : ", key (" + key + ")"));
}

LossyNotices& LossyNotices::Run() {
  static LossyNotices notices;
  return notices;
}

void LossyNotices::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  unreported_.clear();
  announced_.clear();
  total_ = 0;
}

void LossyNotices::Hit(const TableSchema& table, size_t column, LossyRule rule,
                       const std::vector<Value>& row) {
  std::lock_guard<std::mutex> lock(mu_);
  Key key{table.name, table.columns[column].name, rule};
  ++unreported_[key];
  ++total_;
  bool& announced = announced_[key];
  if (announced) return;
  announced = true;
  std::string where = RowKeyText(table, row);
  Log(LogLevel::kWarn, "table {}: column {}: {} {} (first at key ({}); docs/types.md)",
      table.name.ToString(), table.columns[column].name, LossyRuleId(rule), LossyRuleEffect(rule),
      where.empty() ? "none" : where);
}

void LossyNotices::ReportLocked(const Key& key, int64_t n) {
  const auto& [table, column, rule] = key;
  Log(LogLevel::kInfo, "table {}: column {}: {} applied to {} value(s)", table.ToString(), column,
      LossyRuleId(rule), n);
}

void LossyNotices::ReportCounts(const TableName& table) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = unreported_.begin(); it != unreported_.end();) {
    if (std::get<0>(it->first) == table) {
      ReportLocked(it->first, it->second);
      it = unreported_.erase(it);
    } else {
      ++it;
    }
  }
}

void LossyNotices::ReportCounts() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, n] : unreported_) ReportLocked(key, n);
  unreported_.clear();
}

int64_t LossyNotices::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

}  // namespace cutover
