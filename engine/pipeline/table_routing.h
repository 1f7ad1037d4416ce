// TableRouting: applies a task's table mapping (DMS transformation rules, TargetSchema) to the
// schemas the pipeline hands to a sink, so every sink lands each table where the mapping says.
//
// Design: sinks decide where a table lands with one function (engine/core/naming.h), from the
// schema they are given. The mapping is applied by setting the schema's target_schema /
// target_table, once per schema object: the full load's tables and every CDC change's table
// (a source may build a new schema object mid-stream, e.g. a PostgreSQL Relation message), so no
// sink needs to know the mapping exists. Routed copies are cached per source schema object,
// which stays alive in the cache, so a change's schema pointer stays stable for net-effect
// grouping.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "engine/core/schema.h"
#include "engine/task/table_mapping.h"

namespace cutover {

class TableRouting {
 public:
  TableRouting() = default;
  TableRouting(std::shared_ptr<const task::TableMapping> mapping, std::string target_schema)
      : mapping_(std::move(mapping)), target_schema_(std::move(target_schema)) {}

  bool empty() const {
    return target_schema_.empty() && (!mapping_ || !mapping_->renames_anything());
  }
  // `table` with its landing names set; `table` itself when nothing renames it.
  TableSchemaPtr Route(const TableSchemaPtr& table);

 private:
  std::shared_ptr<const task::TableMapping> mapping_;
  std::string target_schema_;
  std::unordered_map<const TableSchema*, std::pair<TableSchemaPtr, TableSchemaPtr>> cache_;
};

}  // namespace cutover
