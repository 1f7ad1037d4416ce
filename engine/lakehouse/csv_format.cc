#include "engine/lakehouse/csv_format.h"

namespace cutover::lakehouse {

void AppendCsvField(const CsvFormat& f, const std::optional<std::string_view>& text, bool first,
                    std::string& out) {
  if (!first) out += f.delimiter;
  if (!text) {
    out += f.null_value;
    return;
  }
  std::string_view t = *text;
  bool quote = t.empty() || t == f.null_value || t.front() == ' ' || t.back() == ' ' ||
               t.find_first_of("\"\r\n") != std::string_view::npos ||
               t.find(f.delimiter) != std::string_view::npos ||
               t.find(f.row_delimiter) != std::string_view::npos;
  if (!quote) {
    out += t;
    return;
  }
  out += '"';
  for (char c : t) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Result<bool> CsvReader::Next(std::vector<std::optional<std::string>>& fields) {
  fields.clear();
  if (pos_ >= text_.size()) return false;
  const std::string& d = f_.delimiter;
  const std::string& rd = f_.row_delimiter;
  auto at = [&](const std::string& s) { return text_.compare(pos_, s.size(), s) == 0; };
  for (;;) {
    if (pos_ < text_.size() && text_[pos_] == '"') {
      size_t start = pos_;
      std::string v;
      ++pos_;
      for (;;) {
        if (pos_ >= text_.size())
          return InvalidArgument("unterminated quoted field at byte " + std::to_string(start));
        char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            v += '"';
            ++pos_;
            continue;
          }
          break;
        }
        v += c;
      }
      fields.emplace_back(std::move(v));
    } else {
      size_t end = pos_;
      while (end < text_.size() && text_.compare(end, d.size(), d) != 0 &&
             text_.compare(end, rd.size(), rd) != 0)
        ++end;
      std::string_view raw = text_.substr(pos_, end - pos_);
      pos_ = end;
      if (raw == f_.null_value)
        fields.emplace_back(std::nullopt);
      else
        fields.emplace_back(std::string(raw));
    }
    if (pos_ >= text_.size()) return true;
    if (at(d)) {
      pos_ += d.size();
      continue;
    }
    if (at(rd)) {
      pos_ += rd.size();
      return true;
    }
    return InvalidArgument("unexpected character after a quoted field at byte " +
                           std::to_string(pos_));
  }
}

}  // namespace cutover::lakehouse
