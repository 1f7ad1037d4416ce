// Scenario report rendering (reports/): structure of the HTML (every element closed, entities
// well-formed), escaping of everything that comes from a run, password redaction, partial or
// malformed documents, the SVG chart's edge cases, and the Markdown tables.
#include "reports/report_render.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reports/html.h"
#include "reports/svg_chart.h"

namespace cutover::reports {
namespace {

using Json = nlohmann::json;

// Checks that `html` is XHTML-shaped: every element is closed in order (or self-closed), no
// stray '<' or '>' in text, and every '&' starts an entity. Returns "" or the first problem.
std::string CheckWellFormed(const std::string& html) {
  std::vector<std::string> open;
  size_t i = 0;
  static const std::regex kEntity("^&(#[0-9]+|[a-z]+);");
  while (i < html.size()) {
    char c = html[i];
    if (c == '&') {
      std::smatch m;
      std::string tail = html.substr(i, 12);
      if (!std::regex_search(tail, m, kEntity)) return "bad entity at " + std::to_string(i);
      i += m.length(0);
      continue;
    }
    if (c == '>') return "stray '>' at " + std::to_string(i);
    if (c != '<') {
      ++i;
      continue;
    }
    size_t end = html.find('>', i);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
    std::string tag = html.substr(i + 1, end - i - 1);
    if (tag.rfind("!DOCTYPE", 0) == 0) {
      i = end + 1;
      continue;
    }
    if (tag.find('<') != std::string::npos) return "'<' inside a tag at " + std::to_string(i);
    if (tag.empty()) return "empty tag at " + std::to_string(i);
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? "" : open.back()) + "> at " +
               std::to_string(i);
      open.pop_back();
    } else if (tag.back() != '/') {
      std::string name = tag.substr(0, tag.find_first_of(" \n\t"));
      open.push_back(name);
      if (name == "style") {  // CSS is not markup: skip to its end tag
        size_t close = html.find("</style>", end);
        if (close == std::string::npos) return "unterminated <style>";
        end = close - 1;
      }
    }
    i = end + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size()))
    ++n;
  return n;
}

Json SampleReport() {
  auto r = ReadReportJson(std::string(CUTOVER_SOURCE_DIR) + "/reports/testdata/sample_report.json");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Json::object();
}

TEST(ReportRenderTest, CheckerCatchesBrokenMarkup) {
  // The checker itself: otherwise the tests below would prove nothing.
  EXPECT_EQ(CheckWellFormed("<p>a<b>b</b></p>"), "");
  EXPECT_NE(CheckWellFormed("<p>a<b>b</p></b>"), "");
  EXPECT_NE(CheckWellFormed("<p>a"), "");
  EXPECT_NE(CheckWellFormed("<p>a < b</p>"), "");
  EXPECT_NE(CheckWellFormed("<p>AT&T</p>"), "");
  EXPECT_EQ(CheckWellFormed("<p>AT&amp;T<br/></p>"), "");
}

TEST(ReportRenderTest, SampleReportHasEverySectionAndIsWellFormed) {
  Json report = SampleReport();
  std::string html = RenderHtml(report);
  EXPECT_EQ(CheckWellFormed(html), "");
  EXPECT_NE(html.find("<header class=\"verdict passed\">"), std::string::npos);
  EXPECT_NE(html.find(">PASSED</span>"), std::string::npos);
  for (const char* id : {"run", "expectations", "validation", "charts", "phases", "sizing",
                         "events", "engine", "scenario"})
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  // Five time charts (lag, throughput, CPU, RSS, load latency) and the sizing chart.
  EXPECT_EQ(Count(html, "<svg "), 6u);
  EXPECT_EQ(Count(html, "<tr class=\"expectation pass\">"), 4u);
  EXPECT_EQ(Count(html, "<tr class=\"expectation fail\">"), 0u);
  // Phase bands and event markers on the lag chart.
  EXPECT_NE(html.find(">kill-engine</text>"), std::string::npos);
  EXPECT_NE(html.find(">catch-up</text>"), std::string::npos);
  // Per-table validation and the scenario file.
  EXPECT_NE(html.find("public.accounts"), std::string::npos);
  EXPECT_NE(html.find("<details><summary>Scenario file scenarios/quickstart.toml</summary>"),
            std::string::npos);
  // Self-contained: nothing loaded from anywhere.
  for (const char* banned : {"<script", "<link", "<img", "src=", "@import", "url(", "https:"})
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
}

