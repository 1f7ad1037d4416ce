// Canonical row encoding: the engine-neutral bytes the validator hashes to compare rows.
//
// Design: every Value maps to a self-delimiting byte string `tag payload`, and a row is the
// concatenation of its compared columns' encodings, hashed once with XXH3-128. The tags group
// Value kinds into comparison classes, so that values the engine's mapping rules (docs/types.md)
// turn into one another encode identically across engines and nothing else does:
//
//   NULL            0x00                          (distinct from every string, even '')
//   number     'N'  u32 length, decimal text      kBool (0/1), kInt64, kUInt64, kDecimal:
//                                                 no '+', no leading zeros, no trailing fraction
//                                                 zeros, no "-0"; "NaN", "Infinity", "-Infinity"
//   float      'F'  u32 length, shortest text     kFloat64: shortest round-trip (std::to_chars),
//                                                 "-0" kept, "NaN", "Infinity", "-Infinity"
//   string     'S'  u32 length, bytes             kText, kJson, kUuid, kOther (as printed)
//   bytes      'X'  u32 length, bytes             kBytes
//   date       'D'  i64 days since 1970-01-01     kDate (±infinity sentinels)
//   time       'H'  i64 microseconds              kTime (also a signed MariaDB TIME duration)
//   timestamp  'T'  i64 µs since epoch, UTC       kTimestamp and kTimestampTz: a timestamptz
//                                                 stored as UTC wall time is the same instant
// Integers are little-endian. A bool is the number 0/1 because PostgreSQL booleans land in
// MariaDB as TINYINT(1) 1/0; same-engine pairs keep the same column types, so this merges no
// values the mapping keeps apart.
//
// Rules that apply only to some pairs of column types (a PostgreSQL char(n) read back from a
// MariaDB CHAR without its padding, NaN stored as NULL, ...) are not part of the value's
// encoding: the validator derives a CanonicalRule per column from the pair of column types and
// passes it here (validator/column_pairing.h), so a trailing space on a varchar still differs.
//
// The building blocks (AppendNumberText, AppendString, ...) are public so a range scanner
// holding a server's text can write the same bytes without building a Value; the unit tests
// prove each fast path gives the bytes AppendCanonical gives for the decoded Value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/value.h"

namespace cutover {

// Per-column adjustments derived from the pair of column types (defaults: none).
struct CanonicalRule {
  bool strip_trailing_spaces = false;     // text: PostgreSQL char(n) vs MariaDB CHAR (L1)
  bool non_finite_float_as_null = false;  // float NaN/±Infinity -> NULL (-> MariaDB, L2)
  bool nan_float_as_null = false;         // float NaN -> NULL, ±Infinity kept (-> SQLite, L3)
  bool negative_zero_as_zero = false;     // float -0 -> +0 (-> MariaDB, SQLite, L4)
  // kOther in a date/datetime/timestamp column -> NULL: MariaDB's decoder gives kOther only for
  // zero and partly-zero dates ("0000-00-00", "2024-00-05"), which -> PostgreSQL/SQLite store as
  // NULL (L7).
  bool zero_date_as_null = false;
  bool interval_as_time = false;  // kOther PostgreSQL interval -> time µs (MariaDB TIME)
  int round_decimal_scale = -1;   // >= 0: round decimals half away from zero to this many digits
};

namespace canonical {

enum Tag : char {
  kNullTag = 0,
  kNumberTag = 'N',
  kFloatTag = 'F',
  kStringTag = 'S',
  kBytesTag = 'X',
  kDateTag = 'D',
  kTimeTag = 'H',
  kTimestampTag = 'T',
};

void AppendNull(std::string& out);
// `text` is decimal text: optional sign, digits, optional '.' and digits; or NaN/±Infinity.
// Normalised as described above (and rounded when `round_scale` >= 0). Other text is appended
// verbatim under the number tag (it then equals only the same text).
void AppendNumberText(std::string_view text, std::string& out, int round_scale = -1);
// `text` already in that normal form (or NaN/±Infinity), as an encoder building it from a
// binary format produces it: appended without checking.
void AppendNormalNumber(std::string_view text, std::string& out);
void AppendInt64(int64_t v, std::string& out);
void AppendUInt64(uint64_t v, std::string& out);
void AppendFloat(double v, std::string& out);
void AppendString(std::string_view s, std::string& out);
// Text under a column pair's rule: AppendString after L1 (trailing spaces dropped) if it applies.
void AppendText(std::string_view s, const CanonicalRule& rule, std::string& out);
void AppendBytes(std::string_view b, std::string& out);
void AppendDate(int64_t days, std::string& out);
void AppendTime(int64_t micros, std::string& out);
void AppendTimestamp(int64_t micros, std::string& out);

// PostgreSQL interval text (IntervalStyle=postgres) without months/years, e.g. "838:59:59.5",
// "-00:00:01", "1 day 02:00:00", "-2 days +01:00:00" -> microseconds. False if not of that shape.
bool ParseIntervalMicros(std::string_view text, int64_t& micros);

}  // namespace canonical

// Appends the canonical encoding of `v` under `rule`. kUnchanged is a broken invariant (it is
// never read from a table) and is encoded as the single byte 0xFF, which equals nothing else.
void AppendCanonical(const Value& v, const CanonicalRule& rule, std::string& out);
inline void AppendCanonical(const Value& v, std::string& out) {
  AppendCanonical(v, {}, out);
}

// XXH3-128 of an encoded row (see docs/validation.md for why 128 bits).
struct RowHash {
  uint64_t lo = 0, hi = 0;
  bool operator==(const RowHash& o) const { return lo == o.lo && hi == o.hi; }
  bool operator!=(const RowHash& o) const { return !(*this == o); }
};
RowHash HashCanonicalRow(std::string_view encoded_row);

// Order-independent combination of row hashes: the count and the sum modulo 2^128. Unlike XOR,
// a duplicated row adds twice instead of cancelling, and no set of distinct rows cancels out
// short of a 128-bit collision.
struct RowHashSum {
  int64_t count = 0;
  unsigned __int128 sum = 0;
  void Add(const RowHash& h) {
    ++count;
    sum += (static_cast<unsigned __int128>(h.hi) << 64) | h.lo;
  }
  void Merge(const RowHashSum& o) {
    count += o.count;
    sum += o.sum;
  }
  bool operator==(const RowHashSum& o) const { return count == o.count && sum == o.sum; }
  bool operator!=(const RowHashSum& o) const { return !(*this == o); }
  std::string SumHex() const;  // 32 hex digits, for reports
};

}  // namespace cutover
