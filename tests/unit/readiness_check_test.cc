// CheckList (engine/core/readiness_check.h): one check per id, merged from several sources with
// the worse status kept; and StartReport::RefuseFailed, which turns failed checks into start
// problems under their ids (how replicate and test-connection share one decision).
#include <gtest/gtest.h>

#include "engine/core/readiness_check.h"
#include "engine/core/start_report.h"

namespace cutover {
namespace {

TEST(CheckList, SameIdMergesKeepingTheWorseStatusAndEveryObject) {
  CheckList l;
  l.Pass("tables.primary_key", "every table has a key");
  l.Fail("tables.primary_key", "every table has a key", "has no primary key", "add one",
         {"table public.a"});
  l.Fail("tables.primary_key", "every table has a key", "has no primary key", "add one",
         {"table public.b", "table public.a"});
  l.Warn("columns.lossy", "lossless", "1 column", "accept", {"column t.c"});
  ASSERT_EQ(l.checks().size(), 2u);
  const ReadinessCheck* keys = l.Find("tables.primary_key");
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->status, CheckStatus::kFailed);
  EXPECT_EQ(keys->detail, "has no primary key");
  EXPECT_EQ(keys->objects, (std::vector<std::string>{"table public.a", "table public.b"}));
  EXPECT_EQ(keys->remedy, "add one");
  EXPECT_EQ(l.Count(CheckStatus::kFailed), 1);  // (before tables.supported below)
  EXPECT_EQ(l.Count(CheckStatus::kWarning), 1);
  EXPECT_TRUE(l.failed());
  // Different problems of one check: every detail and every remedy is kept.
  l.Fail("tables.supported", "supported", "uses MyISAM", "ALTER TABLE legacy ENGINE=InnoDB",
         {"table db.legacy"});
  l.Fail("tables.supported", "supported", "geometry is not supported", "leave address out",
         {"column db.address.location"});
  const ReadinessCheck* supported = l.Find("tables.supported");
  ASSERT_NE(supported, nullptr);
  EXPECT_EQ(supported->detail, "uses MyISAM; geometry is not supported");
  EXPECT_EQ(supported->remedy, "ALTER TABLE legacy ENGINE=InnoDB; leave address out");
  // A pass after a failure does not hide it.
  l.Pass("tables.primary_key", "every table has a key");
  EXPECT_EQ(l.Find("tables.primary_key")->status, CheckStatus::kFailed);
  EXPECT_EQ(CheckStatusName(CheckStatus::kNotApplicable), "not applicable");
}

TEST(StartReport, RefuseFailedNamesEachFailedCheckUnderItsId) {
  CheckList l;
  l.Pass("pg.wal_level", "wal_level is logical");
  l.Fail("pg.replication_role", "REPLICATION", "role bob lacks REPLICATION", "ALTER ROLE bob",
         {"role bob"});
  l.Fail("maria.binlog_format", "ROW", "binlog_format is MIXED", "SET GLOBAL binlog_format=ROW");
  l.Warn("pg.max_slot_wal_keep_size", "bounded", "-1", "set it");
  StartReport r;
  r.set_check("source.change_capture");
  r.RefuseFailed(l, "source pg://u:***@h/db");
  ASSERT_EQ(r.problems().size(), 2u);
  EXPECT_EQ(r.problems()[0].object, "role bob");
  EXPECT_EQ(r.problems()[0].check, "pg.replication_role");
  EXPECT_EQ(r.problems()[1].object, "source pg://u:***@h/db");
  EXPECT_EQ(r.problems()[1].check, "maria.binlog_format");
  EXPECT_EQ(r.problems()[1].remedy, "SET GLOBAL binlog_format=ROW");
  // The current check is restored for later refusals.
  r.Refuse("x", "y");
  EXPECT_EQ(r.problems()[2].check, "source.change_capture");
}

// A table the source refuses whole stays available to the later start checks, never replicated.
TEST(StartReport, KeepsRefusedTablesForTheLaterChecks) {
  StartReport r;
  auto t = std::make_shared<TableSchema>();
  t->name = TableName{"db", "legacy"};
  r.set_check("tables.supported");
  r.Refuse("table db.legacy", "uses the MyISAM storage engine");
  r.KeepRefusedTable(t);
  ASSERT_EQ(r.refused_tables().size(), 1u);
  EXPECT_EQ(r.refused_tables()[0]->name.name, "legacy");
  EXPECT_FALSE(r.empty());
}

}  // namespace
}  // namespace cutover
