#include "engine/pipeline/table_routing.h"

namespace cutover {

TableSchemaPtr TableRouting::Route(const TableSchemaPtr& table) {
  if (empty() || !table) return table;
  auto it = cache_.find(table.get());
  if (it != cache_.end()) return it->second.second;
  TableName landing = table->name;
  if (!target_schema_.empty()) landing.schema = target_schema_;
  TableName target = mapping_ ? mapping_->TargetName(table->name, landing) : landing;
  TableSchemaPtr out = table;
  if (target.schema != table->name.schema || target.name != table->name.name) {
    auto copy = std::make_shared<TableSchema>(*table);
    if (target.schema != table->name.schema) copy->target_schema = target.schema;
    if (target.name != table->name.name) copy->target_table = target.name;
    out = std::move(copy);
  }
  cache_.emplace(table.get(), std::make_pair(table, out));
  return out;
}

}  // namespace cutover
