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

Status EngineDriver::CheckEndpoint(const std::string& uri, EndpointRole role,
                                   const EndpointCheckOptions& options, CheckList& checks) const {
  (void)role;
  (void)options;
  const std::string engine(name());
  Result<std::string> version = ServerVersion(uri);
  if (!version.ok()) {
    const Status& s = version.status();
    if (s.code() == StatusCode::kInvalidArgument) return s;
    std::string remedy =
        s.code() == StatusCode::kPermissionDenied
            ? "check the user name and password in the URI (the password is never printed) and "
              "that the server lets this user in from this host"
        : capabilities().network
            ? "check host and port, that the server runs and listens on that address, and "
              "firewalls between"
            : "check the path and that this user may read (and, for a target, write) the file "
              "and its directory";
    checks.Fail(engine + ".connect", "the endpoint is reachable and accepts the login", s.message(),
                std::move(remedy));
    return Status::Ok();
  }
  checks.Pass(engine + ".connect", "the endpoint is reachable and accepts the login");
  checks.Pass(engine + ".version", "server version", *version);
  return Status::Ok();
}

Result<SourceLogMark> EngineDriver::ReadSourceLogMark(const std::string&) const {
  return NotOffered(*this, "cutover switch as a source");
}

Result<std::vector<KeyGenerator>> EngineDriver::ReadKeyGenerators(
    const std::string&, const std::vector<TableName>&) const {
  return NotOffered(*this, "cutover switch as a source");
}

Result<std::vector<KeyGeneratorSet>> EngineDriver::AdvanceKeyGenerators(
    const std::string&, const std::vector<KeyGeneratorFloor>&) const {
  return NotOffered(*this, "cutover switch as a target");
}

Result<std::vector<TriggerOutcome>> EngineDriver::EnableTargetTriggers(
    const std::string&, const std::vector<TableTriggers>&) const {
  return std::vector<TriggerOutcome>();
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
