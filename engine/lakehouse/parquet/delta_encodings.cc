// DELTA_* and BYTE_STREAM_SPLIT decoders (see delta_encodings.h for the design).
#include "engine/lakehouse/parquet/delta_encodings.h"

#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace cutover::parquet {

namespace {

class Cursor {
 public:
  Cursor(std::string_view in, std::string_view what) : in_(in), what_(what) {}

  Status Fail(std::string_view m) const {
    return DataLoss(fmt::format("{}: {} at byte {}", what_, m, pos_));
  }
  Result<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail("truncated varint");
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail("varint longer than 64 bits");
  }
  Result<int64_t> ZigZag() {
    ASSIGN_OR_RETURN(uint64_t v, Varint());
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  Result<std::string_view> Take(size_t n) {
    if (n > in_.size() - pos_) return Fail(fmt::format("{} bytes past the end", n));
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view in_;
  std::string_view what_;
  size_t pos_ = 0;
};

// `width` bits at bit offset `bit` of `p`, least-significant bit first.
uint64_t ReadBits(const uint8_t* p, size_t bit, int width) {
  uint64_t v = 0;
  for (int got = 0; got < width;) {
    int off = static_cast<int>(bit % 8);
    int take = std::min(8 - off, width - got);
    v |= static_cast<uint64_t>((p[bit / 8] >> off) & ((1u << take) - 1)) << got;
    got += take;
    bit += take;
  }
  return v;
}

// DELTA_BINARY_PACKED: `count` integers (wrapping at 32 bits when `int32`).
Status DeltaBinaryPacked(Cursor& in, size_t count, bool int32, std::vector<int64_t>& out) {
  ASSIGN_OR_RETURN(uint64_t block_size, in.Varint());
  ASSIGN_OR_RETURN(uint64_t miniblocks, in.Varint());
  ASSIGN_OR_RETURN(uint64_t total, in.Varint());
  ASSIGN_OR_RETURN(int64_t first, in.ZigZag());
  if (block_size == 0 || block_size % 128 != 0 || miniblocks == 0 || miniblocks > block_size ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 8 != 0) {
    return in.Fail(fmt::format("bad DELTA_BINARY_PACKED header (block {}, miniblocks {})",
                               block_size, miniblocks));
  }
  if (total != count) {
    return in.Fail(fmt::format("DELTA_BINARY_PACKED holds {} values, the page {}", total, count));
  }
  if (count == 0) return Status::Ok();
  const uint64_t per_miniblock = block_size / miniblocks;
  uint64_t last = static_cast<uint64_t>(first);
  auto push = [&](uint64_t v) {
    out.push_back(int32 ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v)))
                        : static_cast<int64_t>(v));
  };
  push(last);
  size_t produced = 1;
  while (produced < count) {
    ASSIGN_OR_RETURN(int64_t min_delta, in.ZigZag());
    ASSIGN_OR_RETURN(std::string_view widths, in.Take(miniblocks));
    for (uint64_t m = 0; m < miniblocks && produced < count; ++m) {
      int width = static_cast<uint8_t>(widths[m]);
      if (width > 64) return in.Fail(fmt::format("miniblock bit width {}", width));
      ASSIGN_OR_RETURN(std::string_view body, in.Take(per_miniblock * width / 8));
      const auto* p = reinterpret_cast<const uint8_t*>(body.data());
      for (uint64_t k = 0; k < per_miniblock && produced < count; ++k) {
        uint64_t packed = width == 0 ? 0 : ReadBits(p, k * width, width);
        last += static_cast<uint64_t>(min_delta) + packed;
        push(last);
        ++produced;
      }
    }
  }
  return Status::Ok();
}

