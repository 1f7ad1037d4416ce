// `cutover assess` against `replicate` on the sakila- and chinook-shaped fixtures
// (support/schema_fixtures.h), one per source engine, each with the shapes of the real sample
// databases that cutover refuses added: keyless inheritance children and a partition without a
// replica identity (PostgreSQL); a GEOMETRY column, a keyless MyISAM table and a foreign key
// whose action cannot be reproduced (MariaDB); a keyless table and a key that does not compare
// bytewise (SQLite). For each, in one run:
//   - every problem `replicate` refuses on is an object of a failed assess check, and every
//     object of a failed task check is a problem `replicate` refuses on (the same start checks);
//   - with the problem tables left out (the remedies assess gives), assess exits 0 and
//     `replicate` starts; every column `replicate` announces as lossy at start is a
//     `columns.lossy` object of the assessment.
// Nothing here names the expected problems twice: the comparison is between the two commands.
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/schema_fixtures.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The objects of every failed check of an assessment (all sections), and of the failed task
// checks only.
struct FailedObjects {
  std::set<std::string> all;
  std::set<std::string> task;
};

FailedObjects Failed(const json& report) {
  FailedObjects out;
  for (const json& section : report["sections"]) {
    const bool task = section["title"].get<std::string>().rfind("task ", 0) == 0;
    for (const json& c : section["checks"]) {
      if (c["status"] != "failed") continue;
      for (const json& o : c["objects"]) {
        out.all.insert(o.get<std::string>());
        if (task) out.task.insert(o.get<std::string>());
      }
    }
  }
  return out;
}

// The objects `replicate` names in its start refusal ("task T cannot start: N problems:" then
// "  - OBJECT: problem; remedy: ...", or one problem on the line itself).
std::set<std::string> Refused(const std::string& err) {
  std::set<std::string> out;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    size_t at = std::string::npos;
    if (line.rfind("  - ", 0) == 0) {
      at = 4;
    } else if (size_t c = line.find("cannot start: "); c != std::string::npos) {
      at = c + 14;
      if (line.find(" problems:", at) != std::string::npos) continue;
    }
    if (at == std::string::npos) continue;
    size_t end = line.find(": ", at);
    if (end != std::string::npos) out.insert(line.substr(at, end - at));
  }
  return out;
}

// "table T: column C" of each type-level lossy warning `replicate` logs at start.
std::set<std::string> AnnouncedLossy(const std::string& log) {
  std::set<std::string> out;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" warn ") == std::string::npos) continue;
    size_t t = line.find("table ");
    size_t c = line.find(": column ", t == std::string::npos ? 0 : t);
    if (t == std::string::npos || c == std::string::npos) continue;
    size_t end = line.find(": ", c + 9);
    if (end == std::string::npos) continue;
    out.insert(line.substr(t, end - t));
  }
  return out;
}

json FindCheck(const json& report, const std::string& id) {
  for (const json& section : report["sections"])
    for (const json& c : section["checks"])
      if (c["id"] == id) return c;
  return json();
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += "\n  " + x;
  return out;
}

