#include "tests/integration/support/type_zoo.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace cutover::testing {

namespace {

constexpr int kPg = 0, kMaria = 1, kSqlite = 2;  // index into per-engine arrays
constexpr int kEdgeRows = 5;                     // rows of edge values; one all-NULL row follows

int Index(ZooEngine e) {
  return e == ZooEngine::kPostgres ? kPg : e == ZooEngine::kMariaDb ? kMaria : kSqlite;
}

// ---------------------------------------------------------------------------------------------
// Logical values, rendered per engine.

struct ZV {
  enum Kind { kNull, kSql, kText, kBytes, kRepeat, kPer } kind = kNull;
  std::string a;                   // kSql: the literal on every engine; kText/kBytes/kRepeat: bytes
  int n = 0;                       // kRepeat: how many times `a`
  std::array<std::string, 3> per;  // kPer: the literal on each engine ("NULL": not representable)
};

ZV L(std::string sql) {  // a literal every engine reads the same way (numbers, 'dates')
  return {ZV::kSql, std::move(sql), 0, {}};
}
ZV T(std::string utf8) {  // character data, rendered from its bytes
  return {ZV::kText, std::move(utf8), 0, {}};
}
ZV B(std::string bytes) {
  return {ZV::kBytes, std::move(bytes), 0, {}};
}
ZV Repeat(std::string utf8, int n) {
  return {ZV::kRepeat, std::move(utf8), n, {}};
}
// A value some engine cannot hold: each engine's own literal (the nearest edge it has, or NULL).
ZV P(std::string pg, std::string maria, std::string sqlite) {
  return {ZV::kPer, "", 0, {std::move(pg), std::move(maria), std::move(sqlite)}};
}

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string TextLiteral(int engine, const std::string& utf8, const std::string& pg_type) {
  switch (engine) {
    case kPg:
      return "convert_from('\\x" + Hex(utf8) + "'::bytea, 'UTF8')::" + pg_type;
    case kMaria:
      return "CONVERT(X'" + Hex(utf8) + "' USING utf8mb4)";
    default:
      return "CAST(X'" + Hex(utf8) + "' AS TEXT)";
  }
}

// ---------------------------------------------------------------------------------------------
// The zoo's columns.

// How a column's values are rendered for comparison (the same on every engine).
enum class Cls { kInt, kBool, kDecimal, kFloat, kText, kBytes, kDate, kTime, kTimestamp, kTsTz };

// The lossy rules of docs/types.md the comparison applies to a source value (Apply() below).
enum class Rule {
  kCharTrailingSpaces,  // PostgreSQL char(n) -> MariaDB CHAR(n)
  kNonFiniteFloatNull,  // NaN, ±Infinity -> NULL (MariaDB FLOAT/DOUBLE targets)
  kNaNNull,             // NaN -> NULL (SQLite REAL targets; infinities are kept)
  kMinusZero,           // -0 -> +0 (MariaDB FLOAT/DOUBLE and SQLite REAL targets)
  kRoundDecimal30,      // a decimal without typmod -> MariaDB DECIMAL(65,30), rounded
  kUtcWallTime,         // timestamp with time zone -> MariaDB DATETIME in UTC (announced, exact)
  kZeroDateNull,        // MariaDB zero DATE/DATETIME/TIMESTAMP -> NULL on other engines
};

struct PairRules {
  const char* pair;  // "pg>mariadb"
  std::vector<Rule> rules;
};

struct ZooColumn {
  const char* name;
  Cls cls;
  std::array<const char*, 3> type;  // PostgreSQL, MariaDB, SQLite; nullptr: no such column there
  std::vector<ZV> values;           // kEdgeRows values, row by row
  std::vector<PairRules> rules;     // lossy pairs; every other pair is exact
};

// The zoo. Rows: 0 minimums and oldest, 1 maximums and latest, 2 zeros and empties (-0, '',
// 1970), 3 specials (NaN, 4-byte UTF-8, escapes, zero dates, TIME extremes), 4 smallest
// magnitudes, the 1 MiB text and odd spellings; then one all-NULL row.
// clang-format off
const std::vector<ZooColumn>& Columns() {
  const std::string k4 = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes in UTF-8
  const std::string kClef = "\xF0\x9D\x84\x9E";  // U+1D11E
  const std::vector<Rule> kToMaria = {Rule::kNonFiniteFloatNull, Rule::kMinusZero};
  const std::vector<Rule> kToSqlite = {Rule::kNaNNull, Rule::kMinusZero};
  const std::vector<Rule> kZero = {Rule::kZeroDateNull};
  static const std::vector<ZooColumn> cols = {
    {"b", Cls::kBool, {"boolean", "boolean", "BOOLEAN"},
     {L("TRUE"), L("FALSE"), L("FALSE"), L("TRUE"), L("TRUE")}, {}},
    // Integers: min and max of each width; unsigned max where the engine has it (MariaDB).
    {"i8", Cls::kInt, {nullptr, "tinyint", nullptr}, {L("-128"), L("127"), L("0"), L("-1"), L("1")}, {}},
    {"u8", Cls::kInt, {nullptr, "tinyint unsigned", nullptr}, {L("0"), L("255"), L("0"), L("128"), L("1")}, {}},
    {"i16", Cls::kInt, {"smallint", "smallint", nullptr}, {L("-32768"), L("32767"), L("0"), L("-1"), L("1")}, {}},
    {"u16", Cls::kInt, {nullptr, "smallint unsigned", nullptr}, {L("0"), L("65535"), L("0"), L("32768"), L("1")}, {}},
    {"i24", Cls::kInt, {nullptr, "mediumint", nullptr}, {L("-8388608"), L("8388607"), L("0"), L("-1"), L("1")}, {}},
    {"u24", Cls::kInt, {nullptr, "mediumint unsigned", nullptr}, {L("0"), L("16777215"), L("0"), L("8388608"), L("1")}, {}},
    {"i32", Cls::kInt, {"integer", "int", nullptr}, {L("-2147483648"), L("2147483647"), L("0"), L("-1"), L("1")}, {}},
    {"u32", Cls::kInt, {nullptr, "int unsigned", nullptr}, {L("0"), L("4294967295"), L("0"), L("2147483648"), L("1")}, {}},
    {"i64", Cls::kInt, {"bigint", "bigint", "INTEGER"},
     {L("-9223372036854775808"), L("9223372036854775807"), L("0"), L("-1"), L("1")}, {}},
    {"u64", Cls::kInt, {nullptr, "bigint unsigned", nullptr},
     {L("0"), L("18446744073709551615"), L("0"), L("9223372036854775808"), L("1")}, {}},
    // Decimals: 38 digits; scale 10, negative; a decimal without typmod. Quoted: SQLite would
    // read a 38-digit literal as a REAL. SQLite keeps digits only with TEXT affinity.
    {"d38", Cls::kDecimal, {"numeric(38,0)", "decimal(38,0)", "DECIMAL TEXT(38,0)"},
     {L("'-99999999999999999999999999999999999999'"), L("'99999999999999999999999999999999999999'"),
      L("'0'"), L("'1'"), L("'-1'")}, {}},
    {"d10", Cls::kDecimal, {"numeric(38,10)", "decimal(38,10)", "DECIMAL TEXT(38,10)"},
     {L("'-9999999999999999999999999999.9999999999'"), L("'9999999999999999999999999999.9999999999'"),
      L("'0.0000000000'"), L("'-0.0000000001'"), L("'-1234567890123456789012345678.0123456789'")}, {}},
    {"n", Cls::kDecimal, {"numeric", nullptr, "DECIMAL TEXT"},
     {L("'-12345678901234567890123456789012345.123456789012345678901234567890'"),
      L("'0.1234567890123456789012345678905'"), L("'0'"), L("'-0.0000000000000000000000000000005'"),
      L("'0.0000000000000000000000000000000000000001'")},
     {{"pg>mariadb", {Rule::kRoundDecimal30}}, {"sqlite>mariadb", {Rule::kRoundDecimal30}}}},
    // Floats: ±max, -0, NaN, the smallest subnormal; ±Infinity, 0, the smallest normal, 0.1.
    // MariaDB has no NaN or Infinity, SQLite no NaN: those rows hold NULL there.
    {"f4", Cls::kFloat, {"real", "float", nullptr},
     {L("-3.4028234663852886e38"), L("3.4028234663852886e38"), P("'-0'", "-0e0", ""),
      P("'NaN'", "NULL", ""), L("1.401298464324817e-45")},
     {{"pg>mariadb", kToMaria}, {"pg>sqlite", kToSqlite}}},
    {"f4x", Cls::kFloat, {"real", "float", nullptr},
     {P("'-Infinity'", "NULL", ""), P("'Infinity'", "NULL", ""), L("0"), L("1.1754943508222875e-38"), L("0.1")},
     {{"pg>mariadb", kToMaria}, {"pg>sqlite", kToSqlite}}},
    {"f8", Cls::kFloat, {"double precision", "double", "REAL"},
     {L("-1.7976931348623157e308"), L("1.7976931348623157e308"), P("'-0'", "-0e0", "-0.0"),
      P("'NaN'", "NULL", "NULL"), L("4.9406564584124654e-324")},
     {{"pg>mariadb", kToMaria}, {"pg>sqlite", kToSqlite}, {"sqlite>mariadb", kToMaria}}},
    {"f8x", Cls::kFloat, {"double precision", "double", "REAL"},
     {P("'-Infinity'", "NULL", "-9e999"), P("'Infinity'", "NULL", "9e999"), L("0"),
      L("2.2250738585072014e-308"), L("0.1")},
     {{"pg>mariadb", kToMaria}, {"pg>sqlite", kToSqlite}, {"sqlite>mariadb", kToMaria}}},
    // Text: empty vs NULL, trailing spaces, 4-byte UTF-8, escapes, a 1 MiB value.
    {"t", Cls::kText, {"text", "longtext", "TEXT"},
     {T(""), T("trailing  "), T(k4 + " " + kClef + " four-byte, \xC3\xBC"),
      T("tab\there\nnewline\\back 'quote\" \\N"), Repeat(k4 + "0123456789ab", 65536)}, {}},
    {"c", Cls::kText, {"char(5)", "char(5)", "CHAR(5)"},
     {T("ab"), T(""), T(k4), T("a b"), T("abcde")}, {{"pg>mariadb", {Rule::kCharTrailingSpaces}}}},
    {"vc", Cls::kText, {"varchar(20)", "varchar(20)", "VARCHAR(20)"},
     {T("x  "), T(""), T("\xC3\xBCn\xC3\xAF " + k4), T(" lead"), T("01234567890123456789")}, {}},
    {"bin", Cls::kBytes, {"bytea", "longblob", "BLOB"},
     {B(std::string("\0", 1)), B(std::string("\0\xff\0", 3)), B(""),
      B(std::string("\x5c\x4e\x0a\x09\x00", 5)), B("\xff")}, {}},
    // Dates and times: year 1, before 1970, the last day, µs; MariaDB zero dates and TIME range.
    {"d", Cls::kDate, {"date", "date", "DATE"},
     {L("'0001-01-01'"), L("'9999-12-31'"), L("'1970-01-01'"), P("NULL", "'0000-00-00'", "NULL"),
      L("'1969-07-20'")},
     {{"mariadb>pg", kZero}, {"mariadb>sqlite", kZero}}},
    {"tm", Cls::kTime, {"time(6)", "time(6)", "TIME"},
     {L("'00:00:00'"), L("'23:59:59.999999'"), L("'12:34:56.000001'"),
      P("'24:00:00'", "'-838:59:59.999999'", "'24:00:00'"), P("'00:00:00.5'", "'838:59:59'", "'00:00:00.5'")}, {}},
    {"ts", Cls::kTimestamp, {"timestamp(6)", "datetime(6)", "DATETIME"},
     {L("'0001-01-01 00:00:00'"), L("'9999-12-31 23:59:59.999999'"), L("'1970-01-01 00:00:00'"),
      P("NULL", "'0000-00-00 00:00:00'", "NULL"), L("'1969-12-31 23:59:59.999999'")},
     {{"mariadb>pg", kZero}, {"mariadb>sqlite", kZero}}},
    // MariaDB TIMESTAMP holds 1970-01-01 00:00:01 .. 2038-01-19 03:14:07.999999 UTC only.
    {"tstz", Cls::kTsTz, {"timestamptz(6)", "timestamp(6) NULL DEFAULT NULL", "TIMESTAMPTZ"},
     {P("'0001-01-01 00:00:00+00'", "'1970-01-01 00:00:01'", "'0001-01-01 00:00:00+00:00'"),
      P("'9999-12-31 23:59:59.999999+00'", "'2038-01-19 03:14:07.999999'", "'9999-12-31 23:59:59.999999Z'"),
      P("'2000-01-01 00:00:00.123456+05:30'", "'1999-12-31 18:30:00.123456'", "'2000-01-01 00:00:00.123456+05:30'"),
      P("'1969-12-31 23:59:59.999999+00'", "'0000-00-00 00:00:00'", "'1969-12-31 23:59:59.999999+00:00'"),
      P("'2024-02-29 12:34:56.789012+00'", "'2024-02-29 12:34:56.789012'", "'2024-02-29T12:34:56.789012'")},
     {{"pg>mariadb", {Rule::kUtcWallTime}}, {"sqlite>mariadb", {Rule::kUtcWallTime}},
      {"mariadb>pg", kZero}, {"mariadb>sqlite", kZero}}},
    // JSON as written (row 4: unusual spacing and key order), jsonb as PostgreSQL normalises it.
    {"j", Cls::kText, {"json", "json", "JSON"},
     {T("{\"a\": [1, 2.5, null], \"b\": \"x\"}"), T("{\"nested\": {\"deep\": [true, false]}}"),
      T("{}"), T("\"" + k4 + " four-byte\""), T("{\"b\":1,  \"a\":[1,2.50]}")}, {}},
    {"jb", Cls::kText, {"jsonb", nullptr, nullptr},
     {T("{\"b\": [1, 2.50], \"a\": {\"c\": null}}"), T("[]"), T("{}"), T("\"" + k4 + "\""), T("null")}, {}},
    {"u", Cls::kText, {"uuid", "uuid", "UUID"},
     {T("00000000-0000-0000-0000-000000000000"), T("ffffffff-ffff-ffff-ffff-ffffffffffff"),
      T("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), T("12345678-1234-5678-9abc-def012345678"),
      T("00000000-0000-0000-0000-000000000001")}, {}},
  };
  return cols;
}
// clang-format on

std::vector<const ZooColumn*> ColumnsOf(ZooEngine e) {
  std::vector<const ZooColumn*> out;
  for (const ZooColumn& c : Columns())
    if (c.type[Index(e)]) out.push_back(&c);
  return out;
}

std::string Render(const ZV& v, int engine, const ZooColumn& col) {
  switch (v.kind) {
    case ZV::kNull:
      return "NULL";
    case ZV::kSql:
      return v.a;
    case ZV::kText:
      return TextLiteral(engine, v.a, col.type[kPg] ? col.type[kPg] : "text");
    case ZV::kBytes:
      return engine == kPg ? "'\\x" + Hex(v.a) + "'::bytea" : "X'" + Hex(v.a) + "'";
    case ZV::kRepeat: {
      std::string unit = TextLiteral(engine, v.a, "text"), n = std::to_string(v.n);
      if (engine == kPg) return "repeat(" + unit + ", " + n + ")";
      if (engine == kMaria) return "REPEAT(" + unit + ", " + n + ")";
      return "replace(hex(zeroblob(" + n + ")), '00', " + unit + ")";  // SQLite has no repeat()
    }
    case ZV::kPer:
      return v.per[engine];
  }
  return "NULL";
}

std::string TableOf(ZooEngine e) {
  return e == ZooEngine::kPostgres ? "public.zoo" : "zoo";
}

// Session settings every script and query starts with: timestamps are read and written in UTC.
std::string Preamble(ZooEngine e) {
  if (e == ZooEngine::kPostgres) return "SET TimeZone = 'UTC';\n";
  if (e == ZooEngine::kMariaDb) return "SET time_zone = '+00:00';\n";
  return "";
}

std::string InsertRow(ZooEngine e, int id, int row) {
  std::string names = "id", values = std::to_string(id);
  for (const ZooColumn* c : ColumnsOf(e)) {
    names += std::string(", ") + c->name;
    values += ", " + (row < kEdgeRows ? Render(c->values[row], Index(e), *c) : "NULL");
  }
  return "INSERT INTO " + TableOf(e) + " (" + names + ") VALUES (" + values + ");\n";
}

// Sets every non-key column of row `id` to the values of edge row `row` (kEdgeRows: all NULL).
std::string UpdateRow(ZooEngine e, int id, int row) {
  std::string set;
  for (const ZooColumn* c : ColumnsOf(e)) {
    set += (set.empty() ? "" : ", ") + std::string(c->name) + " = " +
           (row < kEdgeRows ? Render(c->values[row], Index(e), *c) : "NULL");
  }
  return "UPDATE " + TableOf(e) + " SET " + set + " WHERE id = " + std::to_string(id) + ";\n";
}

// ---------------------------------------------------------------------------------------------
// Reading a side: one SQL expression per column, by class, on each engine. The texts are
// unambiguous (hex for character and binary data) and contain no ','.

std::string PgExpr(Cls cls, const std::string& c) {
  switch (cls) {
    case Cls::kInt:
    case Cls::kDecimal:
    case Cls::kDate:
      return c + "::text";
    case Cls::kBool:
      return c + "::int::text";  // boolean and MariaDB's TINYINT(1) landed as smallint
    case Cls::kFloat:
      return c + "::float8::text";  // real widened exactly; extra_float_digits=1: shortest exact
    case Cls::kText:                // the output function (format), so char(n) keeps its padding
      return "CASE WHEN " + c + " IS NOT NULL THEN encode(convert_to(format('%s', " + c +
             "), 'UTF8'), 'hex') END";  // format('%s', NULL) is ''
    case Cls::kBytes:
      return "encode(" + c + ", 'hex')";
    case Cls::kTime:  // time, or interval from a MariaDB TIME: microseconds
      return "(extract(epoch from " + c + ") * 1000000)::bigint::text";
    case Cls::kTimestamp:
      return "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS.US')";
    case Cls::kTsTz:
      return "to_char(" + c + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
  }
  return c;
}

std::string MariaExpr(Cls cls, const std::string& c) {
  switch (cls) {
    case Cls::kInt:
    case Cls::kDecimal:
    case Cls::kBool:
    case Cls::kDate:
      return "CAST(" + c + " AS CHAR)";
    case Cls::kFloat:
      return "CAST(CAST(" + c + " AS DOUBLE) AS CHAR)";
    case Cls::kText:
      return "HEX(CONVERT(" + c + " USING utf8mb4))";
    case Cls::kBytes:
      return "HEX(" + c + ")";
    case Cls::kTime:
      return "CAST(TIME_TO_SEC(" + c + ") * 1000000 AS SIGNED)";
    case Cls::kTimestamp:
    case Cls::kTsTz:  // TIMESTAMP read in the session's UTC; DATETIME holds UTC wall time
      return "DATE_FORMAT(" + c + ", '%Y-%m-%d %H:%i:%s.%f')";
  }
  return c;
}

// Read through the SQLite library (SqliteQuery), which gives doubles exactly (the sqlite3 shell's
// printf does not); so a float is selected as it is stored.
std::string SqliteExpr(Cls cls, const std::string& c) {
  switch (cls) {
    case Cls::kFloat:
      return c;
    case Cls::kText:
    case Cls::kBytes:
      return "CASE WHEN " + c + " IS NOT NULL THEN hex(" + c + ") END";  // hex(NULL) is ''
    default:
      return "CAST(" + c + " AS TEXT)";
  }
}

std::string SelectSql(ZooEngine e, const std::vector<const ZooColumn*>& cols) {
  std::string sql = Preamble(e);
  switch (e) {
    case ZooEngine::kPostgres:
      sql += "SELECT concat_ws(',', id::text";
      for (const ZooColumn* c : cols)
        sql += ", coalesce('V' || " + PgExpr(c->cls, c->name) + ", 'N')";
      return sql + ") FROM " + TableOf(e) + " ORDER BY id;";
    case ZooEngine::kMariaDb:
      sql += "SELECT CONCAT_WS(',', id";
      for (const ZooColumn* c : cols)
        sql += ", IFNULL(CONCAT('V', " + MariaExpr(c->cls, c->name) + "), 'N')";
      return sql + ") FROM " + TableOf(e) + " ORDER BY id;";
    case ZooEngine::kSqlite:  // one cell per column; ReadZoo adds the N / V markers
      sql += "SELECT id";
      for (const ZooColumn* c : cols) sql += ", " + SqliteExpr(c->cls, c->name);
      return sql + " FROM " + TableOf(e) + " ORDER BY id;";
  }
  return sql;
}

// ---------------------------------------------------------------------------------------------
// Canonical values: the read text with the clients' spelling undone, nothing else.

struct Cell {
  bool null = true;
  std::string v;
  bool operator==(const Cell& o) const { return null == o.null && v == o.v; }
};

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// "-0012.3400" -> "-12.34"; "-0.000" -> "0". Every client prints a DECIMAL with its scale.
std::string PlainDecimal(std::string s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg || (!s.empty() && s[0] == '+')) s.erase(0, 1);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  size_t first = s.find_first_not_of('0');
  s = first == std::string::npos ? "0" : s.substr(first);
  if (s[0] == '.') s = "0" + s;
  return neg && s != "0" ? "-" + s : s;
}

// The exact double, spelled one way ("%.17g": -0 keeps its sign; NaN and infinities by name).
std::string PlainFloat(const std::string& text) {
  double d = std::strtod(text.c_str(), nullptr);
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

// Reads `n` digits at `pos`; -1 if they are not there.
long long DigitsAt(const std::string& t, size_t& pos, size_t n) {
  if (pos + n > t.size()) return -1;
  long long v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (t[pos + i] < '0' || t[pos + i] > '9') return -1;
    v = v * 10 + (t[pos + i] - '0');
  }
  pos += n;
  return v;
}

// ".f{1,6}" at `pos` as microseconds (0 when absent).
long long FractionAt(const std::string& t, size_t& pos) {
  if (pos >= t.size() || t[pos] != '.') return 0;
  long long us = 0;
  size_t n = 0;
  for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos, ++n)
    if (n < 6) us = us * 10 + (t[pos] - '0');
  for (; n < 6; ++n) us *= 10;
  return us;
}

