// CsvFormat: how a lakehouse CSV file spells fields and records (DMS's CsvDelimiter,
// CsvRowDelimiter, CsvNullValue), and a reader that undoes it.
//
// Quoting is RFC 4180 with '"': a field is quoted when it contains the delimiter, the row
// delimiter, '"', CR or LF, when it starts or ends with a space, when it is empty, or when it
// equals the null value. So NULL (the null value, unquoted; "" by default) and an empty string
// ("" quoted) stay apart, which is also how DuckDB, Spark and Athena read a CSV by default.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace cutover::lakehouse {

struct CsvFormat {
  std::string delimiter = ",";
  std::string row_delimiter = "\n";
  std::string null_value;
};

// Appends one field: `text`, or NULL when nullopt. `first`: no delimiter before it.
void AppendCsvField(const CsvFormat& f, const std::optional<std::string_view>& text, bool first,
                    std::string& out);

// Reads the records of a whole CSV text. A field is nullopt when it is the unquoted null value.
class CsvReader {
 public:
  CsvReader(const CsvFormat& f, std::string_view text) : f_(f), text_(text) {}
  // Fills `fields` with the next record; false at the end. Errors name the byte offset.
  Result<bool> Next(std::vector<std::optional<std::string>>& fields);

 private:
  const CsvFormat& f_;
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace cutover::lakehouse
