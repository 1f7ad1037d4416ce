#include "engine/lakehouse/lakehouse_catalog.h"

#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/object_store.h"

namespace cutover::lakehouse {
namespace {

Status NotASource() {
  return InvalidArgument(
      "a file target (file://) cannot be a replication source: it is read only by `cutover "
      "validate`");
}

class LakehouseCatalog final : public Source {
 public:
  explicit LakehouseCatalog(std::unique_ptr<ObjectStore> store) : store_(std::move(store)) {}
  std::string engine() const override { return "lakehouse"; }

  Result<std::vector<TableSchemaPtr>> DiscoverTables(const TableSelection& selection,
                                                     StartReport& problems) override {
    (void)problems;
    ASSIGN_OR_RETURN(auto manifests, ReadAllManifests(*store_));
    if (manifests.empty())
      return NotFound(store_->Describe() + ": no task manifest (" + kControlPrefix +
                      "<task>/manifest.json): nothing was replicated here yet");
    TablePatterns patterns(selection);
    std::vector<TableSchemaPtr> out;
    for (const Manifest& m : manifests) {
      for (const auto& [name, t] : m.tables) {
        if (!patterns.Select(name)) continue;
        auto s = std::make_shared<TableSchema>();
        s->name = name;
        s->columns = t.columns;
        s->key = t.key;
        s->engine = "lakehouse";
        out.push_back(std::move(s));
      }
    }
    return out;
  }

  Result<CdcSetup> PrepareCdc(const std::string&, const std::vector<TableSchemaPtr>&,
                              bool) override {
    return NotASource();
  }
  Result<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string&) override {
    return NotASource();
  }
  Result<std::unique_ptr<ChangeStream>> OpenStream(const std::string&,
                                                   const std::vector<TableSchemaPtr>&,
                                                   const Position&) override {
    return NotASource();
  }
  Result<Position> ParsePosition(const std::string&) const override { return NotASource(); }
  Status DropTask(const std::string&) override { return Status::Ok(); }

 private:
  std::unique_ptr<ObjectStore> store_;
};

}  // namespace

Result<std::unique_ptr<Source>> OpenLakehouseCatalog(const std::string& uri) {
  ASSIGN_OR_RETURN(auto store, OpenObjectStore(uri));
  return std::unique_ptr<Source>(new LakehouseCatalog(std::move(store)));
}

}  // namespace cutover::lakehouse