void PutLE(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

bool DecodesToPlain(Encoding encoding, PhysicalType physical) {
  switch (encoding) {
    case Encoding::kDeltaBinaryPacked:
      return physical == PhysicalType::kInt32 || physical == PhysicalType::kInt64;
    case Encoding::kDeltaLengthByteArray:
      return physical == PhysicalType::kByteArray;
    case Encoding::kDeltaByteArray:
      return physical == PhysicalType::kByteArray || physical == PhysicalType::kFixedLenByteArray;
    case Encoding::kByteStreamSplit:
      return physical == PhysicalType::kInt32 || physical == PhysicalType::kInt64 ||
             physical == PhysicalType::kFloat || physical == PhysicalType::kDouble ||
             physical == PhysicalType::kFixedLenByteArray;
    default:
      return false;
  }
}

Status DecodeToPlain(Encoding encoding, PhysicalType physical, int type_length,
                     std::string_view data, size_t count, std::string& plain,
                     std::string_view what) {
  if (!DecodesToPlain(encoding, physical)) {
    return FailedPrecondition(fmt::format("{}: encoding {} for physical type {} is not supported",
                                          what, static_cast<int>(encoding),
                                          static_cast<int>(physical)));
  }
  Cursor in(data, what);
  switch (encoding) {
    case Encoding::kDeltaBinaryPacked: {
      std::vector<int64_t> v;
      bool int32 = physical == PhysicalType::kInt32;
      RETURN_IF_ERROR(DeltaBinaryPacked(in, count, int32, v));
      for (int64_t x : v) PutLE(plain, static_cast<uint64_t>(x), int32 ? 4 : 8);
      return Status::Ok();
    }
    case Encoding::kDeltaLengthByteArray: {
      std::vector<int64_t> lengths;
      RETURN_IF_ERROR(DeltaBinaryPacked(in, count, true, lengths));
      for (int64_t len : lengths) {
        if (len < 0) return in.Fail("negative length");
        ASSIGN_OR_RETURN(std::string_view bytes, in.Take(static_cast<size_t>(len)));
        PutLE(plain, static_cast<uint64_t>(len), 4);
        plain.append(bytes);
      }
      return Status::Ok();
    }
    case Encoding::kDeltaByteArray: {
      std::vector<int64_t> prefixes, lengths;
      RETURN_IF_ERROR(DeltaBinaryPacked(in, count, true, prefixes));
      RETURN_IF_ERROR(DeltaBinaryPacked(in, count, true, lengths));
      std::string previous, value;
      for (size_t i = 0; i < count; ++i) {
        if (prefixes[i] < 0 || static_cast<size_t>(prefixes[i]) > previous.size() ||
            lengths[i] < 0) {
          return in.Fail(fmt::format("prefix {} / suffix {} do not fit the previous value",
                                     prefixes[i], lengths[i]));
        }
        ASSIGN_OR_RETURN(std::string_view suffix, in.Take(static_cast<size_t>(lengths[i])));
        value.assign(previous, 0, static_cast<size_t>(prefixes[i]));
        value.append(suffix);
        if (physical == PhysicalType::kByteArray) {
          PutLE(plain, value.size(), 4);
        } else if (value.size() != static_cast<size_t>(type_length)) {
          return in.Fail(
              fmt::format("value of {} bytes in a FIXED[{}] column", value.size(), type_length));
        }
        plain += value;
        previous.swap(value);
      }
      return Status::Ok();
    }
    case Encoding::kByteStreamSplit: {
      size_t width = physical == PhysicalType::kInt32 || physical == PhysicalType::kFloat ? 4
                     : physical == PhysicalType::kFixedLenByteArray
                         ? static_cast<size_t>(type_length)
                         : 8;
      if (width == 0 || data.size() / width < count) {
        return in.Fail(fmt::format("BYTE_STREAM_SPLIT data shorter than {} values", count));
      }
      for (size_t i = 0; i < count; ++i) {
        for (size_t k = 0; k < width; ++k) plain.push_back(data[k * count + i]);
      }
      return Status::Ok();
    }
    default:
      break;
  }
  return Internal("unreachable");
}

}  // namespace cutover::parquet
