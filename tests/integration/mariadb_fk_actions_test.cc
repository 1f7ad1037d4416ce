// Foreign-key actions on a MariaDB source (issue 12, item 2), against real throwaway servers and
// the real `cutover` binary. InnoDB does not write what ON DELETE / ON UPDATE CASCADE and SET
// NULL do to the binlog; cutover reproduces it on the target (engine/pipeline/
// referential_actions.h). A sakila-shaped source (store <- customer <- rental <- payment,
// inventory <- rental ON DELETE CASCADE, payment.rental_id ON DELETE SET NULL, key updates ON
// UPDATE CASCADE, self-references staff.manager_id SET NULL and category.parent_id CASCADE, a
// CamelCase composite key changed by a cascade, a SET NULL on a column another key references
// ON UPDATE CASCADE) is replicated full-load-and-cdc to PostgreSQL,
// MariaDB and SQLite in both apply modes; CDC transactions delete and re-key parents (one deletes
// a parent and then inserts a child, one inserts a child and then deletes its parent, one
// cascades over three levels), and every table must end equal to the source, compared
// independently in SQL on each engine (support/sqlite_support.h). Also: the task is refused at
// start, naming the constraints, when a child is in the task and its parent is not; and kill -9
// during such CDC ends exact.
#include <signal.h>

#include <atomic>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSchema = R"sql(
CREATE TABLE store (store_id int PRIMARY KEY, name varchar(40)) ENGINE=InnoDB;
CREATE TABLE customer (customer_id int PRIMARY KEY, store_id int NOT NULL, name varchar(40),
  CONSTRAINT fk_customer_store FOREIGN KEY (store_id) REFERENCES store (store_id)
    ON DELETE RESTRICT ON UPDATE CASCADE) ENGINE=InnoDB;
CREATE TABLE inventory (inventory_id int PRIMARY KEY, film varchar(40)) ENGINE=InnoDB;
CREATE TABLE rental (rental_id int PRIMARY KEY, inventory_id int NOT NULL, customer_id int,
  note varchar(40),
  CONSTRAINT fk_rental_inventory FOREIGN KEY (inventory_id) REFERENCES inventory (inventory_id)
    ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT fk_rental_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id)
    ON DELETE SET NULL ON UPDATE CASCADE) ENGINE=InnoDB;
CREATE TABLE payment (payment_id int PRIMARY KEY, customer_id int NOT NULL, rental_id int,
  amount_cents int,
  CONSTRAINT fk_payment_rental FOREIGN KEY (rental_id) REFERENCES rental (rental_id)
    ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT fk_payment_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id)
    ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB;
CREATE TABLE staff (staff_id int PRIMARY KEY, manager_id int, name varchar(40),
  CONSTRAINT fk_staff_manager FOREIGN KEY (manager_id) REFERENCES staff (staff_id)
    ON DELETE SET NULL) ENGINE=InnoDB;
CREATE TABLE category (category_id int PRIMARY KEY, parent_id int, name varchar(40),
  CONSTRAINT fk_category_parent FOREIGN KEY (parent_id) REFERENCES category (category_id)
    ON DELETE CASCADE) ENGINE=InnoDB;
