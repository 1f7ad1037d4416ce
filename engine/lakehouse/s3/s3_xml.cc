#include "engine/lakehouse/s3/s3_xml.h"

#include <cstdlib>

namespace cutover::lakehouse::s3 {
namespace {

void AppendUtf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out += s[i];
      continue;
    }
    std::string_view e = s.substr(i + 1, semi - i - 1);
    if (e == "amp")
      out += '&';
    else if (e == "lt")
      out += '<';
    else if (e == "gt")
      out += '>';
    else if (e == "quot")
      out += '"';
    else if (e == "apos")
      out += '\'';
    else if (!e.empty() && e[0] == '#') {
      std::string num(e.substr(1));
      unsigned long cp = (!num.empty() && (num[0] == 'x' || num[0] == 'X'))
                             ? std::strtoul(num.c_str() + 1, nullptr, 16)
                             : std::strtoul(num.c_str(), nullptr, 10);
      AppendUtf8(out, cp);
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// The inner text of the element starting at or after `from`; npos when none.
size_t FindElement(std::string_view xml, std::string_view tag, size_t from,
                   std::string_view& inner) {
  std::string open = "<" + std::string(tag), close = "</" + std::string(tag) + ">";
  for (size_t at = xml.find(open, from); at != std::string_view::npos;
       at = xml.find(open, at + 1)) {
    size_t after = at + open.size();
    if (after >= xml.size()) return std::string_view::npos;
    char c = xml[after];
    if (c != '>' && c != ' ' && c != '/') continue;  // <Key> vs <KeyMarker>
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return std::string_view::npos;
    if (xml[gt - 1] == '/') {  // <Tag/>
      inner = std::string_view();
      return gt + 1;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return std::string_view::npos;
    inner = xml.substr(gt + 1, end - gt - 1);
    return end + close.size();
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::string> XmlText(std::string_view xml, std::string_view tag) {
  std::string_view inner;
  if (FindElement(xml, tag, 0, inner) == std::string_view::npos) return std::nullopt;
  return Unescape(inner);
}

std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string_view inner;
  for (size_t at = FindElement(xml, tag, 0, inner); at != std::string_view::npos;
       at = FindElement(xml, tag, at, inner))
    out.push_back(inner);
  return out;
}

}  // namespace cutover::lakehouse::s3
