// Fuzz target: COPY TEXT decoding and the PostgreSQL text codec of values
// (engine/pg/copy_text.h, engine/pg/pg_types.h), which read every full-load row.
//
// Input: one byte picking a value kind, then a COPY line. The line is split into fields; each
// field is decoded as the chosen kind; a field that decodes is encoded back to COPY text and
// decoded again, which must give the same field (the round trip the full load relies on).
#include <string>
#include <vector>

#include "engine/core/value.h"
#include "engine/pg/copy_text.h"
#include "engine/pg/pg_types.h"
#include "fuzz/fuzz_input.h"

using namespace cutover;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  auto kind = static_cast<ValueKind>(in.Byte() % (static_cast<int>(ValueKind::kOther) + 1));
  std::string line(in.Rest());
  if (line.find('\n') != std::string::npos) return 0;  // one row per line
  pg::CopyLineDecoder decoder, again;
  std::vector<pg::CopyField> fields, fields2;
  if (!decoder.Decode(line, fields).ok()) return 0;
  std::string encoded;
  pg::AppendCopyRow(encoded, fields);
  if (encoded.empty() || encoded.back() != '\n') __builtin_trap();
  encoded.pop_back();
  if (!again.Decode(encoded, fields2).ok() || fields2 != fields) __builtin_trap();
  for (const auto& f : fields) {
    if (!f) continue;
    Value v;
    (void)pg::DecodeText(kind, *f, v);
  }
  return 0;
}
