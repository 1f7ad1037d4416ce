// CopyBinaryCounter (copy_binary.h).
#include "engine/pg/copy_binary.h"

#include <cstring>
#include <string>

namespace cutover::pg {

namespace {

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // and a NUL: 11 bytes
constexpr size_t kSignatureBytes = 11;

uint32_t ReadU32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
int16_t ReadI16(const unsigned char* p) {
  return static_cast<int16_t>((uint16_t{p[0]} << 8) | uint16_t{p[1]});
}

}  // namespace

Result<int64_t> CopyBinaryCounter::Count(std::string_view message) {
  const auto* p = reinterpret_cast<const unsigned char*>(message.data());
  const size_t n = message.size();
  size_t at = 0;
  auto bad = [&](const std::string& what) {
    return Internal("binary COPY stream: " + what + " at byte " + std::to_string(at) + " of a " +
                    std::to_string(n) + "-byte message");
  };
  if (!header_seen_) {
    if (n < kSignatureBytes + 8 || std::memcmp(p, kSignature, kSignatureBytes) != 0)
      return bad("no binary COPY signature");
    at = kSignatureBytes + 4;  // the flags field: no flag changes the row layout we walk
    uint32_t extension = ReadU32(p + at);
    at += 4;
    if (extension > n - at) return bad("header extension longer than the message");
    at += extension;
    header_seen_ = true;
  }
  int64_t rows = 0;
  while (at < n) {
    if (ended_) return bad("data after the trailer");
    if (n - at < 2) return bad("truncated field count");
    int16_t fields = ReadI16(p + at);
    at += 2;
    if (fields == -1) {
      ended_ = true;
      continue;
    }
    if (fields < 0 || static_cast<size_t>(fields) != columns_)
      return bad("a row of " + std::to_string(fields) + " fields, expected " +
                 std::to_string(columns_));
    for (int16_t f = 0; f < fields; ++f) {
      if (n - at < 4) return bad("truncated field length");
      auto len = static_cast<int32_t>(ReadU32(p + at));
      at += 4;
      if (len == -1) continue;  // NULL
      if (len < 0 || static_cast<size_t>(len) > n - at) return bad("field longer than the message");
      at += static_cast<size_t>(len);
    }
    ++rows;
  }
  return rows;
}

}  // namespace cutover::pg
