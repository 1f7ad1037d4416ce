#include "engine/pipeline/lob_report.h"

#include "engine/core/log.h"
#include "engine/core/log_component.h"
#include "engine/core/lossy.h"

namespace cutover {

namespace {

std::string Kb(int64_t bytes) {
  return bytes % 1024 == 0 ? std::to_string(bytes / 1024) + " KB"
                           : std::to_string(bytes) + " bytes";
}

}  // namespace

LobReport::LobReport(LobPolicy policy, std::shared_ptr<const task::TableMapping> mapping)
    : policy_(policy), mapping_(std::move(mapping)) {}

bool LobReport::IsLob(const Column& c) {
  switch (c.type.family) {
    case TypeFamily::kText:
    case TypeFamily::kJson:
      return true;
    case TypeFamily::kVarText:
    case TypeFamily::kBytes:
      return c.type.length < 0;
    case TypeFamily::kUnknown:
      return c.kind == ValueKind::kBytes || c.kind == ValueKind::kJson;
    default:
      return false;
  }
}

int64_t LobReport::LimitFor(const TableName& source, std::string* why) const {
  if (const task::LobSettings* s = mapping_ ? mapping_->LobSettingsFor(source) : nullptr) {
    if (s->mode == "limited") {
      if (why)
        *why = "bulk-max-size " + std::to_string(s->bulk_max_size_kb) +
               " KB (table-settings rule " + s->rule_id + ", lob-settings mode limited)";
      return s->bulk_max_size_kb * 1024;
    }
    if (s->mode == "unlimited") return -1;
    // "none": the task's settings apply (DMS).
  }
  if (!policy_.support_lobs || policy_.full_lob_mode || !policy_.limited_mode) return -1;
  if (why)
    *why = "LobMaxSize " + std::to_string(policy_.lob_max_kb) +
           " KB (TargetMetadata, limited LOB mode)";
  return policy_.lob_max_kb * 1024;
}

const LobReport::Plan& LobReport::PlanLocked(const TableSchema& table) {
  auto it = plans_.find(table.name);
  if (it != plans_.end() && it->second.schema == &table) return it->second;  // every row: cheap
  std::vector<std::string> names;
  for (const Column& c : table.columns) names.push_back(c.name);
  if (it != plans_.end() && it->second.names == names) {
    it->second.schema = &table;  // another object describing the same columns
    return it->second;
  }
  Plan p;
  p.schema = &table;
  p.names = std::move(names);
  p.limit = LimitFor(table.name, &p.why);
  if (p.limit >= 0) {
    for (size_t i = 0; i < table.columns.size(); ++i)
      if (IsLob(table.columns[i])) p.columns.push_back(i);
  }
  return plans_[table.name] = std::move(p);
}

void LobReport::Observe(const TableSchema& table, const std::vector<Value>& row, bool during_cdc) {
  std::lock_guard<std::mutex> lock(mu_);
  const Plan& p = PlanLocked(table);
  for (size_t i : p.columns) {
    if (i >= row.size()) continue;
    const Value& v = row[i];
    if (v.is_null() || v.is_unchanged()) continue;
    int64_t size = static_cast<int64_t>(v.str().size());
    if (size <= p.limit) continue;
    Count& c = counts_[table.name][table.columns[i].name];
    why_[table.name] = p.why;
    if (c.values++ == 0) c.first_key = RowKeyText(table, row);
    c.largest = std::max(c.largest, size);
    if (during_cdc && !c.logged_first) {
      c.logged_first = true;
      ScopedLogComponent as(LogComponent::kTaskManager);  // a report of the task
      Log(LogLevel::kWarn,
          "LOB report: table {} column {}: a value of {} (key ({})) is longer than {}: DMS "
          "would truncate it; cutover copies it whole",
          table.name.ToString(), table.columns[i].name, Kb(size), c.first_key, p.why);
    }
  }
}

void LobReport::ReportLocked(const TableName& table) {
  auto it = counts_.find(table);
  if (it == counts_.end()) return;
  ScopedLogComponent as(LogComponent::kTaskManager);  // a report of the task, whoever measured
  for (const auto& [column, c] : it->second) {
    Log(LogLevel::kWarn,
        "LOB report: table {} column {}: {} value(s) longer than {} (largest {}, first key ({})): "
        "DMS would truncate them; cutover copies them whole",
        table.ToString(), column, c.values, why_[table], Kb(c.largest), c.first_key);
  }
  counts_.erase(it);
}

void LobReport::ReportTable(const TableName& table) {
  std::lock_guard<std::mutex> lock(mu_);
  ReportLocked(table);
}

void LobReport::ReportAll() {
  std::lock_guard<std::mutex> lock(mu_);
  while (!counts_.empty()) ReportLocked(counts_.begin()->first);
}

}  // namespace cutover
