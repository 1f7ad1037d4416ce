#include "validator/report.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/core/progress.h"
#include "reports/html.h"

namespace cutover::validator {
namespace {

using Json = nlohmann::ordered_json;

double Rate(int64_t rows, double seconds) {
  return seconds > 0 ? rows / seconds : 0;
}

std::string Verdict(const ValidationResult& r) {
  return r.equal() ? "equal" : "differences";
}

std::string TableVerdict(const TableResult& t) {
  if (!t.schema_differences.empty() && t.differing_rows == 0 && !t.multiset_differs)
    return "schema differs";
  return t.equal() ? "equal" : "differs";
}

std::string KeyText(const RowDiff& d) {
  std::string out;
  for (size_t i = 0; i < d.key.size(); ++i)
    out += (i ? ", " : "") + d.key[i].first + "=" + d.key[i].second;
  return out;
}

std::string Shorten(const std::string& s, size_t max = 200) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + fmt::format("... ({} bytes)", s.size());
}

}  // namespace

std::string ReportJson(const ValidationResult& r) {
  Json j;
  j["result"] = Verdict(r);
  j["source"] = r.source;
  j["target"] = r.target;
  j["seconds"] = r.seconds;
  j["source_rows"] = r.source_rows;
  j["target_rows"] = r.target_rows;
  j["rows_per_second"] = {{"source", Rate(r.source_rows, r.seconds)},
                          {"target", Rate(r.target_rows, r.seconds)}};
  j["tables"] = Json::array();
  for (const auto& t : r.tables) {
    Json jt;
    jt["source_table"] = t.source_name.ToString();
    jt["target_table"] = t.target_name.ToString();
    jt["result"] = TableVerdict(t);
    jt["source_rows"] = t.source_rows;
    jt["target_rows"] = t.target_rows;
    jt["chunks"] = t.chunks;
    jt["chunks_differing"] = t.chunks_differing;
    jt["chunks_hashed_on_server"] = t.chunks_hashed_on_server;
    jt["seconds"] = t.seconds;
    jt["rows_per_second"] = {{"source", Rate(t.source_rows, t.seconds)},
                             {"target", Rate(t.target_rows, t.seconds)}};
    jt["schema_differences"] = t.schema_differences;
    if (!t.keyless_reason.empty()) {
      jt["compared_as_multiset"] = t.keyless_reason;
      jt["multiset_differs"] = t.multiset_differs;
    }
    jt["differing_rows"] = t.differing_rows;
    jt["in_flight"] = t.in_flight;
    jt["differences"] = Json::array();
    for (const auto& d : t.differences) {
      Json jd;
      jd["kind"] = DiffKindName(d.kind);
      Json key = Json::object();
      for (const auto& [c, v] : d.key) key[c] = v;
      jd["key"] = key;
      if (d.kind == DiffKind::kDifferent) {
        jd["columns"] = Json::array();
        for (const auto& c : d.columns)
          jd["columns"].push_back(
              {{"column", c.column}, {"source", c.source_value}, {"target", c.target_value}});
      }
      jt["differences"].push_back(std::move(jd));
    }
    jt["differences_not_listed"] = t.differing_rows - static_cast<int64_t>(t.differences.size());
    j["tables"].push_back(std::move(jt));
  }
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string ReportMarkdown(const ValidationResult& r) {
  std::string o;
  o += fmt::format("# Validation: {}\n\n", r.equal() ? "target equals source" : "DIFFERENCES");
  o += fmt::format("- source: `{}`\n- target: `{}`\n", r.source, r.target);
  o += fmt::format(
      "- {} table(s), {} source rows, {} target rows, {:.1f} s ({} rows/s per side)\n\n",
      r.tables.size(), FormatCount(r.source_rows), FormatCount(r.target_rows), r.seconds,
      FormatCount(static_cast<int64_t>(Rate(r.source_rows, r.seconds))));
  o += "| table | target | result | source rows | target rows | differing rows | in flight | "
       "chunks | rows/s |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& t : r.tables)
    o += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                     reports::MarkdownCell(t.source_name.ToString()),
                     reports::MarkdownCell(t.target_name.ToString()), TableVerdict(t),
                     FormatCount(t.source_rows), FormatCount(t.target_rows),
                     FormatCount(t.differing_rows), FormatCount(t.in_flight), t.chunks,
                     FormatCount(static_cast<int64_t>(Rate(t.source_rows, t.seconds))));
  for (const auto& t : r.tables) {
    if (t.equal() && t.keyless_reason.empty()) continue;
    o += fmt::format("\n## {}\n\n", reports::MarkdownCell(t.source_name.ToString()));
    if (!t.keyless_reason.empty())
      o += fmt::format("- compared as a multiset of rows ({}): {}\n",
                       reports::MarkdownCell(t.keyless_reason),
                       t.multiset_differs ? "the rows differ" : "equal");
    for (const auto& s : t.schema_differences) o += "- schema: " + reports::MarkdownCell(s) + "\n";
    if (t.differences.empty()) continue;
    o += "\n| kind | key | column | source | target |\n|---|---|---|---|---|\n";
    for (const auto& d : t.differences) {
      if (d.columns.empty())
        o += fmt::format("| {} | {} | | | |\n", DiffKindName(d.kind),
                         reports::MarkdownCell(KeyText(d)));
      for (const auto& c : d.columns)
        o += fmt::format("| {} | {} | {} | `{}` | `{}` |\n", DiffKindName(d.kind),
                         reports::MarkdownCell(KeyText(d)), reports::MarkdownCell(c.column),
                         reports::MarkdownCell(Shorten(c.source_value)),
                         reports::MarkdownCell(Shorten(c.target_value)));
    }
    int64_t more = t.differing_rows - static_cast<int64_t>(t.differences.size());
    if (more > 0) o += fmt::format("\n{} more differing row(s) not listed.\n", FormatCount(more));
  }
  return o;
}