TEST(ReportRenderTest, SizingSaysWhatEndedTheRamp) {
  Json sizing = {{"workload", "oltp"},
                 {"sustainable_tps", 150},
                 {"steps", {{{"rate", 150}, {"rows_per_s", 1500}}}}};
  sizing["limited_by"] = "source";
  Json r = {{"format", kScenarioReportFormat}, {"outcome", "passed"}, {"sizing", sizing}};
  EXPECT_NE(RenderHtml(r).find("limited by the source"), std::string::npos);
  r["sizing"]["limited_by"] = "replication";
  EXPECT_NE(RenderHtml(r).find("limited by replication"), std::string::npos);
}

TEST(ReportRenderTest, VerdictFollowsTheOutcome) {
  for (const auto& [outcome, word] : std::vector<std::pair<std::string, std::string>>{
           {"passed", "PASSED"}, {"failed", "FAILED"}, {"error", "ERROR"}, {"bogus", "UNKNOWN"}}) {
    Json r = {{"format", kScenarioReportFormat}, {"outcome", outcome}};
    std::string html = RenderHtml(r);
    std::string cls = outcome == "bogus" ? "unknown" : outcome;
    EXPECT_NE(html.find("<header class=\"verdict " + cls + "\">"), std::string::npos) << outcome;
    EXPECT_NE(html.find(">" + word + "</span>"), std::string::npos) << outcome;
    EXPECT_NE(RenderMarkdown(r).find("**" + word + "**"), std::string::npos) << outcome;
  }
  Json failed = {{"outcome", "error"}, {"error", "source: cannot connect"}};
  EXPECT_NE(RenderHtml(failed).find("error: source: cannot connect"), std::string::npos);
  EXPECT_NE(RenderMarkdown(failed).find("Error: source: cannot connect"), std::string::npos);
}

