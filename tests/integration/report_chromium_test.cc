// The scenario report renders in a real browser: `cutover report render` writes report.html from
// reports/testdata/sample_report.json, then headless Chromium (Debian `chromium`, installed by
// scripts/install-deps.sh) dumps its DOM and takes a screenshot, with every host name made
// unresolvable so the page can only render if it is self-contained.
// Without chromium the test fails in CI (CI=true) and is skipped elsewhere with a message.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

std::string FindChromium() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (const char* name : {"chromium", "chromium-browser"}) {
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string candidate = dirs.substr(start, end - start) + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size()))
    ++n;
  return n;
}

class ReportChromiumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    if (chromium_.empty()) {
      const char* ci = std::getenv("CI");
      if (ci && std::string(ci) == "true")
        FAIL() << "chromium not found in PATH; CI must install it (scripts/install-deps.sh)";
      GTEST_SKIP() << "chromium not found in PATH: install it with `apt-get install chromium` "
                      "(scripts/install-deps.sh) to run the rendering check";
    }
    dir_ = ::testing::TempDir() + "report-chromium-" + std::to_string(getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/profile");
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) std::filesystem::remove_all(dir_);
  }

  // Runs chromium headless on `url` with `extra` flags (bounded: 120 s); stdout to `out`.
  int Chromium(const std::string& url, const std::string& extra, const std::string& out) {
    std::string cmd = "timeout -s KILL 120 '" + chromium_ +
                      "' --headless --no-sandbox --disable-gpu --no-first-run "
                      "--disable-dev-shm-usage --host-resolver-rules='MAP * ~NOTFOUND' "
                      "--user-data-dir='" +
                      dir_ + "/profile' " + extra + " '" + url + "' > '" + out + "' 2>> '" + dir_ +
                      "/chromium.log'";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  std::string chromium_;
  std::string dir_;
};

// Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian); {0, 0} if not a PNG.
std::pair<uint32_t, uint32_t> PngSize(const std::string& png) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
      png.compare(12, 4, "IHDR") != 0)
    return {0, 0};
  auto be32 = [&](size_t at) {
    return (uint32_t(uint8_t(png[at])) << 24) | (uint32_t(uint8_t(png[at + 1])) << 16) |
           (uint32_t(uint8_t(png[at + 2])) << 8) | uint32_t(uint8_t(png[at + 3]));
  };
  return {be32(16), be32(20)};
}

TEST_F(ReportChromiumTest, SampleReportRendersWithChartsAndVerdict) {
  std::string sample = std::string(CUTOVER_SOURCE_DIR) + "/reports/testdata/sample_report.json";
  RunResult r = RunCutover({"report", "render", sample, "--out", dir_}, std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string html_path = dir_ + "/report.html";
  ASSERT_TRUE(std::filesystem::exists(html_path));
  ASSERT_TRUE(std::filesystem::exists(dir_ + "/report.md"));

  // The DOM as the browser built it.
  std::string dom_path = dir_ + "/dom.html";
  ASSERT_EQ(Chromium("file://" + html_path, "--dump-dom", dom_path), 0)
      << ReadFile(dir_ + "/chromium.log");
  std::string dom = ReadFile(dom_path);
  EXPECT_NE(dom.find("<span class=\"badge\" id=\"verdict\">PASSED</span>"), std::string::npos)
      << dom.substr(0, 2000);
  EXPECT_EQ(Count(dom, "<svg "), 6u) << "five time charts and the sizing chart";
  EXPECT_EQ(Count(dom, "<tr class=\"expectation pass\">"), 4u);
  EXPECT_NE(dom.find("max_lag_seconds"), std::string::npos);
  EXPECT_NE(dom.find("public.accounts"), std::string::npos);
  EXPECT_NE(dom.find("Replication lag"), std::string::npos);

  // The screenshot: a PNG of the requested size, and not a blank page: a blank page of the same
  // size compresses to a few KiB, the report to far more.
  std::string png_path = dir_ + "/out.png";
  ASSERT_EQ(Chromium("file://" + html_path,
                     "--screenshot='" + png_path + "' --window-size=1280,2400 --hide-scrollbars",
                     "/dev/null"),
            0)
      << ReadFile(dir_ + "/chromium.log");
  std::string png = ReadFile(png_path);
  auto [w, h] = PngSize(png);
  EXPECT_EQ(w, 1280u);
  EXPECT_EQ(h, 2400u);

  std::string blank_html = dir_ + "/blank.html";
  std::ofstream(blank_html) << "<!DOCTYPE html><html><body></body></html>\n";
  std::string blank_png = dir_ + "/blank.png";
  ASSERT_EQ(Chromium("file://" + blank_html,
                     "--screenshot='" + blank_png + "' --window-size=1280,2400 --hide-scrollbars",
                     "/dev/null"),
            0);
  size_t blank_size = ReadFile(blank_png).size();
  ASSERT_GT(blank_size, 0u);
  EXPECT_GT(png.size(), 10 * blank_size)
      << "report screenshot " << png.size() << " bytes vs blank page " << blank_size;
  EXPECT_GT(png.size(), size_t{50} << 10);
}

// `cutover report render` on bad input: exit 2 and one line naming the file and the position.
TEST(ReportRenderCommandTest, BadInputIsOneClearLine) {
  std::string dir = ::testing::TempDir() + "report-cli-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/report.json")
      << "{\n  \"outcome\": \"passed\",\n  \"duration_s\": 1.5.2\n}\n";
  RunResult bad = RunCutover({"report", "render", dir + "/report.json"}, std::chrono::seconds(60));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(dir + "/report.json: not valid JSON"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("line 3"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/report.html"));

  RunResult missing =
      RunCutover({"report", "render", dir + "/nope.json"}, std::chrono::seconds(60));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find(dir + "/nope.json"), std::string::npos) << missing.err;

  // A good file renders next to itself by default.
  std::ofstream(dir + "/report.json", std::ios::trunc) << "{\"outcome\": \"passed\"}\n";
  RunResult ok = RunCutover({"report", "render", dir + "/report.json"}, std::chrono::seconds(60));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/report.html"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/report.md"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cutover::testing