// A time of day or duration as microseconds. PostgreSQL and MariaDB are read as microseconds
// already; SQLite stores ISO text "[-]H+:MM:SS[.ffffff]".
std::string PlainTime(const std::string& t) {
  size_t colon = t.find(':');
  if (colon == std::string::npos) return t;
  bool neg = t[0] == '-';
  long long h = std::atoll(t.c_str() + (neg ? 1 : 0));
  size_t pos = colon + 1;
  long long m = DigitsAt(t, pos, 2),
            s = pos < t.size() && t[pos] == ':' ? (++pos, DigitsAt(t, pos, 2)) : 0;
  long long us = ((h * 60 + m) * 60 + s) * 1000000 + FractionAt(t, pos);
  return std::to_string(neg ? -us : us);
}

// A timestamp as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC. PostgreSQL and MariaDB are read so
// already; SQLite stores ISO text with 'T' or ' ', optional seconds and fraction, and for
// timestamptz an optional "Z" or "±HH[:MM]" offset (the same instant in another zone).
std::string PlainTimestamp(const std::string& t) {
  size_t pos = 0;
  long long y = DigitsAt(t, pos, 4);
  long long mo = (++pos, DigitsAt(t, pos, 2)), d = (++pos, DigitsAt(t, pos, 2));
  long long h = 0, mi = 0, s = 0, us = 0;
  if (pos < t.size() && (t[pos] == ' ' || t[pos] == 'T')) {
    h = (++pos, DigitsAt(t, pos, 2));
    mi = (++pos, DigitsAt(t, pos, 2));
    if (pos < t.size() && t[pos] == ':') s = (++pos, DigitsAt(t, pos, 2));
    us = FractionAt(t, pos);
  }
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return "unparsed: " + t;
  long long offset_min = 0;
  if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int sign = t[pos++] == '-' ? -1 : 1;
    long long oh = DigitsAt(t, pos, 2), om = 0;
    if (pos < t.size() && t[pos] == ':') ++pos;
    if (pos < t.size()) om = DigitsAt(t, pos, 2);
    offset_min = sign * (oh * 60 + om);
  }
  if (offset_min != 0) {  // to UTC through the C library's own calendar (glibc: proleptic)
    std::tm tm{};
    tm.tm_year = static_cast<int>(y - 1900);
    tm.tm_mon = static_cast<int>(mo - 1);
    tm.tm_mday = static_cast<int>(d);
    tm.tm_hour = static_cast<int>(h);
    tm.tm_min = static_cast<int>(mi);
    tm.tm_sec = static_cast<int>(s);
    time_t at = timegm(&tm) - offset_min * 60;
    gmtime_r(&at, &tm);
    y = tm.tm_year + 1900, mo = tm.tm_mon + 1, d = tm.tm_mday;
    h = tm.tm_hour, mi = tm.tm_min, s = tm.tm_sec;
  }
  char buf[192];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%06lld", y, mo, d, h,
                mi, s, us);
  return buf;
}

