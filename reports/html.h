// Text escaping shared by the report renderers: HTML (element text and attribute values, with
// engine/core/markup_escape.h) and Markdown table cells. Every string that comes from a run (table
// names, error messages, the scenario file) goes through one of these before it reaches a page.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/markup_escape.h"  // HTML text: MarkupEscape

namespace cutover::reports {

// One Markdown table cell (or inline text): pipes escaped, newlines and backquotes neutralised,
// and a '<' that could open an HTML tag written as &lt;.
std::string MarkdownCell(std::string_view text);

}  // namespace cutover::reports