// Runs assess and replicate on the same task and compares them (see the file comment).
// `refused_at_least`: objects the fixture was built to be refused on (so the comparison is not
// vacuous); `exclusions`: the --exclude-tables patterns that leave the problem tables out.
void CompareAssessWithReplicate(const std::string& source, const std::string& target,
                                const std::vector<std::string>& refused_at_least,
                                const std::vector<std::string>& exclusions,
                                const std::vector<std::string>& lossy_at_least) {
  RunResult a = RunCutover({"assess", "--source", source, "--target", target, "--json"}, 90s);
  EXPECT_EQ(a.exit_code, 1) << a.out << a.err;
  json report = json::parse(a.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << a.out << a.err;
  FailedObjects failed = Failed(report);

  RunResult r =
      RunCutover({"replicate", "--source", source, "--target", target, "--task", "fixture"}, 90s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::set<std::string> refused = Refused(r.err);
  for (const std::string& o : refused_at_least)
    EXPECT_TRUE(refused.count(o)) << o << " not refused by replicate:" << r.err;
  for (const std::string& o : refused)
    EXPECT_TRUE(failed.all.count(o))
        << "replicate refuses on " << o
        << ", which no failed assess check names; failed:" << Join(failed.all);
  for (const std::string& o : failed.task)
    EXPECT_TRUE(refused.count(o)) << "assess fails the task on " << o
                                  << ", which replicate does not refuse on:" << r.err;

  // With the problem tables left out: nothing fails, and replicate starts (a full load).
  std::vector<std::string> args = {"assess", "--source", source, "--target", target, "--json"};
  for (const std::string& e : exclusions) {
    args.push_back("--exclude-tables");
    args.push_back(e);
  }
  a = RunCutover(args, 90s);
  EXPECT_EQ(a.exit_code, 0) << a.out << a.err;
  report = json::parse(a.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << a.out << a.err;
  std::set<std::string> lossy;
  const json lossy_check = FindCheck(report, "columns.lossy");
  for (const json& o : lossy_check["objects"]) {
    const std::string text = o.get<std::string>();
    // "table T: column C: rules..." -> "table T: column C"
    size_t c = text.find(": column ");
    size_t end = c == std::string::npos ? std::string::npos : text.find(": ", c + 9);
    lossy.insert(end == std::string::npos ? text : text.substr(0, end));
  }
  for (const std::string& l : lossy_at_least)
    EXPECT_TRUE(lossy.count(l)) << l << " not in columns.lossy:" << Join(lossy);

  args = {"replicate", "--source", source,   "--target", target,
          "--task",    "fixture",  "--type", "full-load"};
  for (const std::string& e : exclusions) {
    args.push_back("--exclude-tables");
    args.push_back(e);
  }
  r = RunCutover(args, 90s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> announced = AnnouncedLossy(r.err);
  EXPECT_FALSE(announced.empty()) << r.err;
  for (const std::string& l : announced)
    EXPECT_TRUE(lossy.count(l)) << "replicate announces " << l
                                << " as lossy, assess does not:" << Join(lossy);
}

TEST(OpsAssessFixtures, PostgresSakilaAndChinookToMariaDb) {
  auto pg = StartPostgres("afpg");
  ASSERT_TRUE(pg);
  auto maria = StartMariaDb("afmaria");
  ASSERT_TRUE(maria);
  Sql(*pg, kPgSakilaSchema);
  Sql(*pg, kPgSakilaRows);
  // sakila's payment partitions are inheritance children without keys of their own; a
  // declaratively partitioned table with one partition that cannot identify its rows.
  Sql(*pg, R"sql(
CREATE TABLE payment_p2007_01 (CHECK (payment_date < '2007-02-01')) INHERITS (payment);
CREATE TABLE payment_p2007_02 (CHECK (payment_date >= '2007-02-01')) INHERITS (payment);
CREATE TABLE rental (rental_id int NOT NULL, rental_date date NOT NULL, inventory_id int,
  PRIMARY KEY (rental_id, rental_date)) PARTITION BY RANGE (rental_date);
CREATE TABLE rental_2005 PARTITION OF rental FOR VALUES FROM ('2005-01-01') TO ('2006-01-01');
CREATE TABLE rental_2006 PARTITION OF rental FOR VALUES FROM ('2006-01-01') TO ('2007-01-01');
ALTER TABLE rental_2006 REPLICA IDENTITY NOTHING;
INSERT INTO rental VALUES (1, '2005-05-24', 10), (2, '2006-02-14', 11);
)sql");
  CompareAssessWithReplicate(
      pg->uri(), maria->uri(),
      {"table public.payment_p2007_01", "table public.payment_p2007_02",
       "table public.rental_2006 (partition of public.rental)"},
      {"public.payment_p2007_0%", "public.rental"},
      {"table public.film: column rating", "table public.payment: column payment_date"});
}

TEST(OpsAssessFixtures, MariaDbSakilaToPostgres) {
  auto maria = StartMariaDb("afmsrc");
  ASSERT_TRUE(maria);
  auto pg = StartPostgres("afpgdst");
  ASSERT_TRUE(pg);
  Sql(*maria, kMariaSakilaSchema);
  Sql(*maria, kMariaSakilaRows);
  // sakila's address has a GEOMETRY column; an old film_text copy is MyISAM and keyless; a
  // store's manager references staff, which the task leaves out.
  Sql(*maria, R"sql(
CREATE TABLE address (address_id SMALLINT UNSIGNED PRIMARY KEY, address VARCHAR(50) NOT NULL,
  location GEOMETRY NOT NULL) ENGINE=InnoDB;
INSERT INTO address VALUES (1, '47 MySakila Drive', POINT(-112.8185, 49.6999));
CREATE TABLE film_text (film_id SMALLINT NOT NULL, title VARCHAR(255) NOT NULL,
  description TEXT) ENGINE=MyISAM;
CREATE TABLE staff (staff_id TINYINT UNSIGNED PRIMARY KEY, name VARCHAR(45)) ENGINE=InnoDB;
CREATE TABLE store (store_id TINYINT UNSIGNED PRIMARY KEY, manager_staff_id TINYINT UNSIGNED,
  CONSTRAINT fk_store_staff FOREIGN KEY (manager_staff_id) REFERENCES staff (staff_id)
    ON DELETE SET NULL) ENGINE=InnoDB;
)sql");
  // staff is left out of the task: its deletes would never reach store's SET NULL.
  const std::string source = maria->uri();
  RunResult r = RunCutover(
      {"assess", "--source", source, "--target", pg->uri(), "--json", "--exclude-tables", "staff"},
      90s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out;
  json fk = FindCheck(report, "foreign_keys.in_task");
  EXPECT_EQ(fk["status"], "failed") << fk.dump();
  EXPECT_NE(fk.dump().find("table cutover.store"), std::string::npos) << fk.dump();
  // film_text is refused for its storage engine and, in the same run, for its missing key.
  json keys = FindCheck(report, "tables.primary_key");
  EXPECT_NE(keys.dump().find("table cutover.film_text"), std::string::npos) << keys.dump();
  EXPECT_NE(FindCheck(report, "tables.supported").dump().find("table cutover.film_text"),
            std::string::npos);

  Sql(*maria, "DROP TABLE store; DROP TABLE staff");
  CompareAssessWithReplicate(
      source, pg->uri(), {"column cutover.address.location", "table cutover.film_text"},
      {"address", "film_text"},
      {"table cutover.film: column rating", "table cutover.customer: column create_date"});
}

TEST(OpsAssessFixtures, SqliteSakilaAndChinookToMariaDb) {
  auto maria = StartMariaDb("afsq");
  ASSERT_TRUE(maria);
  SqliteDir dir;
  const std::string db = dir.path("sakila.db");
  SqliteExec(db, kSqliteSakilaSchema);
  SqliteExec(db, kSqliteSakilaRows);
  // A keyless log table, a genre table keyed case-insensitively, and chinook's media types
  // keyed by their unbounded TEXT name (MariaDB bounds a key: a lossy column).
  SqliteExec(db,
             "CREATE TABLE film_text (film_id INTEGER, title TEXT);"
             "INSERT INTO film_text VALUES (1, 'ACADEMY DINOSAUR');"
             "CREATE TABLE genre (name TEXT PRIMARY KEY COLLATE NOCASE, note TEXT);"
             "INSERT INTO genre VALUES ('Rock', NULL), ('jazz', 'x');"
             "CREATE TABLE media_type (name TEXT PRIMARY KEY, lossless INTEGER);"
             "INSERT INTO media_type VALUES ('MPEG audio file', 0), ('AAC audio file', 1);");
  CompareAssessWithReplicate(
      "sqlite://" + db, maria->uri(), {"table main.film_text", "table main.genre"},
      {"main.film_text", "main.genre"}, {"table main.media_type: column name"});
  // Nothing of the task was created on the source by the refused runs and the full load.
  EXPECT_EQ(SqliteValue(db,
                        "SELECT count(*) FROM sqlite_master WHERE name LIKE '\\_cutover%' "
                        "ESCAPE '\\'"),
            "0");
}

}  // namespace
}  // namespace cutover::testing