Cell Canonical(Cls cls, const std::string& field) {
  if (field == "N") return {};
  std::string text = field.substr(1);
  switch (cls) {
    case Cls::kText:
    case Cls::kBytes:
      return {false, Unhex(text)};
    case Cls::kDecimal:
      return {false, PlainDecimal(text)};
    case Cls::kFloat:
      return {false, PlainFloat(text)};
    case Cls::kBool:
      return {false, text == "t" || text == "true"    ? "1"
                     : text == "f" || text == "false" ? "0"
                                                      : text};
    case Cls::kTime:
      return {false, PlainTime(text)};
    case Cls::kTimestamp:
    case Cls::kTsTz:
      return {false, PlainTimestamp(text)};
    default:
      return {false, text};
  }
}

// Rounds plain decimal text half away from zero to `scale` fraction digits.
std::string RoundHalfAwayFromZero(const std::string& plain, size_t scale) {
  size_t dot = plain.find('.');
  if (dot == std::string::npos || plain.size() - dot - 1 <= scale) return plain;
  bool round_up = plain[dot + 1 + scale] >= '5';
  std::string kept = plain.substr(0, dot + 1 + scale);  // sign, integer digits, '.', digits
  for (size_t i = kept.size(); round_up && i-- > 0;) {
    if (kept[i] == '.') continue;
    if (kept[i] == '-') {
      kept.insert(i + 1, "1");
      round_up = false;
    } else if (kept[i] == '9') {
      kept[i] = '0';
    } else {
      ++kept[i];
      round_up = false;
    }
  }
  if (round_up) kept.insert(0, "1");
  return PlainDecimal(kept);
}

