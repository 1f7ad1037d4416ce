// StartReport (engine/core/start_report.h) and the pattern problems of TablePatterns
// (engine/core/table_pattern.h): every reason a task cannot start, named in one error.
#include <gtest/gtest.h>

#include "engine/core/start_report.h"
#include "engine/core/table_pattern.h"

namespace cutover {
namespace {

TEST(StartReport, EmptyIsOk) {
  EXPECT_TRUE(StartReport().ToStatus("task t").ok());
}

TEST(StartReport, OneProblemIsOneLine) {
  StartReport r;
  r.Refuse("table public.a", "has no primary key", "add one");
  Status s = r.ToStatus("task t");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "task t cannot start: table public.a: has no primary key; remedy: add one");
}

TEST(StartReport, SeveralProblemsOnePerLineWithoutDuplicates) {
  StartReport r;
  r.Refuse("table public.a", "has no primary key", "add one");
  r.Refuse("source x", "wal_level=replica");
  r.Refuse("table public.a", "has no primary key", "add one");
  EXPECT_EQ(r.ToStatus("task t").message(),
            "task t cannot start: 2 problems:\n"
            "  - table public.a: has no primary key; remedy: add one\n"
            "  - source x: wal_level=replica");
}

TEST(TablePatterns, EveryUnusedPatternIsReported) {
  TablePatterns p(TableSelection{{"public.payment%", "nosuch"}, {"public.payment_p%", "typo"}});
  EXPECT_TRUE(p.Select(TableName{"public", "payment"}));
  EXPECT_FALSE(p.Select(TableName{"public", "payment_p2007_01"}));
  // '_' is an ordinary character: paymentXp does not match payment_p%.
  EXPECT_TRUE(p.Select(TableName{"public", "paymentXp1"}));
  StartReport r;
  p.ReportUnused(r);
  ASSERT_EQ(r.problems().size(), 2u);
  EXPECT_EQ(r.problems()[0].object, "--tables 'nosuch'");
  EXPECT_EQ(r.problems()[1].object, "--exclude-tables 'typo'");
}

}  // namespace
}  // namespace cutover
