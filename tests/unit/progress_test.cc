// Tests for progress reporting: formatting, exact counting from many threads, and what each mode
// writes. Output is captured through an injected sink; nothing here depends on timing except one
// liveness check with a deadline far beyond the 250 ms redraw interval.
#include "engine/core/progress.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cutover {
namespace {

// Collects everything written to it; safe to read while the display thread writes.
class CapturingSink {
 public:
  Progress::Sink sink() {
    return [this](std::string_view text) {
      std::lock_guard<std::mutex> lock(mu_);
      out_.append(text);
      ++writes_;
      changed_.notify_all();
    };
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mu_);
    return out_;
  }
  int writes() {
    std::lock_guard<std::mutex> lock(mu_);
    return writes_;
  }
  // Waits until something was written or the deadline passes; returns whether it was.
  bool WaitForWrite(std::chrono::seconds deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, deadline, [this] { return writes_ > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::string out_;
  int writes_ = 0;
};

TEST(ProgressFormatTest, FormatCount) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(7), "7");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(12345), "12,345");
  EXPECT_EQ(FormatCount(123456), "123,456");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatCount(-1234), "-1,234");
  EXPECT_EQ(FormatCount(-999), "-999");
  EXPECT_EQ(FormatCount(std::numeric_limits<int64_t>::max()), "9,223,372,036,854,775,807");
  EXPECT_EQ(FormatCount(std::numeric_limits<int64_t>::min()), "-9,223,372,036,854,775,808");
}

TEST(ProgressFormatTest, FormatDuration) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(0.4), "0:00");
  EXPECT_EQ(FormatDuration(1.6), "0:02");
  EXPECT_EQ(FormatDuration(59), "0:59");
  EXPECT_EQ(FormatDuration(60), "1:00");
  EXPECT_EQ(FormatDuration(3599), "59:59");
  EXPECT_EQ(FormatDuration(3600), "1:00:00");
  EXPECT_EQ(FormatDuration(3665), "1:01:05");
  EXPECT_EQ(FormatDuration(99 * 3600 + 59 * 60 + 59), "99:59:59");
  EXPECT_EQ(FormatDuration(100 * 3600), ">99:59:59");
  EXPECT_EQ(FormatDuration(1e300), ">99:59:59");
  EXPECT_EQ(FormatDuration(-1), "--:--");
  EXPECT_EQ(FormatDuration(std::numeric_limits<double>::quiet_NaN()), "--:--");
  EXPECT_EQ(FormatDuration(std::numeric_limits<double>::infinity()), "--:--");
}

TEST(ProgressFormatTest, FormatLineWithKnownTotal) {
  EXPECT_EQ(Progress::FormatLine("full load", 1234567, 2000000, 412311),
            "full load: 1,234,567 / 2,000,000 rows  61.7%  412,311 rows/s  ETA 0:02");
}

TEST(ProgressFormatTest, FormatLineEdgeCases) {
  // Unknown total: no percentage, no ETA.
  EXPECT_EQ(Progress::FormatLine("full load", 1500, -1, 250.4),
            "full load: 1,500 rows  250 rows/s");
  // Rate not known yet.
  EXPECT_EQ(Progress::FormatLine("full load", 0, 10, -1), "full load: 0 / 10 rows  0.0%");
  // Stalled: no ETA rather than an infinite one.
  EXPECT_EQ(Progress::FormatLine("x", 5, 10, 0), "x: 5 / 10 rows  50.0%  0 rows/s");
  // The estimate was low: capped at 100%, no ETA.
  EXPECT_EQ(Progress::FormatLine("x", 12, 10, 3), "x: 12 / 10 rows  100.0%  3 rows/s");
  // Rounded down, so 100.0% means done.
  EXPECT_EQ(Progress::FormatLine("x", 9999, 10000, -1), "x: 9,999 / 10,000 rows  99.9%");
  EXPECT_EQ(Progress::FormatLine("x", 0, 0, -1), "x: 0 / 0 rows  100.0%");
  EXPECT_EQ(Progress::FormatLine("", 3, -1, -1), "3 rows");
}

TEST(ProgressFormatTest, FormatFinalLine) {
  EXPECT_EQ(Progress::FormatFinalLine("full load", 2000000, 5),
            "full load: 2,000,000 rows in 0:05 (400,000 rows/s)");
  EXPECT_EQ(Progress::FormatFinalLine("full load", 0, 0), "full load: 0 rows in 0:00");
}

