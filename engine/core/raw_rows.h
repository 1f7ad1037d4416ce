// Raw rows: a same-engine full load that moves the source's own bulk bytes without decoding
// them into Values (PostgreSQL -> PostgreSQL: binary COPY out, the same bytes binary COPY in).
//
// Design: optional capabilities beside the TableReader / TableLoader contract
// (engine/core/endpoint.h), found by the pipeline with dynamic_cast, so no other engine or
// interface changes. The pipeline (engine/pipeline/replicate.cc, CopyRows) takes this path only
// when the rows travel unchanged: the table's transform neither filters nor shapes rows nor
// changes a column's type, and no per-value observer (LOB report) needs the Values. The reader
// names the format its bytes are in, including everything the bytes depend on (engine, server
// major version, client encoding, each column's type text); the loader accepts it only when its
// own connection and target table would read those bytes as the same values, else the rows go
// the ordinary way (Next / Write). Either path is chosen before the first row is read or
// written; a reader or loader is used one way only.
//
// Row counts stay exact: the reader counts the rows in the bytes it hands over (the pipeline's
// progress, metrics and the table's recorded row count use them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace cutover {

struct RawRowFormat {
  // The bytes' encoding and everything it depends on, e.g. "postgresql 15 binary COPY,
  // client_encoding UTF8". Compared for equality.
  std::string name;
  // The source's type text of each column, in the table's column order.
  std::vector<std::string> column_types;
};

// Implemented by a TableReader that can hand its rows over undecoded.
class RawRowReader {
 public:
  virtual ~RawRowReader() = default;
  // The format NextRaw would hand the rows over in; nullopt when it cannot (a column whose
  // bytes depend on the server). Only before the first Next or NextRaw.
  virtual Result<std::optional<RawRowFormat>> RawFormat() = 0;
  // The next bytes of the table in that format, holding whole rows, and how many rows they hold
  // (`bytes` may also carry the format's header or trailer); valid until the next call.
  // false at the end. Once called, Next is not.
  virtual Result<bool> NextRaw(std::string_view& bytes, int64_t& rows) = 0;
};

// Implemented by a TableLoader that can write a RawRowReader's bytes as they are.
class RawRowLoader {
 public:
  virtual ~RawRowLoader() = default;
  // Whether this loader's target table reads `format` as the same values (same format, and its
  // columns have exactly these types). Only before the first Write or WriteRaw.
  virtual Result<bool> AcceptsRaw(const RawRowFormat& format) = 0;
  // Writes bytes NextRaw produced, in order. Once called, Write is not; Commit as usual.
  virtual Status WriteRaw(std::string_view bytes) = 0;
};

}  // namespace cutover
