#include "engine/pg/pg_target_types.h"

#include "engine/core/civil_time.h"
#include "engine/mariadb/maria_types.h"

#include <fmt/format.h>

namespace cutover::pg {

namespace {

// The first number inside "(...)" of a type text ("varchar(40) ..." -> 40), or -1.
int ParenNumber(const std::string& type, int which = 0) {
  size_t pos = type.find('(');
  if (pos == std::string::npos) return -1;
  ++pos;
  for (int i = 0; i < which; ++i) {
    pos = type.find(',', pos);
    if (pos == std::string::npos) return -1;
    ++pos;
  }
  int v = 0;
  bool any = false;
  while (pos < type.size() && type[pos] >= '0' && type[pos] <= '9') {
    v = v * 10 + (type[pos++] - '0');
    any = true;
  }
  return any ? v : -1;
}

bool StartsWith(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// MariaDB column (maria_types.h: type_id is the MYSQL_TYPE_* code, type_name the COLUMN_TYPE).
std::string FromMariaDb(const Column& c) {
  const std::string& t = c.type_name;
  bool is_unsigned = c.kind == ValueKind::kUInt64;
  switch (c.type_id) {
    case mariadb::type_id::kTiny:
      return "smallint";
    case mariadb::type_id::kShort:
      return is_unsigned ? "integer" : "smallint";
    case mariadb::type_id::kInt24:
      return "integer";
    case mariadb::type_id::kLong:
      return is_unsigned ? "bigint" : "integer";
    case mariadb::type_id::kLongLong:
      return is_unsigned ? "numeric(20,0)" : "bigint";
    case mariadb::type_id::kNewDecimal: {
      int p = ParenNumber(t, 0), s = ParenNumber(t, 1);
      return fmt::format("numeric({},{})", p < 0 ? 10 : p, s < 0 ? 0 : s);
    }
    case mariadb::type_id::kFloat:
      return "real";
    case mariadb::type_id::kDouble:
      return "double precision";
    case mariadb::type_id::kDate:
      return "date";
    case mariadb::type_id::kTime2:
      return "interval";
    case mariadb::type_id::kDatetime2: {
      int n = ParenNumber(t);
      return fmt::format("timestamp({})", n < 0 ? 0 : n);
    }
    case mariadb::type_id::kTimestamp2: {
      int n = ParenNumber(t);
      return fmt::format("timestamptz({})", n < 0 ? 0 : n);
    }
    case mariadb::type_id::kYear:
      return "smallint";
    case mariadb::type_id::kBit:
      return ParenNumber(t) == 64 ? "numeric(20,0)" : "bigint";
    case mariadb::type_id::kEnum:
    case mariadb::type_id::kSet:
      return "text";
    default:
      break;
  }
  switch (c.kind) {
    case ValueKind::kJson:
      return "json";  // not jsonb: keeps the text exactly
    case ValueKind::kUuid:
      return "uuid";
    case ValueKind::kBytes:
      return "bytea";
    case ValueKind::kText:
      if (StartsWith(t, "char(") || StartsWith(t, "varchar(")) {
        return fmt::format("varchar({})", ParenNumber(t));
      }
      return "text";
    default:
      return "text";
  }
}

}  // namespace

std::string TargetColumnType(const Column& c, const std::string& source_engine) {
  if (source_engine == "postgresql" && !c.type_name.empty()) return c.type_name;
  if (source_engine == "mariadb") return FromMariaDb(c);
  switch (c.kind) {
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
      return "json";  // not jsonb: keeps the source's text exactly (spacing, key order)
    case ValueKind::kUuid:
      return "uuid";
    default:
      return "text";
  }
}

std::vector<std::string> PgMappingWarnings(const TableSchema& table) {
  std::vector<std::string> out;
  if (table.engine != "mariadb") return out;
  for (const Column& c : table.columns) {
    switch (c.type_id) {
      // Zero dates (L7) depend on the values: announced when one is written (PgTargetValue).
      case mariadb::type_id::kEnum:
      case mariadb::type_id::kSet:
        out.push_back("column " + c.name + " (" + c.type_name.substr(0, 40) +
                      (c.type_name.size() > 40 ? "..." : "") +
                      " -> text): L9, values become their labels, the allowed set is not enforced");
        break;
      default:
        break;
    }
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
      if (c.kind == ValueKind::kTime && source_engine == "sqlite" &&
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
