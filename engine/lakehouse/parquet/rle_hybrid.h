// The RLE / bit-packing hybrid of Parquet's Encodings: how definition levels, dictionary
// indices (RLE_DICTIONARY) and RLE booleans are stored.
//
// Design: the encoder buffers up to eight values at a time and chooses per stretch: a run of
// eight or more equal values becomes an RLE run (varint header `count << 1`, the value in
// ceil(width/8) little-endian bytes); anything else goes into bit-packed groups of eight values
// (header `groups << 1 | 1`, values packed least-significant bit first), extending the last
// bit-packed run while it can (its header is patched in place, so up to 63 groups share one
// header byte). The decoder is the inverse and bounds-checks every header against the input
// and the number of values the caller expects, so a corrupt page is an error, never a read
// past the buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace cutover::parquet {

// Bits needed to store values 0..max_value (0 for max_value 0).
int BitWidth(uint64_t max_value);

class RleEncoder {
 public:
  explicit RleEncoder(int bit_width) : width_(bit_width) {}
  void Put(uint32_t value);
  // Flushes pending values and returns the encoded bytes (no length prefix).
  std::string Finish();

 private:
  void FlushPending();  // pending_ (<= 8 values) as bit-packed or run start
  void EndRun();        // writes the current RLE run if any
  void WriteBitPacked(const uint32_t* values, int n);  // n <= 8, padded with zeros

  int width_;
  std::string out_;
  uint32_t pending_[8] = {};
  int num_pending_ = 0;
  // Current RLE run being counted.
  uint32_t run_value_ = 0;
  uint64_t run_length_ = 0;
  // Open bit-packed run: position of its header byte and its group count (<= 63).
  size_t bp_header_pos_ = std::string::npos;
  int bp_groups_ = 0;
};

// Decodes `count` values of `bit_width` bits. `what` names the data for errors.
Status RleDecode(std::string_view in, int bit_width, size_t count, std::vector<uint32_t>& out,
                 std::string_view what);

}  // namespace cutover::parquet
