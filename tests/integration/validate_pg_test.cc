// `cutover validate` between two real PostgreSQL servers, driving the real binary.
//
// The target is produced by `cutover replicate` (so "no false differences" covers the engine's
// own copy of every type), then corrupted with SQL on the target; the JSON report must name
// exactly the corrupted rows with their kind and columns, and nothing else.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/core/range_scanner.h"
#include "engine/registry/registry.h"
#include "tests/integration/support/test_support.h"
#include "validator/table_pairing.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

// Every PostgreSQL type family, with the edge values that tempt a validator into false
// differences (NaN, -0, infinities, padding, 24:00, BC dates, duplicate JSON keys, arrays).
constexpr const char* kZoo = R"sql(
CREATE SCHEMA zoo;
CREATE TABLE zoo.types (
  id int PRIMARY KEY, b boolean, i2 smallint, i4 int, i8 bigint, n numeric, n2 numeric(20,4),
  f4 real, f8 double precision, t text, vc varchar(20), c char(6), by bytea, d date, tm time,
  ts timestamp, tstz timestamptz, j json, jb jsonb, u uuid, arr int[], iv interval, ip inet);
INSERT INTO zoo.types VALUES
 (1, true, 32767, 2147483647, 9223372036854775807, 1234567890.123456789, -12.5, 3.4028235e38,
  1.7976931348623157e308, 'one', 'v1', 'ab', '\x00ff', '2024-02-29', '23:59:59.999999',
  '2000-01-01 00:00:00.000001', '2000-01-01 00:00:00.5+05:30', '{"a": 1, "a": 2}', '{"b": [1, 2.50]}',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}', '1 year 2 mons -3 days 04:05:06.7', '10.1.2.3/8'),
 (2, false, -32768, -2147483648, -9223372036854775808, 'NaN', 0, '-0', '-0', '', '', '', '\x',
  '4713-01-01 BC', '24:00:00', '1970-01-01 00:00:00', '-infinity', 'null', '[]',
  '00000000-0000-0000-0000-000000000000', '{}', '0', '::1'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN', 0.1, E'tab\there\nnew\\line', 'trailing  ', NULL,
  NULL, 'infinity', NULL, '1969-12-31 23:59:59.999999', 'infinity', NULL, NULL, NULL, NULL, NULL,
  NULL),
 (4, true, 0, 0, 0, -0.5, 5, 1e-30, 5e-324, '𝄞 four-byte 😀', NULL, '😀', '\x5c4e', '1970-01-01',
  '00:00:00', '2262-04-11 23:47:16.854775', '2024-02-29 12:00:00.5-08', '"s"', '{}',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '{{1,2},{3,4}}', '-178000000 years', '2001:db8::1'),
 (5, false, 1, 1, 1, 1e-30, 1, '-Infinity', 1e-300, repeat('x', 50000), 'five', 'x',
  decode(repeat('00ff', 3000), 'hex'), '2024-02-29', '12:00:00.5', '2024-02-29 12:00:00.5',
  '2024-02-29 12:00:00.5-08', '{}', '{}', NULL, NULL, NULL, NULL);
CREATE TABLE zoo.big (id bigint PRIMARY KEY, k int NOT NULL, filler text);
INSERT INTO zoo.big SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 200000) g;
CREATE TABLE zoo.composite (a int, b text, v numeric, PRIMARY KEY (a, b));
INSERT INTO zoo.composite SELECT g % 100, 'k' || g, g / 7.0 FROM generate_series(1, 20000) g;
CREATE TABLE zoo.textkey (k text PRIMARY KEY, v int);
INSERT INTO zoo.textkey SELECT md5(g::text), g FROM generate_series(1, 30000) g;
CREATE TABLE zoo.empty (id int PRIMARY KEY);
ANALYZE;
)sql";