TEST(ProgressTest, ResolveMode) {
  using Mode = Progress::Mode;
  EXPECT_EQ(Progress::ResolveMode(Mode::kAuto, true, nullptr), Mode::kTerminal);
  EXPECT_EQ(Progress::ResolveMode(Mode::kAuto, true, ""), Mode::kTerminal);
  EXPECT_EQ(Progress::ResolveMode(Mode::kAuto, true, "true"), Mode::kQuiet);
  EXPECT_EQ(Progress::ResolveMode(Mode::kAuto, false, nullptr), Mode::kQuiet);
  EXPECT_EQ(Progress::ResolveMode(Mode::kTerminal, false, "1"), Mode::kTerminal);
  EXPECT_EQ(Progress::ResolveMode(Mode::kQuiet, true, nullptr), Mode::kQuiet);
}

TEST(ProgressTest, AddFromFourThreadsSumsExactly) {
  CapturingSink out;
  Progress progress("count", -1, Progress::Mode::kTerminal, out.sink());
  constexpr int kThreads = 4;
  constexpr int kAddsPerThread = 250000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&progress, t] {
      for (int i = 0; i < kAddsPerThread; ++i) progress.Add(1 + (i + t) % 3);
    });
  }
  for (auto& th : threads) th.join();
  int64_t expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kAddsPerThread; ++i) expected += 1 + (i + t) % 3;
  }
  EXPECT_EQ(progress.done(), expected);
  progress.Finish();
  EXPECT_EQ(progress.done(), expected);
  EXPECT_NE(out.text().find(FormatCount(expected) + " rows in "), std::string::npos) << out.text();
}

TEST(ProgressTest, QuietModePrintsNothing) {
  CapturingSink out;
  {
    Progress progress("full load", 100, Progress::Mode::kQuiet, out.sink());
    EXPECT_EQ(progress.mode(), Progress::Mode::kQuiet);
    progress.Add(60);
    progress.SetTotal(200);
    progress.Add(40);
    EXPECT_EQ(progress.done(), 100);
    EXPECT_EQ(progress.total(), 200);
    progress.Finish();
  }
  EXPECT_EQ(out.writes(), 0);
  EXPECT_EQ(out.text(), "");
}

TEST(ProgressTest, QuietModeWritesNothingToStderr) {
  ::testing::internal::CaptureStderr();
  {
    Progress progress("full load", -1, Progress::Mode::kQuiet);  // default sink: stderr
    progress.Add(5);
    progress.Finish();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(ProgressTest, TerminalModeFinishPrintsSummaryLineEndingInNewline) {
  CapturingSink out;
  Progress progress("full load", 2000000, Progress::Mode::kTerminal, out.sink());
  EXPECT_EQ(progress.mode(), Progress::Mode::kTerminal);
  progress.Add(1234567);
  progress.Finish();
  const std::string text = out.text();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("full load: 1,234,567 rows in "), std::string::npos) << text;
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one newline, at the end: " << text;
  // The summary overwrites the redrawn line and clears its tail.
  const size_t last_line = text.rfind('\r');
  ASSERT_NE(last_line, std::string::npos);
  EXPECT_NE(text.find("\x1b[K", last_line), std::string::npos);

  // Finishing again, or destroying, adds nothing.
  const int writes = out.writes();
  progress.Finish();
  EXPECT_EQ(out.writes(), writes);
}

TEST(ProgressTest, DestructorFinishes) {
  CapturingSink out;
  {
    Progress progress("scan", -1, Progress::Mode::kTerminal, out.sink());
    progress.Add(42);
  }
  const std::string text = out.text();
  ASSERT_FALSE(text.empty());
  EXPECT_NE(text.find("scan: 42 rows in "), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressTest, TerminalModeRedrawsWhileRunning) {
  CapturingSink out;
  Progress progress("full load", 1000, Progress::Mode::kTerminal, out.sink());
  progress.Add(250);
  // Liveness only: the first redraw is due after 250 ms; a minute means "never".
  ASSERT_TRUE(out.WaitForWrite(std::chrono::seconds(60)));
  const std::string text = out.text();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_NE(text.find("full load: 250 / 1,000 rows  25.0%"), std::string::npos) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << "no newline before Finish: " << text;
  progress.Finish();
  EXPECT_EQ(out.text().back(), '\n');
}

}  // namespace
}  // namespace cutover
