// ReferentialActions without servers: the start check names every constraint it refuses, and
// the walk hands the applier the steps InnoDB would have performed, in order, continuing from
// the rows a step touched only where they are themselves referenced with an action. A fake
// applier records the steps and answers the reads from canned rows. (The same behaviour against
// real servers: tests/integration/mariadb_fk_actions_test.cc.)
#include "engine/pipeline/referential_actions.h"

#include <map>

#include <gtest/gtest.h>

namespace cutover {
namespace {

TableSchemaPtr Make(const std::string& name, std::vector<std::string> cols,
                    std::vector<ForeignKey> fks) {
  auto t = std::make_shared<TableSchema>();
  t->name = TableName{"db", name};
  for (const auto& c : cols) t->columns.push_back(Column{c, ValueKind::kInt64, true, "int"});
  t->key = {0};
  t->foreign_keys = std::move(fks);
  return t;
}

ForeignKey Fk(const std::string& name, size_t col, const std::string& parent,
              const std::string& parent_col, ReferentialAction del, ReferentialAction upd) {
  ForeignKey fk;
  fk.name = name;
  fk.columns = {col};
  fk.parent = TableName{"db", parent};
  fk.parent_columns = {parent_col};
  fk.on_delete = del;
  fk.on_update = upd;
  return fk;
}

constexpr auto kCascade = ReferentialAction::kCascade;
constexpr auto kSetNull = ReferentialAction::kSetNull;
constexpr auto kRestrict = ReferentialAction::kRestrict;

// inventory <- rental (CASCADE) <- payment (SET NULL); staff.manager_id -> staff (SET NULL).
std::vector<TableSchemaPtr> Sakila() {
  return {
      Make("inventory", {"inventory_id"}, {}),
      Make("rental", {"rental_id", "inventory_id"},
           {Fk("fk_rental_inventory", 1, "inventory", "inventory_id", kCascade, kCascade)}),
      Make("payment", {"payment_id", "rental_id"},
           {Fk("fk_payment_rental", 1, "rental", "rental_id", kSetNull, kCascade)}),
      Make("staff", {"staff_id", "manager_id"},
           {Fk("fk_staff_manager", 1, "staff", "staff_id", kSetNull, kRestrict)}),
  };
}

class Recorder : public Applier {
 public:
  Status Begin() override { return Status::Ok(); }
  Status Apply(const Change&) override { return Status::Ok(); }
  Status Commit(const Position&) override { return Status::Ok(); }
  Result<std::vector<std::vector<Value>>> ApplyReferential(const ReferentialStep& s) override {
    std::string line = std::string(s.kind == ReferentialStep::Kind::kDelete    ? "delete"
                                   : s.kind == ReferentialStep::Kind::kSetNull ? "set null"
                                                                               : "set") +
                       " " + s.table->name.name + " where " + std::to_string(s.match[0].as_int64());
    if (s.kind == ReferentialStep::Kind::kSetValues)
      line += " to " + std::to_string(s.values[0].as_int64());
    line += s.returning.empty() ? "" : " (read)";
    steps.push_back(line);
    if (s.returning.empty()) return std::vector<std::vector<Value>>{};
    return reads[s.table->name.name + std::to_string(s.match[0].as_int64())];
  }
  std::vector<std::string> steps;
  std::map<std::string, std::vector<std::vector<Value>>> reads;
};

Change Delete(const TableSchemaPtr& t, std::vector<Value> before) {
  Change c;
  c.op = ChangeOp::kDelete;
  c.table = t;
  c.before = std::move(before);
  return c;
}

TEST(ReferentialActions, ChildWithoutItsParentIsRefusedNamingTheConstraint) {
  auto all = Sakila();
  StartReport problems;
  ReferentialActions::CheckTask({all[2]}, problems);  // payment without rental
  ASSERT_EQ(problems.problems().size(), 1u);
  EXPECT_NE(problems.problems()[0].problem.find("fk_payment_rental"), std::string::npos);
  EXPECT_NE(problems.problems()[0].remedy.find("include db.rental"), std::string::npos);
  StartReport none;
  ReferentialActions::CheckTask(all, none);
  EXPECT_TRUE(none.empty());
  ReferentialActions::CheckTask({all[0]}, none);  // a parent without its children
  EXPECT_TRUE(none.empty());
}

TEST(ReferentialActions, CascadeContinuesFromTheRowsItDeleted) {
  auto t = Sakila();
  ReferentialActions ra(t);
  Recorder rec;
  rec.reads["rental3"] = {{Value::Int64(2)}, {Value::Int64(32)}};
  auto no_skip = [](const TableName&) { return false; };
  ASSERT_TRUE(ra.Apply(Delete(t[0], {Value::Int64(3)}), rec, no_skip).ok());
  EXPECT_EQ(rec.steps,
            (std::vector<std::string>{"delete rental where 3 (read)", "set null payment where 2",
                                      "set null payment where 32"}));
  EXPECT_EQ(ra.Reach(TableName{"db", "inventory"}).size(), 2u);
}

TEST(ReferentialActions, KeyUpdateCascadesOnlyWhenTheKeyChanges) {
  auto t = Sakila();
  ReferentialActions ra(t);
  Recorder rec;
  auto no_skip = [](const TableName&) { return false; };
  Change c;
  c.op = ChangeOp::kUpdate;
  c.table = t[1];
  c.before = {Value::Int64(10), Value::Int64(1)};
  c.after = {Value::Int64(10), Value::Int64(2)};  // inventory_id only: nothing references it
  ASSERT_TRUE(ra.Apply(c, rec, no_skip).ok());
  EXPECT_TRUE(rec.steps.empty());
  c.after = {Value::Int64(5000), Value::Int64(1)};
  ASSERT_TRUE(ra.Apply(c, rec, no_skip).ok());
  EXPECT_EQ(rec.steps, (std::vector<std::string>{"set payment where 10 to 5000"}));
}

TEST(ReferentialActions, SelfReferenceAndSkippedTables) {
  auto t = Sakila();
  ReferentialActions ra(t);
  Recorder rec;
  ASSERT_TRUE(ra.Apply(Delete(t[3], {Value::Int64(2), Value::Int64(1)}), rec, [](const TableName&) {
                  return false;
                }).ok());
  EXPECT_EQ(rec.steps, (std::vector<std::string>{"set null staff where 2"}));
  rec.steps.clear();
  // rental's copy is after the transaction: neither it nor what its rows imply is touched.
  ASSERT_TRUE(ra.Apply(Delete(t[0], {Value::Int64(3)}), rec, [](const TableName& n) {
                  return n.name == "rental";
                }).ok());
  EXPECT_TRUE(rec.steps.empty());
  // A deleted row whose referenced value is NULL references nothing.
  ASSERT_TRUE(
      ra.Apply(Delete(t[0], {Value::Null()}), rec, [](const TableName&) { return false; }).ok());
  EXPECT_TRUE(rec.steps.empty());
}

}  // namespace
}  // namespace cutover
