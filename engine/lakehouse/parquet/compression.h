// Page compression with Debian's libraries: Snappy (libsnappy), GZIP (zlib, gzip framing as
// Parquet requires) and ZSTD (libzstd).
//
// Design: one pair of functions over byte spans; the codec is the parquet.thrift enum value,
// so a file's codec id maps directly. Decompression is told the size the page header
// promises and fails if the data does not inflate to exactly that, which is how a corrupt or
// truncated page is caught before decoding.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/status.h"
#include "engine/lakehouse/parquet/parquet_schema.h"

namespace cutover::parquet {

const char* CompressionName(Compression codec);

// Appends the compressed form of `in` to `out`.
Status Compress(Compression codec, std::string_view in, std::string& out);

// Replaces `out` with the decompressed form of `in`, which must be `uncompressed_size` bytes.
// `what` names the page for errors. A codec id cutover does not know is an error naming it.
Status Decompress(int32_t codec, std::string_view in, size_t uncompressed_size, std::string& out,
                  std::string_view what);

}  // namespace cutover::parquet
