// `cutover assess` on real servers: on a sakila-shaped PostgreSQL source with a MariaDB target
// it names, in one run, every problem `replicate` refuses (the keyless inheritance children) and
// every lossy column, writes JSON and HTML reports without a password, and exits 0 once the
// problem tables are left out. On a MariaDB source it warns of the foreign-key actions cutover
// reproduces and fails the target's trigger check that `replicate` refuses on.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSecret = "Qz4assessPw";

// The check `id` of an assessment's JSON (null json when absent).
json FindCheck(const json& report, const std::string& id) {
  for (const json& section : report["sections"])
    for (const json& c : section["checks"])
      if (c["id"] == id) return c;
  return json();
}

bool HasObjectContaining(const json& check, const std::string& text) {
  for (const json& o : check["objects"])
    if (o.get<std::string>().find(text) != std::string::npos) return true;
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(OpsAssess, SakilaShapedPostgresToMariaDbNamesRefusalsAndLossyColumns) {
  auto pg = StartPostgres("aspg");
  ASSERT_TRUE(pg);
  auto maria = StartMariaDb("asmaria");
  ASSERT_TRUE(maria);
  Sql(*pg,
      "CREATE ROLE alice LOGIN REPLICATION PASSWORD '" + std::string(kSecret) +
          "';"
          "CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');"
          "CREATE TABLE actor (actor_id serial PRIMARY KEY, first_name text NOT NULL, "
          "  last_update timestamptz NOT NULL DEFAULT now());"
          "CREATE TABLE film (film_id serial PRIMARY KEY, title text NOT NULL, "
          "  rating mpaa_rating DEFAULT 'G', special_features text[], fulltext tsvector, "
          "  last_update timestamp NOT NULL DEFAULT now());"
          "CREATE TABLE payment (payment_id int PRIMARY KEY, amount numeric(5,2) NOT NULL, "
          "  payment_date timestamp NOT NULL);"
          "CREATE TABLE payment_p2007_01 (CHECK (payment_date < '2007-02-01')) INHERITS (payment);"
          "CREATE TABLE payment_p2007_02 (CHECK (payment_date >= '2007-02-01')) INHERITS (payment);"
          "INSERT INTO actor (first_name) VALUES ('PENELOPE'), ('NICK');"
          "INSERT INTO film (title, special_features) VALUES ('ACADEMY DINOSAUR', "
          "  '{Deleted Scenes}');"
          "INSERT INTO payment_p2007_01 VALUES (1, 2.99, '2007-01-24');"
          "GRANT SELECT ON ALL TABLES IN SCHEMA public TO alice;");
  const std::string source = "postgresql://alice:" + std::string(kSecret) +
                             "@127.0.0.1:" + std::to_string(pg->port()) + "/cutover";
  SqliteDir dir;
  const std::string report_dir = dir.path("assessment");

  RunResult r = RunCutover(
      {"assess", "--source", source, "--target", maria->uri(), "--json", "--report", report_dir},
      60s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out;
  json keys = FindCheck(report, "tables.primary_key");
  EXPECT_EQ(keys["status"], "failed") << keys.dump();
  EXPECT_TRUE(HasObjectContaining(keys, "table public.payment_p2007_01")) << keys.dump();
  EXPECT_TRUE(HasObjectContaining(keys, "table public.payment_p2007_02")) << keys.dump();
  EXPECT_NE(keys["remedy"].get<std::string>().find("public.payment_p2007_0%"), std::string::npos)
      << keys.dump();
  json lossy = FindCheck(report, "columns.lossy");
  EXPECT_EQ(lossy["status"], "warning") << lossy.dump();
  for (const char* column :
       {"table public.film: column special_features", "table public.film: column fulltext",
        "table public.actor: column last_update"})
    EXPECT_TRUE(HasObjectContaining(lossy, column)) << column << " in " << lossy.dump();
  json sizes = FindCheck(report, "tables.size");
  EXPECT_EQ(sizes["status"], "passed") << sizes.dump();
  EXPECT_TRUE(HasObjectContaining(sizes, "table public.actor: ")) << sizes.dump();
  EXPECT_TRUE(HasObjectContaining(sizes, " bytes")) << sizes.dump();
  EXPECT_EQ(FindCheck(report, "pg.wal_level")["status"], "passed");
  EXPECT_EQ(FindCheck(report, "maria.local_infile")["status"], "passed");
  EXPECT_EQ(FindCheck(report, "target.tables")["status"], "passed");
  EXPECT_EQ(report["summary"]["failed"], 1) << report["summary"].dump();
  EXPECT_EQ(r.out.find(kSecret), std::string::npos);
  EXPECT_EQ(r.err.find(kSecret), std::string::npos);

  // The report files: the same checks, no password.
  std::string html = ReadFile(report_dir + "/assessment.html");
  std::string js = ReadFile(report_dir + "/assessment.json");
  EXPECT_NE(html.find("tables.primary_key"), std::string::npos);
  EXPECT_NE(html.find("FAILED"), std::string::npos);
  EXPECT_EQ(json::parse(js, nullptr, false), report);
  EXPECT_EQ(html.find(kSecret), std::string::npos);
  EXPECT_EQ(js.find(kSecret), std::string::npos);

  // replicate refuses exactly what assess failed, and creates nothing.
  r = RunCutover({"replicate", "--source", source, "--target", maria->uri(), "--task", "sak"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("2 problems"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("table public.payment_p2007_01"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("table public.payment_p2007_02"), std::string::npos) << r.err;

  // A DMS table mapping: a rename is a warning naming the landing name; a selection rule that
  // selects nothing fails the mapping check (as replicate refuses it).
  {
    std::ofstream(dir.path("mapping.json")) << R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-name": "all",
       "object-locator": {"schema-name": "public", "table-name": "%"}, "rule-action": "include"},
      {"rule-type": "selection", "rule-id": "2", "rule-name": "typo",
       "object-locator": {"schema-name": "pubic", "table-name": "%"}, "rule-action": "include"},
      {"rule-type": "transformation", "rule-id": "3", "rule-name": "plural", "rule-target": "table",
       "object-locator": {"schema-name": "public", "table-name": "actor"},
       "rule-action": "rename", "value": "actors"}]})";
  }
  r = RunCutover(
      {"assess", "--source", source, "--target", maria->uri(), "--json", "--table-mappings",
       dir.path("mapping.json"), "--exclude-tables", "public.payment_p2007_0%"},
      60s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out;
  EXPECT_EQ(FindCheck(report, "task.table_mappings")["status"], "failed") << r.out;
  json renamed = FindCheck(report, "names.changed");
  EXPECT_EQ(renamed["status"], "warning") << renamed.dump();
  EXPECT_TRUE(HasObjectContaining(renamed, "table public.actor lands as")) << renamed.dump();
  EXPECT_TRUE(HasObjectContaining(renamed, ".actors")) << renamed.dump();

  // Left out, nothing fails (the lossy columns stay warnings): exit 0, and the human summary.
  r = RunCutover({"assess", "--source", source, "--target", maria->uri(), "--exclude-tables",
                  "public.payment_p2007_0%"},
                 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: 0 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("WARNING  columns.lossy"), std::string::npos) << r.out;
}

TEST(OpsAssess, MariaDbSourceForeignKeyActionsAndTargetTrigger) {
  auto maria = StartMariaDb("asfk");
  ASSERT_TRUE(maria);
  auto conn = MariaConnect(*maria);
  ASSERT_TRUE(conn);
  MariaExec(*conn,
            "CREATE TABLE customer (customer_id INT PRIMARY KEY, name VARCHAR(45)) ENGINE=InnoDB;"
            "CREATE TABLE rental (rental_id INT PRIMARY KEY, customer_id INT, CONSTRAINT "
            "fk_rental_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id) ON "
            "DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB");
  SqliteDir dir;
  // A pre-created target table with a trigger, loaded with --table-prep truncate.
  SqliteExec(dir.path("t.db"),
             "CREATE TABLE customer (customer_id INTEGER PRIMARY KEY, name TEXT);"
             "CREATE TABLE rental (rental_id INTEGER PRIMARY KEY, customer_id INTEGER);"
             "CREATE TABLE audit (n INTEGER);"
             "CREATE TRIGGER rental_audit AFTER INSERT ON rental BEGIN INSERT INTO audit "
             "VALUES (1); END;");

  RunResult r = RunCutover(
      {"assess", "--source", maria->uri(), "--target", dir.uri("t.db"), "--table-prep", "truncate",
       "--tables", "cutover.customer", "--tables", "cutover.rental", "--json"},
      60s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out;
  json fk = FindCheck(report, "foreign_keys.actions");
  EXPECT_EQ(fk["status"], "warning") << fk.dump();
  EXPECT_TRUE(HasObjectContaining(fk, "fk_rental_customer")) << fk.dump();
  EXPECT_TRUE(HasObjectContaining(fk, "ON DELETE CASCADE")) << fk.dump();
  json target = FindCheck(report, "target.tables");
  EXPECT_EQ(target["status"], "failed") << target.dump();
  EXPECT_TRUE(HasObjectContaining(target, "rental_audit")) << target.dump();
  EXPECT_EQ(FindCheck(report, "maria.binlog_format")["status"], "passed");

  // The same refusal from replicate.
  r = RunCutover(
      {"replicate", "--source", maria->uri(), "--target", dir.uri("t.db"), "--table-prep",
       "truncate", "--tables", "cutover.customer", "--tables", "cutover.rental", "--task", "fk"},
      60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("rental_audit"), std::string::npos) << r.err;

  // Could not assess: the source does not answer.
  r = RunCutover(
      {"assess", "--source", "mariadb://root:" + std::string(kSecret) + "@127.0.0.1:1/cutover",
       "--target", dir.uri("t.db")},
      60s);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot assess"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(kSecret), std::string::npos);
  EXPECT_EQ(r.err.find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace cutover::testing
