// Text escaping shared by the report renderers: HTML (element text and attribute values) and
// Markdown table cells. Every string that comes from a run (table names, error messages, the
// scenario file) goes through one of these before it reaches a page.
#pragma once

#include <string>
#include <string_view>

namespace cutover::reports {

// Escapes & < > " ' so the text is safe both between tags and inside a quoted attribute.
std::string HtmlEscape(std::string_view text);

// One Markdown table cell (or inline text): pipes escaped, newlines and backquotes neutralised,
// and a '<' that could open an HTML tag written as &lt;.
std::string MarkdownCell(std::string_view text);

}  // namespace cutover::reports