class ValidatePg : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartPostgres("vsrc");
    target_ = StartPostgres("vtgt");
    ASSERT_TRUE(source_ && target_);
  }

  void LoadZoo() {
    Sql(*source_, kZoo);
    RunResult r = RunCutover({"replicate", "--source", source_->uri(), "--target", target_->uri(),
                              "--task", "zoo", "--type", "full-load", "--tables", "zoo.%"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  RunResult Validate(std::vector<std::string> extra) {
    std::vector<std::string> args = {"validate",     "--source", source_->uri(), "--target",
                                     target_->uri(), "--json",   "--chunk-rows", "20000"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCutover(args, 300s);
  }

  static const Json* Table(const Json& j, const std::string& name) {
    for (const auto& t : j["tables"])
      if (t["source_table"] == name) return &t;
    return nullptr;
  }

  // "kind key columns" lines of a table's differences, e.g. "different id=1 i4".
  static std::set<std::string> Diffs(const Json& j) {
    std::set<std::string> out;
    for (const auto& t : j["tables"]) {
      for (const auto& d : t["differences"]) {
        std::string line =
            t["source_table"].get<std::string>() + " " + d["kind"].get<std::string>() + " ";
        std::string sep;
        for (auto& [k, v] : d["key"].items()) {
          line += sep + k + "=" + v.get<std::string>();
          sep = ",";
        }
        if (d.contains("columns"))
          for (const auto& c : d["columns"]) line += " " + c["column"].get<std::string>();
        out.insert(line);
      }
    }
    return out;
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
};

TEST_F(ValidatePg, ReplicatedTablesHaveNoFalseDifferences) {
  LoadZoo();
  std::string report = ::testing::TempDir() + "/validate-equal";
  RunResult r = Validate({"--tables", "zoo.%", "--report", report, "--threads", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["result"], "equal");
  ASSERT_EQ(j["tables"].size(), 5u);
  EXPECT_EQ((*Table(j, "zoo.types"))["source_rows"], 5);
  EXPECT_EQ((*Table(j, "zoo.big"))["target_rows"], 200000);
  EXPECT_GE((*Table(j, "zoo.big"))["chunks"], 5);  // really cut into ranges
  EXPECT_EQ((*Table(j, "zoo.composite"))["target_rows"], 20000);
  EXPECT_GE((*Table(j, "zoo.textkey"))["chunks"], 2);
  EXPECT_EQ((*Table(j, "zoo.empty"))["source_rows"], 0);
  for (const char* f : {"validation.json", "validation.md", "validation.html"}) {
    struct stat st;
    EXPECT_EQ(stat((report + "/" + f).c_str(), &st), 0) << f;
  }
}

TEST_F(ValidatePg, EveryInjectedCorruptionIsFoundExactly) {
  LoadZoo();
  Sql(*target_,
      "UPDATE zoo.types SET i4 = i4 - 1 WHERE id = 1;"                         // integer
      "DELETE FROM zoo.big WHERE id = 500;"                                    // deleted
      "INSERT INTO zoo.big VALUES (1000001, 1, 'extra');"                      // extra
      "UPDATE zoo.types SET ts = ts + interval '1 microsecond' WHERE id = 2;"  // 1 µs
      "UPDATE zoo.types SET f8 = 0.10000000000000002 WHERE id = 3;"            // last digit
      "UPDATE zoo.types SET vc = '' WHERE id = 4;"                             // NULL -> ''
      "UPDATE zoo.types SET t = t || ' ' WHERE id = 5;"                        // trailing space
      "UPDATE zoo.big SET filler = CASE id WHEN 700 THEN (SELECT filler FROM zoo.big WHERE id = "
      "701) ELSE (SELECT filler FROM zoo.big WHERE id = 700) END WHERE id IN (700, 701);"  // swap
      "UPDATE zoo.composite SET v = v + 1 WHERE a = 3 AND b = 'k103';"
      "DELETE FROM zoo.textkey WHERE v = 77;");
  std::string report = ::testing::TempDir() + "/validate-diff";
  RunResult r = Validate({"--tables", "zoo.%", "--report", report});
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["result"], "differences");
  std::string k77 = Sql(*source_, "SELECT k FROM zoo.textkey WHERE v = 77");
  std::set<std::string> expected = {
      "zoo.types different id=1 i4",
      "zoo.big missing-in-target id=500",
      "zoo.big extra-in-target id=1000001",
      "zoo.types different id=2 ts",
      "zoo.types different id=3 f8",
      "zoo.types different id=4 vc",
      "zoo.types different id=5 t",
      "zoo.big different id=700 filler",
      "zoo.big different id=701 filler",
      "zoo.composite different a=3,b=k103 v",
      "zoo.textkey missing-in-target k=" + k77,
  };
  EXPECT_EQ(Diffs(j), expected);
  EXPECT_EQ((*Table(j, "zoo.types"))["differing_rows"], 5);
  EXPECT_EQ((*Table(j, "zoo.big"))["differing_rows"], 4);
  EXPECT_EQ((*Table(j, "zoo.empty"))["result"], "equal");
  // Both values of a differing column are shown: the 1 µs is visible.
  for (const auto& d : (*Table(j, "zoo.types"))["differences"]) {
    if (d["key"]["id"] == "2") {
      EXPECT_EQ(d["columns"][0]["source"], "1970-01-01 00:00:00");
      EXPECT_EQ(d["columns"][0]["target"], "1970-01-01 00:00:00.000001");
    }
    if (d["key"]["id"] == "4") {
      EXPECT_EQ(d["columns"][0]["source"], "NULL");
      EXPECT_EQ(d["columns"][0]["target"], "");
    }
  }
  // Reports: readable, self-contained, no password.
  for (const char* f : {"validation.json", "validation.md", "validation.html"}) {
    std::ifstream in(report + "/" + f);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    EXPECT_NE(text.find("zoo.big"), std::string::npos) << f;
    EXPECT_EQ(text.find("cutover:cutover@"), std::string::npos) << f;
    EXPECT_NE(text.find("cutover:***@"), std::string::npos) << f;
    if (std::string(f) == "validation.html") {
      EXPECT_EQ(text.find("<script"), std::string::npos);
      EXPECT_EQ(text.find("http"), std::string::npos);
      EXPECT_EQ(text.find("<link"), std::string::npos);
    }
  }
  EXPECT_EQ(r.out.find("cutover:cutover@"), std::string::npos);
  EXPECT_EQ(r.err.find("cutover:cutover@"), std::string::npos);

  // The servers' own range hashes (same engine, same types) find the same rows.
  RunResult server = Validate({"--tables", "zoo.%", "--server-hash"});
  ASSERT_EQ(server.exit_code, 1) << server.err << server.out;
  Json js = Json::parse(server.out);
  EXPECT_EQ(Diffs(js), expected);
  EXPECT_GE((*Table(js, "zoo.big"))["chunks_hashed_on_server"], 5);
}

TEST_F(ValidatePg, TaskSchemaDifferencesKeylessTablesAndBadInput) {
  Sql(*source_,
      "CREATE SCHEMA app; CREATE TABLE app.a (id int PRIMARY KEY, x int, y text);"
      "INSERT INTO app.a SELECT g, g, 'y' || g FROM generate_series(1, 1000) g;"
      "CREATE TABLE app.bag (x int, y text);"
      "INSERT INTO app.bag VALUES (1, 'dup'), (1, 'dup'), (2, NULL);"
      "CREATE TABLE app.other (id int PRIMARY KEY);");
  RunResult rep =
      RunCutover({"replicate", "--source", source_->uri(), "--target", target_->uri(), "--task",
                  "app", "--type", "full-load", "--tables", "app.a", "--tables", "app.bag"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;

  // --task: exactly the task's tables (app.other was not replicated and is not looked for).
  RunResult r = Validate({"--task", "app"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j["tables"].size(), 2u);
  EXPECT_EQ((*Table(j, "app.bag"))["source_rows"], 3);
  EXPECT_TRUE((*Table(j, "app.bag")).contains("compared_as_multiset"));

  // A keyless table compared as a multiset: duplicates count (a XOR of row hashes would not
  // see this change).
  // Source (1,dup) (1,dup) (2,NULL); target (2,NULL) (3,z) (3,z): same count, same XOR.
  Sql(*target_, "DELETE FROM app.bag WHERE x = 1; INSERT INTO app.bag VALUES (3, 'z'), (3, 'z');");
  // Schema difference: a column dropped on the target; the common columns are still compared.
  Sql(*target_, "ALTER TABLE app.a DROP COLUMN y; UPDATE app.a SET x = -1 WHERE id = 10;");
  r = Validate({"--task", "app"});
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  j = Json::parse(r.out);
  const Json& a = *Table(j, "app.a");
  ASSERT_EQ(a["schema_differences"].size(), 1u);
  EXPECT_EQ(a["schema_differences"][0], "column y exists only on the source");
  EXPECT_EQ(Diffs(j), std::set<std::string>{"app.a different id=10 x"});
  EXPECT_EQ((*Table(j, "app.bag"))["multiset_differs"], true);

  // Bad input: one line, exit 2.
  r = Validate({"--tables", "app.nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("app.nope"), std::string::npos) << r.err;
  r = Validate({"--tables", "app.other"});  // not on the target
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not found on the target"), std::string::npos) << r.err;
  r = Validate({"--task", "no_such_task"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no_such_task"), std::string::npos) << r.err;
  r = RunCutover({"validate", "--source", source_->uri(), "--target",
                  "postgresql://cutover:secretpw@127.0.0.1:1/cutover"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("secretpw"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one error line
}

TEST_F(ValidatePg, RecheckCountsRowsThatCatchUpAsInFlight) {
  Sql(*source_,
      "CREATE TABLE public.live (id int PRIMARY KEY, v int);"
      "INSERT INTO public.live SELECT g, g FROM generate_series(1, 1000) g;");
  RunResult rep = RunCutover({"replicate", "--source", source_->uri(), "--target", target_->uri(),
                              "--task", "live", "--type", "full-load"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  // Two rows lag on the target; one of them will catch up during the recheck delay.
  Sql(*target_, "UPDATE public.live SET v = 0 WHERE id IN (5, 6)");
  std::string report = ::testing::TempDir() + "/validate-recheck";
  EngineProcess v({"validate", "--source", source_->uri(), "--target", target_->uri(), "--report",
                   report, "--recheck", "3", "--recheck-rounds", "2"});
  ASSERT_TRUE(Eventually([&] { return v.Log().find("recheck 1/2") != std::string::npos; }, 60s))
      << v.Log();
  Sql(*target_, "UPDATE public.live SET v = 5 WHERE id = 5");
  ASSERT_EQ(v.Wait(120s), 1) << v.Log();
  std::ifstream in(report + "/validation.json");
  Json j = Json::parse(in);
  const Json& t = *Table(j, "public.live");
  EXPECT_EQ(t["in_flight"], 1);
  EXPECT_EQ(t["differing_rows"], 1);
  EXPECT_EQ(Diffs(j), std::set<std::string>{"public.live different id=6 v"});
}

// The same with a key that is not the table's first column: the recheck re-reads each listed
// row by its key columns, not by the row's first values (which would find another row, equal on
// both sides, and count a real difference as caught up).
TEST_F(ValidatePg, RecheckReadsRowsByTheirKeyWhereverItStands) {
  Sql(*source_,
      "CREATE TABLE public.late (v int NOT NULL, id int PRIMARY KEY);"
      "INSERT INTO public.late SELECT g * 10, g FROM generate_series(1, 1000) g;");
  RunResult rep = RunCutover({"replicate", "--source", source_->uri(), "--target", target_->uri(),
                              "--task", "late", "--type", "full-load"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  Sql(*target_, "UPDATE public.late SET v = 0 WHERE id IN (5, 6)");
  std::string report = ::testing::TempDir() + "/validate-recheck-late";
  EngineProcess v({"validate", "--source", source_->uri(), "--target", target_->uri(), "--report",
                   report, "--recheck", "3", "--recheck-rounds", "2"});
  ASSERT_TRUE(Eventually([&] { return v.Log().find("recheck 1/2") != std::string::npos; }, 60s))
      << v.Log();
  Sql(*target_, "UPDATE public.late SET v = 50 WHERE id = 5");
  ASSERT_EQ(v.Wait(120s), 1) << v.Log();
  std::ifstream in(report + "/validation.json");
  Json j = Json::parse(in);
  const Json& t = *Table(j, "public.late");
  EXPECT_EQ(t["in_flight"], 1);
  EXPECT_EQ(t["differing_rows"], 1);
  EXPECT_EQ(Diffs(j), std::set<std::string>{"public.late different id=6 v"});
}

// Summaries read binary COPY, reports and rechecks read text COPY (validator/pg_binary.h): both
// must give every row the same key bytes and hash, for every type of the zoo and for many
// generated numerics, floats, timestamps and dates (digits in every base-10000 position, BC
// dates, infinities), or a corrupted row would be named with the wrong key or a false
// difference reported.
TEST(ValidatePgBinary, BinaryAndTextCopyGiveTheSameCanonicalRows) {
  auto server = StartPostgres("vbin");
  ASSERT_TRUE(server);
  Sql(*server, kZoo);
  Sql(*server,
      "CREATE TABLE zoo.gen (id int PRIMARY KEY, n numeric, n4 numeric(30,4), r real, "
      "f double precision, ts timestamp, tstz timestamptz, d date, tm time, o oid, c \"char\", "
      "nm name, bp char(3));"
      "INSERT INTO zoo.gen SELECT g, "
      "  round((random() - 0.5)::numeric * power(10::numeric, (g % 40) - 20), g % 25), "
      "  ((g - 2500) * 12345.6789)::numeric(30,4), (random() * 1e6)::real / 7, "
      "  (random() - 0.5) * power(10, g % 600 - 300), "
      "  timestamp '4000-01-01 BC' + g * interval '3 years 17 days 00:00:01.000007', "
      "  timestamptz '1900-01-01 00:00:00+00' + g * interval '29 days 00:00:00.000003', "
      "  date '0001-01-01' + g * 97, time '00:00:00' + g * interval '17.000001 seconds', "
      "  (g::bigint * 858993)::oid, chr(33 + g % 90)::\"char\", 'n' || g, 'x' "
      "FROM generate_series(1, 5000) g;"
      "INSERT INTO zoo.gen (id, n, ts, tstz, d, r, f) VALUES "
      "  (0, 0, 'infinity', '-infinity', '-infinity', 'Infinity', '-Infinity'), "
      "  (-1, -0.0001, '-infinity', 'infinity', 'infinity', '-0', 'NaN'), "
      "  (-2, 99999999.99990000, '200000-12-31 23:59:59.999999', "
      "   '1970-01-01 00:00:00.000001+00', '5874897-12-31', 1.17549435e-38, 4.9e-324);");
  for (const char* table : {"zoo.types", "zoo.gen", "zoo.composite"}) {
    auto pairs = validator::PairTables({server->uri(), server->uri(), {table}, ""});
    ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
    ASSERT_EQ(pairs->size(), 1u);
    const validator::ScanTable& t = (*pairs)[0].source;
    auto scanner = OpenRangeScanner(server->uri(), "source");
    ASSERT_TRUE(scanner.ok()) << scanner.status().ToString();
    std::map<std::string, RowHash> text_rows, binary_rows;
    for (bool want_values : {true, false}) {
      auto& rows = want_values ? text_rows : binary_rows;
      Status s = (*scanner)->Scan(t, validator::KeyRange::All(), want_values,
                                  [&](const validator::ScannedRow& r) {
                                    rows.emplace(std::string(r.key), r.hash);
                                    return Status::Ok();
                                  });
      ASSERT_TRUE(s.ok()) << table << ": " << s.ToString();
    }
    EXPECT_GT(text_rows.size(), 4u) << table;
    EXPECT_TRUE(text_rows == binary_rows) << table << ": the binary and text reads differ";
    size_t differing = 0;
    for (const auto& [key, hash] : text_rows) {
      auto it = binary_rows.find(key);
      if (it == binary_rows.end() || it->second != hash) ++differing;
    }
    EXPECT_EQ(differing, 0u) << table;
  }
}

TEST_F(ValidatePg, FiveMillionRowsInBoundedMemory) {
  const char* ddl =
      "CREATE TABLE public.huge (id bigint PRIMARY KEY, k int NOT NULL, c text NOT NULL, "
      "ts timestamptz NOT NULL);"
      "INSERT INTO public.huge SELECT g, g % 1000, md5(g::text), "
      "timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, 5000000) g;"
      "ANALYZE public.huge;";
  std::thread t([&] { Sql(*target_, ddl); });
  Sql(*source_, ddl);
  t.join();
  EngineProcess v(
      {"validate", "--source", source_->uri(), "--target", target_->uri(), "--threads", "2"});
  long peak = -1;
  auto deadline = std::chrono::steady_clock::now() + 600s;
  while (v.Running() && std::chrono::steady_clock::now() < deadline) {
    peak = std::max(peak, v.PeakRssKb());
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(v.Wait(10s), 0) << v.Log();
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, 200 * 1024) << "peak RSS " << peak << " KiB";
  EXPECT_NE(v.Log().find("5,000,000 source rows, 5,000,000 target rows"), std::string::npos)
      << v.Log();
}

}  // namespace
}  // namespace cutover::testing