CREATE TABLE Film (FilmId int PRIMARY KEY, Title varchar(40)) ENGINE=InnoDB;
CREATE TABLE FilmActor (FilmId int NOT NULL, ActorId int NOT NULL, Role varchar(20),
  PRIMARY KEY (FilmId, ActorId),
  CONSTRAINT fk_filmactor_film FOREIGN KEY (FilmId) REFERENCES Film (FilmId)
    ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB;
CREATE TABLE loyalty_card (card_no int PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE member (member_id int PRIMARY KEY, card_no int UNIQUE,
  CONSTRAINT fk_member_card FOREIGN KEY (card_no) REFERENCES loyalty_card (card_no)
    ON DELETE SET NULL) ENGINE=InnoDB;
CREATE TABLE member_visit (visit_id int PRIMARY KEY, card_no int,
  CONSTRAINT fk_visit_member FOREIGN KEY (card_no) REFERENCES member (card_no)
    ON UPDATE CASCADE) ENGINE=InnoDB;
INSERT INTO store VALUES (1, 'north'), (2, 'south');
INSERT INTO loyalty_card SELECT seq FROM seq_1_to_5;
INSERT INTO member SELECT seq * 10, seq FROM seq_1_to_5;
INSERT INTO member_visit SELECT seq, 1 + seq % 5 FROM seq_1_to_20;
INSERT INTO customer SELECT seq, 1 + seq % 2, CONCAT('customer ', seq) FROM seq_1_to_20;
INSERT INTO inventory SELECT seq, CONCAT('film ', seq) FROM seq_1_to_30;
INSERT INTO rental SELECT seq, 1 + seq % 30, 1 + seq % 20, CONCAT('r', seq) FROM seq_1_to_60;
INSERT INTO payment SELECT seq, 1 + seq % 20, 1 + seq % 60, seq * 10 FROM seq_1_to_120;
INSERT INTO staff SELECT seq, IF(seq = 1, NULL, seq DIV 2), CONCAT('s', seq) FROM seq_1_to_10;
INSERT INTO category SELECT seq, IF(seq = 1, NULL, seq DIV 2), CONCAT('c', seq) FROM seq_1_to_15;
INSERT INTO Film SELECT seq, CONCAT('title ', seq) FROM seq_1_to_5;
INSERT INTO FilmActor SELECT f.seq, a.seq, CONCAT('role ', a.seq) FROM seq_1_to_5 f, seq_1_to_4 a;
)sql";

// CDC transactions whose foreign-key actions the binlog does not carry.
const std::vector<const char*> kCdc = {
    // SET NULL: payments of rental 5.
    "DELETE FROM rental WHERE rental_id = 5",
    // A parent deleted, then a child inserted in the same transaction: only the old payments
    // of rental 6 lose it, the new one keeps it.
    "START TRANSACTION; DELETE FROM rental WHERE rental_id = 6; "
    "INSERT INTO rental VALUES (6, 1, 1, 'again'); INSERT INTO payment VALUES (1000, 1, 6, 1); "
    "COMMIT",
    // A child inserted and updated, then its parent deleted: the new payment loses it too.
    "START TRANSACTION; INSERT INTO payment VALUES (1001, 2, 7, 2); "
    "UPDATE payment SET amount_cents = 3 WHERE rental_id = 7 AND payment_id < 1000; "
    "DELETE FROM rental WHERE rental_id = 7; COMMIT",
    // Three levels: inventory 3 -> its rentals deleted -> their payments' rental_id NULL.
    "DELETE FROM inventory WHERE inventory_id = 3",
    // ON UPDATE CASCADE of a key, one and two tables down.
    "UPDATE rental SET rental_id = 5000 WHERE rental_id = 10",
    "UPDATE customer SET customer_id = 500 WHERE customer_id = 2",
    "UPDATE store SET store_id = 20 WHERE store_id = 2",
    "UPDATE inventory SET inventory_id = 300 WHERE inventory_id = 4",
    // CASCADE and SET NULL from one parent row.
    "DELETE FROM customer WHERE customer_id = 3",
    // SET NULL on a column another key references: an update of it, cascading further.
    "DELETE FROM loyalty_card WHERE card_no = 2",
    // Self-references: SET NULL, and a CASCADE down a tree.
    "DELETE FROM staff WHERE staff_id = 2",
    "DELETE FROM category WHERE category_id = 2",
    // A cascade changing a composite key, then deleting by it.
    "START TRANSACTION; UPDATE Film SET FilmId = 50 WHERE FilmId = 1; "
    "DELETE FROM Film WHERE FilmId = 2; COMMIT",
    // Many parents in one statement; a child updated after its parent's delete.
    "START TRANSACTION; DELETE FROM rental WHERE rental_id BETWEEN 20 AND 30; "
    "UPDATE payment SET amount_cents = 999 WHERE payment_id = 44; COMMIT",
    "START TRANSACTION; DELETE FROM rental WHERE rental_id = 45; "
    "UPDATE payment SET amount_cents = 998 WHERE payment_id = 104; "
    "UPDATE rental SET note = 'unrelated' WHERE rental_id = 50; COMMIT",
};

struct Table {
  std::string name;
  std::string key;  // key columns, comma-separated, unquoted
  std::vector<CanonCol> cols;
};

// `key` with each column quoted by `q` (CamelCase names need it on PostgreSQL).
std::string QuotedKey(const std::string& key, const std::string& q) {
  std::string out, col;
  for (char ch : key + ",") {
    if (ch == ' ') continue;
    if (ch != ',') {
      col += ch;
      continue;
    }
    out += (out.empty() ? "" : ", ") + q + col + q;
    col.clear();
  }
  return out;
}

const std::vector<Table>& Tables() {
  static const std::vector<Table> t = {
      {"store", "store_id", {{"store_id", Canon::kInt}, {"name", Canon::kText}}},
      {"customer",
       "customer_id",
       {{"customer_id", Canon::kInt}, {"store_id", Canon::kInt}, {"name", Canon::kText}}},
      {"inventory", "inventory_id", {{"inventory_id", Canon::kInt}, {"film", Canon::kText}}},
      {"rental",
       "rental_id",
       {{"rental_id", Canon::kInt},
        {"inventory_id", Canon::kInt},
        {"customer_id", Canon::kInt},
        {"note", Canon::kText}}},
      {"payment",
       "payment_id",
       {{"payment_id", Canon::kInt},
        {"customer_id", Canon::kInt},
        {"rental_id", Canon::kInt},
        {"amount_cents", Canon::kInt}}},
      {"staff",
       "staff_id",
       {{"staff_id", Canon::kInt}, {"manager_id", Canon::kInt}, {"name", Canon::kText}}},
      {"category",
       "category_id",
       {{"category_id", Canon::kInt}, {"parent_id", Canon::kInt}, {"name", Canon::kText}}},
      {"loyalty_card", "card_no", {{"card_no", Canon::kInt}}},
      {"member", "member_id", {{"member_id", Canon::kInt}, {"card_no", Canon::kInt}}},
      {"member_visit", "visit_id", {{"visit_id", Canon::kInt}, {"card_no", Canon::kInt}}},
      {"Film", "FilmId", {{"FilmId", Canon::kInt}, {"Title", Canon::kText}}},
      {"FilmActor",
       "FilmId, ActorId",
       {{"FilmId", Canon::kInt}, {"ActorId", Canon::kInt}, {"Role", Canon::kText}}},
  };
  return t;
}

enum class TargetKind { kPostgres, kMariaDb, kSqlite };

class MariaDbFkActions : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartMariaDb("fksrc");
    ASSERT_TRUE(source_);
    conn_ = MariaConnect(*source_);
    ASSERT_TRUE(conn_);
    MariaExec(*conn_, kSchema);
  }

  void StartTarget(TargetKind kind) {
    kind_ = kind;
    if (kind == TargetKind::kPostgres) target_ = StartPostgres("fktgt");
    if (kind == TargetKind::kMariaDb) target_ = StartMariaDb("fktgt");
    if (kind != TargetKind::kSqlite) {
      ASSERT_TRUE(target_);
    }
  }

  std::string TargetUri() const {
    return kind_ == TargetKind::kSqlite ? dir_.uri("fk.db") : target_->uri();
  }

  std::vector<std::string> Replicate(const std::string& task, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "replicate", "--source", source_->uri(), "--target", TargetUri(), "--task", task};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::vector<std::string> SourceRows(const Table& t) {
    return MariaCanonRows(*source_, "cutover.`" + t.name + "`", QuotedKey(t.key, "`"), t.cols);
  }
  std::vector<std::string> TargetRows(const Table& t) {
    switch (kind_) {
      case TargetKind::kPostgres:
        return PgCanonRows(*target_, "public.\"" + t.name + "\"", QuotedKey(t.key, "\""), t.cols);
      case TargetKind::kMariaDb:
        return MariaCanonRows(*target_, "cutover.`" + t.name + "`", QuotedKey(t.key, "`"), t.cols);
      case TargetKind::kSqlite:
        return SqliteCanonRows(dir_.path("fk.db"), t.name, QuotedKey(t.key, "\""), t.cols);
    }
    return {};
  }

  // "" when every table is equal on both sides within `timeout` (for all of them together),
  // else the differences.
  std::string WaitAllEqual(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::string diffs;
      for (const Table& t : Tables()) {
        std::string d = CompareCanonRows(SourceRows(t), TargetRows(t));
        if (!d.empty()) diffs += "table " + t.name + ": " + d + "\n";
      }
      if (diffs.empty() || std::chrono::steady_clock::now() > deadline) return diffs;
      std::this_thread::sleep_for(250ms);
    }
  }

  // Full load, then every kCdc transaction; the target must end equal.
  void RunCascades(TargetKind kind, const std::string& mode) {
    ASSERT_NO_FATAL_FAILURE(StartTarget(kind));
    EngineProcess engine(Replicate("fk", {"--apply-mode", mode}));
    ASSERT_EQ(WaitAllEqual(60s), "") << engine.Log();
    for (const char* sql : kCdc) MariaExec(*conn_, sql);
    // The source did what the test expects (the fixture is right).
    EXPECT_NE(MariaValue(*conn_, "SELECT count(*) FROM payment WHERE rental_id IS NULL"), "0");
    EXPECT_EQ(MariaValue(*conn_, "SELECT rental_id FROM payment WHERE payment_id = 1000"), "6");
    EXPECT_EQ(MariaValue(*conn_, "SELECT count(*) FROM category"), "8");
    EXPECT_EQ(MariaValue(*conn_, "SELECT count(*) FROM member_visit WHERE card_no IS NULL"), "4");
    EXPECT_EQ(WaitAllEqual(60s), "") << engine.Log();
    engine.Signal(SIGTERM);
    EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
  std::unique_ptr<mariadb::MariaConn> conn_;
  SqliteDir dir_;
  TargetKind kind_ = TargetKind::kSqlite;
};

