// A target schema the user created before the task (to keep its indexes, foreign keys and
// triggers): replicated rows land exactly as the source wrote them, every --table-prep mode loads
// tables that reference each other, and no lock wait is unbounded or silent. Issue 12, items 5-7.
//
// Fixtures have sakila's shapes, written here: a store <-> staff foreign-key cycle, customer,
// film, inventory -> film/store, rental -> inventory/customer/staff, payment -> rental ON DELETE
// SET NULL; triggers that rewrite last_update and an AFTER INSERT trigger that fills another task
// table (film -> film_text). Each side is compared by its own server's SQL, never engine code.
#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Fixtures

// The sakila-like tables (PostgreSQL). Cycle constraints are deferrable so the source can fill
// them in one transaction; the target gets the very same DDL.
constexpr const char* kPgSakilaDdl = R"sql(
CREATE TABLE store (store_id int PRIMARY KEY, manager_staff_id int NOT NULL,
  last_update timestamp NOT NULL DEFAULT now());
CREATE TABLE staff (staff_id int PRIMARY KEY, first_name text NOT NULL,
  store_id int NOT NULL REFERENCES store ON UPDATE CASCADE ON DELETE RESTRICT
    DEFERRABLE INITIALLY DEFERRED,
  last_update timestamp NOT NULL DEFAULT now());
ALTER TABLE store ADD CONSTRAINT store_manager_fk FOREIGN KEY (manager_staff_id)
  REFERENCES staff ON UPDATE CASCADE ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED;
CREATE TABLE customer (customer_id int PRIMARY KEY,
  store_id int NOT NULL REFERENCES store ON UPDATE CASCADE ON DELETE RESTRICT
    DEFERRABLE INITIALLY DEFERRED,
  name text NOT NULL, last_update timestamp NOT NULL DEFAULT now());
CREATE TABLE film (film_id int PRIMARY KEY, title text NOT NULL,
  last_update timestamp NOT NULL DEFAULT now());
CREATE TABLE inventory (inventory_id int PRIMARY KEY,
  film_id int NOT NULL REFERENCES film ON UPDATE CASCADE ON DELETE RESTRICT,
  store_id int NOT NULL REFERENCES store ON UPDATE CASCADE ON DELETE RESTRICT
    DEFERRABLE INITIALLY DEFERRED,
  last_update timestamp NOT NULL DEFAULT now());
CREATE TABLE rental (rental_id int PRIMARY KEY,
  inventory_id int NOT NULL REFERENCES inventory ON UPDATE CASCADE ON DELETE RESTRICT,
  customer_id int NOT NULL REFERENCES customer ON UPDATE CASCADE ON DELETE RESTRICT,
  staff_id int NOT NULL REFERENCES staff ON UPDATE CASCADE ON DELETE RESTRICT,
  rental_date timestamp NOT NULL, last_update timestamp NOT NULL DEFAULT now());
CREATE TABLE payment (payment_id int PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customer ON UPDATE CASCADE ON DELETE RESTRICT,
  staff_id int NOT NULL REFERENCES staff ON UPDATE CASCADE ON DELETE RESTRICT,
  rental_id int REFERENCES rental ON UPDATE CASCADE ON DELETE SET NULL,
  amount numeric(5,2) NOT NULL, payment_date timestamp NOT NULL);
)sql";

// Customers 291..300 have no rentals or payments.
constexpr const char* kPgSakilaRows = R"sql(
BEGIN;
INSERT INTO store VALUES (1, 1, '2006-02-15 04:57:12'), (2, 2, '2006-02-15 04:57:12');
INSERT INTO staff SELECT g, 'staff ' || g, 1 + g % 2, '2006-02-15 04:57:16'
  FROM generate_series(1, 4) g;
INSERT INTO customer SELECT g, 1 + g % 2, 'customer ' || g, '2006-02-15 04:57:20'
  FROM generate_series(1, 300) g;
