#include "engine/pg/pg_target_types.h"

#include "engine/core/civil_time.h"

#include <fmt/format.h>

namespace cutover::pg {

namespace {

// Another engine's column, from its neutral description (engine/core/column_type.h).
std::string FromColumnType(const ColumnType& t) {
  switch (t.family) {
    case TypeFamily::kBool:
      return "boolean";
    case TypeFamily::kInteger:
      // The smallest PostgreSQL integer holding every value (unsigned ones need the next size).
      if (t.bits <= 8) return "smallint";
      if (t.bits <= 16) return t.is_unsigned ? "integer" : "smallint";
      if (t.bits <= 24) return "integer";
      if (t.bits <= 32) return t.is_unsigned ? "bigint" : "integer";
      return t.is_unsigned ? "numeric(20,0)" : "bigint";
    case TypeFamily::kFloat:
      return t.bits == 32 ? "real" : "double precision";
    case TypeFamily::kDecimal:
      // An unenforced precision (SQLite) must not round values the source holds.
      if (t.enforced && t.precision > 0)
        return fmt::format("numeric({},{})", t.precision, t.scale < 0 ? 0 : t.scale);
      return "numeric";
    case TypeFamily::kFixedText:  // a fixed-length source pads nothing a reader sees
    case TypeFamily::kVarText:
      if (t.enforced && t.length > 0) return fmt::format("varchar({})", t.length);
      return "text";
    case TypeFamily::kBytes:
      return "bytea";
    case TypeFamily::kDate:
      return "date";
    case TypeFamily::kTime:
      // A duration (negative, or past 24 h) does not fit PostgreSQL's time.
      return t.extended_range ? "interval" : "time(6)";
    case TypeFamily::kTimestamp:
      return fmt::format("timestamp({})", t.fsp < 0 ? 6 : t.fsp);
    case TypeFamily::kTimestampTz:
      return fmt::format("timestamptz({})", t.fsp < 0 ? 6 : t.fsp);
    case TypeFamily::kYear:
      return "smallint";
    case TypeFamily::kBit:
      return t.bits >= 64 ? "numeric(20,0)" : "bigint";
    case TypeFamily::kJson:
      return "json";  // not jsonb: keeps the source's text exactly (spacing, key order)
    case TypeFamily::kUuid:
      return "uuid";
    case TypeFamily::kEnum:  // L9: the labels, without the constraint
    case TypeFamily::kSet:
    case TypeFamily::kText:
    case TypeFamily::kOther:
      return "text";
    case TypeFamily::kUnknown:
      break;
  }
  return "";
}

}  // namespace

std::string TargetColumnType(const Column& c, const std::string& source_engine) {
  if (source_engine == "postgresql" && !c.type_name.empty()) return c.type_name;
  if (std::string t = FromColumnType(c.type); !t.empty()) return t;
  switch (c.kind) {  // not described: by the kind of its values
    case ValueKind::kBool:
      return "boolean";
    case ValueKind::kInt64:
      return "bigint";
    case ValueKind::kUInt64:
      return "numeric(20,0)";
    case ValueKind::kFloat64:
      return "double precision";
    case ValueKind::kDecimal:
      return "numeric";
    case ValueKind::kBytes:
      return "bytea";
    case ValueKind::kDate:
      return "date";
    case ValueKind::kTime:
      return "time(6)";
    case ValueKind::kTimestamp:
      return "timestamp(6)";
    case ValueKind::kTimestampTz:
      return "timestamptz(6)";
    case ValueKind::kJson:
      return "json";
    case ValueKind::kUuid:
      return "uuid";
    default:
      return "text";
  }
}

std::vector<ColumnRules> PgTargetRules(const TableSchema& table) {
  std::vector<ColumnRules> out(table.columns.size());
  if (table.engine == "postgresql") return out;  // the source's own types: exact
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& c = table.columns[i];
    ColumnRules& r = out[i];
    switch (c.type.family) {
      case TypeFamily::kEnum:
      case TypeFamily::kSet:
        r.Add(LossyRule::kL9EnumLabels);
        r.note = c.type_name.substr(0, 40) + (c.type_name.size() > 40 ? "..." : "") +
                 " -> text: L9, values become their labels, the allowed set is not enforced";
        break;
      case TypeFamily::kTime:
        if (c.type.extended_range) r.Add(LossyRule::kTimeAsInterval);  // TargetColumnType
        break;
      default:
        break;
    }
    // Zero dates (L7): PgTargetValue writes them as NULL, reporting each hit.
    if (c.type.zero_dates && (c.kind == ValueKind::kDate || c.kind == ValueKind::kTimestamp ||
                              c.kind == ValueKind::kTimestampTz))
      r.Add(LossyRule::kL7ZeroDateToNull);
  }
  return out;
}

Result<PgWrite> PgTargetValue(const Column& c, const std::string& source_engine, const Value& v,
                              LossyRule& applied) {
  applied = LossyRule::kNone;
  switch (v.kind()) {
    case ValueKind::kNull:
      return PgWrite::kNull;
    case ValueKind::kTime:
      // A SQLite TIME may pass 24 h (a MariaDB TIME becomes interval, a PostgreSQL time fits).
      // A source that does not enforce the range of its times (SQLite) may pass 24 h.
      if (c.kind == ValueKind::kTime && c.type.family == TypeFamily::kTime && !c.type.enforced &&
          (v.as_micros_or_days() < 0 || v.as_micros_or_days() > kMicrosPerDay)) {
        return InvalidArgument("column " + c.name + ": value " + ShowValue(v) +
                               " cannot be stored in time: PostgreSQL time holds 00:00:00 to "
                               "24:00:00");
      }
      return PgWrite::kValue;
    case ValueKind::kOther:
      if (c.kind != ValueKind::kOther) {  // a MariaDB zero date in a date/timestamp column
        if (!c.nullable) {
          return InvalidArgument("column " + c.name + ": value " + ShowValue(v) +
                                 " (a MariaDB zero date) would be written as NULL (L7), but the "
                                 "column is NOT NULL");
        }
        applied = LossyRule::kL7ZeroDateToNull;
        return PgWrite::kNull;
      }
      [[fallthrough]];
    case ValueKind::kText:
    case ValueKind::kJson:
      if (source_engine != "postgresql" && v.str().find('\0') != std::string::npos) {
        return InvalidArgument("column " + c.name + ": value " + ShowValue(v) +
                               " cannot be stored in " + TargetColumnType(c, source_engine) +
                               ": PostgreSQL text cannot hold the NUL character (\\0)");
      }
      return PgWrite::kValue;
    default:
      return PgWrite::kValue;
  }
}

}  // namespace cutover::pg
