// RowsNotFoundLog: the one report of target rows an applier's UPDATE/DELETE did not find, for
// every target (engine/pipeline/rows_not_found.h).
#include "engine/pipeline/rows_not_found.h"

#include <gtest/gtest.h>

namespace cutover {
namespace {

TEST(RowsNotFoundLog, NamesTheRowOrTheStatementAndWhatWasDoneInstead) {
  RowsNotFound row{.op = ChangeOp::kDelete, .table = {"public", "t"}, .key = {Value::Int64(7)}};
  EXPECT_EQ(RowsNotFoundLog::Describe(row),
            "delete on public.t key (7): target row not found (the target differs from the "
            "source)");
  row.op = ChangeOp::kUpdate;
  row.inserted = true;
  EXPECT_EQ(RowsNotFoundLog::Describe(row),
            "update on public.t key (7): target row not found (the target differs from the "
            "source); inserted it with the columns the change carries");
  RowsNotFound bulk{.op = ChangeOp::kUpdate, .table = {"s", "t"}, .expected = 5, .missing = 2};
  EXPECT_EQ(RowsNotFoundLog::Describe(bulk),
            "update of 5 row(s) of s.t: 2 target row(s) not found (the target differs from the "
            "source)");
}

TEST(RowsNotFoundLog, CountsEveryRowBeyondTheLoggedOnes) {
  RowsNotFoundLog log;
  for (int i = 0; i < 25; ++i)
    log.Report(RowsNotFound{.table = {"s", "t"}, .expected = 3, .missing = 2});
  EXPECT_EQ(log.reports(), 25);
  EXPECT_EQ(log.rows(), 50);
}

// Appliers report through the base class to whatever the pipeline set, and to nothing when unset.
class ReportingApplier : public Applier {
 public:
  Status Begin() override { return Status::Ok(); }
  Status Apply(const Change&) override {
    ReportRowsNotFound(RowsNotFound{.table = {"s", "t"}});
    return Status::Ok();
  }
  Status Commit(const Position&) override { return Status::Ok(); }
};

TEST(RowsNotFoundLog, AppliersReportToTheLogThePipelineSets) {
  ReportingApplier applier;
  ASSERT_TRUE(applier.Apply(Change{}).ok());  // unset: not reported, no crash
  RowsNotFoundLog log;
  applier.set_rows_not_found_report(&log);
  ASSERT_TRUE(applier.Apply(Change{}).ok());
  EXPECT_EQ(log.rows(), 1);
}

}  // namespace
}  // namespace cutover