bool IsZeroDate(const std::string& v) {  // "0000-00-00...", or a zero month or day
  return v.size() >= 10 &&
         (v.compare(0, 4, "0000") == 0 || v.compare(5, 2, "00") == 0 || v.compare(8, 2, "00") == 0);
}

// The one place each rule of docs/types.md ("Lossy rules", L1-L7) is applied, to the source's
// canonical value.
Cell Apply(Rule rule, Cell c) {
  if (c.null) return c;
  switch (rule) {
    case Rule::kCharTrailingSpaces:  // docs/types.md L1: char(n) -> MariaDB CHAR(n)
      while (!c.v.empty() && c.v.back() == ' ') c.v.pop_back();
      return c;
    case Rule::kNonFiniteFloatNull:  // docs/types.md L2: NaN, ±Infinity -> NULL on MariaDB
      if (c.v == "NaN" || c.v == "Infinity" || c.v == "-Infinity") return {};
      return c;
    case Rule::kNaNNull:  // docs/types.md L3: NaN -> NULL on SQLite
      if (c.v == "NaN") return {};
      return c;
    case Rule::kMinusZero:  // docs/types.md L4: -0 -> +0 on MariaDB and SQLite
      if (c.v == "-0") c.v = "0";
      return c;
    case Rule::kRoundDecimal30:  // docs/types.md L5: rounded half away from zero to 30 digits
      c.v = RoundHalfAwayFromZero(c.v, 30);
      return c;
    case Rule::kUtcWallTime:   // docs/types.md L6: the instant as UTC wall time. Both sides are
      return c;                // already read as UTC wall time (PgExpr, MariaExpr): nothing to do
    case Rule::kZeroDateNull:  // docs/types.md L7: MariaDB zero dates -> NULL
      return IsZeroDate(c.v) ? Cell{} : c;
  }
  return c;
}

