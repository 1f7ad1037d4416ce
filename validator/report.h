// Validation reports: the machine-readable JSON (also what `--json` prints) and the summaries a
// person reads at a glance (Markdown and a self-contained HTML page: inline CSS, no scripts, no
// network). Built only from a ValidationResult, whose URIs are already redacted, so no password
// can reach a report.
#pragma once

#include <string>

#include "engine/core/status.h"
#include "validator/validate.h"

namespace cutover::validator {

std::string ReportJson(const ValidationResult& result);  // pretty-printed, ends in "\n"
std::string ReportMarkdown(const ValidationResult& result);
std::string ReportHtml(const ValidationResult& result);

// Writes validation.json, validation.md and validation.html into `dir` (created if missing).
Status WriteReports(const ValidationResult& result, const std::string& dir);

}  // namespace cutover::validator
