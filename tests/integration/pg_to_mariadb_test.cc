// PostgreSQL -> MariaDB replication against real throwaway servers, driving the real `cutover`
// binary.
//
// Equality is checked independently of the engine: each side renders every column in SQL to a
// canonical text (the PostgreSQL and MariaDB expressions are written here, per column kind), and
// the only normalisations are the lossy rules of docs/types.md: unconstrained numeric rounded to
// 30 fraction digits, char(n) without trailing spaces, timestamptz as UTC wall time, floats
// compared as IEEE doubles with NaN/Infinity -> NULL and -0 -> 0. Tables without floats are
// compared by row count plus a sum of per-row MD5 prefixes computed by each server; tables with
// floats (and any table that differs, for the message) are fetched row by row.
#include <signal.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// Column kinds of the comparison, each with its canonical text on both sides.
enum class K {
  kNum,      // integers and exact decimals: their decimal text
  kBool,     // 1 / 0
  kNumeric,  // unconstrained numeric -> DECIMAL(65,30): rounded to 30 fraction digits
  kFloat,    // compared as doubles (NaN/Infinity -> NULL, -0 -> 0)
  kText,     // text, varchar, json, kOther: exact
  kChar,     // char(n): without trailing spaces
  kBytes,    // hex
  kDate,
  kTime,  // microseconds
  kTs,    // timestamp: YYYY-MM-DD HH:MM:SS.ffffff
  kTsTz,  // timestamptz: the same, in UTC
  kUuid,
};

struct Col {
  std::string name;
  K kind;
};

struct Table {
  std::string pg;                // schema.table on PostgreSQL
  std::string maria;             // table in the MariaDB target database
  std::vector<std::string> key;  // key column names
  std::vector<Col> cols;
};

std::string PgExpr(const Col& c) {
  const std::string& n = c.name;
  switch (c.kind) {
    case K::kNum:
      return n + "::text";
    case K::kBool:
      return n + "::int::text";
    case K::kNumeric:
      return "round(" + n + ", 30)::text";
    case K::kFloat:
      return n + "::float8::text";
    case K::kText:
      // The output function (inet::text would add a netmask); format() turns NULL into ''.
      return "CASE WHEN " + n + " IS NOT NULL THEN format('%s', " + n + ") END";
    case K::kChar:
      return "rtrim(" + n + ")";
    case K::kBytes:
      return "encode(" + n + ", 'hex')";
    case K::kDate:
      return n + "::text";
    case K::kTime:
      return "(extract(epoch from " + n + ") * 1000000)::bigint::text";
    case K::kTs:
      return "to_char(" + n + ", 'YYYY-MM-DD HH24:MI:SS.US')";
    case K::kTsTz:
      return "to_char(" + n + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
    case K::kUuid:
      return n + "::text";
  }
  return n;
}

std::string MariaExpr(const Col& c) {
  std::string n = "`" + c.name + "`";
  switch (c.kind) {
    case K::kNum:
    case K::kBool:
    case K::kNumeric:
    case K::kDate:
    case K::kUuid:
      return "CAST(" + n + " AS CHAR)";
    case K::kFloat:
      return "CAST(CAST(" + n + " AS DOUBLE) AS CHAR)";
    case K::kText:
    case K::kChar:
      return n;
    case K::kBytes:
      return "LOWER(HEX(" + n + "))";
    case K::kTime:
      return "CAST(HOUR(" + n + ") * 3600000000 + MINUTE(" + n + ") * 60000000 + SECOND(" + n +
             ") * 1000000 + MICROSECOND(" + n + ") AS CHAR)";
    case K::kTs:
    case K::kTsTz:
      return "DATE_FORMAT(" + n + ", '%Y-%m-%d %H:%i:%s.%f')";
  }
  return n;
}

// ORDER BY list: byte order on both sides (MariaDB text keys use utf8mb4_nopad_bin).
std::string KeyList(const Table& t, bool maria) {
  std::string s;
  for (const auto& k : t.key) {
    bool text = false;
    for (const Col& c : t.cols) text |= c.name == k && c.kind == K::kText;
    s += (s.empty() ? "" : ", ") + (maria ? "`" + k + "`" : k + (text ? " COLLATE \"C\"" : ""));
  }
  return s;
}