std::string PairKey(ZooEngine s, ZooEngine t) {
  return std::string(ZooEngineName(s)) + ">" + ZooEngineName(t);
}

const std::vector<Rule>* RulesFor(const ZooColumn& c, ZooEngine s, ZooEngine t) {
  std::string key = PairKey(s, t);
  for (const PairRules& r : c.rules)
    if (key == r.pair) return &r.rules;
  return nullptr;
}

const char* RuleName(Rule r) {
  switch (r) {
    case Rule::kCharTrailingSpaces:
      return "L1 char trailing spaces";
    case Rule::kNonFiniteFloatNull:
      return "L2 NaN/Infinity -> NULL";
    case Rule::kNaNNull:
      return "L3 NaN -> NULL";
    case Rule::kMinusZero:
      return "L4 -0 -> 0";
    case Rule::kRoundDecimal30:
      return "L5 rounded to 30 digits";
    case Rule::kUtcWallTime:
      return "L6 UTC wall time";
    case Rule::kZeroDateNull:
      return "L7 zero date -> NULL";
  }
  return "?";
}

using SqliteRows = std::vector<std::vector<std::optional<std::string>>>;

// Runs every statement of `sql` on the SQLite file through the SQLite library (busy timeout 10 s,
// so it waits for the engine's transactions); returns the rows of the last statement that had
// any. Cells: NULL as nullopt, doubles as "%.17g" (exact), integers in decimal, text and blobs as
// their bytes.
Result<SqliteRows> SqliteQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable("cannot open " + path + ": " + m);
  }
  sqlite3_busy_timeout(db, 10000);
  SqliteRows rows;
  const char* next = sql.c_str();
  Status failed;
  while (*next && failed.ok()) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, next, -1, &st, &next) != SQLITE_OK) {
      failed = Internal(std::string("sqlite: ") + sqlite3_errmsg(db));
      break;
    }
    if (!st) continue;  // whitespace or a comment
    SqliteRows these;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      auto& row = these.emplace_back();
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_NULL:
            row.emplace_back();
            break;
          case SQLITE_FLOAT: {
            char buf[40];
            std::snprintf(buf, sizeof buf, "%.17g", sqlite3_column_double(st, i));
            row.emplace_back(buf);
            break;
          }
          default: {
            const void* p = sqlite3_column_blob(st, i);
            row.emplace_back(std::string(static_cast<const char*>(p), sqlite3_column_bytes(st, i)));
            break;
          }
        }
      }
    }
    if (rc != SQLITE_DONE) failed = Internal(std::string("sqlite: ") + sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (!these.empty()) rows = std::move(these);
  }
  sqlite3_close(db);
  if (!failed.ok()) return failed.WithContext(path);
  return rows;
}