std::string ReportHtml(const ValidationResult& r) {
  std::string o =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cutover validation</title>\n"
      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}td.n{text-align:right}"
      ".ok{color:#176f2c;font-weight:bold}.bad{color:#b00020;font-weight:bold}"
      "code{background:#f4f4f4;white-space:pre-wrap;word-break:break-all}</style></head><body>\n";
  o += fmt::format("<h1>Validation: <span class=\"{}\">{}</span></h1>\n", r.equal() ? "ok" : "bad",
                   r.equal() ? "target equals source" : "differences found");
  o += fmt::format(
      "<p>source <code>{}</code><br>target <code>{}</code><br>{} table(s), {} source "
      "rows, {} target rows, {:.1f} s ({} rows/s per side)</p>\n",
      MarkupEscape(r.source), MarkupEscape(r.target), r.tables.size(), FormatCount(r.source_rows),
      FormatCount(r.target_rows), r.seconds,
      FormatCount(static_cast<int64_t>(Rate(r.source_rows, r.seconds))));
  o += "<table><tr><th>table</th><th>target</th><th>result</th><th>source rows</th><th>target "
       "rows</th><th>differing rows</th><th>in flight</th><th>chunks</th><th>rows/s</th></tr>\n";
  for (const auto& t : r.tables)
    o += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=n>{}</td>"
        "<td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>"
        "<td class=n>{}</td></tr>\n",
        MarkupEscape(t.source_name.ToString()), MarkupEscape(t.target_name.ToString()),
        t.equal() ? "ok" : "bad", TableVerdict(t), FormatCount(t.source_rows),
        FormatCount(t.target_rows), FormatCount(t.differing_rows), FormatCount(t.in_flight),
        t.chunks, FormatCount(static_cast<int64_t>(Rate(t.source_rows, t.seconds))));
  o += "</table>\n";
  for (const auto& t : r.tables) {
    if (t.equal() && t.keyless_reason.empty()) continue;
    o += fmt::format("<h2>{}</h2>\n<ul>\n", MarkupEscape(t.source_name.ToString()));
    if (!t.keyless_reason.empty())
      o += fmt::format("<li>compared as a multiset of rows ({}): {}</li>\n",
                       MarkupEscape(t.keyless_reason),
                       t.multiset_differs ? "the rows differ" : "equal");
    for (const auto& s : t.schema_differences) o += "<li>schema: " + MarkupEscape(s) + "</li>\n";
    o += "</ul>\n";
    if (t.differences.empty()) continue;
    o += "<table><tr><th>kind</th><th>key</th><th>column</th><th>source</th><th>target</th></tr>\n";
    for (const auto& d : t.differences) {
      if (d.columns.empty())
        o += fmt::format("<tr><td>{}</td><td>{}</td><td></td><td></td><td></td></tr>\n",
                         DiffKindName(d.kind), MarkupEscape(KeyText(d)));
      for (const auto& c : d.columns)
        o += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code>"
            "</td></tr>\n",
            DiffKindName(d.kind), MarkupEscape(KeyText(d)), MarkupEscape(c.column),
            MarkupEscape(Shorten(c.source_value)), MarkupEscape(Shorten(c.target_value)));
    }
    o += "</table>\n";
    int64_t more = t.differing_rows - static_cast<int64_t>(t.differences.size());
    if (more > 0)
      o += fmt::format("<p>{} more differing row(s) not listed.</p>\n", FormatCount(more));
  }
  return o + "</body></html>\n";
}

Status WriteReports(const ValidationResult& result, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InvalidArgument("--report " + dir + ": cannot create directory: " + ec.message());
  const std::pair<const char*, std::string> files[] = {{"validation.json", ReportJson(result)},
                                                       {"validation.md", ReportMarkdown(result)},
                                                       {"validation.html", ReportHtml(result)}};
  for (const auto& [name, text] : files) {
    std::string path = dir + "/" + name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return InvalidArgument("--report: cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace cutover::validator