// One line per row: every column as N (NULL) or V<hex of its canonical text>, comma-separated.
std::vector<std::string> FetchRows(const harness::ThrowawayServer& server, const Table& t) {
  bool maria = server.kind() == harness::ServerKind::kMariaDb;
  std::string sql = "SELECT concat_ws(',', ";
  for (size_t i = 0; i < t.cols.size(); ++i) {
    if (i) sql += ", ";
    if (maria) {
      std::string e = MariaExpr(t.cols[i]);
      sql += "IF((" + e + ") IS NULL, 'N', CONCAT('V', LOWER(HEX(" + e + "))))";
    } else {
      std::string e = PgExpr(t.cols[i]);
      sql += "CASE WHEN (" + e + ") IS NULL THEN 'N' ELSE 'V' || encode(convert_to(" + e +
             ", 'UTF8'), 'hex') END";
    }
  }
  sql += ") FROM " + (maria ? "`" + t.maria + "`" : t.pg) + " ORDER BY " + KeyList(t, maria);
  auto r = server.Sql(sql);
  if (!r.ok()) return {"ERROR: " + r.status().ToString()};
  std::vector<std::string> rows;
  std::stringstream ss(*r);
  for (std::string line; std::getline(ss, line);) rows.push_back(line);
  return rows;
}

std::string Unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

// The canonical value of one fetched field under the lossy rules; "N" for NULL.
std::string Canonical(const std::string& field, K kind) {
  if (field == "N") return field;
  std::string text = Unhex(field.substr(1));
  if (kind != K::kFloat) return "V" + text;
  if (text == "NaN" || text == "Infinity" || text == "-Infinity") return "N";
  double d = std::strtod(text.c_str(), nullptr);
  if (d == 0) d = 0;  // -0 -> 0
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return "D" + std::to_string(bits);
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string f; std::getline(ss, f, ',');) out.push_back(f);
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

// "" when equal, else the first difference.
std::string CompareRows(const harness::ThrowawayServer& pg, const harness::ThrowawayServer& maria,
                        const Table& t) {
  std::vector<std::string> a = FetchRows(pg, t), b = FetchRows(maria, t);
  for (size_t r = 0; r < std::min(a.size(), b.size()); ++r) {
    if (a[r] == b[r]) continue;
    std::vector<std::string> fa = Split(a[r]), fb = Split(b[r]);
    if (fa.size() != t.cols.size() || fb.size() != t.cols.size())
      return t.pg + " row " + std::to_string(r) + ": " + a[r].substr(0, 200) + " vs " +
             b[r].substr(0, 200);
    for (size_t c = 0; c < t.cols.size(); ++c) {
      std::string va = Canonical(fa[c], t.cols[c].kind), vb = Canonical(fb[c], t.cols[c].kind);
      if (va != vb)
        return t.pg + " row " + std::to_string(r) + " column " + t.cols[c].name + ": source " +
               va.substr(0, 120) + " target " + vb.substr(0, 120);
    }
  }
  if (a.size() != b.size())
    return t.pg + ": " + std::to_string(a.size()) + " source rows, " + std::to_string(b.size()) +
           " target rows";
  return "";
}

// count:sum of the first 60 bits of each row's MD5, computed by the server itself.
std::string Fingerprint(const harness::ThrowawayServer& server, const Table& t) {
  bool maria = server.kind() == harness::ServerKind::kMariaDb;
  std::string row;
  for (size_t i = 0; i < t.cols.size(); ++i) {
    if (maria) {
      row +=
          (i ? ", " : "") + std::string("COALESCE(CONCAT('V', ") + MariaExpr(t.cols[i]) + "), 'N')";
    } else {
      row += (i ? ", " : "") + std::string("coalesce('V' || ") + PgExpr(t.cols[i]) + ", 'N')";
    }
  }
  std::string sql =
      maria ? "SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CAST(CONV(SUBSTR(MD5(CONCAT_WS('|', " +
                  row + ")), 1, 15), 16, 10) AS UNSIGNED)), 0)) FROM `" + t.maria + "`"
            : "SELECT count(*) || ':' || coalesce(sum(('x' || substr(md5(concat_ws('|', " + row +
                  ")), 1, 15))::bit(60)::bigint), 0) FROM " + t.pg;
  auto r = server.Sql(sql);
  return r.ok() ? *r : "ERROR: " + r.status().ToString();
}

