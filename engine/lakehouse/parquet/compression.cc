// Page compression (see compression.h).
#include "engine/lakehouse/parquet/compression.h"

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <fmt/format.h>

namespace cutover::parquet {

const char* CompressionName(Compression codec) {
  switch (codec) {
    case Compression::kNone:
      return "NONE";
    case Compression::kSnappy:
      return "SNAPPY";
    case Compression::kGzip:
      return "GZIP";
    case Compression::kZstd:
      return "ZSTD";
  }
  return "?";
}

static Status GzipCompress(std::string_view in, std::string& out) {
  z_stream zs{};
  // windowBits 15 + 16: gzip framing (Parquet's GZIP is RFC 1952, not a bare zlib stream).
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Internal("gzip: deflateInit2 failed");
  }
  size_t start = out.size();
  out.resize(start + deflateBound(&zs, in.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data() + start);
  zs.avail_out = static_cast<uInt>(out.size() - start);
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Internal(fmt::format("gzip: deflate failed ({})", rc));
  out.resize(start + produced);
  return Status::Ok();
}

Status Compress(Compression codec, std::string_view in, std::string& out) {
  switch (codec) {
    case Compression::kNone:
      out.append(in);
      return Status::Ok();
    case Compression::kSnappy: {
      size_t start = out.size();
      size_t n = snappy_max_compressed_length(in.size());
      out.resize(start + n);
      if (snappy_compress(in.data(), in.size(), out.data() + start, &n) != SNAPPY_OK) {
        return Internal("snappy: compression failed");
      }
      out.resize(start + n);
      return Status::Ok();
    }
    case Compression::kGzip:
      return GzipCompress(in, out);
    case Compression::kZstd: {
      size_t start = out.size();
      out.resize(start + ZSTD_compressBound(in.size()));
      size_t n = ZSTD_compress(out.data() + start, out.size() - start, in.data(), in.size(), 3);
      if (ZSTD_isError(n)) return Internal(fmt::format("zstd: {}", ZSTD_getErrorName(n)));
      out.resize(start + n);
      return Status::Ok();
    }
  }
  return Internal("unknown compression codec");
}

Status Decompress(int32_t codec, std::string_view in, size_t uncompressed_size, std::string& out,
                  std::string_view what) {
  out.clear();
  out.resize(uncompressed_size);
  auto wrong_size = [&](const char* name, size_t got) {
    return DataLoss(fmt::format("{}: {} data decompresses to {} bytes, the page header says {}",
                                what, name, got, uncompressed_size));
  };
  switch (static_cast<Compression>(codec)) {
    case Compression::kNone:
      if (in.size() != uncompressed_size) return wrong_size("uncompressed", in.size());
      out.assign(in);
      return Status::Ok();
    case Compression::kSnappy: {
      size_t n = 0;
      if (snappy_uncompressed_length(in.data(), in.size(), &n) != SNAPPY_OK) {
        return DataLoss(fmt::format("{}: corrupt snappy data", what));
      }
      if (n != uncompressed_size) return wrong_size("snappy", n);
      if (snappy_uncompress(in.data(), in.size(), out.data(), &n) != SNAPPY_OK) {
        return DataLoss(fmt::format("{}: corrupt snappy data", what));
      }
      return Status::Ok();
    }
    case Compression::kGzip: {
      z_stream zs{};
      if (inflateInit2(&zs, 15 + 32) != Z_OK) return Internal("gzip: inflateInit2 failed");
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      int rc = inflate(&zs, Z_FINISH);
      size_t produced = zs.total_out;
      inflateEnd(&zs);
      if (rc != Z_STREAM_END) {
        if (rc == Z_BUF_ERROR && zs.avail_out == 0) return wrong_size("gzip", produced + 1);
        return DataLoss(fmt::format("{}: corrupt gzip data ({})", what, rc));
      }
      if (produced != uncompressed_size) return wrong_size("gzip", produced);
      return Status::Ok();
    }
    case Compression::kZstd: {
      size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
      if (ZSTD_isError(n)) {
        return DataLoss(fmt::format("{}: corrupt zstd data: {}", what, ZSTD_getErrorName(n)));
      }
      if (n != uncompressed_size) return wrong_size("zstd", n);
      return Status::Ok();
    }
  }
  static const char* kOthers[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                  "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
  const char* name = codec >= 0 && codec < 8 ? kOthers[codec] : "unknown";
  return FailedPrecondition(
      fmt::format("{}: compression codec {} ({}) is not supported (cutover reads NONE, SNAPPY, "
                  "GZIP and ZSTD)",
                  what, codec, name));
}

}  // namespace cutover::parquet