// Rows by id: the raw fields of each row, or an "error: ..." description.
std::map<long long, std::vector<std::string>> ReadZoo(const ZooEndpoint& side,
                                                      const std::vector<const ZooColumn*>& cols,
                                                      std::string& error) {
  std::map<long long, std::vector<std::string>> rows;
  if (side.engine == ZooEngine::kSqlite) {
    auto q = SqliteQuery(side.sqlite_path, SelectSql(side.engine, cols));
    if (!q.ok()) {
      error = "error reading sqlite: " + q.status().message();
      return rows;
    }
    for (auto& cells : *q) {
      std::vector<std::string> fields;
      for (size_t i = 1; i < cells.size(); ++i) fields.push_back(cells[i] ? "V" + *cells[i] : "N");
      rows[std::atoll(cells[0].value_or("").c_str())] = std::move(fields);
    }
    return rows;
  }
  auto r = side.Sql(SelectSql(side.engine, cols));
  if (!r.ok()) {
    const std::string& m = r.status().message();  // the client's error comes last
    error = "error reading " + std::string(ZooEngineName(side.engine)) + ": " +
            (m.size() > 400 ? "..." + m.substr(m.size() - 400) : m);
    return rows;
  }
  std::istringstream lines(*r);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::istringstream f(line);
    for (std::string field; std::getline(f, field, ',');) fields.push_back(field);
    if (fields.size() != cols.size() + 1) {
      error = "unexpected row from " + std::string(ZooEngineName(side.engine)) + ": " +
              line.substr(0, 200);
      return rows;
    }
    long long id = std::atoll(fields[0].c_str());
    fields.erase(fields.begin());
    rows[id] = std::move(fields);
  }
  return rows;
}

std::string Shown(const Cell& c) {
  if (c.null) return "NULL";
  std::string out = "'";
  for (unsigned char ch : c.v.substr(0, 60))
    out += ch >= 0x20 && ch < 0x7f ? std::string(1, static_cast<char>(ch))
                                   : "\\x" + Hex(std::string(1, static_cast<char>(ch)));
  if (c.v.size() > 60) out += "...(" + std::to_string(c.v.size()) + " bytes)";
  return out + "'";
}

}  // namespace