bool HasFloats(const Table& t) {
  for (const Col& c : t.cols)
    if (c.kind == K::kFloat) return true;
  return false;
}

std::string Difference(const harness::ThrowawayServer& pg, const harness::ThrowawayServer& maria,
                       const std::vector<Table>& tables) {
  for (const Table& t : tables) {
    if (!HasFloats(t) && Fingerprint(pg, t) == Fingerprint(maria, t)) continue;
    std::string d = CompareRows(pg, maria, t);
    if (!d.empty()) return d;
  }
  return "";
}

std::string WaitSame(const harness::ThrowawayServer& pg, const harness::ThrowawayServer& maria,
                     const std::vector<Table>& tables, std::chrono::seconds timeout) {
  std::string last;
  Eventually(
      [&] {
        last = Difference(pg, maria, tables);
        return last.empty();
      },
      timeout);
  return last;
}

// ---------------------------------------------------------------------------------------------

// The rich-types table: every PostgreSQL type of docs/types.md with edge values MariaDB can hold.
constexpr const char* kTypesDdl = R"sql(
CREATE TABLE SCHEMA_.types (
  id int PRIMARY KEY, b boolean, i2 smallint, i4 int, i8 bigint, n numeric, n2 numeric(38,10),
  f4 real, f8 double precision, t text, vc varchar(10), c char(5), by bytea, d date, tm time,
  ts timestamp, tstz timestamptz, j json, jb jsonb, u uuid, arr int[], iv interval, addr inet);
)sql";

constexpr const char* kTypesRows = R"sql(
INSERT INTO SCHEMA_.types VALUES
 (1, true, 32767, 2147483647, 9223372036854775807, 12345678901234567890123456789012345.123456789,
  -1234567890123456789012345678.1234567891, 3.4028235e38, 1.7976931348623157e308,
  'plain', 'ten chars.', 'ab', '\x00ff00', '0001-01-01', '23:59:59.999999',
  '0001-01-01 00:00:00', '2000-01-01 00:00:00.123456+05:30', '{"a": 1, "a": 2}',
  '{"b": [1, 2.50, null], "a": "x"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}',
  '1 year 2 mons -3 days 04:05:06.789', '10.1.2.3/8'),
 (2, false, -32768, -2147483648, -9223372036854775808, 0.1234567890123456789012345678905,
  0.0000000001, '-0', '-0', '', '', '', '\x', '9999-12-31', '24:00:00',
  '9999-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', 'null', '[]',
  '00000000-0000-0000-0000-000000000000', '{}', '0', '::1'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN', 'Infinity', E'tab\there\nnewline\\back \\N',
  'trailing  ', NULL, NULL, NULL, NULL, '1969-12-31 23:59:59.999999', NULL, NULL, NULL, NULL,
  NULL, NULL, NULL),
 (4, true, 0, 0, 0, -0.5, 5, 1e-30, 5e-324, '𝄞 four-byte 😀 utf8 '' " `', '\N', '😀', '\x5c4e',
  '1970-01-01', '00:00:00', '2038-01-19 03:14:08', '2262-04-11 23:47:16.854775+00',
  '"just a string"', '{"nested": {"deep": [true, false]}}', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '{{1,2},{3,4}}', '-178000000 years', '2001:db8::1'),
 (5, false, 1, 1, 1, -0.0000000000000000000000000000005, -0.0000000001, '-Infinity', 1e-300,
  repeat('x', 100000), NULL, 'x', decode(repeat('00ff0a095c', 5000), 'hex'), '2024-02-29',
  '12:00:00.5', '2024-02-29 12:00:00.5', '2024-02-29 12:00:00.5-08', '{}', '{}', NULL, NULL, NULL,
  NULL);
)sql";

std::string InSchema(std::string sql, const std::string& schema) {
  for (size_t p = 0; (p = sql.find("SCHEMA_", p)) != std::string::npos; p += schema.size())
    sql.replace(p, 7, schema);
  return sql;
}

