// Rendering of scenario reports (see report_render.h; the JSON schema is in reports/README.md).
//
// Each section is one function that reads what it needs from the document and returns "" when
// the section is absent, so a partial report (a run that failed early) still renders. Access to
// the document goes through Field()/NumberOf()/TextOf(), which never throw on a missing key or
// an unexpected type. The page is XHTML-shaped (every element closed, void elements
// self-closed) so tests can check its structure with a simple tag matcher.
#include "reports/report_render.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "engine/core/progress.h"
#include "engine/core/uri.h"
#include "reports/html.h"
#include "reports/svg_chart.h"

namespace cutover::reports {
namespace {

using Json = nlohmann::json;

// The member `key` of `j` if `j` is an object holding a non-null `key`, else null.
const Json* Field(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<double> NumberOf(const Json* v) {
  if (v == nullptr || !v->is_number()) return std::nullopt;
  double d = v->get<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}
std::optional<double> NumberOf(const Json& j, const char* key) {
  return NumberOf(Field(j, key));
}

// A number for people: integers with thousands separators, others with 1 to 3 decimals.
std::string FormatNumber(double v) {
  if (std::abs(v) < 9e15 && v == std::floor(v)) return FormatCount(static_cast<int64_t>(v));
  double a = std::abs(v);
  int decimals = a >= 100 ? 1 : a >= 1 ? 2 : 3;
  std::string s = fmt::format("{:.{}f}", v, decimals);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// Any JSON value as one line of text ("" for null/missing).
std::string TextOf(const Json* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_boolean()) return v->get<bool>() ? "yes" : "no";
  if (v->is_number()) return NumberOf(v) ? FormatNumber(*NumberOf(v)) : "";
  if (v->is_array()) {
    std::string out;
    for (const Json& e : *v) out += (out.empty() ? "" : ", ") + TextOf(&e);
    return out;
  }
  return v->dump();
}
std::string TextOf(const Json& j, const char* key) {
  return TextOf(Field(j, key));
}

// A number with a unit suffix, or "" when missing.
std::string Measure(const Json& j, const char* key, const char* unit) {
  auto v = NumberOf(j, key);
  return v ? FormatNumber(*v) + unit : "";
}

const Json& Array(const Json& j, const char* key) {
  static const Json kEmpty = Json::array();
  const Json* v = Field(j, key);
  return v && v->is_array() ? *v : kEmpty;
}

std::string Outcome(const Json& report) {
  std::string o = TextOf(report, "outcome");
  if (o == "passed" || o == "failed" || o == "error") return o;
  return "unknown";
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "postgresql://cutover:***@127.0.0.1:5433/cutover (PostgreSQL 15.18, throwaway server)"; the
// version comes from report.versions[`side`].
std::string EndpointText(const Json& report, const char* side) {
  const Json* e = Field(report, side);
  const Json* versions = Field(report, "versions");
  std::string version = versions ? TextOf(*versions, side) : "";
  if (e == nullptr && version.empty()) return "";
  std::string out;
  std::vector<std::string> notes;
  if (e != nullptr && e->is_object()) {
    std::string uri = TextOf(*e, "uri");
    out = uri.empty() ? TextOf(*e, "engine") : RedactUri(uri);
    if (const Json* t = Field(*e, "throwaway"); t && t->is_boolean() && t->get<bool>())
      notes.push_back("throwaway server");
  } else if (e != nullptr) {
    out = RedactUri(TextOf(e));
  }
  if (!version.empty()) notes.insert(notes.begin(), version);
  std::string note;
  for (const std::string& n : notes) note += (note.empty() ? "" : ", ") + n;
  if (out.empty()) return note;
  return note.empty() ? out : out + " (" + note + ")";
}

// A time series from the report: [[t, y|null], ...]; malformed entries are skipped.
std::vector<ChartPoint> SeriesPoints(const Json& report, const char* key) {
  std::vector<ChartPoint> points;
  const Json* series = Field(report, "series");
  if (series == nullptr) return points;
  for (const Json& p : Array(*series, key)) {
    if (!p.is_array() || p.size() < 2 || !p[0].is_number()) continue;
    ChartPoint cp;
    cp.t = p[0].get<double>();
    cp.y = NumberOf(&p[1]);
    points.push_back(cp);
  }
  return points;
}

bool HasSeries(const Json& report, const char* key) {
  const Json* series = Field(report, "series");
  return series != nullptr && Field(*series, key) != nullptr;
}

std::string Td(const std::string& text, const char* cls = nullptr) {
  if (cls) return fmt::format("<td class=\"{}\">{}</td>", cls, MarkupEscape(text));
  return "<td>" + MarkupEscape(text) + "</td>";
}
std::string TdNum(const std::string& text) {
  return Td(text, "n");
}

// ---- HTML sections ----

constexpr const char* kCss = R"css(
:root{--ok:#15803d;--bad:#b91c1c;--err:#9a3412;--unk:#57606a;--line:#d0d7de;--muted:#57606a}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif;color:#1f2328;
margin:0;background:#f6f8fa;font-size:14px;line-height:1.45}
main{max-width:1040px;margin:0 auto;padding:0 20px 40px}
header.verdict{color:#fff;padding:18px 20px;margin:0 -20px 20px}
header.passed{background:var(--ok)}header.failed{background:var(--bad)}
header.error{background:var(--err)}header.unknown{background:var(--unk)}
.badge{display:inline-block;font-size:26px;font-weight:bold;letter-spacing:.06em;
border:2px solid #fff;border-radius:6px;padding:2px 12px;margin-right:14px;vertical-align:middle}
header h1{display:inline;font-size:24px;vertical-align:middle;margin:0}
header p{margin:10px 0 0}header p.facts{opacity:.92;font-size:13px}
header .error-line{font-family:"DejaVu Sans Mono",monospace;background:rgba(0,0,0,.2);
padding:6px 8px;border-radius:4px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 16px;
margin:0 0 16px}
h2{font-size:17px;margin:0 0 10px}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.meta th{width:150px;background:none;color:var(--muted);font-weight:normal}
tr.pass td.result{color:var(--ok);font-weight:bold}
tr.fail td.result{color:var(--bad);font-weight:bold}
tr.fail{background:#fff1f0}tr.best{background:#ecfdf3;font-weight:600}
table.compact td,table.compact th{padding:4px 6px}
.ok{color:var(--ok);font-weight:bold}.bad{color:var(--bad);font-weight:bold}
.muted{color:var(--muted)}
.charts svg{display:block;max-width:100%;height:auto;margin:0 0 12px}
code,pre{font-family:"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12px}
pre{background:#f6f8fa;padding:10px;overflow:auto;white-space:pre-wrap;word-break:break-word}
ol.events li,ul.errors li{margin:2px 0}
details summary{cursor:pointer;font-weight:600}
footer{color:var(--muted);font-size:12px;text-align:center}
)css";

}  // namespace

const char* ReportCss() {
  return kCss;
}

namespace {

std::string HeaderSection(const Json& report) {
  std::string outcome = Outcome(report);
  const Json* scenario = Field(report, "scenario");
  std::string name = scenario ? TextOf(*scenario, "name") : "";
  if (name.empty()) name = "(unnamed scenario)";
  std::string o = fmt::format(
      "<header class=\"verdict {0}\"><span class=\"badge\" id=\"verdict\">{1}</span>"
      "<h1>{2}</h1>",
      outcome, Upper(outcome), MarkupEscape(name));
  if (scenario) {
    if (std::string d = TextOf(*scenario, "description"); !d.empty())
      o += "<p>" + MarkupEscape(d) + "</p>";
  }
  // At a glance: engines and versions, duration, start, cutover version.
  std::vector<std::string> facts;
  const Json* versions = Field(report, "versions");
  auto side = [&](const char* key) {
    std::string v = versions ? TextOf(*versions, key) : "";
    if (v.empty()) {
      if (const Json* e = Field(report, key)) v = TextOf(*e, "engine");
    }
    return v;
  };
  std::string from = side("source"), to = side("target");
  if (!from.empty() || !to.empty())
    facts.push_back((from.empty() ? "?" : from) + " \u2192 " + (to.empty() ? "?" : to));
  if (auto d = NumberOf(report, "duration_s")) facts.push_back("took " + FormatDuration(*d));
  if (std::string at = TextOf(report, "started_at"); !at.empty()) facts.push_back("started " + at);
  if (std::string v = versions ? TextOf(*versions, "cutover") : ""; !v.empty())
    facts.push_back("cutover " + v);
  std::string line;
  for (const std::string& f : facts) line += (line.empty() ? "" : " \u00b7 ") + f;
  if (!line.empty()) o += "<p class=\"facts\">" + MarkupEscape(line) + "</p>";
  if (std::string e = TextOf(report, "error"); !e.empty())
    o += "<p class=\"error-line\">error: " + MarkupEscape(e) + "</p>";
  return o + "</header>\n";
}

std::string MetaSection(const Json& report) {
  std::vector<std::pair<std::string, std::string>> rows;
  auto add = [&](const char* label, std::string value) {
    if (!value.empty()) rows.emplace_back(label, std::move(value));
  };
  if (const Json* s = Field(report, "scenario")) add("scenario file", TextOf(*s, "file"));
  add("started", TextOf(report, "started_at"));
  if (auto d = NumberOf(report, "duration_s"))
    add("duration", fmt::format("{} ({} s)", FormatDuration(*d), FormatNumber(*d)));
  add("source", EndpointText(report, "source"));
  add("target", EndpointText(report, "target"));
  if (const Json* t = Field(report, "task")) {
    std::string text = TextOf(*t, "name");
    if (std::string type = TextOf(*t, "type"); !type.empty()) text += " (" + type + ")";
    if (std::string tables = TextOf(*t, "tables"); !tables.empty()) text += ", tables " + tables;
    add("task", text);
  }
  if (const Json* v = Field(report, "versions"); v && v->is_object()) {
    std::string text;
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (it.key() == "source" || it.key() == "target") continue;  // shown with the endpoints
      text += (text.empty() ? "" : "; ") + it.key() + " " + TextOf(&it.value());
    }
    add("versions", text);
  }
  if (const Json* h = Field(report, "host")) {
    std::string text = TextOf(*h, "hostname");
    if (auto c = NumberOf(*h, "cores"))
      text += fmt::format("{}{} cores", text.empty() ? "" : ", ", FormatNumber(*c));
    if (auto m = NumberOf(*h, "memory_gb"))
      text += fmt::format("{}{} GB memory", text.empty() ? "" : ", ", FormatNumber(*m));
    add("host", text);
  }
  if (rows.empty()) return "";
  std::string o = "<section id=\"run\"><h2>Run</h2><table class=\"meta\">";
  for (const auto& [k, v] : rows)
    o += fmt::format("<tr><th>{}</th><td>{}</td></tr>", MarkupEscape(k), MarkupEscape(v));
  return o + "</table></section>\n";
}

std::string ExpectationsSection(const Json& report) {
  const Json& ex = Array(report, "expectations");
  if (ex.empty()) return "";
  int failed = 0;
  std::string rows;
  for (const Json& e : ex) {
    const Json* p = Field(e, "passed");
    bool passed = p && p->is_boolean() && p->get<bool>();
    failed += !passed;
    rows += fmt::format("<tr class=\"expectation {}\">", passed ? "pass" : "fail") +
            Td(passed ? "\u2713 passed" : "\u2717 FAILED", "result") + Td(TextOf(e, "key")) +
            Td(TextOf(e, "expected")) + Td(TextOf(e, "actual")) + Td(TextOf(e, "detail")) +
            "</tr>\n";
  }
  return fmt::format(
             "<section id=\"expectations\"><h2>Expectations: {} of {} held</h2>"
             "<table><tr><th>result</th><th>expectation</th><th>expected</th><th>actual</th>"
             "<th>detail</th></tr>\n",
             ex.size() - failed, ex.size()) +
         rows + "</table></section>\n";
}

std::string ValidationSection(const Json& report) {
  const Json* v = Field(report, "validation");
  if (v == nullptr || !v->is_object()) return "";
  std::string status = TextOf(*v, "status");
  bool equal = status == "equal";
  std::string o =
      fmt::format("<section id=\"validation\"><h2>Validation: <span class=\"{}\">{}</span></h2>",
                  equal ? "ok" : "bad", MarkupEscape(status.empty() ? "unknown" : status));
  std::vector<std::string> parts;
  auto part = [&](const char* key, const char* what) {
    if (auto n = NumberOf(*v, key)) parts.push_back(FormatNumber(*n) + " " + what);
  };
  part("tables", "table(s)");
  part("rows_source", "source rows");
  part("rows_target", "target rows");
  part("differences", "differing rows");
  part("in_flight", "in flight");
  if (auto s = NumberOf(*v, "seconds")) parts.push_back("checked in " + FormatNumber(*s) + " s");
  std::string line;
  for (const std::string& p : parts) line += (line.empty() ? "" : ", ") + p;
  if (!line.empty()) o += "<p>" + MarkupEscape(line) + ".";
  if (std::string file = TextOf(*v, "report"); !file.empty()) {
    if (line.empty()) o += "<p>";
    // Link only plain relative paths (a "javascript:" or remote URL is shown as text).
    bool linkable = file.find(':') == std::string::npos && file.front() != '/';
    o += linkable ? fmt::format(" Full report: <a href=\"{0}\">{0}</a>", MarkupEscape(file))
                  : " Full report: <code>" + MarkupEscape(file) + "</code>";
    line = "x";
  }
  if (!line.empty()) o += "</p>";
  const Json& per = Array(*v, "per_table");
  if (!per.empty()) {
    o += "<table><tr><th>table</th><th class=\"n\">source rows</th><th class=\"n\">target "
         "rows</th><th class=\"n\">differing rows</th></tr>\n";
    for (const Json& t : per) {
      auto d = NumberOf(t, "differences");
      o += fmt::format("<tr class=\"{}\">", d && *d > 0 ? "fail" : "pass") +
           Td(TextOf(t, "table")) + TdNum(TextOf(t, "rows_source")) +
           TdNum(TextOf(t, "rows_target")) + TdNum(TextOf(t, "differences")) + "</tr>\n";
    }
    o += "</table>";
  }
  return o + "</section>\n";
}

// Phase bands and event markers shared by every time chart.
void AddTimeline(const Json& report, LineChart& chart) {
  for (const Json& p : Array(report, "phases")) {
    auto t0 = NumberOf(p, "start_s"), t1 = NumberOf(p, "end_s");
    if (t0 && t1) chart.bands.push_back({*t0, *t1, TextOf(p, "name")});
  }
  for (const Json& e : Array(report, "events")) {
    if (auto t = NumberOf(e, "at_s")) chart.markers.push_back({*t, TextOf(e, "kind")});
  }
}

struct ChartSpec {
  const char* title;
  const char* y_label;
  std::vector<std::pair<const char*, const char*>> series;  // (key, legend name)
};

const std::vector<ChartSpec>& KnownCharts() {
  static const std::vector<ChartSpec> kCharts = {
      {"Replication lag",
       "lag (s)",
       {{"lag_s", "end-to-end lag"}, {"engine_latency_s", "engine CDCLatencySource"}}},
      {"Throughput", "transactions/s", {{"source_tps", "source"}, {"applied_tps", "applied"}}},
      {"Engine CPU", "CPU (%)", {{"engine_cpu_pct", "engine CPU"}}},
      {"Engine memory", "RSS (MB)", {{"engine_rss_mb", "engine RSS"}}},
      {"Load latency", "p95 (ms)", {{"load_p95_ms", "load p95 latency"}}},
  };
  return kCharts;
}

std::string ChartsSection(const Json& report) {
  std::string charts;
  for (const ChartSpec& spec : KnownCharts()) {
    LineChart chart;
    chart.title = spec.title;
    chart.y_label = spec.y_label;
    for (const auto& [key, name] : spec.series) {
      if (HasSeries(report, key)) chart.series.push_back({name, "", SeriesPoints(report, key)});
    }
    if (chart.series.empty()) continue;
    AddTimeline(report, chart);
    charts += RenderLineChart(chart) + "\n";
  }
  // Series this renderer does not know yet: one plain chart each.
  if (const Json* series = Field(report, "series"); series && series->is_object()) {
    for (auto it = series->begin(); it != series->end(); ++it) {
      bool known = false;
      for (const ChartSpec& spec : KnownCharts())
        for (const auto& s : spec.series) known = known || it.key() == s.first;
      if (known || !it.value().is_array()) continue;
      LineChart chart;
      chart.title = it.key();
      chart.y_label = it.key();
      chart.series.push_back({it.key(), "", SeriesPoints(report, it.key().c_str())});
      AddTimeline(report, chart);
      charts += RenderLineChart(chart) + "\n";
    }
  }
  if (charts.empty()) return "";
  return "<section id=\"charts\" class=\"charts\"><h2>Over time</h2>\n" + charts +
         "<p class=\"muted\">Shaded bands are phases; dashed lines are events and faults.</p>"
         "</section>\n";
}

std::string PhasesSection(const Json& report) {
  const Json& phases = Array(report, "phases");
  const Json& summaries = Array(report, "phase_summaries");
  if (phases.empty() && summaries.empty()) return "";
  // One row per phase, in run order, joined with its summary by name; summaries of phases not
  // listed come last.
  std::vector<std::pair<const Json*, const Json*>> rows;
  std::vector<bool> used(summaries.size(), false);
  for (const Json& p : phases) {
    const Json* s = nullptr;
    for (size_t i = 0; i < summaries.size() && !s; ++i) {
      if (!used[i] && TextOf(summaries[i], "name") == TextOf(p, "name")) {
        used[i] = true;
        s = &summaries[i];
      }
    }
    rows.emplace_back(&p, s);
  }
  for (size_t i = 0; i < summaries.size(); ++i)
    if (!used[i]) rows.emplace_back(nullptr, &summaries[i]);

  static const Json kNone = Json::object();
  std::string o =
      "<section id=\"phases\"><h2>Phases</h2><table class=\"compact\"><tr><th>phase</th>"
      "<th class=\"n\">time (s)</th><th>ends</th><th>load</th><th class=\"n\">lag max / "
      "p95</th><th class=\"n\">catch-up</th><th class=\"n\">tps source / applied</th>"
      "<th class=\"n\">engine CPU avg</th><th class=\"n\">RSS peak</th><th class=\"n\">load "
      "errors</th></tr>\n";
  // "a / b", or whichever is present.
  auto pair = [](const std::string& a, const std::string& b) {
    if (a.empty() || b.empty()) return a + b;
    return a + " / " + b;
  };
  for (const auto& [pp, sp] : rows) {
    const Json& p = pp ? *pp : kNone;
    const Json& s = sp ? *sp : kNone;
    std::string name = TextOf(p, "name");
    if (name.empty()) name = TextOf(s, "name");
    std::string span;
    if (auto t0 = NumberOf(p, "start_s"), t1 = NumberOf(p, "end_s"); t0 && t1)
      span = FormatNumber(*t0) + "\u2013" + FormatNumber(*t1);
    std::string load;
    if (const Json* l = Field(p, "load"); l && l->is_object()) {
      load = TextOf(*l, "workload");
      if (std::string rate = TextOf(*l, "rate"); !rate.empty())
        load += (load.empty() ? "" : " ") + rate + "/s";
    }
    std::string until = TextOf(p, "until");
    if (until.empty()) {
      if (auto d = NumberOf(s, "duration_s")) until = "after " + FormatNumber(*d) + " s";
    }
    o += "<tr>" + Td(name) + TdNum(span) + Td(until) + Td(load) +
         TdNum(pair(Measure(s, "lag_max_s", " s"), Measure(s, "lag_p95_s", " s"))) +
         TdNum(Measure(s, "catch_up_s", " s")) +
         TdNum(pair(TextOf(s, "source_tps"), TextOf(s, "applied_tps"))) +
         TdNum(Measure(s, "engine_cpu_avg_pct", " %")) +
         TdNum(Measure(s, "engine_rss_peak_mb", " MB")) + TdNum(TextOf(s, "load_errors")) +
         "</tr>\n";
  }
  return o + "</table></section>\n";
}

// The cutover phase (docs/switch.md): the switch's window with its parts, and the write
// downtime the application saw.
std::string CutoverLine(const Json& c) {
  std::string line = "switch exit " + TextOf(c, "switch_exit_code");
  if (auto w = NumberOf(c, "window_s")) line += ", cutover window " + FormatNumber(*w) + " s";
  if (auto d = NumberOf(c, "write_downtime_s"))
    line += "; write downtime " + FormatNumber(*d) +
            " s (last source commit to first application commit on the target)";
  line += "; application on the target: " + TextOf(c, "target_committed") + " committed, " +
          TextOf(c, "target_errors") + " error(s)";
  return line;
}

std::string CutoverSection(const Json& report) {
  const Json* c = Field(report, "cutover");
  if (c == nullptr || !c->is_object()) return "";
  std::string o = "<section id=\"cutover\"><h2>Cutover</h2><p>" + MarkupEscape(CutoverLine(*c)) +
                  ".</p><table class=\"compact\"><tr><th>part</th><th class=\"n\">seconds</th>"
                  "<th>detail</th></tr>\n";
  for (const Json& s : Array(*c, "steps"))
    o += "<tr>" + Td(TextOf(s, "name")) + TdNum(Measure(s, "seconds", " s")) +
         Td(TextOf(s, "detail")) + "</tr>\n";
  return o + "</table></section>\n";
}

// The sizing step the run found sustainable (the one at `sustainable_tps`), if listed.
const Json* SustainableStep(const Json& sizing) {
  auto rate = NumberOf(sizing, "sustainable_tps");
  if (!rate) return nullptr;
  for (const Json& s : Array(sizing, "steps"))
    if (NumberOf(s, "rate") == rate) return &s;
  return nullptr;
}

std::string SizingLine(const Json& sizing) {
  std::string workload = TextOf(sizing, "workload");
  std::string o = "workload " + (workload.empty() ? std::string("?") : workload);
  auto tps = NumberOf(sizing, "sustainable_tps");
  auto rows = NumberOf(sizing, "sustainable_rows_per_s");
  if (!tps && !rows) return o + ": no sustainable rate found";
  o += " sustains";
  if (tps) o += " " + FormatNumber(*tps) + " tps";
  if (rows)
    o +=
        fmt::format("{}{} row changes/s", tps ? " (" : " ", FormatNumber(*rows)) + (tps ? ")" : "");
  o += " on this host";
  if (const Json* step = SustainableStep(sizing)) {
    std::string cpu = Measure(*step, "engine_cpu_avg_pct", " %");
    std::string rss = Measure(*step, "engine_rss_peak_mb", " MB");
    if (!cpu.empty() || !rss.empty()) {
      o += "; engine at that rate:";
      if (!cpu.empty()) o += " CPU " + cpu;
      if (!rss.empty()) o += (cpu.empty() ? " RSS " : ", RSS ") + rss;
    }
  }
  // What ended the ramp: the replication host (lag no longer stable) or the source itself (the
  // load generator could not reach the step's rate, so the host's limit is higher than this).
  std::string limited_by = TextOf(sizing, "limited_by");
  if (limited_by == "source")
    o += "; limited by the source (it could not take a higher rate): the replication host's own "
         "limit is higher";
  else if (!limited_by.empty())
    o += "; limited by " + limited_by;
  return o;
}

std::string SizingSection(const Json& report) {
  const Json* sizing = Field(report, "sizing");
  if (sizing == nullptr || !sizing->is_object()) return "";
  std::string o =
      "<section id=\"sizing\"><h2>Sizing</h2><p>" + MarkupEscape(SizingLine(*sizing)) + ".</p>";
  const Json& steps = Array(*sizing, "steps");
  if (steps.empty()) return o + "</section>\n";
  LineChart chart;
  chart.title = "Lag p95 by load step";
  chart.y_label = "lag p95 (s)";
  chart.x_label = "row changes/s";
  ChartSeries lag{"lag p95", "", {}};
  for (const Json& s : steps) {
    auto x = NumberOf(s, "rows_per_s");
    if (!x) x = NumberOf(s, "rate");
    if (x) lag.points.push_back({*x, NumberOf(s, "lag_p95_s")});
  }
  chart.series = {lag};
  if (auto best = NumberOf(*sizing, "sustainable_rows_per_s"))
    chart.markers.push_back({*best, "sustainable"});
  o += "<div class=\"charts\">" + RenderLineChart(chart) + "</div>";
  o += "<table><tr><th class=\"n\">rate (tps)</th><th class=\"n\">row changes/s</th>"
       "<th>lag stable</th><th class=\"n\">lag p95</th><th class=\"n\">CPU avg</th>"
       "<th class=\"n\">RSS peak</th></tr>\n";
  const Json* best = SustainableStep(*sizing);
  for (const Json& s : steps) {
    const Json* stable = Field(s, "lag_stable");
    bool ok = stable && stable->is_boolean() && stable->get<bool>();
    const char* cls = &s == best ? "best" : ok ? "stable" : "fail";
    o += fmt::format("<tr class=\"{}\">", cls) + TdNum(TextOf(s, "rate")) +
         TdNum(TextOf(s, "rows_per_s")) + Td(stable ? (ok ? "yes" : "no") : "", ok ? "ok" : "bad") +
         TdNum(Measure(s, "lag_p95_s", " s")) + TdNum(Measure(s, "engine_cpu_avg_pct", " %")) +
         TdNum(Measure(s, "engine_rss_peak_mb", " MB")) + "</tr>\n";
  }
  return o + "</table></section>\n";
}

std::string EventsSection(const Json& report) {
  const Json& events = Array(report, "events");
  if (events.empty()) return "";
  std::string o = "<section id=\"events\"><h2>Events</h2><ol class=\"events\">";
  for (const Json& e : events) {
    std::string at = Measure(e, "at_s", " s");
    std::string phase = TextOf(e, "phase");
    std::string detail = TextOf(e, "detail");
    o += fmt::format(
        "<li><b>{}</b> {}{}{}</li>", MarkupEscape(at), MarkupEscape(TextOf(e, "kind")),
        phase.empty() ? "" : " <span class=\"muted\">(" + MarkupEscape(phase) + ")</span>",
        detail.empty() ? "" : ": " + MarkupEscape(detail));
  }
  return o + "</ol></section>\n";
}

std::string EngineSection(const Json& report) {
  const Json* e = Field(report, "engine");
  if (e == nullptr || !e->is_object()) return "";
  std::string o = "<section id=\"engine\"><h2>Engine</h2><p>";
  std::vector<std::string> parts;
  if (auto r = NumberOf(*e, "restarts")) parts.push_back(FormatNumber(*r) + " restart(s)");
  if (std::string codes = TextOf(*e, "exit_codes"); !codes.empty())
    parts.push_back("exit codes " + codes);
  const Json& errors = Array(*e, "errors");
  parts.push_back(errors.empty() ? "no errors logged" : fmt::format("{} error(s)", errors.size()));
  if (std::string log = TextOf(*e, "log"); !log.empty()) parts.push_back("log: " + log);
  std::string line;
  for (const std::string& p : parts) line += (line.empty() ? "" : "; ") + p;
  o += MarkupEscape(line) + "</p>";
  if (!errors.empty()) {
    o += "<ul class=\"errors\">";
    for (const Json& err : errors) o += "<li><code>" + MarkupEscape(TextOf(&err)) + "</code></li>";
    o += "</ul>";
  }
  return o + "</section>\n";
}

std::string ScenarioFileSection(const Json& report) {
  const Json* s = Field(report, "scenario");
  if (s == nullptr) return "";
  std::string toml = TextOf(*s, "toml");
  if (toml.empty()) return "";
  std::string file = TextOf(*s, "file");
  return "<section id=\"scenario\"><details><summary>Scenario file" +
         (file.empty() ? "" : " " + MarkupEscape(file)) + "</summary><pre>" + MarkupEscape(toml) +
         "</pre></details></section>\n";
}

// ---- Markdown ----

std::string MdRow(const std::vector<std::string>& cells) {
  std::string o = "|";
  for (const std::string& c : cells) o += " " + MarkdownCell(c) + " |";
  return o + "\n";
}

std::string MdHeader(const std::vector<std::string>& cells, size_t numeric_from) {
  std::string o = MdRow(cells) + "|";
  for (size_t i = 0; i < cells.size(); ++i) o += i >= numeric_from ? "---:|" : "---|";
  return o + "\n";
}

}  // namespace

std::string RenderHtml(const Json& report) {
  std::string outcome = Outcome(report);
  const Json* scenario = Field(report, "scenario");
  std::string name = scenario ? TextOf(*scenario, "name") : "";
  std::string o = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
      "<title>{}: {} - cutover scenario</title><style>{}</style></head><body><main>\n",
      MarkupEscape(name.empty() ? "scenario" : name), Upper(outcome), kCss);
  o += HeaderSection(report);
  std::string format = TextOf(report, "format");
  if (format != kScenarioReportFormat)
    o += fmt::format(
        "<section class=\"note\"><p>Report format <code>{}</code> is not {}: showing what this "
        "renderer recognises.</p></section>\n",
        MarkupEscape(format.empty() ? "(missing)" : format), kScenarioReportFormat);
  o += ExpectationsSection(report);
  o += ValidationSection(report);
  o += ChartsSection(report);
  o += PhasesSection(report);
  o += CutoverSection(report);
  o += SizingSection(report);
  o += EventsSection(report);
  o += EngineSection(report);
  o += MetaSection(report);
  o += ScenarioFileSection(report);
  o += fmt::format("<footer>{} &#183; rendered by cutover {}</footer>\n",
                   MarkupEscape(format.empty() ? "report" : format), CUTOVER_VERSION);
  return o + "</main></body></html>\n";
}

std::string RenderMarkdown(const Json& report) {
  const Json* scenario = Field(report, "scenario");
  std::string name = scenario ? TextOf(*scenario, "name") : "";
  std::string o =
      fmt::format("## Scenario {}: **{}**\n\n", MarkdownCell(name.empty() ? "(unnamed)" : name),
                  Upper(Outcome(report)));
  if (scenario) {
    if (std::string d = TextOf(*scenario, "description"); !d.empty()) o += MarkdownCell(d) + "\n\n";
  }
  if (std::string e = TextOf(report, "error"); !e.empty())
    o += "Error: " + MarkdownCell(e) + "\n\n";
  if (std::string src = EndpointText(report, "source"); !src.empty())
    o += "- source: " + MarkdownCell(src) + "\n";
  if (std::string dst = EndpointText(report, "target"); !dst.empty())
    o += "- target: " + MarkdownCell(dst) + "\n";
  if (const Json* v = Field(report, "versions")) {
    if (std::string c = TextOf(*v, "cutover"); !c.empty())
      o += "- cutover " + MarkdownCell(c) + "\n";
  }
  std::string when = TextOf(report, "started_at");
  if (auto d = NumberOf(report, "duration_s"))
    when += (when.empty() ? "" : ", ") + std::string("took ") + FormatDuration(*d);
  if (!when.empty()) o += "- started " + MarkdownCell(when) + "\n";
  o += "\n";

  const Json& ex = Array(report, "expectations");
  if (!ex.empty()) {
    o += "### Expectations\n\n" +
         MdHeader({"result", "expectation", "expected", "actual", "detail"}, 99);
    for (const Json& e : ex) {
      const Json* p = Field(e, "passed");
      bool passed = p && p->is_boolean() && p->get<bool>();
      o += MdRow({passed ? "pass" : "**FAIL**", TextOf(e, "key"), TextOf(e, "expected"),
                  TextOf(e, "actual"), TextOf(e, "detail")});
    }
    o += "\n";
  }
  const Json& summaries = Array(report, "phase_summaries");
  if (!summaries.empty()) {
    o += "### Phases\n\n" +
         MdHeader({"phase", "duration", "lag max", "lag p95", "catch-up", "source tps",
                   "applied tps", "CPU avg", "RSS peak", "load errors"},
                  1);
    for (const Json& s : summaries)
      o += MdRow({TextOf(s, "name"), Measure(s, "duration_s", " s"), Measure(s, "lag_max_s", " s"),
                  Measure(s, "lag_p95_s", " s"), Measure(s, "catch_up_s", " s"),
                  TextOf(s, "source_tps"), TextOf(s, "applied_tps"),
                  Measure(s, "engine_cpu_avg_pct", " %"), Measure(s, "engine_rss_peak_mb", " MB"),
                  TextOf(s, "load_errors")});
    o += "\n";
  }
  if (const Json* v = Field(report, "validation"); v && v->is_object()) {
    std::string line = "**Validation:** " + MarkdownCell(TextOf(*v, "status"));
    std::vector<std::pair<const char*, const char*>> parts = {{"tables", "table(s)"},
                                                              {"rows_source", "source rows"},
                                                              {"rows_target", "target rows"},
                                                              {"differences", "differing rows"},
                                                              {"in_flight", "in flight"}};
    std::string details;
    for (const auto& [key, what] : parts)
      if (auto n = NumberOf(*v, key))
        details += (details.empty() ? "" : ", ") + FormatNumber(*n) + " " + what;
    if (!details.empty()) line += " (" + details + ")";
    o += line + "\n\n";
  }
  if (const Json* c = Field(report, "cutover"); c && c->is_object())
    o += "**Cutover:** " + MarkdownCell(CutoverLine(*c)) + "\n\n";
  if (const Json* s = Field(report, "sizing"); s && s->is_object())
    o += "**Sizing:** " + MarkdownCell(SizingLine(*s)) + "\n\n";
  if (const Json* e = Field(report, "engine"); e && e->is_object()) {
    std::string line = "**Engine:** ";
    line += Measure(*e, "restarts", " restart(s)");
    size_t errors = Array(*e, "errors").size();
    line += fmt::format("{}{} error(s) logged", line.size() > 12 ? ", " : "", errors);
    o += line + "\n\n";
  }
  return o;
}

Status WriteRenderedReports(const Json& report, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InvalidArgument(fmt::format("report directory {}: {}", dir, ec.message()));
  const std::pair<const char*, std::string> files[] = {{"report.html", RenderHtml(report)},
                                                       {"report.md", RenderMarkdown(report)}};
  for (const auto& [name, text] : files) {
    std::string path = dir + "/" + name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return Unavailable(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return Status::Ok();
}

Result<Json> ReadReportJson(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::stringstream buf;
  buf << f.rdbuf();
  Json j;
  try {
    j = Json::parse(buf.str());
  } catch (const Json::parse_error& e) {  // its message carries the line and column
    return InvalidArgument(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  if (!j.is_object())
    return InvalidArgument(fmt::format("{}: expected a JSON object (a scenario report)", path));
  return j;
}

}  // namespace cutover::reports
