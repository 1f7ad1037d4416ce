// copy_text: codec for PostgreSQL's COPY TEXT format (pure; no I/O, no libpq).
//
// Only the default format options are supported: delimiter tab, NULL string `\N`, rows ended by
// '\n'. cutover writes its own COPY commands, so it never needs other options.
//
// Format (as PostgreSQL's COPY FROM reads it):
//   - A row is its fields separated by tabs, then '\n'. Within a field, backslash escapes:
//     \b \f \n \r \t \v \\ (the C meanings), \ooo (1 to 3 octal digits, value taken mod 256),
//     \xhh (1 or 2 hex digits; "\x" with no hex digit is just 'x'), and \c for any other byte c
//     is c itself (so "\<TAB>" is a literal tab, not a separator). A field that is exactly `\N`
//     before unescaping is NULL; `\N` inside a longer field is just 'N'.
//   - Any other byte, including NUL and bytes >= 0x80, stands for itself: the format is
//     byte-transparent; encoding validation is the server's business.
//
// Design:
//   - Decoding runs on every row of every table copy, so CopyLineDecoder is zero-copy on the
//     common path: a field without backslashes is returned as a view into the line. Fields with
//     escapes are unescaped into one buffer owned by the decoder. That buffer is grown to the
//     line's size before the first field is unescaped (unescaping never lengthens text), so
//     views handed out for earlier fields of the same line stay valid while later fields are
//     written. One decoder per thread; reuse it across lines to keep it allocation-free.
//   - Encoding escapes the minimum PostgreSQL needs: '\\', '\n', '\r' and '\t' (PostgreSQL's own
//     COPY TO also escapes \b \f \v; both forms read back the same). The caller owns the output
//     string and appends fields, separators and row ends (AppendCopyRow does all three).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace cutover::pg {

// A decoded field: std::nullopt for SQL NULL.
using CopyField = std::optional<std::string_view>;

class CopyLineDecoder {
 public:
  CopyLineDecoder() = default;
  CopyLineDecoder(const CopyLineDecoder&) = delete;
  CopyLineDecoder& operator=(const CopyLineDecoder&) = delete;

  // Splits one row (`line` without its terminating '\n') into `fields` (cleared first) and
  // unescapes them. The views point into `line` or into this decoder's buffer: they are valid
  // while `line`'s bytes live and until the next Decode call on this decoder.
  //
  // An empty line is one empty field (a zero-column table's rows must be special-cased by the
  // caller). The end-of-data marker `\.` gets no special treatment: strip it before calling.
  // Error (kInternal, with the byte offset): the line ends in a lone backslash, which means it
  // was cut at an escaped newline or truncated; `fields` then holds an unspecified prefix.
  // Field count is not checked here.
  Status Decode(std::string_view line, std::vector<CopyField>& fields);

 private:
  std::unique_ptr<char[]> buf_;  // unescaped fields of the current line
  size_t cap_ = 0;
};

// Appends `value` escaped as one COPY TEXT field (no separator, no newline).
void AppendCopyField(std::string& out, std::string_view value);

// Appends the NULL marker `\N`.
void AppendCopyNull(std::string& out);

// Appends a whole row: fields separated by tabs, NULLs as `\N`, then '\n'. A row with zero
// fields is just "\n".
void AppendCopyRow(std::string& out, std::span<const CopyField> fields);

}  // namespace cutover::pg