Table TypesTable(const std::string& schema) {
  return {schema + ".types",
          "types",
          {"id"},
          {{"id", K::kNum},    {"b", K::kBool},    {"i2", K::kNum},   {"i4", K::kNum},
           {"i8", K::kNum},    {"n", K::kNumeric}, {"n2", K::kNum},   {"f4", K::kFloat},
           {"f8", K::kFloat},  {"t", K::kText},    {"vc", K::kText},  {"c", K::kChar},
           {"by", K::kBytes},  {"d", K::kDate},    {"tm", K::kTime},  {"ts", K::kTs},
           {"tstz", K::kTsTz}, {"j", K::kText},    {"jb", K::kText},  {"u", K::kUuid},
           {"arr", K::kText},  {"iv", K::kText},   {"addr", K::kText}}};
}

class PgToMaria : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartPostgres("src");
    auto m = harness::ThrowawayServer::Start(harness::ServerKind::kMariaDb, "tgt");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    target_ = std::move(m).value();
    ASSERT_TRUE(source_ && target_);
  }

  std::vector<std::string> Replicate(const std::string& task, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "replicate", "--source", source_->uri(), "--target", target_->uri(), "--task", task};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::string MSql(const std::string& sql) { return Sql(*target_, sql); }

  int LoadedTables(const std::string& task) {
    auto r = target_->Sql("SELECT count(*) FROM _cutover_table_state WHERE task = '" + task + "'");
    return r.ok() ? std::atoi(r->c_str()) : -1;
  }

  bool WaitLoaded(const std::string& task, int n, EngineProcess& engine) {
    return Eventually([&] { return LoadedTables(task) == n || !engine.Running(); }, 180s) &&
           LoadedTables(task) == n;
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
};

