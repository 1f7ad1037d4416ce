// Fuzz target: the pgoutput parser and the replication CopyData framing
// (engine/pg/pgoutput.h), which read whatever the walsender sends.
//
// Input: one byte of mode (bit 0: inside a streamed transaction; bit 1: parse as a CopyData
// frame first, then its payload as a message), then the bytes. Every parser must return a
// Status for any bytes; LSN text is fuzzed on the side.
#include <string>
#include <variant>

#include "engine/pg/pgoutput.h"
#include "fuzz/fuzz_input.h"

using namespace cutover::pg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cutover::fuzz::FuzzInput in(data, size);
  uint8_t mode = in.Byte();
  std::string buf(in.Rest());  // an exact-size heap copy, so ASan sees overreads
  bool in_stream = (mode & 1) != 0;
  if (mode & 2) {
    auto frame = ParseCopyData(buf);
    if (frame.ok()) {
      if (auto* x = std::get_if<XLogData>(&*frame)) (void)ParseMessage(x->payload, in_stream);
    }
  } else {
    (void)ParseMessage(buf, in_stream);
  }
  auto lsn = ParseLsn(std::string_view(buf).substr(0, 40));
  if (lsn.ok() && FormatLsn(*lsn).empty()) __builtin_trap();
  return 0;
}
