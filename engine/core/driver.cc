#include "engine/core/driver.h"

namespace cutover {

namespace {
Status NotOffered(const EngineDriver& d, const char* what) {
  return InvalidArgument(std::string(d.display_name()) + " does not offer " + what + " yet");
}
}  // namespace

Result<std::unique_ptr<Source>> EngineDriver::OpenSource(const std::string&,
                                                         const SourceOptions&) const {
  return NotOffered(*this, "a replication source");
}

Result<std::unique_ptr<Sink>> EngineDriver::OpenSink(const std::string&, const SinkOptions&) const {
  return NotOffered(*this, "a replication target");
}

Result<std::unique_ptr<validator::RangeScanner>> EngineDriver::OpenScanner(
    const std::string&) const {
  return NotOffered(*this, "validation");
}

Result<std::unique_ptr<loadgen::Session>> EngineDriver::OpenLoadSession(const std::string&) const {
  return NotOffered(*this, "load generation");
}

Status EngineDriver::DumpChangeLog(const ChangeLogDumpRequest&) const {
  return NotOffered(*this, "a change-log dump");
}

Result<std::optional<int64_t>> EngineDriver::RetainedLogBytes(const std::string&,
                                                              const std::string&,
                                                              const std::string&) const {
  return std::optional<int64_t>();
}

std::string LeadingVersionNumber(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && ((text[n] >= '0' && text[n] <= '9') || text[n] == '.')) ++n;
  return std::string(text.substr(0, n));
}

std::vector<ColumnRules> EngineDriver::TargetRules(const TableSchema& source_table) const {
  return std::vector<ColumnRules>(source_table.columns.size());
}

}  // namespace cutover
