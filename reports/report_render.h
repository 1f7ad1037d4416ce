// Scenario run reports: renders the report JSON written by the scenario runner (schema in
// reports/README.md, "format": "cutover-scenario-report/1") into a self-contained HTML page
// (inline CSS and SVG charts; no scripts, no network, no external fonts) and a Markdown summary
// for pasting into a ticket.
//
// Design: the renderers take the JSON document, not the runner's structures, so a report can
// be re-rendered later from report.json alone (`cutover report render`) and the renderer has no
// dependency on the runner. Every section is optional: what is present is rendered, what is
// missing is left out. Every string is escaped and every URI passes through RedactUri again.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/core/status.h"

namespace cutover::reports {

// The format this renderer understands (other values are rendered anyway, with a note).
inline constexpr const char* kScenarioReportFormat = "cutover-scenario-report/1";

// Renders a scenario run's report into a self-contained HTML page.
std::string RenderHtml(const nlohmann::json& report);
// The reports' style sheet, for other pages in the same style (the assessment's).
const char* ReportCss();
// The Markdown summary: verdict, expectations, phases, validation and sizing lines.
std::string RenderMarkdown(const nlohmann::json& report);
// Writes report.html and report.md next to an existing report.json in `dir`.
Status WriteRenderedReports(const nlohmann::json& report, const std::string& dir);

// Reads and parses a report.json; errors name the file (and the parse position).
Result<nlohmann::json> ReadReportJson(const std::string& path);

}  // namespace cutover::reports