TEST(ReportRenderTest, EscapesEveryStringFromTheRun) {
  const std::string evil = "<script>alert(\"x\")</script>&'";
  Json r = {
      {"format", kScenarioReportFormat},
      {"outcome", "failed"},
      {"error", evil},
      {"scenario",
       {{"name", evil}, {"description", evil}, {"file", evil}, {"toml", "a = \"</pre>" + evil}}},
      {"versions", {{"cutover", evil}, {"source", evil}}},
      {"host", {{"hostname", evil}}},
      {"source", {{"engine", evil}, {"uri", "postgresql://u@h/" + evil}}},
      {"task", {{"name", evil}, {"type", evil}, {"tables", {evil}}}},
      {"phases",
       {{{"name", evil},
         {"start_s", 0},
         {"end_s", 1},
         {"until", evil},
         {"load", {{"workload", evil}, {"rate", evil}}}}}},
      {"events", {{{"at_s", 0.5}, {"kind", evil}, {"phase", evil}, {"detail", evil}}}},
      {"series", {{"lag_s", {{0, 1}, {1, 2}}}, {evil, {{0, 1}}}}},
      {"phase_summaries", {{{"name", evil}}}},
      {"expectations",
       {{{"key", evil},
         {"expected", evil},
         {"actual", evil},
         {"passed", false},
         {"detail", evil}}}},
      {"validation",
       {{"status", evil},
        {"report", "javascript:alert(1)"},
        {"per_table", {{{"table", evil}, {"differences", 3}}}}}},
      {"sizing", {{"workload", evil}, {"steps", {{{"rate", 1}, {"rows_per_s", 2}}}}}},
      {"engine", {{"errors", {evil}}, {"log", evil}, {"exit_codes", {evil}}}},
  };
  std::string html = RenderHtml(r);
  EXPECT_EQ(CheckWellFormed(html), "");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("href=\"javascript"), std::string::npos);
  EXPECT_GT(Count(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"), 15u);

  std::string md = RenderMarkdown(r);
  EXPECT_EQ(md.find("<script"), std::string::npos);
  EXPECT_NE(md.find("&lt;script>"), std::string::npos);
}

TEST(ReportRenderTest, NeverPrintsPasswords) {
  Json r = {
      {"outcome", "passed"},
      {"source",
       {{"engine", "postgresql"}, {"uri", "postgresql://cutover:hunter2@127.0.0.1:5433/cutover"}}},
      {"target",
       {{"engine", "mariadb"},
        {"uri", "mariadb://cutover:s3cret@127.0.0.1:3307/db?password=s3cret"}}}};
  for (const std::string& text : {RenderHtml(r), RenderMarkdown(r)}) {
    EXPECT_EQ(text.find("hunter2"), std::string::npos);
    EXPECT_EQ(text.find("s3cret"), std::string::npos);
    EXPECT_NE(text.find("postgresql://cutover:***@127.0.0.1:5433/cutover"), std::string::npos);
  }
}

TEST(ReportRenderTest, RendersWhatIsPresentOfAPartialReport) {
  Json empty = Json::object();
  std::string html = RenderHtml(empty);
  EXPECT_EQ(CheckWellFormed(html), "");
  EXPECT_NE(html.find(">UNKNOWN</span>"), std::string::npos);
  EXPECT_NE(html.find("Report format <code>(missing)</code>"), std::string::npos);
  for (const char* id : {"expectations", "validation", "charts", "phases", "sizing", "events"})
    EXPECT_EQ(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(RenderMarkdown(empty).find("**UNKNOWN**"), std::string::npos);

  // Only a lag series and expectations: those sections and nothing else.
  Json r = {{"format", kScenarioReportFormat},
            {"outcome", "passed"},
            {"series", {{"lag_s", {{0.25, 0.1}, {0.5, 0.2}}}}},
            {"expectations", {{{"key", "max_lag_seconds"}, {"passed", true}}}}};
  html = RenderHtml(r);
  EXPECT_EQ(CheckWellFormed(html), "");
  EXPECT_EQ(Count(html, "<svg "), 1u);
  EXPECT_EQ(html.find("Report format"), std::string::npos);
  EXPECT_EQ(html.find("id=\"validation\""), std::string::npos);
}

TEST(ReportRenderTest, ToleratesValuesOfTheWrongType) {
  Json r = {{"outcome", 3},
            {"scenario", "not an object"},
            {"phases", "oops"},
            {"events", {1, "x", Json::object()}},
            {"series", {{"lag_s", "bad"}, {"applied_tps", {{1, "x"}, {"a", 2}, {2}, 5}}}},
            {"expectations", {1, "x", {{"passed", "yes"}}}},
            {"validation", {1, 2}},
            {"sizing", {{"steps", {{{"rate", "fast"}}}}}},
            {"engine", {{"errors", "one"}}},
            {"duration_s", "long"}};
  std::string html = RenderHtml(r);
  EXPECT_EQ(CheckWellFormed(html), "");
  // An expectation whose "passed" is not a boolean did not pass.
  EXPECT_EQ(Count(html, "<tr class=\"expectation fail\">"), 3u);
  EXPECT_FALSE(RenderMarkdown(r).empty());
}

TEST(ReportRenderTest, MarkdownTablesAreRectangularAndEscaped) {
  Json r = SampleReport();
  r["outcome"] = "failed";
  r["expectations"].push_back({{"key", "max_lag_seconds"},
                               {"expected", "<= 0"},
                               {"actual", "3.62 | spiky\nafter crash"},
                               {"passed", false},
                               {"detail", "phase `cdc`"}});
  std::string md = RenderMarkdown(r);
  EXPECT_NE(md.find("## Scenario quickstart: **FAILED**"), std::string::npos);
  EXPECT_NE(md.find("| **FAIL** | max_lag_seconds | <= 0 | 3.62 \\| spiky after crash | phase "
                    "'cdc' |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("**Validation:** equal (4 table(s), 120,000 source rows"), std::string::npos);
  EXPECT_NE(md.find("**Sizing:** workload oltp sustains 1,500 tps (6,000 row changes/s)"),
            std::string::npos);
  // Every table line of a table has the same number of unescaped pipes as its header.
  std::istringstream in(md);
  std::string line;
  int expected = -1, tables = 0, rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '|') {
      expected = -1;
      continue;
    }
    int pipes = 0;
    for (size_t i = 0; i < line.size(); ++i)
      pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    if (expected < 0) {
      expected = pipes;
      ++tables;
    } else {
      EXPECT_EQ(pipes, expected) << line;
      ++rows;
    }
  }
  EXPECT_EQ(tables, 2);        // expectations, phases
  EXPECT_EQ(rows, 2 + 5 + 4);  // two separator lines, 5 expectations, 4 phases
}

TEST(ReportRenderTest, WritesHtmlAndMarkdownIntoTheDirectory) {
  std::string dir = ::testing::TempDir() + "report_render_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  Json r = SampleReport();
  ASSERT_TRUE(WriteRenderedReports(r, dir).ok());
  for (const char* name : {"report.html", "report.md"}) {
    std::ifstream f(dir + "/" + name);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, std::string(name) == "report.html" ? RenderHtml(r) : RenderMarkdown(r));
  }
  // A directory that cannot be created: an error naming it.
  std::string file = dir + "/report.md";
  Status s = WriteRenderedReports(r, file + "/sub");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(file + "/sub"), std::string::npos) << s.ToString();
  std::filesystem::remove_all(dir);
}

TEST(ReportRenderTest, ReadReportJsonNamesTheFileAndPosition) {
  std::string dir = ::testing::TempDir() + "report_json_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  auto missing = ReadReportJson(dir + "/nope.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir + "/nope.json"), std::string::npos);
  std::ofstream(dir + "/bad.json") << "{\n  \"outcome\": passed\n}\n";
  auto bad = ReadReportJson(dir + "/bad.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.json: not valid JSON"), std::string::npos);
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().ToString();
  std::ofstream(dir + "/list.json") << "[1, 2]\n";
  auto list = ReadReportJson(dir + "/list.json");
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("expected a JSON object"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// ---- svg_chart ----

TEST(SvgChartTest, NullsLeaveGapsAndLonePointsAreDots) {
  LineChart c;
  c.title = "lag";
  ChartSeries s{"lag", "", {}};
  for (int i = 0; i < 10; ++i)
    s.points.push_back({i * 1.0, i == 4 || i == 6 ? std::nullopt : std::optional<double>(i)});
  c.series = {s};
  std::string svg = RenderLineChart(c);
  EXPECT_EQ(CheckWellFormed(svg), "");
  // Runs: 0-3 (path), 5 (dot), 7-9 (path).
  EXPECT_EQ(Count(svg, "<path "), 2u);
  EXPECT_EQ(Count(svg, "<circle "), 1u);
  EXPECT_EQ(svg.find("no data"), std::string::npos);
}

TEST(SvgChartTest, EmptyAndSinglePointChartsRender) {
  LineChart c;
  c.title = "empty";
  c.series = {{"s", "", {}}};
  std::string svg = RenderLineChart(c);
  EXPECT_EQ(CheckWellFormed(svg), "");
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_EQ(Count(svg, "<path "), 0u);

  c.series = {{"s", "", {{3.0, 42.0}}}};
  c.y_from_zero = false;  // a single value: the y range must still have a height
  svg = RenderLineChart(c);
  EXPECT_EQ(CheckWellFormed(svg), "");
  EXPECT_EQ(Count(svg, "<circle "), 1u);
  for (const char* bad : {"nan", "inf", "NaN"}) EXPECT_EQ(svg.find(bad), std::string::npos);

  c.series = {{"s", "", {{0, std::nullopt}, {1, std::nullopt}}}};
  svg = RenderLineChart(c);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_EQ(CheckWellFormed(svg), "");
}

TEST(SvgChartTest, BandsMarkersAndLegend) {
  LineChart c;
  c.title = "t";
  c.series = {{"source", "", {{0, 1}, {10, 2}}}, {"applied", "#123456", {{0, 1}, {10, 2}}}};
  c.bands = {{0, 4, "full-load"}, {4, 10, "cdc"}, {5, 5, "empty band"}};
  c.markers = {{6, "kill-engine"}};
  std::string svg = RenderLineChart(c);
  EXPECT_EQ(CheckWellFormed(svg), "");
  EXPECT_NE(svg.find(">full-load</text>"), std::string::npos);
  EXPECT_NE(svg.find(">cdc</text>"), std::string::npos);
  EXPECT_EQ(svg.find("empty band"), std::string::npos);  // zero width: not drawn
  EXPECT_NE(svg.find(">kill-engine</text>"), std::string::npos);
  EXPECT_NE(svg.find(">source</text>"), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"#123456\""), std::string::npos);
}