TEST_F(PgToMaria, FullLoadOfEveryTypeAndTwoHundredThousandRowsIsExact) {
  Sql(*source_, "CREATE SCHEMA fl;" + InSchema(kTypesDdl, "fl") + InSchema(kTypesRows, "fl"));
  Sql(*source_,
      "CREATE TABLE fl.big (id bigint PRIMARY KEY, k int NOT NULL, filler text, amount "
      "numeric(12,2), at timestamptz);"
      "INSERT INTO fl.big SELECT g, g % 1000, md5(g::text), g / 100.0, '2020-01-01'::timestamptz + "
      "g * interval '1 second' FROM generate_series(1, 200000) g;"
      "CREATE TABLE fl.composite (a int, b text, v numeric, PRIMARY KEY (a, b));"
      "INSERT INTO fl.composite SELECT g % 100, 'k' || g, g / 7.0 FROM generate_series(1, 5000) g;"
      "INSERT INTO fl.composite VALUES (1, 'K1', 1), (1, 'k1 ', 2);"  // case and trailing space
      "CREATE TABLE fl.empty (id int PRIMARY KEY); ANALYZE;");
  RunResult r =
      RunCutover(Replicate("fl", {"--type", "full-load", "--tables", "fl.%", "--parallel", "2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Table> tables = {TypesTable("fl"),
                               {"fl.big",
                                "big",
                                {"id"},
                                {{"id", K::kNum},
                                 {"k", K::kNum},
                                 {"filler", K::kText},
                                 {"amount", K::kNum},
                                 {"at", K::kTsTz}}},
                               {"fl.composite",
                                "composite",
                                {"a", "b"},
                                {{"a", K::kNum}, {"b", K::kText}, {"v", K::kNumeric}}},
                               {"fl.empty", "empty", {"id"}, {{"id", K::kNum}}}};
  EXPECT_EQ(Difference(*source_, *target_, tables), "");
  EXPECT_EQ(Fingerprint(*target_, tables[1]).substr(0, 7), "200000:");

  // The announced lossy rules: type-level ones per column at start, value-level ones (L5, L2)
  // when a value hits them, naming the key.
  for (const char* w :
       {"column n: L5 more than 30 fraction digits rounded",
        "first at key (id=", "column f8: L2 NaN or Infinity written as NULL",
        "column tstz: timestamp with time zone -> DATETIME(6)", "column arr: integer[] -> LONGTEXT",
        "table fl.composite: column b: text in a 2-column key -> VARCHAR(766)"})
    EXPECT_NE(r.err.find(w), std::string::npos) << w << "\n" << r.err;

  // Target types per docs/types.md, the primary keys, and the control tables.
  EXPECT_EQ(MSql("SELECT GROUP_CONCAT(CONCAT(COLUMN_NAME, ':', COLUMN_TYPE) ORDER BY "
                 "ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                 "'cutover' AND TABLE_NAME = 'types'"),
            "id:int(11),b:tinyint(1),i2:smallint(6),i4:int(11),i8:bigint(20),n:decimal(65,30),"
            "n2:decimal(38,10),f4:float,f8:double,t:longtext,vc:varchar(10),c:char(5),by:longblob,"
            "d:date,tm:time(6),ts:datetime(6),tstz:datetime(6),j:longtext,jb:longtext,u:uuid,"
            "arr:longtext,iv:longtext,addr:longtext");
  EXPECT_EQ(MSql("SELECT GROUP_CONCAT(CONCAT(TABLE_NAME, '.', COLUMN_NAME) ORDER BY TABLE_NAME, "
                 "SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                 "'cutover' AND INDEX_NAME = 'PRIMARY' AND TABLE_NAME NOT LIKE '\\_cutover%'"),
            "big.id,composite.a,composite.b,empty.id,types.id");
  EXPECT_EQ(MSql("SELECT GROUP_CONCAT(DISTINCT ENGINE) FROM information_schema.TABLES WHERE "
                 "TABLE_SCHEMA = 'cutover'"),
            "InnoDB");
  EXPECT_EQ(MSql("SELECT CONCAT(table_schema, '.', table_name, ':', `rows`) FROM "
                 "_cutover_table_state WHERE table_name = 'big'"),
            "fl.big:200000");
  // The rounding rule: 31 fraction digits rounded half away from zero by cutover.
  EXPECT_EQ(MSql("SELECT CAST(n AS CHAR) FROM types WHERE id IN (2, 5) ORDER BY id"),
            "0.123456789012345678901234567891\n-0.000000000000000000000000000001");

  // Running the task again reloads nothing.
  Sql(*source_, "INSERT INTO fl.empty VALUES (1)");
  r = RunCutover(Replicate("fl", {"--type", "full-load", "--tables", "fl.%"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("4 already loaded, 0 to load"), std::string::npos) << r.err;
  EXPECT_EQ(MSql("SELECT COUNT(*) FROM empty"), "0");
}

TEST_F(PgToMaria, ValuesMariaDbCannotHoldStopTheLoadNamingTableColumnAndValue) {
  Sql(*source_,
      "CREATE TABLE public.dates (id int PRIMARY KEY, d date);"
      "INSERT INTO public.dates SELECT g, '2000-01-01' FROM generate_series(1, 1000) g;"
      "INSERT INTO public.dates VALUES (1001, 'infinity');"
      "CREATE TABLE public.nums (id int PRIMARY KEY, n numeric);"
      "INSERT INTO public.nums VALUES (1, 1), (2, 'NaN');");
  RunResult r =
      RunCutover(Replicate("bad1", {"--type", "full-load", "--tables", "public.dates"}), 120s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("table public.dates, key (id=1001): column d: value 'infinity'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("years 1-9999"), std::string::npos) << r.err;
  EXPECT_EQ(MSql("SELECT COUNT(*) FROM dates"), "0");  // nothing of the table was committed
  EXPECT_EQ(MSql("SELECT COUNT(*) FROM _cutover_table_state"), "0");

  r = RunCutover(Replicate("bad2", {"--type", "full-load", "--tables", "public.nums"}), 120s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("table public.nums, key (id=2): column n: value 'NaN'"), std::string::npos)
      << r.err;
}

class PgToMariaApplyModes : public PgToMaria, public ::testing::WithParamInterface<const char*> {};

TEST_P(PgToMariaApplyModes, CdcReplicatesEveryOperationKind) {
  const std::string mode = GetParam();
  Sql(*source_,
      "CREATE SCHEMA cdc;"
      "CREATE TABLE cdc.items (id int PRIMARY KEY, name text, qty int, price numeric(12,2),"
      "  updated timestamptz, doc jsonb);"
      "INSERT INTO cdc.items SELECT g, 'item ' || g, g, g * 1.25, '2024-01-01'::timestamptz + "
      "  g * interval '1 minute', jsonb_build_object('g', g) FROM generate_series(1, 100) g;"
      "CREATE TABLE cdc.toasty (id int PRIMARY KEY, counter int, big text NOT NULL);"  // no default
      "INSERT INTO cdc.toasty SELECT g, 0, (SELECT string_agg(md5(random()::text || i), '') "
      "  FROM generate_series(1, 4000) i) FROM generate_series(1, 3) g;"
      "CREATE TABLE cdc.other (id int PRIMARY KEY, v text);"
      "INSERT INTO cdc.other SELECT g, 'v' FROM generate_series(1, 50) g;"
      "CREATE TABLE cdc.multi (a int, b text, v text, PRIMARY KEY (a, b));"
      "CREATE TABLE cdc.bulk (id int PRIMARY KEY, v int, pad text);" +
          InSchema(kTypesDdl, "cdc"));
  EngineProcess engine(Replicate("cdc", {"--tables", "cdc.%", "--apply-mode", mode}));
  ASSERT_TRUE(WaitLoaded("cdc", 6, engine)) << engine.Log();

  // Every type through CDC: insert the edge rows, update each column kind, delete one.
  Sql(*source_, InSchema(kTypesRows, "cdc"));
  Sql(*source_,
      "UPDATE cdc.types SET n = n * 2, n2 = -n2, f8 = -f8, ts = ts + interval '1 microsecond',"
      "  tstz = tstz - interval '1 microsecond', by = by || '\\x00'::bytea, arr = '{7,NULL,9}',"
      "  jb = jb || '{\"z\": 1}', u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', b = NOT b,"
      "  t = t || ' ', c = 'z' WHERE id IN (1, 4);"
      "UPDATE cdc.types SET t = NULL, vc = '' WHERE id = 3; DELETE FROM cdc.types WHERE id = 2;");
  Sql(*source_,
      "INSERT INTO cdc.items VALUES (1001, NULL, 1, 1, now(), NULL), (1002, '', 2, 2, now(), "
      "  '{}'), (1003, 'tab\there', 3, 3.5, '1999-12-31 23:59:59.999999+00', '[1,2]');"
      "UPDATE cdc.items SET qty = qty * 10, price = price + 0.01 WHERE id % 3 = 0;"
      "UPDATE cdc.items SET id = id + 5000 WHERE id <= 5;"  // key-changing update
      "UPDATE cdc.items SET name = NULL WHERE id = 10;"
      "UPDATE cdc.items SET name = '' WHERE id = 11;"
      "UPDATE cdc.items SET qty = qty WHERE id = 12;"  // an update that changes nothing
      "DELETE FROM cdc.items WHERE id BETWEEN 20 AND 30;"
      "UPDATE cdc.toasty SET counter = counter + 1;"  // big stays unchanged (TOAST)
      "TRUNCATE cdc.other;"
      "INSERT INTO cdc.other VALUES (1, 'after truncate');"
      "INSERT INTO cdc.multi VALUES (1, 'x', 'a'), (1, 'X', 'b'), (1, 'x ', 'c');"
      "UPDATE cdc.multi SET b = 'y' WHERE a = 1 AND b = 'X';"
      "BEGIN; INSERT INTO cdc.items VALUES (2000, 'in txn', 0, 0, now(), NULL);"
      "  UPDATE cdc.items SET qty = -1 WHERE id = 2000; DELETE FROM cdc.items WHERE id = 50;"
      "  UPDATE cdc.toasty SET big = 'small now' WHERE id = 3; COMMIT;");
  // A 50,000-row transaction, then changes to many of its rows in another.
  Sql(*source_,
      "INSERT INTO cdc.bulk SELECT g, g, md5(g::text) FROM generate_series(1, 50000) g;"
      "BEGIN; UPDATE cdc.bulk SET v = -v WHERE id % 5 = 0; DELETE FROM cdc.bulk WHERE id % 7 = 0;"
      "  UPDATE cdc.bulk SET id = id + 100000 WHERE id % 11 = 0; COMMIT;");
  std::vector<Table> tables = {
      {"cdc.items",
       "items",
       {"id"},
       {{"id", K::kNum},
        {"name", K::kText},
        {"qty", K::kNum},
        {"price", K::kNum},
        {"updated", K::kTsTz},
        {"doc", K::kText}}},
      {"cdc.toasty", "toasty", {"id"}, {{"id", K::kNum}, {"counter", K::kNum}, {"big", K::kText}}},
      {"cdc.other", "other", {"id"}, {{"id", K::kNum}, {"v", K::kText}}},
      {"cdc.multi", "multi", {"a", "b"}, {{"a", K::kNum}, {"b", K::kText}, {"v", K::kText}}},
      {"cdc.bulk", "bulk", {"id"}, {{"id", K::kNum}, {"v", K::kNum}, {"pad", K::kText}}},
      TypesTable("cdc")};
  EXPECT_EQ(WaitSame(*source_, *target_, tables, 120s), "") << engine.Log();
  EXPECT_EQ(MSql("SELECT COUNT(*) FROM toasty WHERE big IS NULL OR LENGTH(big) < 100"), "1");
  EXPECT_EQ(MSql("SELECT COUNT(*) FROM items WHERE id BETWEEN 5001 AND 5005"), "5");
  EXPECT_EQ(engine.Log().find("not found"), std::string::npos) << engine.Log();

  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  EXPECT_NE(MSql("SELECT position FROM _cutover_checkpoint WHERE task = 'cdc'"), "");

  // Changes made while the engine is stopped arrive after a restart; nothing is reloaded.
  Sql(*source_,
      "INSERT INTO cdc.items VALUES (3000, 'while stopped', 0, 0, now(), NULL);"
      "DELETE FROM cdc.items WHERE id = 60;");
  EngineProcess again(Replicate("cdc", {"--tables", "cdc.%", "--apply-mode", mode}));
  EXPECT_EQ(WaitSame(*source_, *target_, tables, 60s), "") << again.Log();
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(60s), 0) << again.Log();
  EXPECT_NE(again.Log().find("6 already loaded, 0 to load"), std::string::npos) << again.Log();

  RunResult drop = RunCutover(
      {"task", "drop", "--source", source_->uri(), "--target", target_->uri(), "--task", "cdc"});
  EXPECT_EQ(drop.exit_code, 0) << drop.err;
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_replication_slots"), "0");
  EXPECT_EQ(MSql("SELECT COUNT(*) FROM _cutover_checkpoint"), "0");
  EXPECT_EQ(MSql("SELECT COUNT(*) FROM _cutover_table_state"), "0");
}

INSTANTIATE_TEST_SUITE_P(Modes, PgToMariaApplyModes, ::testing::Values("net", "row"));

// A MariaDB source's own column types are recreated exactly on a MariaDB target, and values
// the PostgreSQL-oriented rules would never produce (zero dates, YEAR 0000, BIT, ENUM/SET,
// negative TIME, latin1 text, unsigned) arrive exactly, by full load and by CDC. Compared with
// the servers' own CHECKSUM TABLE (equal row formats and data give equal checksums) and the
// column definitions in information_schema.
TEST(MariaToMariaSink, SourceTypesAreRecreatedExactlyAndValuesArriveExactly) {
  auto src = harness::ThrowawayServer::Start(harness::ServerKind::kMariaDb, "msrc");
  auto tgt = harness::ThrowawayServer::Start(harness::ServerKind::kMariaDb, "mtgt");
  ASSERT_TRUE(src.ok() && tgt.ok()) << src.status().ToString() << tgt.status().ToString();
  const harness::ThrowawayServer& source = **src;
  const harness::ThrowawayServer& target = **tgt;
  Sql(source,
      "CREATE TABLE mt (id INT NOT NULL PRIMARY KEY, u BIGINT UNSIGNED, dec1 DECIMAL(10,3),"
      " f FLOAT, dbl DOUBLE, vc VARCHAR(20) CHARACTER SET latin1, ch CHAR(4), tx TEXT,"
      " j JSON, vb VARBINARY(8), bl BLOB, e ENUM('a','b c'), st SET('x','y','z'), d DATE,"
      " dt DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME(6), y YEAR, bt BIT(5), uu UUID,"
      " s SMALLINT NOT NULL DEFAULT 0) ENGINE=InnoDB;"
      "SET sql_mode = '';"
      "INSERT INTO mt VALUES"
      " (1, 18446744073709551615, -12.340, 3.4028234e38, -1.7976931348623157e308, 'café',"
      "  'ab', 'tab\there\nnl \\\\N', '{\"a\": [1, 2.50]}', x'00ff0a5c', x'000102',"
      "  'b c', 'x,z', '0000-00-00', '0000-00-00 00:00:00', NULL, '-838:59:59.999999', 0,"
      "  b'10101', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', -1),"
      " (2, 0, 0.5, 1e-30, 5e-324, '', '', '', 'null', '', '', 'a', '', '9999-12-31',"
      "  '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999', '838:59:59', 2155, b'0',"
      "  NULL, 0),"
      " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
      "  NULL, NULL, NULL, NULL, NULL, 1);");
  auto replicate = [&](const std::string& mode) {
    return std::vector<std::string>{"replicate",  "--source",     source.uri(), "--target",
                                    target.uri(), "--task",       "mm",         "--tables",
                                    "cutover.mt", "--apply-mode", mode};
  };
  auto same = [&]() -> std::string {
    std::string a = Sql(source, "CHECKSUM TABLE mt EXTENDED");
    std::string b = Sql(target, "CHECKSUM TABLE mt EXTENDED");
    std::string cols =
        "SELECT GROUP_CONCAT(CONCAT_WS(':', COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, "
        "CHARACTER_SET_NAME, COLLATION_NAME) ORDER BY ORDINAL_POSITION) FROM "
        "information_schema.COLUMNS WHERE TABLE_SCHEMA = 'cutover' AND TABLE_NAME = 'mt'";
    std::string ca = Sql(source, cols), cb = Sql(target, cols);
    if (ca != cb) return "columns differ: " + ca + " vs " + cb;
    return a == b ? "" : "checksums differ: " + a + " vs " + b;
  };
  EngineProcess engine(replicate("net"));
  ASSERT_TRUE(Eventually(
      [&] {
        auto r = target.Sql("SELECT COUNT(*) FROM _cutover_table_state WHERE task = 'mm'");
        return (r.ok() && *r == "1") || !engine.Running();
      },
      120s))
      << engine.Log();
  EXPECT_EQ(same(), "") << engine.Log();
  EXPECT_EQ(Sql(target,
                "SELECT CONCAT_WS('|', d, dt, y, bt + 0, e, st, HEX(vc)) FROM mt "
                "WHERE id = 1"),
            "0000-00-00|0000-00-00 00:00:00.000000|0000|21|b c|x,z|636166E9");

  Sql(source,
      "SET sql_mode = '';"
      "INSERT INTO mt (id, y, bt, d, tm, vc) VALUES (4, 0, b'11111', '0000-00-00', '-00:00:00.5',"
      " 'déjà');"
      "UPDATE mt SET u = u - 1, f = -f, e = 'a', st = 'y', y = 1901, bt = b'1' WHERE id = 1;"
      "UPDATE mt SET id = 20 WHERE id = 2; DELETE FROM mt WHERE id = 3;");
  EXPECT_TRUE(Eventually([&] { return same().empty(); }, 60s)) << same() << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  EngineProcess rows(replicate("row"));  // the same changes through one statement per change
  Sql(source,
      "SET sql_mode = '';"
      "INSERT INTO mt (id, y, d) VALUES (5, 0, '0000-00-00');"
      "UPDATE mt SET bt = b'10', y = 0, tm = '-12:00:00' WHERE id = 4; DELETE FROM mt WHERE id = "
      "1;");
  EXPECT_TRUE(Eventually([&] { return same().empty(); }, 60s)) << same() << rows.Log();
  rows.Signal(SIGTERM);
  EXPECT_EQ(rows.Wait(60s), 0) << rows.Log();
}

}  // namespace
}  // namespace cutover::testing