const char* ZooEngineName(ZooEngine e) {
  switch (e) {
    case ZooEngine::kPostgres:
      return "pg";
    case ZooEngine::kMariaDb:
      return "mariadb";
    case ZooEngine::kSqlite:
      return "sqlite";
  }
  return "?";
}

std::string ZooEndpoint::uri() const {
  return engine == ZooEngine::kSqlite ? "sqlite://" + sqlite_path : server->uri();
}

std::string ZooEndpoint::table() const {
  return TableOf(engine);
}

std::string ZooEndpoint::logged_table() const {
  switch (engine) {
    case ZooEngine::kPostgres:
      return "public.zoo";
    case ZooEngine::kMariaDb:
      return "cutover.zoo";
    case ZooEngine::kSqlite:
      return "main.zoo";
  }
  return "zoo";
}

Result<std::string> ZooEndpoint::Sql(const std::string& sql) const {
  if (engine != ZooEngine::kSqlite) return server->Sql(sql);
  ASSIGN_OR_RETURN(SqliteRows rows, SqliteQuery(sqlite_path, sql));
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i].value_or("");
    out += "\n";
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

int ZooRowCount() {
  return kEdgeRows + 1;
}

std::string ZooCreateSql(ZooEngine e) {
  std::string sql = Preamble(e) + "CREATE TABLE " + TableOf(e) + " (id " +
                    (e == ZooEngine::kSqlite ? "INTEGER" : "int") + " PRIMARY KEY";
  for (const ZooColumn* c : ColumnsOf(e))
    sql += std::string(", ") + c->name + " " + c->type[Index(e)];
  sql += e == ZooEngine::kMariaDb ? ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n" : ");\n";
  for (int row = 0; row <= kEdgeRows; ++row) sql += InsertRow(e, row + 1, row);
  return sql;
}

std::string ZooCdcSql(ZooEngine e) {
  std::string begin = e == ZooEngine::kMariaDb ? "START TRANSACTION;\n" : "BEGIN;\n";
  std::string sql = Preamble(e);
  // Every edge row again, one transaction each (the 1 MiB value once more).
  for (int row = 0; row <= kEdgeRows; ++row) sql += InsertRow(e, 101 + row, row);
  // Every column of some rows: to other edge values, from NULL, to NULL; in one transaction.
  sql += begin;
  sql += UpdateRow(e, 1, 2);          // minimums -> zeros and empties
  sql += UpdateRow(e, 6, 0);          // all NULL -> minimums
  sql += UpdateRow(e, 3, kEdgeRows);  // zeros -> all NULL
  sql += UpdateRow(e, 102, 3);        // maximums -> specials
  sql += UpdateRow(e, 104, 1);        // specials -> maximums
  sql += "COMMIT;\n";
  // One column of the 1 MiB row (PostgreSQL sends its text as an unchanged TOAST value).
  sql += "UPDATE " + TableOf(e) + " SET i64 = 42 WHERE id = 5;\n";
  sql += "UPDATE " + TableOf(e) + " SET id = 40 WHERE id = 4;\n";  // a key change
  sql += "DELETE FROM " + TableOf(e) + " WHERE id IN (2, 103);\n";
  return sql;
}

std::string ZooSecondCdcSql(ZooEngine e) {
  std::string begin = e == ZooEngine::kMariaDb ? "START TRANSACTION;\n" : "BEGIN;\n";
  std::string sql = Preamble(e) + begin;
  sql += UpdateRow(e, 6, 3);           // minimums -> specials
  sql += UpdateRow(e, 40, kEdgeRows);  // specials -> all NULL
  sql += UpdateRow(e, 3, 1);           // all NULL -> maximums
  sql += InsertRow(e, 200, 2);
  sql += "DELETE FROM " + TableOf(e) + " WHERE id = 1;\n";
  sql += "COMMIT;\n";
  sql += UpdateRow(e, 101, 4);  // another 1 MiB value, in a transaction of its own
  return sql;
}

int ZooRowCountAfterCdc() {
  return 2 * ZooRowCount() - 2;  // ZooCdcSql: 6 inserted, 2 deleted; ZooSecondCdcSql: +1 -1
}

namespace {

// Compares rows read from the source with rows of a copy; `rules_target`: the copy's engine,
// whose documented lossy rules apply, or nullptr (files keep every value as it is).
std::string CompareRows(ZooEngine source_engine, const ZooEngine* rules_target,
                        const std::vector<const ZooColumn*>& cols,
                        const std::map<long long, std::vector<std::string>>& src,
                        const std::map<long long, std::vector<std::string>>& dst) {
  std::ostringstream diff;
  int shown = 0;
  auto note = [&](const std::string& s) {
    if (shown++ < 8) diff << s << "\n";
  };
  for (const auto& [id, fields] : src)
    if (!dst.count(id)) note("row id=" + std::to_string(id) + ": missing on the target");
  for (const auto& [id, fields] : dst)
    if (!src.count(id)) note("row id=" + std::to_string(id) + ": extra on the target");
  for (const auto& [id, s] : src) {
    auto it = dst.find(id);
    if (it == dst.end()) continue;
    for (size_t i = 0; i < cols.size(); ++i) {
      Cell expected = Canonical(cols[i]->cls, s[i]);
      std::string applied;
      if (const auto* rules =
              rules_target ? RulesFor(*cols[i], source_engine, *rules_target) : nullptr) {
        for (Rule r : *rules) {
          expected = Apply(r, expected);
          applied += std::string(applied.empty() ? " (rules: " : ", ") + RuleName(r);
        }
        if (!applied.empty()) applied += ")";
      }
      Cell got = Canonical(cols[i]->cls, it->second[i]);
      if (!(expected == got)) {
        note("row id=" + std::to_string(id) + " column " + cols[i]->name + ": source " +
             Shown(Canonical(cols[i]->cls, s[i])) + ", expected " + Shown(expected) + applied +
             ", target " + Shown(got));
      }
    }
  }
  if (shown > 8) diff << "... " << shown - 8 << " more\n";
  return diff.str();
}

}  // namespace