TEST(SvgChartTest, NiceTicksAndLabels) {
  EXPECT_EQ(NiceTicks(0, 3.62, 5), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(NiceTicks(0, 800, 5), (std::vector<double>{0, 200, 400, 600, 800}));
  EXPECT_EQ(NiceTicks(0, 10, 4), (std::vector<double>{0, 2.5, 5, 7.5, 10}));
  EXPECT_EQ(NiceTicks(-1, 1, 4), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
  std::vector<double> same = NiceTicks(5, 5, 5);
  ASSERT_GE(same.size(), 2u);
  EXPECT_LE(same.front(), 5);
  EXPECT_GE(same.back(), 5);
  EXPECT_LT(same.front(), same.back());
  EXPECT_EQ(FormatTick(0), "0");
  EXPECT_EQ(FormatTick(2.5), "2.5");
  EXPECT_EQ(FormatTick(0.125), "0.125");
  EXPECT_EQ(FormatTick(12000), "12k");
  EXPECT_EQ(FormatTick(1500000), "1.5M");
  EXPECT_EQ(FormatTick(-0.0), "0");
}

TEST(MarkupEscapeTest, EscapesMarkupCharacters) {
  EXPECT_EQ(MarkupEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
  EXPECT_EQ(MarkdownCell("a|b\nc`d <= 5 <b>"), "a\\|b c'd <= 5 &lt;b>");
}

}  // namespace
}  // namespace cutover::reports
