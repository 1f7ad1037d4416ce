#include "engine/sqlite/sqlite_target_types.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "engine/core/civil_time.h"

namespace cutover::sqlite {

SqliteTargetColumn PlanSqliteColumn(const Column& c, const std::string& source_engine) {
  SqliteTargetColumn tc;
  auto set = [&](std::string declared) {
    tc.declared = std::move(declared);
    tc.affinity = AffinityOfDeclaredType(tc.declared);
  };
  if (source_engine == "sqlite") {
    set(c.type_name);
    return tc;
  }
  // Decided from the source's neutral description (engine/core/column_type.h), then the kind.
  const ColumnType& type = c.type;
  std::string parens;  // "(p,s)" of a decimal
  if (type.family == TypeFamily::kDecimal && type.precision >= 0)
    parens =
        "(" + std::to_string(type.precision) + "," + std::to_string(std::max(type.scale, 0)) + ")";
  switch (c.kind) {
    case ValueKind::kBool:
      set("BOOLEAN");
      break;
    case ValueKind::kInt64:
      set("INTEGER");
      break;
    case ValueKind::kUInt64:
      // Only BIGINT UNSIGNED and BIT(64) can pass INT64_MAX; SQLite's INTEGER is signed 64-bit.
      set((type.family == TypeFamily::kInteger || type.family == TypeFamily::kBit) &&
                  type.bits >= 64
              ? "DECIMAL TEXT(20,0)"
              : "INTEGER");
      break;
    case ValueKind::kFloat64:
      set("REAL");  // NaN (L3) and -0 (L4) are value-level: reported when written
      tc.rules.Add(LossyRule::kL3NaNToNull);
      tc.rules.Add(LossyRule::kL4MinusZero);
      break;
    case ValueKind::kDecimal:
      set("DECIMAL TEXT" + parens);  // TEXT affinity: the digits are kept exactly
      break;
    case ValueKind::kBytes:
      set("BLOB");
      break;
    case ValueKind::kDate:
      set("DATE");
      break;
    case ValueKind::kTime:
      set("TIME");
      break;
    case ValueKind::kTimestamp:
      set("DATETIME");
      break;
    case ValueKind::kTimestampTz:
      set("TIMESTAMPTZ");
      break;
    case ValueKind::kJson:
      set("JSON TEXT");  // NUMERIC affinity (plain JSON) would store '1.50' as the REAL 1.5
      break;
    case ValueKind::kUuid:
      set("UUID");
      break;
    case ValueKind::kOther:
      set("TEXT");
      tc.rules.Add(LossyRule::kL8SourceText);
      tc.rules.note = c.type_name + " -> TEXT: L8, stored as the source's text form";
      break;
    default:
      set("TEXT");
      break;
  }
  if (type.zero_dates && (c.kind == ValueKind::kDate || c.kind == ValueKind::kTimestamp ||
                          c.kind == ValueKind::kTimestampTz)) {
    tc.other_as_null = true;  // L7, value-level: reported when a zero date is written
    tc.rules.Add(LossyRule::kL7ZeroDateToNull);
    tc.nullable = c.nullable;
  }
  return tc;
}

Status BindForSqlite(const SqliteTargetColumn& tc, const std::string& column_name, const Value& v,
                     SqliteStmt& st, int i, LossyRule& applied) {
  applied = LossyRule::kNone;
  switch (v.kind()) {
    case ValueKind::kNull:
      return st.BindNull(i);
    case ValueKind::kBool:
      return st.BindInt64(i, v.as_bool() ? 1 : 0);
    case ValueKind::kInt64:
      return st.BindInt64(i, v.as_int64());
    case ValueKind::kUInt64:
      if (v.as_uint64() <= static_cast<uint64_t>(INT64_MAX))
        return st.BindInt64(i, static_cast<int64_t>(v.as_uint64()));
      if (tc.affinity != Affinity::kText && tc.affinity != Affinity::kBlob)
        return InvalidArgument("column " + column_name + ": value " +
                               std::to_string(v.as_uint64()) + " does not fit SQLite's " +
                               tc.declared + " (a signed 64-bit integer)");
      return st.BindText(i, std::to_string(v.as_uint64()));
    case ValueKind::kFloat64:
      if (std::isnan(v.as_double())) {  // SQLite has no NaN
        applied = LossyRule::kL3NaNToNull;
        return st.BindNull(i);
      }
      if (v.as_double() == 0 && std::signbit(v.as_double()))
        applied = LossyRule::kL4MinusZero;  // SQLite stores -0.0 as 0
      return st.BindDouble(i, v.as_double());
    case ValueKind::kDecimal:
      // A SQLite NUMERIC column (SQLite -> SQLite) held an INTEGER or REAL: store that again.
      if (tc.affinity == Affinity::kNumeric || tc.affinity == Affinity::kInteger ||
          tc.affinity == Affinity::kReal) {
        const std::string& t = v.str();
        int64_t n;
        if (ParseInt64Text(t, n)) return st.BindInt64(i, n);
        double d;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
        if (ec == std::errc() && p == t.data() + t.size() && ShortestDecimalText(d) == t)
          return st.BindDouble(i, d);
      }
      return st.BindText(i, v.str());
    case ValueKind::kBytes:
      return st.BindBlob(i, v.str());
    case ValueKind::kDate:
    case ValueKind::kTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      return st.BindText(i, FormatSqliteTemporal(v));
    case ValueKind::kOther:
      if (tc.other_as_null) {
        if (!tc.nullable) {
          return InvalidArgument("column " + column_name + ": value '" + v.str() +
                                 "' (a MariaDB zero date) would be written as NULL (L7), but the "
                                 "column is NOT NULL");
        }
        applied = LossyRule::kL7ZeroDateToNull;
        return st.BindNull(i);
      }
      return st.BindText(i, v.str());
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
      return st.BindText(i, v.str());
    case ValueKind::kUnchanged:
      break;
  }
  return Internal("column " + column_name + ": cannot bind " + v.DebugString());
}

}  // namespace cutover::sqlite
