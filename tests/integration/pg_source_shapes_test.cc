// PostgreSQL source shapes that must never make the application's statements fail on the
// source: inheritance (sakila's `payment` with six keyless monthly children) and declarative
// partitioning. Regression tests of issue 12 items 1 and 8: the task's publication publishes
// exactly the task's tables (ONLY; a partitioned table through its root), a publication made by
// an older cutover is repaired, and every reason to refuse a start is named in one run.
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// sakila-shaped: `payment` has a primary key, its monthly children inherit its columns but not
// its key. Parent rows are 2006 payments, each child holds its month of 2007.
constexpr const char* kPaymentSchema = R"sql(
CREATE TABLE customer (customer_id int PRIMARY KEY, "FirstName" text NOT NULL);
INSERT INTO customer SELECT g, 'c' || g FROM generate_series(1, 20) g;
CREATE TABLE payment (
  payment_id serial PRIMARY KEY, customer_id int NOT NULL, amount numeric(5,2) NOT NULL,
  payment_date timestamp NOT NULL);
DO $$ BEGIN
  FOR m IN 1..6 LOOP
    EXECUTE format('CREATE TABLE payment_p2007_%s (CHECK (payment_date >= %L AND '
                   'payment_date < %L)) INHERITS (payment)', lpad(m::text, 2, '0'),
                   make_date(2007, m, 1), make_date(2007, m, 1) + interval '1 month');
    EXECUTE format('INSERT INTO payment_p2007_%s (customer_id, amount, payment_date) '
                   'SELECT 1 + g %% 20, (g %% 1000) / 100.0, %L::date + g * interval ''1 minute'' '
                   'FROM generate_series(1, 200) g', lpad(m::text, 2, '0'), make_date(2007, m, 1));
  END LOOP;
END $$;
INSERT INTO payment (customer_id, amount, payment_date)
  SELECT 1 + g % 20, 9.99, '2006-02-14'::date + g * interval '1 hour' FROM generate_series(1, 300) g;
)sql";

class PgSourceShapes : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartPostgres("shsrc");
    target_ = StartPostgres("shtgt");
    ASSERT_TRUE(source_ && target_);
  }

  std::vector<std::string> Replicate(const std::string& task, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "replicate", "--source", source_->uri(), "--target", target_->uri(), "--task", task};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The application's statements on the parent, touching rows of the children too: each must
  // succeed on the source ("" when they did, else the server's error).
  std::string ApplicationWrites(int round) {
    std::string c = std::to_string(1 + round);
    for (const std::string& sql : std::vector<std::string>{
             "UPDATE payment SET amount = amount + 1 WHERE customer_id = " + c,
             "DELETE FROM payment WHERE customer_id = " + c + " AND payment_date >= '2007-03-01'",
             std::string(
                 "DELETE FROM payment WHERE payment_id IN (SELECT payment_id FROM ONLY payment "
                 "ORDER BY payment_id LIMIT 3)"),
             std::string("INSERT INTO payment (customer_id, amount, payment_date) VALUES (") + c +
                 ", 1.50, '2006-12-31 23:59')"}) {
      auto r = source_->Sql(sql);
      if (!r.ok()) return sql + ": " + r.status().message();
    }
    return "";
  }

  std::string Published(const std::string& task) {
    return Sql(*source_,
               "SELECT coalesce(string_agg(schemaname || '.' || tablename, ',' ORDER BY 1, 2), "
               "'') FROM pg_publication_tables WHERE pubname = 'cutover_" +
                   task + "'");
  }

  // Source `source_table` (ONLY for a parent's own rows) against target `target_table`.
  bool Equal(const std::string& source_table, const std::string& target_table,
             const std::string& key) {
    return TableFingerprint(*source_, source_table, key) ==
           TableFingerprint(*target_, target_table, key);
  }
  std::string Diff(const std::string& source_table, const std::string& target_table,
                   const std::string& key) {
    return "source " + TableFingerprint(*source_, source_table, key) + " target " +
           TableFingerprint(*target_, target_table, key);
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
};

