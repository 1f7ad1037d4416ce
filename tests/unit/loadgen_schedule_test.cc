// Unit tests of the open/closed-loop schedule, driven with synthetic times.
#include <gtest/gtest.h>

#include <vector>

#include "loadgen/schedule.h"

namespace cutover::loadgen {
namespace {

using Clock = Schedule::Clock;
using namespace std::chrono_literals;

// A client that is always free: takes each slot exactly when it is due.
std::vector<Schedule::Slot> DrainOnTime(Schedule& s) {
  std::vector<Schedule::Slot> out;
  Clock::time_point now{};
  while (auto slot = s.Take(now)) {
    out.push_back(*slot);
    if (slot->due > now) now = slot->due;
  }
  return out;
}

TEST(LoadgenSchedule, OpenLoopArrivalsFollowTheRateAndTheSeed) {
  Clock::time_point t0{};
  auto a = Schedule::OpenLoop(1000, 7, t0, t0 + 10s, 100);
  auto b = Schedule::OpenLoop(1000, 7, t0, t0 + 10s, 100);
  auto c = Schedule::OpenLoop(1000, 8, t0, t0 + 10s, 100);
  auto sa = DrainOnTime(a), sb = DrainOnTime(b), sc = DrainOnTime(c);
  // 10,000 expected; the Poisson standard deviation is 100.
  EXPECT_NEAR(static_cast<double>(sa.size()), 10000, 400);
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].seq, i);
    EXPECT_EQ(sa[i].due, sb[i].due);
    EXPECT_FALSE(sa[i].late);
  }
  EXPECT_NE(sa[0].due, sc[0].due);
  EXPECT_EQ(a.skipped(), 0u);
  EXPECT_EQ(a.late(), 0u);
  // Exponential gaps: about 63% of them shorter than the mean (1 ms).
  int shorter = 0;
  for (size_t i = 1; i < sa.size(); ++i) shorter += sa[i].due - sa[i - 1].due < 1ms;
  EXPECT_NEAR(static_cast<double>(shorter) / static_cast<double>(sa.size()), 0.632, 0.03);
}

TEST(LoadgenSchedule, ABusyServerQueuesThenSkipsAndEverythingQueuedIsLate) {
  Clock::time_point t0{};
  auto s = Schedule::OpenLoop(1000, 1, t0, t0 + 10s, 50);
  // Nobody takes anything for a second: ~1000 arrivals, 50 fit the queue.
  auto first = s.Take(t0 + 1s);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->seq, 0u);
  EXPECT_TRUE(first->late);
  EXPECT_LT(first->due, t0 + 100ms);
  EXPECT_EQ(s.queued(), 49u);
  EXPECT_NEAR(static_cast<double>(s.skipped()), 950, 100);
  EXPECT_EQ(s.arrivals(), s.skipped() + 50);
  // The queue is served oldest first; numbers keep counting the skipped arrivals.
  uint64_t prev = first->seq;
  for (int i = 0; i < 49; ++i) {
    auto slot = s.Take(t0 + 1s);
    ASSERT_TRUE(slot.has_value());
    EXPECT_GT(slot->seq, prev);
    prev = slot->seq;
  }
  EXPECT_EQ(s.late(), 50u);
  // Then the next arrival lies in the future and is not late.
  auto next = s.Take(t0 + 1s);
  ASSERT_TRUE(next.has_value());
  EXPECT_GE(next->due, t0 + 1s);
  EXPECT_FALSE(next->late);
}

TEST(LoadgenSchedule, OpenLoopEndsAfterTheQueueIsDrained) {
  Clock::time_point t0{};
  auto s = Schedule::OpenLoop(100, 3, t0, t0 + 1s, 1000);
  int taken = 0;
  while (s.Take(t0 + 5s)) ++taken;  // one late client after the end
  EXPECT_EQ(static_cast<uint64_t>(taken), s.arrivals());
  EXPECT_NEAR(taken, 100, 40);
  EXPECT_FALSE(s.Take(t0 + 6s).has_value());
}

TEST(LoadgenSchedule, ClosedLoopHandsOutNumbersUntilTheEnd) {
  Clock::time_point t0{};
  auto s = Schedule::ClosedLoop(t0 + 1s);
  for (uint64_t i = 0; i < 5; ++i) {
    auto slot = s.Take(t0 + 10ms);
    ASSERT_TRUE(slot.has_value());
    EXPECT_EQ(slot->seq, i);
    EXPECT_EQ(slot->due, t0 + 10ms);
  }
  EXPECT_FALSE(s.Take(t0 + 1s).has_value());
}

}  // namespace
}  // namespace cutover::loadgen
