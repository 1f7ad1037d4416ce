#include "engine/pg/pg_canonical_text.h"

#include "engine/pg/pg_types.h"

namespace cutover::validator {

Status DecodePgField(const Column& column, std::string_view text, Value& out) {
  return pg::DecodeColumnText(column, text, out);
}

Status AppendPgCanonical(const Column& column, const CanonicalRule& rule, std::string_view text,
                         Value& scratch, std::string& out) {
  switch (column.kind) {
    case ValueKind::kInt64:  // int2/int4/int8/oid print as canonical decimal text
      canonical::AppendNumberText(text, out);
      return Status::Ok();
    case ValueKind::kDecimal:  // numeric prints plain decimal text (or NaN/±Infinity)
      canonical::AppendNumberText(text, out, rule.round_decimal_scale);
      return Status::Ok();
    case ValueKind::kBool:
      if (text != "t" && text != "f") break;  // let DecodeText produce the error
      canonical::AppendInt64(text == "t" ? 1 : 0, out);
      return Status::Ok();
    case ValueKind::kText:
    case ValueKind::kJson:
    case ValueKind::kUuid:
      canonical::AppendText(text, rule, out);
      return Status::Ok();
    case ValueKind::kOther:
      if (rule.zero_date_as_null || rule.interval_as_time || rule.strip_trailing_spaces) break;
      canonical::AppendString(text, out);
      return Status::Ok();
    default:
      break;
  }
  RETURN_IF_ERROR(DecodePgField(column, text, scratch));
  AppendCanonical(scratch, rule, out);
  return Status::Ok();
}

}  // namespace cutover::validator