// The children are left out; the task publishes `payment` alone, so the application's UPDATE
// and DELETE on `payment` that reach the children keep working while the task streams and
// while it is stopped, and the target holds the parent's own rows.
TEST_F(PgSourceShapes, KeylessInheritanceChildrenLeftOutNeverBreakTheSourceApplication) {
  Sql(*source_, kPaymentSchema);
  EngineProcess engine(Replicate("shapes", {"--exclude-tables", "public.payment_p%"}));
  ASSERT_TRUE(Eventually(
      [&] {
        return Equal("ONLY public.payment", "public.payment", "payment_id") || !engine.Running();
      },
      90s));
  ASSERT_TRUE(engine.Running()) << engine.Log();
  EXPECT_EQ(Published("shapes"), "public.customer,public.payment");
  for (int round = 0; round < 3; ++round) EXPECT_EQ(ApplicationWrites(round), "");
  EXPECT_TRUE(
      Eventually([&] { return Equal("ONLY public.payment", "public.payment", "payment_id"); }, 60s))
      << Diff("ONLY public.payment", "public.payment", "payment_id") << "\n"
      << engine.Log();
  EXPECT_TRUE(Equal("public.customer", "public.customer", "customer_id"));
  // The children's rows stayed on the source and did not reach the target's `payment`.
  EXPECT_NE(Sql(*source_, "SELECT count(*) FROM payment_p2007_01"), "0");
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'payment\\_p%'"),
            "0");
  // The validator reads the parent's own rows too: source and target are equal.
  RunResult v = RunCutover({"validate", "--source", source_->uri(), "--target", target_->uri(),
                            "--tables", "public.payment", "--tables", "public.customer"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  // The task still exists (slot and publication): the application still works.
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_replication_slots"), "1");
  EXPECT_EQ(ApplicationWrites(5), "");
}

// A publication made by an older cutover (FOR TABLE payment, without ONLY) publishes the keyless
// children and breaks the application; the next start repairs it.
TEST_F(PgSourceShapes, StalePublicationOfAnOlderCutoverIsRepairedOnStart) {
  Sql(*source_, kPaymentSchema);
  Sql(*source_, "CREATE PUBLICATION cutover_shapes FOR TABLE payment, customer");
  ASSERT_NE(ApplicationWrites(0), "") << "the stale publication should break the source";
  EngineProcess engine(Replicate("shapes", {"--exclude-tables", "public.payment_p%"}));
  EXPECT_TRUE(Eventually(
      [&] { return Published("shapes") == "public.customer,public.payment" || !engine.Running(); },
      60s))
      << Published("shapes") << "\n"
      << engine.Log();
  EXPECT_EQ(ApplicationWrites(1), "");
  EXPECT_TRUE(
      Eventually([&] { return Equal("ONLY public.payment", "public.payment", "payment_id"); }, 60s))
      << Diff("ONLY public.payment", "public.payment", "payment_id") << "\n"
      << engine.Log();
  EXPECT_NE(engine.Log().find("older cutover"), std::string::npos) << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

// A declaratively partitioned table is one table: loaded whole, its changes (an update moving a
// row to another partition included) applied under the root's name, the partitions never
// published or created on their own.
TEST_F(PgSourceShapes, DeclarativelyPartitionedTableReplicatesAsOneTable) {
  Sql(*source_, R"sql(
CREATE TABLE "Measurement" (
  city_id int NOT NULL, logdate date NOT NULL, "PeakTemp" int, note text,
  PRIMARY KEY (city_id, logdate)) PARTITION BY RANGE (logdate);
CREATE TABLE "Measurement_y2006" PARTITION OF "Measurement"
  FOR VALUES FROM ('2006-01-01') TO ('2007-01-01');
CREATE TABLE "Measurement_y2007" PARTITION OF "Measurement"
  FOR VALUES FROM ('2007-01-01') TO ('2008-01-01') PARTITION BY LIST (city_id);
CREATE TABLE "Measurement_y2007_odd" PARTITION OF "Measurement_y2007" FOR VALUES IN (1, 3, 5, 7, 9);
CREATE TABLE "Measurement_y2007_even" PARTITION OF "Measurement_y2007" FOR VALUES IN (2, 4, 6, 12, 14);
CREATE TABLE "Measurement_y2008" PARTITION OF "Measurement"
  FOR VALUES FROM ('2008-01-01') TO ('2009-01-01');
INSERT INTO "Measurement"
  SELECT 1 + g % 6, '2006-01-01'::date + (g / 6), g % 40, 'r' || g FROM generate_series(0, 4000) g;
)sql");
  const std::string key = "city_id, logdate";
  EngineProcess engine(Replicate("parts", {}));
  ASSERT_TRUE(Eventually(
      [&] {
        return Equal("public.\"Measurement\"", "public.\"Measurement\"", key) || !engine.Running();
      },
      90s))
      << Diff("public.\"Measurement\"", "public.\"Measurement\"", key) << "\n"
      << engine.Log();
  ASSERT_TRUE(engine.Running()) << engine.Log();
  EXPECT_EQ(Published("parts"), "public.Measurement");
  Sql(*source_,
      "INSERT INTO \"Measurement\" VALUES (1, '2008-06-01', 30, 'new'), (14, '2007-06-01', 31, "
      "'new');"
      // moves rows from 2006 to 2008, and between the list partitions of 2007
      "UPDATE \"Measurement\" SET logdate = logdate + interval '2 years' WHERE logdate < "
      "'2006-01-10';"
      "UPDATE \"Measurement\" SET city_id = city_id + 11 WHERE city_id IN (1, 3) AND logdate "
      "BETWEEN '2007-02-01' AND '2007-02-05';"
      "DELETE FROM \"Measurement\" WHERE logdate BETWEEN '2007-05-01' AND '2007-05-20';"
      "UPDATE \"Measurement\" SET \"PeakTemp\" = -1 WHERE logdate >= '2008-01-01';");
  EXPECT_TRUE(Eventually(
      [&] { return Equal("public.\"Measurement\"", "public.\"Measurement\"", key); }, 60s))
      << Diff("public.\"Measurement\"", "public.\"Measurement\"", key) << "\n"
      << engine.Log();
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'Measurement\\_%'"),
            "0");
  RunResult v = RunCutover({"validate", "--source", source_->uri(), "--target", target_->uri()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

// REPLICA IDENTITY FULL (set for tools that want whole before-images) makes pgoutput flag every
// column as a key column. Rows are still found on the target by the primary key, so deletes,
// key updates and updates of rows holding NULLs all arrive (matching on every column would miss
// each row with a NULL: NULL = NULL is not true; found by the DMS rules tests).
TEST_F(PgSourceShapes, ReplicaIdentityFullRowsWithNullsAreFoundByTheirKey) {
  Sql(*source_, R"sql(
CREATE TABLE "Rental" (rental_id int PRIMARY KEY, "ReturnDate" timestamp, note text, staff int);
ALTER TABLE "Rental" REPLICA IDENTITY FULL;
INSERT INTO "Rental"
  SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE '2005-05-24'::timestamp + g * interval '1 hour' END,
         CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g END, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 7 END
  FROM generate_series(1, 300) g;
)sql");
  const std::string table = "public.\"Rental\"";
  EngineProcess engine(Replicate("full", {}));
  ASSERT_TRUE(
      Eventually([&] { return Equal(table, table, "rental_id") || !engine.Running(); }, 90s))
      << Diff(table, table, "rental_id") << "\n"
      << engine.Log();
  ASSERT_TRUE(engine.Running()) << engine.Log();
  Sql(*source_,
      "DELETE FROM \"Rental\" WHERE note IS NULL AND rental_id < 100;"
      "UPDATE \"Rental\" SET rental_id = rental_id + 1000 WHERE \"ReturnDate\" IS NULL AND "
      "rental_id BETWEEN 100 AND 200;"
      "UPDATE \"Rental\" SET note = 'returned' WHERE staff IS NULL;"
      "UPDATE \"Rental\" SET \"ReturnDate\" = NULL WHERE rental_id BETWEEN 250 AND 260;");
  EXPECT_TRUE(Eventually([&] { return Equal(table, table, "rental_id"); }, 60s))
      << Diff(table, table, "rental_id") << "\n"
      << engine.Log();
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM \"Rental\" WHERE rental_id > 1000"),
            Sql(*source_, "SELECT count(*) FROM \"Rental\" WHERE rental_id > 1000"));
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

// A partition that cannot identify its rows (REPLICA IDENTITY NOTHING, though its partitioned
// table has a key) would be published through its root and break the application's UPDATE and
// DELETE: the start is refused naming it, and nothing is left on the source.
TEST_F(PgSourceShapes, PartitionWithoutReplicaIdentityIsRefusedBeforeItIsPublished) {
  Sql(*source_, R"sql(
CREATE TABLE rental (rental_id int NOT NULL, rental_date date NOT NULL, inventory_id int,
  PRIMARY KEY (rental_id, rental_date)) PARTITION BY RANGE (rental_date);
CREATE TABLE rental_2005 PARTITION OF rental FOR VALUES FROM ('2005-01-01') TO ('2006-01-01');
CREATE TABLE rental_2006 PARTITION OF rental FOR VALUES FROM ('2006-01-01') TO ('2007-01-01');
ALTER TABLE rental_2006 REPLICA IDENTITY NOTHING;
INSERT INTO rental VALUES (1, '2005-05-24', 10), (2, '2006-02-14', 11);
)sql");
  RunResult r = RunCutover(Replicate("rent", {}), 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // Named by the start checks (as `cutover assess` names it) before the publication is made.
  EXPECT_NE(r.err.find("table public.rental_2006 (partition of public.rental): has no replica "
                       "identity"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_publication"), "0");
  auto update = source_->Sql("UPDATE rental SET inventory_id = inventory_id + 1");
  EXPECT_TRUE(update.ok()) << update.status().message();
}

// Everything that stops a start is named in one run: the six keyless children (with the
// remedy) and a role without the REPLICATION attribute; nothing is created on the source.
// `task prepare` applies the same rules (it must not publish the keyless children).
TEST_F(PgSourceShapes, EveryStartProblemIsNamedInOneRun) {
  Sql(*source_, kPaymentSchema);
  Sql(*source_,
      "CREATE ROLE app LOGIN PASSWORD 'apppw'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "
      "app; GRANT CREATE ON DATABASE " +
          Sql(*source_, "SELECT current_database()") + " TO app");
  std::string app_uri = source_->uri();
  app_uri.replace(app_uri.find("://") + 3, app_uri.find('@') - app_uri.find("://") - 3,
                  "app:apppw");
  RunResult r = RunCutover(
      {"replicate", "--source", app_uri, "--target", target_->uri(), "--task", "shapes"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (int m = 1; m <= 6; ++m) {
    std::string child = "public.payment_p2007_0" + std::to_string(m);
    EXPECT_NE(r.err.find("table " + child + ": has no primary key"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--exclude-tables '" + child + "'"), std::string::npos) << r.err;
  }
  // One pattern leaves them all out.
  EXPECT_NE(r.err.find("(all 6 such tables: --exclude-tables 'public.payment_p2007_0%')"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("REPLICATION attribute"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("7 problems"), std::string::npos) << r.err;
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_publication"), "0");
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_replication_slots"), "0");

  r = RunCutover({"task", "prepare", "--source", source_->uri(), "--task", "shapes"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("6 problems"), std::string::npos) << r.err;
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_publication"), "0");
  EXPECT_EQ(ApplicationWrites(0), "");

  r = RunCutover({"task", "prepare", "--source", source_->uri(), "--task", "shapes",
                  "--exclude-tables", "public.payment_p%"},
                 60s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Published("shapes"), "public.customer,public.payment");
  EXPECT_EQ(ApplicationWrites(1), "");
  r = RunCutover({"task", "drop", "--source", source_->uri(), "--task", "shapes"}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace cutover::testing