std::string CompareZoo(const ZooEndpoint& source, const ZooEndpoint& target) {
  std::vector<const ZooColumn*> cols = ColumnsOf(source.engine);
  std::string error;
  auto src = ReadZoo(source, cols, error);
  if (!error.empty()) return error;
  auto dst = ReadZoo(target, cols, error);
  if (!error.empty()) return error;
  return CompareRows(source.engine, &target.engine, cols, src, dst);
}

std::vector<std::string> ZooColumnNames(ZooEngine engine) {
  std::vector<std::string> out;
  for (const ZooColumn* c : ColumnsOf(engine)) out.push_back(c->name);
  return out;
}

std::string CompareZooWithTexts(
    const ZooEndpoint& source,
    const std::map<long long, std::vector<std::optional<std::string>>>& rows) {
  std::vector<const ZooColumn*> cols = ColumnsOf(source.engine);
  std::string error;
  auto src = ReadZoo(source, cols, error);
  if (!error.empty()) return error;
  std::map<long long, std::vector<std::string>> dst;
  for (const auto& [id, texts] : rows) {
    if (texts.size() != cols.size()) return "row id=" + std::to_string(id) + ": wrong field count";
    std::vector<std::string> fields;
    for (size_t i = 0; i < cols.size(); ++i)
      fields.push_back(!texts[i]                    ? "N"
                       : cols[i]->cls == Cls::kText ? "V" + Hex(*texts[i])
                                                    : "V" + *texts[i]);
    dst[id] = std::move(fields);
  }
  return CompareRows(source.engine, nullptr, cols, src, dst);
}

std::string WaitZooEqual(const ZooEndpoint& source, const ZooEndpoint& target,
                         std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string diff = CompareZoo(source, target);
    if (diff.empty() || std::chrono::steady_clock::now() >= deadline) return diff;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

std::vector<std::string> ZooAnnouncedColumns(ZooEngine source, ZooEngine target) {
  std::vector<std::string> out;
  for (const ZooColumn* c : ColumnsOf(source))
    if (RulesFor(*c, source, target)) out.push_back(c->name);
  return out;
}

namespace {

// docs/types.md: L6 changes every value of its columns (announced at start); the zoo's other
// rules change only some values (announced when a value hits them).
bool TypeLevel(Rule r) {
  return r == Rule::kUtcWallTime;
}

std::string RuleId(Rule r) {
  std::string name = RuleName(r);
  return name.substr(0, name.find(' '));
}

}  // namespace

std::string CheckZooWarnings(const std::string& log, const ZooEndpoint& source, ZooEngine target,
                             bool first_run) {
  // Warning lines look like "12:00:00.000Z warn  table public.zoo: column f4: L2 ..." (a value
  // hit a rule) or "... table public.zoo: column ts (...): L6, ..." (a type-level rule).
  std::map<std::pair<std::string, std::string>, int> warned;  // (column, rule id) -> lines
  std::string marker = "table " + source.logged_table() + ": column ";
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" warn ") == std::string::npos) continue;
    size_t at = line.find(marker);
    if (at == std::string::npos) continue;
    size_t start = at + marker.size();
    size_t end = line.find_first_of(": (", start);
    std::string column = line.substr(start, end == std::string::npos ? 0 : end - start);
    std::string id = "?";
    for (size_t p = line.find('L', end); p != std::string::npos; p = line.find('L', p + 1)) {
      size_t q = p + 1;
      while (q < line.size() && std::isdigit(static_cast<unsigned char>(line[q]))) ++q;
      bool word = (p == 0 || !std::isalnum(static_cast<unsigned char>(line[p - 1]))) &&
                  (q == line.size() || !std::isalnum(static_cast<unsigned char>(line[q])));
      if (q > p + 1 && word) {
        id = line.substr(p, q - p);
        break;
      }
    }
    ++warned[{column, id}];
  }
  // Which (column, rule) the source's current rows hit: Apply changes a value.
  std::vector<const ZooColumn*> cols = ColumnsOf(source.engine);
  std::string error;
  auto rows = ReadZoo(source, cols, error);
  if (!error.empty()) return "reading the source: " + error;
  std::string problems;
  std::set<std::pair<std::string, std::string>> expected;
  for (size_t i = 0; i < cols.size(); ++i) {
    const auto* rules = RulesFor(*cols[i], source.engine, target);
    if (!rules) continue;
    for (Rule r : *rules) {
      std::pair<std::string, std::string> key{cols[i]->name, RuleId(r)};
      expected.insert(key);
      bool hit = false;
      for (const auto& [id, fields] : rows) {
        Cell c = Canonical(cols[i]->cls, fields[i]);
        if (!(Apply(r, c) == c)) hit = true;
      }
      int n = warned.count(key) ? warned[key] : 0;
      std::string what = "column " + key.first + " rule " + key.second + ": announced " +
                         std::to_string(n) + " times";
      if (TypeLevel(r) && n != 1) {
        problems += what + ", expected once at start (a type-level rule)\n";
      } else if (!TypeLevel(r) && n > 1) {
        problems += what + ", expected at most once per run\n";
      } else if (!TypeLevel(r) && first_run && hit && n != 1) {
        problems += what + ", but the source holds a value it changes (expected once)\n";
      }
    }
  }
  for (const auto& [key, n] : warned)
    if (!expected.count(key))
      problems += "column " + key.first + " rule " + key.second + ": announced " +
                  std::to_string(n) + " times, but the zoo expects it to arrive exactly\n";
  return problems;
}

}  // namespace cutover::testing
