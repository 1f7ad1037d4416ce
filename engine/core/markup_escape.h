// Escaping for markup text: what cutover writes into HTML report pages and into the XML bodies it
// sends to an S3 server. One function for both, because the characters that matter are the same
// (& < > between tags, and " ' inside a quoted attribute; XML accepts the same entities).
#pragma once

#include <string>
#include <string_view>

namespace cutover {

// Escapes & < > " ' so the text is safe between tags and inside a quoted attribute, in HTML
// and in XML alike.
std::string MarkupEscape(std::string_view text);

}  // namespace cutover
