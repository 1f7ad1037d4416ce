#include "engine/lakehouse/lakehouse_driver.h"

#include "engine/core/log.h"
#include "engine/lakehouse/lakehouse_catalog.h"
#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/lakehouse_scanner.h"
#include "engine/lakehouse/lakehouse_sink.h"
#include "engine/lakehouse/lakehouse_visible.h"

namespace cutover::lakehouse {
namespace {

class LakehouseDriver final : public EngineDriver {
 public:
  std::string_view name() const override { return "lakehouse"; }
  std::string_view display_name() const override { return "Lakehouse files"; }
  std::vector<std::string_view> schemes() const override { return {"file", "s3"}; }
  EngineCapabilities capabilities() const override {
    EngineCapabilities c;
    c.target = true;
    c.append_only = true;
    c.readable = true;
    return c;
  }

  Result<std::unique_ptr<Source>> OpenSource(const std::string& uri,
                                             const SourceOptions&) const override {
    return OpenLakehouseCatalog(uri);
  }

  Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri,
                                         const SinkOptions& options) const override {
    LakehouseSettings settings = DefaultSettings();
    if (!options.settings_file.empty()) {
      std::vector<std::string> warnings;
      ASSIGN_OR_RETURN(settings, ReadSettingsFile(options.settings_file, warnings));
      for (const auto& w : warnings) Log(LogLevel::kWarn, "{}", w);
    }
    ASSIGN_OR_RETURN(auto store,
                     OpenObjectStore(uri, {.part_size = settings.multipart_part_size_mib << 20}));
    RETURN_IF_ERROR(store->CheckWritable());
    return std::unique_ptr<Sink>(new LakehouseSink(std::move(store), std::move(settings)));
  }

  Result<std::unique_ptr<validator::RangeScanner>> OpenScanner(
      const std::string& uri) const override {
    return OpenLakehouseScanner(uri);
  }

  Result<TableName> TargetTable(const TableSchema& t, const std::string&) const override {
    return LandingName(t);
  }

  Result<std::optional<TaskState>> ReadTaskState(const std::string& uri,
                                                 const std::string& task) const override {
    ASSIGN_OR_RETURN(auto store, OpenObjectStore(uri));
    ASSIGN_OR_RETURN(auto m, ReadManifest(*store, task));
    if (!m) return std::optional<TaskState>();
    return std::optional<TaskState>(m->ToTaskState());
  }

  Result<std::string> ServerVersion(const std::string&) const override {
    return std::string("cutover lakehouse files (manifest version 1)");
  }
  std::string HeartbeatMicrosSql() const override { return ""; }
  Result<std::optional<VisibleFiles>> ReadVisibleFiles(const std::string& uri) const override {
    ASSIGN_OR_RETURN(auto store, OpenObjectStore(uri));
    ASSIGN_OR_RETURN(VisibleFiles v, lakehouse::ReadVisibleFiles(*store));
    return std::optional<VisibleFiles>(v);
  }
  std::string FileUri(const std::string& path) const override { return "file://" + path; }
};

}  // namespace

const EngineDriver& Driver() {
  static const LakehouseDriver driver;
  return driver;
}

}  // namespace cutover::lakehouse