TEST_F(MariaDbFkActions, ToPostgresNetApply) {
  RunCascades(TargetKind::kPostgres, "net");
}
TEST_F(MariaDbFkActions, ToPostgresRowApply) {
  RunCascades(TargetKind::kPostgres, "row");
}
TEST_F(MariaDbFkActions, ToMariaDbNetApply) {
  RunCascades(TargetKind::kMariaDb, "net");
}
TEST_F(MariaDbFkActions, ToMariaDbRowApply) {
  RunCascades(TargetKind::kMariaDb, "row");
}
TEST_F(MariaDbFkActions, ToSqliteNetApply) {
  RunCascades(TargetKind::kSqlite, "net");
}
TEST_F(MariaDbFkActions, ToSqliteRowApply) {
  RunCascades(TargetKind::kSqlite, "row");
}

// A child in the task whose parent is not: the parent's deletes would never be read, so the
// task is refused before anything is created, naming every such constraint and the remedy. A
// parent without its children, and a full load, need nothing.
TEST_F(MariaDbFkActions, ChildWithoutItsParentIsRefusedAtStart) {
  ASSERT_NO_FATAL_FAILURE(StartTarget(TargetKind::kSqlite));
  RunResult r = RunCutover(Replicate("fk", {"--tables", "payment", "--tables", "rental"}), 120s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fk_rental_inventory"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fk_rental_customer"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fk_payment_customer"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("fk_payment_rental"), std::string::npos) << r.err;  // rental is in
  EXPECT_NE(r.err.find("include cutover.inventory in the task"), std::string::npos) << r.err;
  EXPECT_EQ(SqliteValue(dir_.path("fk.db"),
                        "SELECT count(*) FROM sqlite_master WHERE name IN ('payment', 'rental')"),
            "0");

  // Full load only: it reads state, nothing to refuse.
  RunResult fl =
      RunCutover(Replicate("fkfl", {"--tables", "payment", "--type", "full-load"}), 120s);
  EXPECT_EQ(fl.exit_code, 0) << fl.err;

  // The parents without their children: nothing to reproduce, CDC runs.
  EngineProcess engine(
      Replicate("fkp", {"--tables", "inventory", "--tables", "customer", "--tables", "store"}));
  MariaExec(*conn_, "DELETE FROM inventory WHERE inventory_id = 9");
  EXPECT_EQ(WaitUntilSame([&] { return SourceRows(Tables()[2]); },
                          [&] { return TargetRows(Tables()[2]); }, 60s),
            "")
      << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

// kill -9 while transactions insert and delete parents whose actions cascade: each restart
// resumes from the checkpoint committed with the actions, which are replayed with their
// transaction or not at all.
TEST_F(MariaDbFkActions, KillNineDuringCascadesEndsExact) {
  ASSERT_NO_FATAL_FAILURE(StartTarget(TargetKind::kPostgres));
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  auto writer = [&] {
    auto c = MariaConnect(*source_);
    if (!c) return;
    std::mt19937 rng(12);
    auto deadline = std::chrono::steady_clock::now() + 60s;
    for (int k = 1; !stop.load() && std::chrono::steady_clock::now() < deadline; ++k) {
      std::string inv = std::to_string(1000 + k), rent = std::to_string(10000 + k);
      std::string cust = std::to_string(4 + k % 16);
      std::string sql = "START TRANSACTION; INSERT INTO inventory VALUES (" + inv +
                        ", 'w'); INSERT INTO rental VALUES (" + rent + ", " + inv + ", " + cust +
                        ", 'w'); INSERT INTO payment VALUES (" + std::to_string(100000 + k) + ", " +
                        cust + ", " + rent + ", 1), (" + std::to_string(200000 + k) + ", " + cust +
                        ", " + rent + ", 2); ";
      std::string prev_inv = std::to_string(1000 + k - 1), prev = std::to_string(10000 + k - 1);
      switch (rng() % 4) {
        case 0:
          sql += "DELETE FROM inventory WHERE inventory_id = " + prev_inv + "; ";
          break;
        case 1:
          sql += "DELETE FROM rental WHERE rental_id = " + prev + "; ";
          break;
        case 2:
          sql += "UPDATE rental SET rental_id = " + std::to_string(50000 + k) +
                 " WHERE rental_id = " + prev + "; ";
          break;
        default:
          sql += "UPDATE inventory SET inventory_id = " + std::to_string(60000 + k) +
                 " WHERE inventory_id = " + prev_inv + "; ";
      }
      if (c->Exec(sql + "COMMIT").ok()) ++committed;
    }
  };
  auto args = Replicate("fkkill", {});
  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_EQ(WaitAllEqual(60s), "") << engine->Log();
  std::thread w(writer);
  KillNineAndRestart(engine, args, 2, 7);
  std::this_thread::sleep_for(1s);
  stop = true;
  w.join();
  EXPECT_GT(committed.load(), 20);
  EXPECT_EQ(WaitAllEqual(90s), "") << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

}  // namespace
}  // namespace cutover::testing
