// RLE / bit-packing hybrid (see rle_hybrid.h for the design).
#include "engine/lakehouse/parquet/rle_hybrid.h"

#include <fmt/format.h>

namespace cutover::parquet {

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

static void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void RleEncoder::Put(uint32_t value) {
  if (run_length_ > 0) {
    if (value == run_value_) {
      ++run_length_;
      return;
    }
    EndRun();
  }
  pending_[num_pending_++] = value;
  if (num_pending_ == 8) FlushPending();
}

void RleEncoder::FlushPending() {
  // Eight equal pending values start an RLE run instead of a bit-packed group.
  bool all_equal = num_pending_ == 8;
  for (int i = 1; all_equal && i < 8; ++i) all_equal = pending_[i] == pending_[0];
  if (all_equal) {
    run_value_ = pending_[0];
    run_length_ = 8;
    bp_header_pos_ = std::string::npos;  // a run closes the open bit-packed run
  } else if (num_pending_ > 0) {
    WriteBitPacked(pending_, num_pending_);
  }
  num_pending_ = 0;
}

void RleEncoder::EndRun() {
  PutVarint(out_, run_length_ << 1);
  int bytes = (width_ + 7) / 8;
  for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((run_value_ >> (8 * i)) & 0xff));
  run_length_ = 0;
}

void RleEncoder::WriteBitPacked(const uint32_t* values, int n) {
  if (bp_header_pos_ == std::string::npos || bp_groups_ == 63) {
    bp_header_pos_ = out_.size();
    bp_groups_ = 0;
    out_.push_back(0);  // patched below
  }
  ++bp_groups_;
  out_[bp_header_pos_] = static_cast<char>((bp_groups_ << 1) | 1);
  // Eight values of width_ bits: exactly width_ bytes, least-significant bit first.
  uint64_t acc = 0;
  int bits = 0;
  for (int i = 0; i < 8; ++i) {
    uint64_t v = i < n ? values[i] : 0;
    acc |= v << bits;
    bits += width_;
    while (bits >= 8) {
      out_.push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (n < 8) bp_header_pos_ = std::string::npos;  // a partial group ends the stream
}

std::string RleEncoder::Finish() {
  if (run_length_ > 0) EndRun();
  if (num_pending_ > 0) {
    // Fewer than eight: always bit-packed (a run must hold whole counts, which it could, but a
    // partial group is just as short and keeps one rule).
    WriteBitPacked(pending_, num_pending_);
    num_pending_ = 0;
  }
  bp_header_pos_ = std::string::npos;
  return std::move(out_);
}

Status RleDecode(std::string_view in, int bit_width, size_t count, std::vector<uint32_t>& out,
                 std::string_view what) {
  if (bit_width < 0 || bit_width > 32) {
    return DataLoss(fmt::format("{}: bit width {} out of range", what, bit_width));
  }
  size_t pos = 0;
  size_t produced = 0;
  out.reserve(out.size() + count);
  auto fail = [&](std::string_view m) {
    return DataLoss(fmt::format("{}: RLE/bit-packed data: {} at byte {}", what, m, pos));
  };
  while (produced < count) {
    uint64_t header = 0;
    int shift = 0;
    for (;;) {
      if (pos >= in.size()) return fail("truncated before all values");
      uint8_t b = static_cast<uint8_t>(in[pos++]);
      if (shift > 56) return fail("run header too long");
      header |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (header & 1) {
      uint64_t groups = header >> 1;
      if (groups == 0) return fail("empty bit-packed run");
      uint64_t nbytes = groups * static_cast<uint64_t>(bit_width);
      if (nbytes > in.size() - pos) {
        // Writers may end the last run short of its declared groups; use what is there.
        nbytes = in.size() - pos;
      }
      uint64_t nvalues = std::min<uint64_t>(groups * 8, count - produced);
      if (bit_width > 0 && nvalues * bit_width > nbytes * 8)
        return fail("bit-packed run past the end");
      uint64_t mask = bit_width == 32 ? 0xffffffffull : ((1ull << bit_width) - 1);
      size_t bitpos = pos * 8;
      for (uint64_t i = 0; i < nvalues; ++i) {
        uint64_t v = 0;
        for (int b = 0; b < bit_width;) {
          size_t byte = bitpos / 8;
          int off = static_cast<int>(bitpos % 8);
          int take = std::min(8 - off, bit_width - b);
          uint64_t bits = (static_cast<uint8_t>(in[byte]) >> off) & ((1u << take) - 1);
          v |= bits << b;
          b += take;
          bitpos += take;
        }
        out.push_back(static_cast<uint32_t>(v & mask));
      }
      produced += nvalues;
      pos += nbytes;
    } else {
      uint64_t run = header >> 1;
      if (run == 0) return fail("empty RLE run");
      int bytes = (bit_width + 7) / 8;
      if (static_cast<size_t>(bytes) > in.size() - pos) return fail("truncated RLE value");
      uint32_t v = 0;
      for (int i = 0; i < bytes; ++i)
        v |= static_cast<uint32_t>(static_cast<uint8_t>(in[pos + i])) << (8 * i);
      pos += bytes;
      if (bit_width < 32 && (v >> bit_width)) return fail("RLE value wider than the bit width");
      uint64_t n = std::min<uint64_t>(run, count - produced);
      out.insert(out.end(), n, v);
      produced += n;
    }
  }
  return Status::Ok();
}

}  // namespace cutover::parquet
