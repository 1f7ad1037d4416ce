#include "engine/core/load_split.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <xxhash.h>

namespace cutover {

std::string KeyRange::ToString() const {
  return "[" + (lo ? std::to_string(*lo) : std::string("-inf")) + ", " +
         (hi ? std::to_string(*hi) : std::string("+inf")) + ")";
}

std::string ColumnsFingerprint(const TableSchema& table) {
  std::string text;
  for (const Column& c : table.columns) {
    // Length-prefixed, so that no two column lists give the same text.
    for (const std::string* part : {&c.name, &c.type_name})
      text += fmt::format("{}:{}", part->size(), *part);
    text += fmt::format("{}{};", static_cast<int>(c.kind), c.nullable ? 'n' : 'N');
  }
  return fmt::format("{:016x}", XXH3_64bits(text.data(), text.size()));
}

std::optional<size_t> SplitColumn(const TableSchema& table) {
  if (table.key.empty()) return std::nullopt;
  size_t c = table.key[0];
  if (c >= table.columns.size() || table.columns[c].kind != ValueKind::kInt64) return std::nullopt;
  return c;
}

std::vector<KeyRange> EvenRanges(size_t column, int64_t min, int64_t max, int n) {
  std::vector<KeyRange> out;
  if (n < 1) n = 1;
  // The span in unsigned arithmetic: max - min may not fit an int64.
  uint64_t span = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
  if (max < min) span = 0;
  uint64_t parts = std::min<uint64_t>(static_cast<uint64_t>(n), span + 1);
  if (span == UINT64_MAX) parts = static_cast<uint64_t>(n);
  uint64_t width = span / parts + 1;
  std::optional<int64_t> lo;
  for (uint64_t i = 1; i < parts; ++i) {
    int64_t hi = static_cast<int64_t>(static_cast<uint64_t>(min) + width * i);
    out.push_back(KeyRange{column, lo, hi});
    lo = hi;
  }
  out.push_back(KeyRange{column, lo, std::nullopt});
  return out;
}

Result<std::vector<KeyRange>> RangesFromBounds(size_t column, const std::vector<int64_t>& bounds) {
  std::vector<KeyRange> out;
  std::optional<int64_t> lo;
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (i && bounds[i] <= bounds[i - 1])
      return InvalidArgument("range boundaries must increase: " + std::to_string(bounds[i - 1]) +
                             " then " + std::to_string(bounds[i]));
    if (bounds[i] == INT64_MAX) break;  // nothing lies above it
    out.push_back(KeyRange{column, lo, bounds[i] + 1});
    lo = bounds[i] + 1;
  }
  out.push_back(KeyRange{column, lo, std::nullopt});
  return out;
}

Result<int64_t> ParseByteSize(const std::string& text) {
  std::string t;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c)))
      t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "off" || t == "none") return int64_t{0};
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  auto bad = [&] {
    return InvalidArgument("size '" + text + "': expected a number of bytes with an optional " +
                           "unit (kB, MB, GB, TB), e.g. 512MB, or off");
  };
  if (i == 0 || i > 15) return bad();
  int64_t n = std::stoll(t.substr(0, i));
  std::string unit = t.substr(i);
  int shift = 0;
  if (unit.empty() || unit == "b")
    shift = 0;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    shift = 10;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    shift = 20;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    shift = 30;
  else if (unit == "t" || unit == "tb" || unit == "tib")
    shift = 40;
  else
    return bad();
  if (n > (INT64_MAX >> shift)) return bad();
  return n << shift;
}

}  // namespace cutover
