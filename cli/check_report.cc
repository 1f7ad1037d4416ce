#include "cli/check_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "reports/html.h"
#include "reports/report_render.h"

namespace cutover::cli {

namespace {

int64_t Total(const std::vector<CheckSection>& sections, CheckStatus s) {
  int64_t n = 0;
  for (const CheckSection& sec : sections) n += sec.checks.Count(s);
  return n;
}

std::string StatusWord(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPassed:
      return "passed";
    case CheckStatus::kNotApplicable:
      return "n/a";
    case CheckStatus::kWarning:
      return "WARNING";
    case CheckStatus::kFailed:
      return "FAILED";
  }
  return "?";
}

}  // namespace

std::string ChecksText(const std::vector<CheckSection>& sections, bool all) {
  std::string out;
  for (const CheckSection& sec : sections) {
    out += sec.title + "\n";
    size_t width = 0;
    for (const ReadinessCheck& c : sec.checks.checks()) width = std::max(width, c.id.size());
    for (const ReadinessCheck& c : sec.checks.checks()) {
      const bool quiet =
          c.status == CheckStatus::kPassed || c.status == CheckStatus::kNotApplicable;
      if (quiet && !all) continue;
      out += fmt::format("  {:<8} {:<{}}  {}{}\n", StatusWord(c.status), c.id, width, c.title,
                         c.detail.empty() ? "" : ": " + c.detail);
      if (quiet) continue;
      for (const std::string& o : c.objects) out += fmt::format("           - {}\n", o);
      if (!c.remedy.empty()) out += fmt::format("           remedy: {}\n", c.remedy);
    }
  }
  return out;
}

std::string ChecksSummary(const std::vector<CheckSection>& sections) {
  return fmt::format("{} failed, {} warning(s), {} passed, {} not applicable",
                     Total(sections, CheckStatus::kFailed), Total(sections, CheckStatus::kWarning),
                     Total(sections, CheckStatus::kPassed),
                     Total(sections, CheckStatus::kNotApplicable));
}

nlohmann::json ChecksJson(const std::vector<CheckSection>& sections) {
  nlohmann::json out;
  for (CheckStatus s : {CheckStatus::kFailed, CheckStatus::kWarning, CheckStatus::kPassed,
                        CheckStatus::kNotApplicable}) {
    std::string key(CheckStatusName(s));
    for (char& c : key)
      if (c == ' ') c = '_';
    out["summary"][key] = Total(sections, s);
  }
  out["sections"] = nlohmann::json::array();
  for (const CheckSection& sec : sections) {
    nlohmann::json js{{"title", sec.title}, {"checks", nlohmann::json::array()}};
    for (const ReadinessCheck& c : sec.checks.checks()) {
      js["checks"].push_back({{"id", c.id},
                              {"title", c.title},
                              {"status", std::string(CheckStatusName(c.status))},
                              {"detail", c.detail},
                              {"objects", c.objects},
                              {"remedy", c.remedy}});
    }
    out["sections"].push_back(std::move(js));
  }
  return out;
}

std::string ChecksHtml(const std::string& title, const std::vector<CheckSection>& sections) {
  using cutover::MarkupEscape;
  const int64_t failed = Total(sections, CheckStatus::kFailed);
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>{}</title><style>{}</style></head><body><main>\n"
      "<header class=\"verdict {}\"><span class=\"badge\">{}</span><h1>{}</h1>"
      "<p class=\"facts\">{}</p></header>\n",
      MarkupEscape(title), reports::ReportCss(), failed ? "failed" : "passed",
      failed ? "FAILED" : "PASSED", MarkupEscape(title), MarkupEscape(ChecksSummary(sections)));
  for (const CheckSection& sec : sections) {
    out += fmt::format(
        "<section><h2>{}</h2><table class=\"compact\"><tr><th>status</th>"
        "<th>check</th><th>what was found</th><th>objects</th><th>remedy</th></tr>\n",
        MarkupEscape(sec.title));
    for (const ReadinessCheck& c : sec.checks.checks()) {
      std::string objects;
      for (const std::string& o : c.objects) objects += MarkupEscape(o) + "<br>";
      const bool bad = c.status == CheckStatus::kFailed;
      out += fmt::format(
          "<tr class=\"{}\"><td class=\"result\">{}</td><td><code>{}</code><br>{}</td><td>{}</td>"
          "<td>{}</td><td>{}</td></tr>\n",
          bad                                ? "fail"
          : c.status == CheckStatus::kPassed ? "pass"
                                             : "",
          StatusWord(c.status), MarkupEscape(c.id), MarkupEscape(c.title), MarkupEscape(c.detail),
          objects, MarkupEscape(c.remedy));
    }
    out += "</table></section>\n";
  }
  out += "<footer>cutover assess</footer></main></body></html>\n";
  return out;
}

}  // namespace cutover::cli
