// LobReport (engine/pipeline/lob_report.h): which columns DMS treats as LOBs and which limit
// DMS would hold a table's LOB values to, from the task's TargetMetadata and table-settings.
#include <gtest/gtest.h>

#include "engine/pipeline/lob_report.h"

namespace cutover {
namespace {

Column Col(TypeFamily f, int64_t length = -1) {
  Column c;
  c.type = ColumnType::Of(f);
  c.type.length = length;
  return c;
}

TEST(LobReport, LobColumnsAreUnboundedTextAndBytesAndJson) {
  EXPECT_TRUE(LobReport::IsLob(Col(TypeFamily::kText)));
  EXPECT_TRUE(LobReport::IsLob(Col(TypeFamily::kJson)));
  EXPECT_TRUE(LobReport::IsLob(Col(TypeFamily::kBytes)));
  EXPECT_TRUE(LobReport::IsLob(Col(TypeFamily::kVarText)));  // varchar without a length
  EXPECT_FALSE(LobReport::IsLob(Col(TypeFamily::kVarText, 40)));
  EXPECT_FALSE(LobReport::IsLob(Col(TypeFamily::kBytes, 16)));
  EXPECT_FALSE(LobReport::IsLob(Col(TypeFamily::kInteger)));
}

TEST(LobReport, TableRulesOverrideTheTaskSettingsAsInDms) {
  std::vector<std::string> notes;
  auto m = task::ParseTableMapping(R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
       "object-locator": {"schema-name": "%", "table-name": "%"}},
      {"rule-type": "table-settings", "rule-id": "2", "rule-name": "a",
       "object-locator": {"schema-name": "s", "table-name": "limited"},
       "lob-settings": {"mode": "limited", "bulk-max-size": "16"}},
      {"rule-type": "table-settings", "rule-id": "3", "rule-name": "b",
       "object-locator": {"schema-name": "s", "table-name": "whole"},
       "lob-settings": {"mode": "unlimited"}},
      {"rule-type": "table-settings", "rule-id": "4", "rule-name": "c",
       "object-locator": {"schema-name": "s", "table-name": "task"},
       "lob-settings": {"mode": "none"}}]})",
                                   "m.json", &notes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto mapping = std::make_shared<const task::TableMapping>(std::move(*m));
  LobReport defaults(LobPolicy{}, mapping);
  std::string why;
  EXPECT_EQ(defaults.LimitFor({"s", "other"}, &why), 32 * 1024);  // DMS's default LobMaxSize
  EXPECT_EQ(why, "LobMaxSize 32 KB (TargetMetadata, limited LOB mode)");
  EXPECT_EQ(defaults.LimitFor({"s", "limited"}, &why), 16 * 1024);
  EXPECT_EQ(why, "bulk-max-size 16 KB (table-settings rule 2, lob-settings mode limited)");
  EXPECT_EQ(defaults.LimitFor({"s", "whole"}, nullptr), -1);
  EXPECT_EQ(defaults.LimitFor({"s", "task"}, nullptr), 32 * 1024);  // none: the task's settings
  LobPolicy full;
  full.full_lob_mode = true;
  EXPECT_EQ(LobReport(full, mapping).LimitFor({"s", "task"}, nullptr), -1);
  EXPECT_EQ(LobReport(full, mapping).LimitFor({"s", "limited"}, nullptr), 16 * 1024);
  LobPolicy none;
  none.support_lobs = false;
  EXPECT_EQ(LobReport(none, nullptr).LimitFor({"s", "other"}, nullptr), -1);
}

}  // namespace
}  // namespace cutover
