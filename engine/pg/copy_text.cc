// copy_text: implementation notes.
//
// Decoding has two paths per field. The fast path (no backslash between the field start and
// the next tab) returns a view and costs two memchr scans over the line in total: one for tabs
// per field and one for the next backslash, which is remembered across fields. The slow path
// walks the field byte by byte from its first backslash, because an escaped tab ("\<TAB>") is
// data, not a separator, so the field end is only known after unescaping. Unescaped bytes go to
// `buf_`, sized to the whole line before the first slow field (output is never longer than
// input), so no write can reallocate under views already handed out.
//
// Escape semantics follow PostgreSQL's CopyReadAttributesText, except that a lone backslash at
// the end of a line is an error here (PostgreSQL drops it silently).
#include "engine/pg/copy_text.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace cutover::pg {
namespace {

// First occurrence of `c` in [p, end), or `end`.
inline const char* Find(const char* p, const char* end, char c) {
  if (p >= end) return end;
  const void* hit = std::memchr(p, c, static_cast<size_t>(end - p));
  return hit ? static_cast<const char*>(hit) : end;
}

inline bool IsOctal(char c) {
  return c >= '0' && c <= '7';
}

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Bytes that AppendCopyField must escape, and the letter that follows the backslash.
constexpr std::array<char, 256> MakeEscapeTable() {
  std::array<char, 256> t{};
  t[static_cast<unsigned char>('\\')] = '\\';
  t[static_cast<unsigned char>('\n')] = 'n';
  t[static_cast<unsigned char>('\r')] = 'r';
  t[static_cast<unsigned char>('\t')] = 't';
  return t;
}
constexpr std::array<char, 256> kEscape = MakeEscapeTable();

}  // namespace

Status CopyLineDecoder::Decode(std::string_view line, std::vector<CopyField>& fields) {
  fields.clear();
  const char* const begin = line.data();
  const char* const end = begin + line.size();
  const char* p = begin;
  const char* next_bs = Find(p, end, '\\');
  char* out = nullptr;  // write cursor in buf_, set up on the first slow field

  while (true) {
    const char* tab = Find(p, end, '\t');
    if (next_bs >= tab) {
      // Fast path: no escapes in this field.
      fields.emplace_back(std::string_view(p, static_cast<size_t>(tab - p)));
      p = tab;
    } else if (p + 2 <= end && p[0] == '\\' && p[1] == 'N' && (p + 2 == end || p[2] == '\t')) {
      fields.emplace_back(std::nullopt);
      p += 2;
      next_bs = Find(p, end, '\\');
    } else {
      if (out == nullptr) {
        if (cap_ < line.size()) {
          buf_ = std::make_unique_for_overwrite<char[]>(line.size());
          cap_ = line.size();
        }
        out = buf_.get();
      }
      char* const field_start = out;
      // Copy the escape-free prefix, then walk the rest.
      std::memcpy(out, p, static_cast<size_t>(next_bs - p));
      out += next_bs - p;
      p = next_bs;
      while (p < end && *p != '\t') {
        if (*p != '\\') {
          // Copy a run up to the next backslash or tab.
          const char* stop = Find(p, next_bs, '\t');
          std::memcpy(out, p, static_cast<size_t>(stop - p));
          out += stop - p;
          p = stop;
          continue;
        }
        if (p + 1 == end) {
          return Internal(fmt::format(
              "COPY text: line ends with a lone backslash at byte {} (line is {} bytes)", p - begin,
              line.size()));
        }
        char c = p[1];
        p += 2;
        switch (c) {
          case 'b':
            c = '\b';
            break;
          case 'f':
            c = '\f';
            break;
          case 'n':
            c = '\n';
            break;
          case 'r':
            c = '\r';
            break;
          case 't':
            c = '\t';
            break;
          case 'v':
            c = '\v';
            break;
          case '0':
          case '1':
          case '2':
          case '3':
          case '4':
          case '5':
          case '6':
          case '7': {
            int v = c - '0';
            for (int i = 0; i < 2 && p < end && IsOctal(*p); ++i) v = v * 8 + (*p++ - '0');
            c = static_cast<char>(v & 0xff);
            break;
          }
          case 'x': {
            int d = p < end ? HexValue(*p) : -1;
            if (d >= 0) {
              int v = d;
              ++p;
              d = p < end ? HexValue(*p) : -1;
              if (d >= 0) {
                v = v * 16 + d;
                ++p;
              }
              c = static_cast<char>(v);
            }
            break;
          }
          default:
            break;  // \c is c, including '\\', '\t', 'N' and '.'
        }
        *out++ = c;
        if (p > next_bs) next_bs = Find(p, end, '\\');
      }
      fields.emplace_back(std::string_view(field_start, static_cast<size_t>(out - field_start)));
    }
    if (p == end) return Status();
    ++p;  // the separating tab
  }
}

void AppendCopyField(std::string& out, std::string_view value) {
  const char* p = value.data();
  const char* const end = p + value.size();
  while (p < end) {
    const char* run = p;
    while (p < end && kEscape[static_cast<unsigned char>(*p)] == 0) ++p;
    out.append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    out.push_back('\\');
    out.push_back(kEscape[static_cast<unsigned char>(*p)]);
    ++p;
  }
}

void AppendCopyNull(std::string& out) {
  out.append("\\N", 2);
}

void AppendCopyRow(std::string& out, std::span<const CopyField> fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back('\t');
    if (fields[i]) {
      AppendCopyField(out, *fields[i]);
    } else {
      AppendCopyNull(out);
    }
  }
  out.push_back('\n');
}

}  // namespace cutover::pg