INSERT INTO film SELECT g, 'film ' || g, '2006-02-15 05:03:42' FROM generate_series(1, 200) g;
INSERT INTO inventory SELECT g, 1 + g % 200, 1 + g % 2, '2006-02-15 05:09:17'
  FROM generate_series(1, 1000) g;
INSERT INTO rental SELECT g, 1 + g % 1000, 1 + g % 290, 1 + g % 4,
  timestamp '2005-05-24 22:53:30' + g * interval '1 minute', '2006-02-15 21:30:53'
  FROM generate_series(1, 3000) g;
INSERT INTO payment SELECT g, 1 + g % 290, 1 + g % 4, 1 + g % 3000, (g % 1000) / 100.0,
  timestamp '2005-05-25 11:30:37' + g * interval '1 minute' FROM generate_series(1, 6000) g;
COMMIT;
)sql";

// The same tables on a MariaDB target, created by the user with their foreign keys.
constexpr const char* kMariaSakilaDdl = R"sql(
CREATE TABLE store (store_id INT NOT NULL PRIMARY KEY, manager_staff_id INT NOT NULL,
  last_update DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB;
CREATE TABLE staff (staff_id INT NOT NULL PRIMARY KEY, first_name TEXT NOT NULL,
  store_id INT NOT NULL, last_update DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_staff_store FOREIGN KEY (store_id) REFERENCES store (store_id)
    ON DELETE RESTRICT ON UPDATE CASCADE) ENGINE=InnoDB;
ALTER TABLE store ADD CONSTRAINT fk_store_staff FOREIGN KEY (manager_staff_id)
  REFERENCES staff (staff_id) ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE TABLE customer (customer_id INT NOT NULL PRIMARY KEY, store_id INT NOT NULL,
  name TEXT NOT NULL, last_update DATETIME(6) NOT NULL,
  CONSTRAINT fk_customer_store FOREIGN KEY (store_id) REFERENCES store (store_id)
    ON DELETE RESTRICT ON UPDATE CASCADE) ENGINE=InnoDB;
CREATE TABLE film (film_id INT NOT NULL PRIMARY KEY, title TEXT NOT NULL,
  last_update DATETIME(6) NOT NULL) ENGINE=InnoDB;
CREATE TABLE inventory (inventory_id INT NOT NULL PRIMARY KEY, film_id INT NOT NULL,
  store_id INT NOT NULL, last_update DATETIME(6) NOT NULL,
  CONSTRAINT fk_inventory_film FOREIGN KEY (film_id) REFERENCES film (film_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_inventory_store FOREIGN KEY (store_id) REFERENCES store (store_id)
    ON DELETE RESTRICT ON UPDATE CASCADE) ENGINE=InnoDB;
CREATE TABLE rental (rental_id INT NOT NULL PRIMARY KEY, inventory_id INT NOT NULL,
  customer_id INT NOT NULL, staff_id INT NOT NULL, rental_date DATETIME(6) NOT NULL,
  last_update DATETIME(6) NOT NULL,
  CONSTRAINT fk_rental_inventory FOREIGN KEY (inventory_id) REFERENCES inventory (inventory_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_rental_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_rental_staff FOREIGN KEY (staff_id) REFERENCES staff (staff_id)
    ON DELETE RESTRICT ON UPDATE CASCADE) ENGINE=InnoDB;
CREATE TABLE payment (payment_id INT NOT NULL PRIMARY KEY, customer_id INT NOT NULL,
  staff_id INT NOT NULL, rental_id INT NULL, amount DECIMAL(5,2) NOT NULL,
  payment_date DATETIME(6) NOT NULL,
  CONSTRAINT fk_payment_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_payment_staff FOREIGN KEY (staff_id) REFERENCES staff (staff_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_payment_rental FOREIGN KEY (rental_id) REFERENCES rental (rental_id)
    ON DELETE SET NULL ON UPDATE CASCADE) ENGINE=InnoDB;
)sql";

struct SakilaTable {
  std::string name;
  std::string key;
  std::vector<CanonCol> cols;
};

const std::vector<SakilaTable>& SakilaTables() {
  static const std::vector<SakilaTable> tables = {
      {"store",
       "store_id",
       {{"store_id", Canon::kInt},
        {"manager_staff_id", Canon::kInt},
        {"last_update", Canon::kTimestamp}}},
      {"staff",
       "staff_id",
       {{"staff_id", Canon::kInt},
        {"first_name", Canon::kText},
        {"store_id", Canon::kInt},
        {"last_update", Canon::kTimestamp}}},
      {"customer",
       "customer_id",
       {{"customer_id", Canon::kInt},
        {"store_id", Canon::kInt},
        {"name", Canon::kText},
        {"last_update", Canon::kTimestamp}}},
      {"film",
       "film_id",
       {{"film_id", Canon::kInt}, {"title", Canon::kText}, {"last_update", Canon::kTimestamp}}},
      {"inventory",
       "inventory_id",
       {{"inventory_id", Canon::kInt},
        {"film_id", Canon::kInt},
        {"store_id", Canon::kInt},
        {"last_update", Canon::kTimestamp}}},
      {"rental",
       "rental_id",
       {{"rental_id", Canon::kInt},
        {"inventory_id", Canon::kInt},
        {"customer_id", Canon::kInt},
        {"staff_id", Canon::kInt},
        {"rental_date", Canon::kTimestamp},
        {"last_update", Canon::kTimestamp}}},
      {"payment",
       "payment_id",
       {{"payment_id", Canon::kInt},
        {"customer_id", Canon::kInt},
        {"staff_id", Canon::kInt},
        {"rental_id", Canon::kInt},
        {"amount", Canon::kDecimal},
        {"payment_date", Canon::kTimestamp}}},
  };
  return tables;
}

// "" when every sakila table of the PostgreSQL source equals the target's (PostgreSQL with the
// same DDL: row text; MariaDB: canonical rows).
std::string SakilaDifference(const harness::ThrowawayServer& source,
                             const harness::ThrowawayServer& target) {
  for (const SakilaTable& t : SakilaTables()) {
    if (target.kind() == harness::ServerKind::kPostgres) {
      std::string a = TableFingerprint(source, "public." + t.name, t.key);
      std::string b = TableFingerprint(target, "public." + t.name, t.key);
      if (a != b) return t.name + ": source " + a + ", target " + b;
    } else {
      std::string d = CompareCanonRows(PgCanonRows(source, "public." + t.name, t.key, t.cols),
                                       MariaCanonRows(target, t.name, t.key, t.cols));
      if (!d.empty()) return t.name + ": " + d;
    }
  }
  return "";
}

std::string WaitSakilaEqual(const harness::ThrowawayServer& source,
                            const harness::ThrowawayServer& target, std::chrono::seconds timeout) {
  std::string last;
  Eventually(
      [&] {
        last = SakilaDifference(source, target);
        return last.empty();
      },
      timeout);
  return last;
}

std::vector<std::string> ReplicateArgs(const harness::ThrowawayServer& source,
                                       const std::string& target_uri, const std::string& task,
                                       std::vector<std::string> extra) {
  std::vector<std::string> args = {"replicate", "--source", source.uri(), "--target",
                                   target_uri,  "--task",   task};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

int PgLoadedTables(const harness::ThrowawayServer& target, const std::string& task) {
  auto r = target.Sql("SELECT count(*) FROM cutover.table_state WHERE task = '" + task + "'");
  return r.ok() ? std::atoi(r->c_str()) : -1;
}

// ---------------------------------------------------------------------------------------------
// Item 5: target triggers do not fire on replicated rows

// PostgreSQL target, pre-created schema with sakila's kinds of triggers: one rewriting
// last_update (BEFORE INSERT OR UPDATE ... now()), and ins_film / upd_film filling film_text, a
// table of the task. Without session_replication_role = replica the load's film rows got the
// target's now() and film_text rows twice (a duplicate key killed CDC).
TEST(TargetSchemaPrep, PgTargetTriggersDoNotTouchLoadedOrAppliedRows) {
  auto source = StartPostgres("trg-src");
  auto target = StartPostgres("trg-tgt");
  ASSERT_TRUE(source && target);
  const std::string film_ddl = R"sql(
CREATE TABLE film (film_id int PRIMARY KEY, title text NOT NULL,
  last_update timestamp NOT NULL DEFAULT now());
CREATE TABLE film_text (film_id int PRIMARY KEY, title text NOT NULL);
CREATE FUNCTION ins_film() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO film_text VALUES (NEW.film_id, NEW.title); RETURN NULL; END$$;
CREATE TRIGGER ins_film AFTER INSERT ON film FOR EACH ROW EXECUTE FUNCTION ins_film();
CREATE FUNCTION upd_film() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN UPDATE film_text SET title = NEW.title WHERE film_id = NEW.film_id; RETURN NULL; END$$;
CREATE TRIGGER upd_film AFTER UPDATE ON film FOR EACH ROW EXECUTE FUNCTION upd_film();
)sql";
  Sql(*source, film_ddl +
                   "INSERT INTO film SELECT g, 'film ' || g, '2006-02-15 05:03:42' FROM "
                   "generate_series(1, 100) g;");
  Sql(*target, film_ddl + R"sql(
CREATE FUNCTION last_updated() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN NEW.last_update = now(); RETURN NEW; END$$;
CREATE TRIGGER last_updated BEFORE INSERT OR UPDATE ON film
  FOR EACH ROW EXECUTE FUNCTION last_updated();
)sql");
  const std::vector<TableSpec> tables = {{"public.film", "film_id"},
                                         {"public.film_text", "film_id"}};

  EngineProcess engine(ReplicateArgs(*source, target->uri(), "trg", {"--table-prep", "truncate"}));
  ASSERT_TRUE(
      Eventually([&] { return PgLoadedTables(*target, "trg") == 2 || !engine.Running(); }, 60s))
      << engine.Log();
  EXPECT_EQ(WaitUntilEqual(*source, *target, tables, 20s), "") << engine.Log();

  Sql(*source,
      "INSERT INTO film VALUES (101, 'new film', '2006-02-15 05:03:42');"
      "UPDATE film SET title = title || ' (restored)' WHERE film_id <= 5;");
  EXPECT_EQ(WaitUntilEqual(*source, *target, tables, 30s), "") << engine.Log();
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM film WHERE last_update <> '2006-02-15 05:03:42'"),
            "0");
  EXPECT_TRUE(engine.Running()) << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

// A PostgreSQL role that may not set session_replication_role: the task is refused at start
// naming the trigger and the foreign keys with the GRANT; after the GRANT it loads exactly.
TEST(TargetSchemaPrep, PgRoleWithoutReplicaRolePrivilegeIsRefusedNamingTheGrant) {
  auto source = StartPostgres("prv-src");
  auto target = StartPostgres("prv-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, std::string(kPgSakilaDdl) + kPgSakilaRows);
  Sql(*target, std::string(kPgSakilaDdl) + R"sql(
CREATE FUNCTION last_updated() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN NEW.last_update = now(); RETURN NEW; END$$;
CREATE TRIGGER last_updated BEFORE UPDATE ON film FOR EACH ROW EXECUTE FUNCTION last_updated();
CREATE ROLE app LOGIN PASSWORD 'app-pw';
GRANT CREATE ON DATABASE cutover TO app;
GRANT ALL ON SCHEMA public TO app;
ALTER TABLE store OWNER TO app; ALTER TABLE staff OWNER TO app; ALTER TABLE customer OWNER TO app;
ALTER TABLE film OWNER TO app; ALTER TABLE inventory OWNER TO app;
ALTER TABLE rental OWNER TO app; ALTER TABLE payment OWNER TO app;
)sql");
  std::string app_uri =
      "postgresql://app:app-pw@127.0.0.1:" + std::to_string(target->port()) + "/cutover";
  RunResult r = RunCutover(
      ReplicateArgs(*source, app_uri, "prv", {"--type", "full-load", "--table-prep", "truncate"}),
      60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("trigger last_updated on target table public.film"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("foreign key payment_rental_id_fkey of target table payment"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("GRANT SET ON PARAMETER session_replication_role TO \"app\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM pg_replication_slots"), "0");

  Sql(*target, "GRANT SET ON PARAMETER session_replication_role TO app");
  RunResult ok = RunCutover(
      ReplicateArgs(*source, app_uri, "prv", {"--type", "full-load", "--table-prep", "truncate"}),
      60s);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(SakilaDifference(*source, *target), "");
}

// MariaDB cannot switch triggers off for one session: a task whose target tables keep triggers
// is refused at start, every trigger named with its remedy in one report, before anything is
// created on either side.
TEST(TargetSchemaPrep, MariaTargetTriggersAreRefusedAtStartNamingEach) {
  auto source = StartPostgres("mtrg-src");
  auto target = StartMariaDb("mtrg-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, std::string(kPgSakilaDdl) + kPgSakilaRows);
  Sql(*target, std::string(kMariaSakilaDdl) +
                   "CREATE TRIGGER payment_date BEFORE INSERT ON payment FOR EACH ROW "
                   "SET NEW.payment_date = NOW();"
                   "CREATE TRIGGER ins_film AFTER INSERT ON film FOR EACH ROW "
                   "SET @films = COALESCE(@films, 0) + 1;");

  RunResult r =
      RunCutover(ReplicateArgs(*source, target->uri(), "mtrg", {"--table-prep", "truncate"}), 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("trigger payment_date on target table cutover.payment"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("trigger ins_film on target table cutover.film"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("SHOW CREATE TRIGGER `cutover`.`payment_date`"), std::string::npos) << r.err;
  EXPECT_EQ(Sql(*target,
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'cutover' "
                "AND TABLE_NAME LIKE '\\_cutover%'"),
            "0");
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM pg_replication_slots"), "0");
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM pg_publication"), "0");

  // drop-and-create recreates the tables without their triggers: nothing to refuse.
  RunResult dc = RunCutover(ReplicateArgs(*source, target->uri(), "mtrg_dc",
                                          {"--type", "full-load", "--tables", "public.film"}),
                            60s);
  EXPECT_EQ(dc.exit_code, 0) << dc.err;
}

// SQLite, as MariaDB: triggers are refused at start, named, nothing created in the file.
TEST(TargetSchemaPrep, SqliteTargetTriggersAreRefusedAtStartNamingEach) {
  auto source = StartPostgres("strg-src");
  ASSERT_TRUE(source);
  Sql(*source,
      "CREATE TABLE film (film_id int PRIMARY KEY, title text NOT NULL, last_update timestamp "
      "NOT NULL); CREATE TABLE film_text (film_id int PRIMARY KEY, title text NOT NULL);"
      "INSERT INTO film VALUES (1, 'a', '2006-02-15 05:03:42');"
      "INSERT INTO film_text VALUES (1, 'a');");
  SqliteDir dir;
  SqliteExec(dir.path("t.db"),
             "CREATE TABLE film (film_id INTEGER PRIMARY KEY, title TEXT NOT NULL, last_update "
             "TEXT NOT NULL); CREATE TABLE film_text (film_id INTEGER PRIMARY KEY, title TEXT);"
             "CREATE TRIGGER ins_film AFTER INSERT ON film BEGIN INSERT INTO film_text VALUES "
             "(new.film_id, new.title); END;"
             "CREATE TRIGGER upd_film AFTER UPDATE ON film BEGIN UPDATE film_text SET title = "
             "new.title WHERE film_id = new.film_id; END;");
  RunResult r = RunCutover(
      ReplicateArgs(*source, dir.uri("t.db"), "strg", {"--table-prep", "do-nothing"}), 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("trigger ins_film on target table main.film"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("trigger upd_film on target table main.film"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("AFTER INSERT"), std::string::npos) << r.err;
  EXPECT_EQ(SqliteValue(dir.path("t.db"),
                        "SELECT count(*) FROM sqlite_schema WHERE name LIKE '\\_cutover%' "
                        "ESCAPE '\\'"),
            "0");
  EXPECT_EQ(SqliteValue(dir.path("t.db"), "SELECT count(*) FROM film"), "0");
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM pg_replication_slots"), "0");
}

// ---------------------------------------------------------------------------------------------
// Item 6: a pre-created PostgreSQL schema whose tables reference each other loads in every prep
// mode, resumed loads included, and changes to parents and children apply

TEST(TargetSchemaPrep, PgForeignKeySchemaLoadsWithTruncateAndDoNothingThenAppliesChanges) {
  auto source = StartPostgres("fk-src");
  auto target = StartPostgres("fk-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, std::string(kPgSakilaDdl) + kPgSakilaRows);
  // The target: the same schema, stale rows in it, and a table outside the task referencing a
  // task table (ON DELETE CASCADE) whose rows must survive everything.
  Sql(*target, std::string(kPgSakilaDdl) + R"sql(
CREATE TABLE loyalty (customer_id int PRIMARY KEY REFERENCES customer ON DELETE CASCADE,
  points int NOT NULL);
SET session_replication_role = replica;
INSERT INTO store VALUES (1, 9, '1999-01-01'), (7, 9, '1999-01-01');
INSERT INTO staff VALUES (9, 'stale', 7, '1999-01-01');
INSERT INTO customer SELECT g, 7, 'stale', '1999-01-01' FROM generate_series(291, 300) g;
INSERT INTO loyalty SELECT g, g * 10 FROM generate_series(291, 300) g;
INSERT INTO payment VALUES (1, 291, 9, 77, 1.00, '1999-01-01');
)sql");
  const std::string loyalty = "10:" + Sql(*target,
                                          "SELECT md5(string_agg(l::text, ',' ORDER BY "
                                          "customer_id)) FROM loyalty l");
  auto loyalty_now = [&] {
    return Sql(*target, "SELECT count(*) FROM loyalty") + ":" +
           Sql(*target, "SELECT md5(string_agg(l::text, ',' ORDER BY customer_id)) FROM loyalty l");
  };

  // A load resumed after some tables were loaded: staff and rental first (store, payment...
  // reference them and are not emptied), then the rest, whose parents or children are loaded.
  RunResult part =
      RunCutover(ReplicateArgs(*source, target->uri(), "fkpart",
                               {"--type", "full-load", "--table-prep", "truncate", "--tables",
                                "public.staff", "--tables", "public.rental"}),
                 60s);
  ASSERT_EQ(part.exit_code, 0) << part.err;
  RunResult rest = RunCutover(
      ReplicateArgs(*source, target->uri(), "fkpart",
                    {"--type", "full-load", "--table-prep", "truncate", "--parallel", "4"}),
      60s);
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(SakilaDifference(*source, *target), "");
  EXPECT_EQ(loyalty_now(), loyalty);

  // Truncate with CDC: every table reloaded together, then parents and children change.
  EngineProcess engine(ReplicateArgs(*source, target->uri(), "fkcdc",
                                     {"--table-prep", "truncate", "--parallel", "4"}));
  ASSERT_TRUE(
      Eventually([&] { return PgLoadedTables(*target, "fkcdc") == 7 || !engine.Running(); }, 60s))
      << engine.Log();
  EXPECT_EQ(WaitSakilaEqual(*source, *target, 20s), "") << engine.Log();
  Sql(*source, R"sql(
INSERT INTO film VALUES (201, 'new film', '2006-02-15 05:03:42');
INSERT INTO inventory VALUES (1001, 201, 2, '2006-02-15 05:09:17');
INSERT INTO rental VALUES (3001, 1001, 5, 2, '2006-03-01 10:00:00', '2006-03-01 10:00:00');
INSERT INTO payment VALUES (6001, 5, 2, 3001, 4.99, '2006-03-01 10:00:01');
DELETE FROM rental WHERE rental_id = 7;
UPDATE store SET manager_staff_id = 3 WHERE store_id = 1;
DELETE FROM customer WHERE customer_id = 300;
)sql");
  EXPECT_EQ(WaitSakilaEqual(*source, *target, 30s), "") << engine.Log();
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM payment WHERE rental_id IS NULL"), "2");
  EXPECT_EQ(loyalty_now(), loyalty);  // ON DELETE CASCADE of customer 300 did not fire
  EXPECT_TRUE(engine.Running()) << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();

  // do-nothing into the emptied schema: children are loaded before (or while) their parents.
  Sql(*target,
      "SET session_replication_role = replica; DELETE FROM payment; DELETE FROM rental; "
      "DELETE FROM inventory; DELETE FROM film; DELETE FROM customer; DELETE FROM staff; "
      "DELETE FROM store;");
  RunResult dn = RunCutover(
      ReplicateArgs(*source, target->uri(), "fkdn",
                    {"--type", "full-load", "--table-prep", "do-nothing", "--parallel", "4"}),
      60s);
  ASSERT_EQ(dn.exit_code, 0) << dn.err;
  EXPECT_EQ(SakilaDifference(*source, *target), "");
  EXPECT_EQ(loyalty_now(), loyalty);
}

// drop-and-create would have to drop a constraint of a table outside the task: refused at start,
// naming it; nothing changes.
TEST(TargetSchemaPrep, PgDropAndCreateRefusesForeignKeysOfTablesOutsideTheTask) {
  auto source = StartPostgres("fkd-src");
  auto target = StartPostgres("fkd-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, std::string(kPgSakilaDdl) + kPgSakilaRows);
  Sql(*target, std::string(kPgSakilaDdl) +
                   "CREATE TABLE loyalty (customer_id int PRIMARY KEY REFERENCES customer "
                   "ON DELETE CASCADE, points int NOT NULL);");
  RunResult r =
      RunCutover(ReplicateArgs(*source, target->uri(), "fkd", {"--type", "full-load"}), 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("foreign key loyalty_customer_id_fkey of target table loyalty (not in the "
                       "task)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Sql(*target,
                "SELECT count(*) FROM pg_constraint WHERE conname = "
                "'loyalty_customer_id_fkey'"),
            "1");
}

// ---------------------------------------------------------------------------------------------
// Item 7: no unbounded, silent lock wait

// MariaDB target, pre-created schema with the staff <-> store cycle, --table-prep truncate and
// parallel loads: two concurrent TRUNCATEs of linked tables livelock MariaDB 10.11 (the 7-minute
// hang, beyond lock_wait_timeout). Loaded several times, each run bounded.
TEST(TargetSchemaPrep, MariaForeignKeyCycleTruncatesPromptlyAndExactly) {
  auto source = StartPostgres("mfk-src");
  auto target = StartMariaDb("mfk-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, std::string(kPgSakilaDdl) + kPgSakilaRows);
  Sql(*target, std::string(kMariaSakilaDdl) +
                   "SET foreign_key_checks = 0;"
                   "INSERT INTO store VALUES (1, 9, '1999-01-01'), (7, 9, '1999-01-01');"
                   "INSERT INTO staff VALUES (9, 'stale', 7, '1999-01-01');");
  for (int run = 0; run < 5; ++run) {
    RunResult r = RunCutover(
        ReplicateArgs(*source, target->uri(), "mfk" + std::to_string(run),
                      {"--type", "full-load", "--table-prep", "truncate", "--parallel", "7"}),
        45s);
    ASSERT_EQ(r.exit_code, 0) << "run " << run << ": " << r.err;
    EXPECT_EQ(SakilaDifference(*source, *target), "") << "run " << run;
  }
  // CDC into the same schema: children arrive in the same target transaction as their parents
  // (net effect per table, applied table by table), and the source's own ON DELETE SET NULL arrives
  // as changes of their own; foreign_key_checks = 0 keeps the target's keys from refusing them.
  EngineProcess engine(ReplicateArgs(*source, target->uri(), "mfkcdc",
                                     {"--table-prep", "truncate", "--parallel", "7"}));
  ASSERT_TRUE(Eventually(
      [&] {
        auto n = target->Sql("SELECT COUNT(*) FROM _cutover_table_state WHERE task = 'mfkcdc'");
        return (n.ok() && *n == "7") || !engine.Running();
      },
      60s))
      << engine.Log();
  Sql(*source, R"sql(
BEGIN;
INSERT INTO film VALUES (201, 'new film', '2006-02-15 05:03:42');
INSERT INTO inventory VALUES (1001, 201, 2, '2006-02-15 05:09:17');
INSERT INTO rental VALUES (3001, 1001, 5, 2, '2006-03-01 10:00:00', '2006-03-01 10:00:00');
INSERT INTO payment VALUES (6001, 5, 2, 3001, 4.99, '2006-03-01 10:00:01');
COMMIT;
DELETE FROM rental WHERE rental_id = 7;
UPDATE store SET manager_staff_id = 3 WHERE store_id = 1;
)sql");
  EXPECT_EQ(WaitSakilaEqual(*source, *target, 30s), "") << engine.Log();
  EXPECT_TRUE(engine.Running()) << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  // The target's foreign keys are all still there.
  EXPECT_EQ(Sql(*target,
                "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
                "CONSTRAINT_SCHEMA = 'cutover'"),
            "11");
}

// A session of the application holds a lock on a target table: cutover's wait is bounded, the
// message names the table and the session holding it, and once it lets go the load finishes.
TEST(TargetSchemaPrep, MariaHeldLockIsNamedWithinTheBoundThenWaitedOut) {
  auto source = StartPostgres("mlk-src");
  auto target = StartMariaDb("mlk-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, std::string(kPgSakilaDdl) + kPgSakilaRows);
  Sql(*target, kMariaSakilaDdl);
  std::thread holder([&] {
    (void)target->Sql(
        "SET foreign_key_checks = 0; START TRANSACTION;"
        "INSERT INTO store VALUES (9, 9, '1999-01-01'); DO SLEEP(8); COMMIT;");
  });
  std::this_thread::sleep_for(1s);
  auto started = std::chrono::steady_clock::now();
  EngineProcess engine(
      ReplicateArgs(*source, target->uri(), "mlk",
                    {"--type", "full-load", "--table-prep", "truncate", "--lock-timeout", "2"}));
  bool named = Eventually(
      [&] {
        // The holder's INSERT into store also locks the tables whose foreign keys reference
        // store (customer, inventory...): whichever TRUNCATE comes first names its table.
        std::string log = engine.Log();
        return log.find("for a lock on table cutover.") != std::string::npos &&
               log.find("running: DO SLEEP(8)") != std::string::npos;
      },
      7s);
  EXPECT_TRUE(named) << engine.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 7s);
  holder.join();
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  EXPECT_NE(engine.Log().find("Lock wait timeout exceeded"), std::string::npos) << engine.Log();
  EXPECT_EQ(SakilaDifference(*source, *target), "");
}

// The same on a PostgreSQL target: lock_timeout bounds the wait, pg_locks names the holder.
TEST(TargetSchemaPrep, PgHeldLockIsNamedWithinTheBoundThenWaitedOut) {
  auto source = StartPostgres("plk-src");
  auto target = StartPostgres("plk-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, std::string(kPgSakilaDdl) + kPgSakilaRows);
  Sql(*target, kPgSakilaDdl);
  std::thread holder([&] {
    (void)target->Sql("BEGIN; LOCK TABLE film IN ACCESS SHARE MODE; SELECT pg_sleep(8); COMMIT;");
  });
  std::this_thread::sleep_for(1s);
  auto started = std::chrono::steady_clock::now();
  EngineProcess engine(
      ReplicateArgs(*source, target->uri(), "plk",
                    {"--type", "full-load", "--table-prep", "truncate", "--lock-timeout", "2"}));
  bool named = Eventually(
      [&] {
        std::string log = engine.Log();
        return log.find("for a lock on table public.film held by session") != std::string::npos &&
               log.find("application psql") != std::string::npos;
      },
      7s);
  EXPECT_TRUE(named) << engine.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 7s);
  holder.join();
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  EXPECT_EQ(SakilaDifference(*source, *target), "");
}

}  // namespace
}  // namespace cutover::testing
