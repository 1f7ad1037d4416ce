#include "engine/core/column_type.h"

#include <charconv>

namespace cutover {

std::vector<int> TypeTextNumbers(std::string_view type_text) {
  std::vector<int> out;
  size_t open = type_text.find('(');
  if (open == std::string_view::npos) return out;
  size_t close = type_text.find(')', open);
  if (close == std::string_view::npos) return out;
  const char* p = type_text.data() + open + 1;
  const char* end = type_text.data() + close;
  while (p < end) {
    while (p < end && (*p == ' ' || *p == ',')) ++p;
    if (p == end) break;
    int v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) return {};
    out.push_back(v);
    p = next;
  }
  return out;
}

}  // namespace cutover
