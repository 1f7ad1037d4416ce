// ValueConversion: the values of a column that a change-data-type rule gives another kind of
// type (int4 -> string, string -> int8, numeric -> int4, datetime -> string, ...), converted
// exactly or not at all.
//
// Design: a conversion is planned once per column at task start (Plan: which source kind goes to
// which target type, and whether the pair makes sense at all) and then applied to every value of
// the full load, of every CDC image (keys and old images included) and of the validator's source
// reads, so the three agree by construction. A value either has an exact representation in the
// target type or is refused with the reason, never rounded, cut or reinterpreted: a refusal is a
// data error the caller names (table, key, column, rule) and hands to the task's error policy.
//
// The exact rules (docs/dms.md, change-data-type, lists them for users):
//   to text (string, wstring, clob, nclob; `length` in characters is checked per value):
//     integers in decimal, numerics as the source prints them ("12.340"), floats in their
//     shortest round-trip form, booleans "true" / "false", dates "YYYY-MM-DD", times
//     "HH:MM:SS[.ffffff]" (fraction without trailing zeros), datetimes "YYYY-MM-DD HH:MM:SS[.f]"
//     (ISO, as PostgreSQL and MariaDB print them), instants in UTC with "+00:00"; JSON, UUIDs and
//     engine text as they are. Years outside 0000-9999 and infinities have no such form: refused.
//   to integers (int1..int8, uint1..uint8): booleans 0/1; numerics and floats with no fraction
//     and in range; text that is an integer literal (optional sign, digits, leading zeros
//     allowed, surrounding whitespace ignored; no '.', exponent or separators) in range.
//   to numeric(p,s): booleans and integers; text that is a decimal literal (sign, digits, '.',
//     an exponent "1.5e3") whose digits fit p,s without rounding (fraction digits beyond s must
//     be zeros). NaN and infinities are refused.
//   to real4 / real8: integers (and booleans) whose value the float holds exactly (every int1..
//     int4 in real8; larger ones checked per value).
//   to boolean: integers 0 / 1; text true/false/t/f/yes/no/y/n/on/off/1/0 (any case).
//   to date: text "YYYY-MM-DD" (a real calendar date); datetimes at midnight.
//   to time: text "HH:MM[:SS[.f]]", 00:00:00 to 23:59:59.999999, fraction within the rule's scale.
//   to datetime: dates (midnight); text "YYYY-MM-DD[( |T)HH:MM[:SS[.f]]]", fraction within the
//     rule's scale; text with a time zone offset is refused (a datetime has no zone).
// Any other pair is refused at start (Plan returns why).
#pragma once

#include <optional>
#include <string>

#include "engine/core/schema.h"
#include "engine/core/value.h"

namespace cutover::task {

class ValueConversion {
 public:
  // Why one value was refused: `truncation` for a value too long for the target's length
  // (DataTruncationErrorPolicy), else a data error (DataErrorPolicy).
  struct Refusal {
    bool truncation = false;
    std::string reason;  // "not an integer literal", "out of range for int4", ...
  };

  // The conversion of `source`'s values to a column of type `to` whose values are of kind
  // `to_kind`; nullopt with `why` when no value of that kind converts to that type (refused at
  // task start). Only for kinds that differ (same-kind changes are checked as widenings).
  static std::optional<ValueConversion> Plan(const Column& source, const ColumnType& to,
                                             ValueKind to_kind, std::string& why);

  // Whether every value of the source column converts (no per-value check can refuse one).
  bool exact() const { return exact_; }
  // The target type as DMS names it: "int4", "string(10)", "numeric(10,2)", "datetime".
  const std::string& type_text() const { return type_text_; }

  // Converts `v` in place (NULL and unchanged pass as they are); on a refusal `v` is left as it
  // was and the refusal returned.
  std::optional<Refusal> Convert(Value& v) const;

  // "a text value", "an integer value", ...: the kind of `v` for messages.
  static std::string KindText(const Value& v);
  static std::string KindText(ValueKind kind);

 private:
  enum class To : uint8_t { kText, kInteger, kDecimal, kFloat, kBool, kDate, kTime, kTimestamp };

  std::optional<Refusal> ToText(Value& v) const;
  std::optional<Refusal> ToInteger(Value& v) const;
  std::optional<Refusal> ToDecimal(Value& v) const;
  std::optional<Refusal> ToFloat(Value& v) const;
  std::optional<Refusal> ToBool(Value& v) const;
  std::optional<Refusal> ToDate(Value& v) const;
  std::optional<Refusal> ToTime(Value& v) const;
  std::optional<Refusal> ToTimestamp(Value& v) const;

  To to_ = To::kText;
  ColumnType type_;
  ValueKind to_kind_ = ValueKind::kText;
  bool exact_ = false;
  std::string type_text_;  // "int4", "string(10)", "numeric(10,2)": for reasons
};

}  // namespace cutover::task
