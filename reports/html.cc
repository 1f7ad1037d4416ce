#include "reports/html.h"

#include <cctype>

namespace cutover::reports {

std::string MarkdownCell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else if (c == '\r') {
      continue;
    } else if (c == '`') {
      out += '\'';
    } else if (c == '<' && (std::isalpha(static_cast<unsigned char>(next)) || next == '/' ||
                            next == '!' || next == '?')) {
      out += "&lt;";  // would start a tag in renderers that allow inline HTML; "<= 5" stays
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace cutover::reports
