// FuzzInput: carves a libFuzzer input into the pieces a target needs.
//
// Design: every fuzz target takes one byte string; the targets that need several inputs (a
// TABLE_MAP and a rows event, a value kind and a text) take them from the front with these
// helpers, so the fuzzer's mutations reach every piece and a crashing input replays exactly.
// Reads past the end give zeros / empty views, never undefined behaviour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cutover::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  uint16_t U16() {
    uint16_t lo = Byte();
    return static_cast<uint16_t>(lo | (Byte() << 8));
  }
  // The next `n` bytes (fewer at the end).
  std::string_view Take(size_t n) {
    n = n < rest_.size() ? n : rest_.size();
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }
  // A piece prefixed by its 16-bit little-endian length.
  std::string_view Piece() { return Take(U16()); }
  std::string_view Rest() {
    std::string_view out = rest_;
    rest_ = {};
    return out;
  }

 private:
  std::string_view rest_;
};

}  // namespace cutover::fuzz
