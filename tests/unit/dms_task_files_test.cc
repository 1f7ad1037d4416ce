// DMS task files (engine/task/): the shipped examples of ../shared/examples/dms (as users write
// them, mistakes included), DMS wildcards, renames, and one precise line per problem.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "engine/task/table_mapping.h"
#include "engine/task/task_settings.h"

namespace cutover::task {
namespace {

// Copies of the DMS how-to files as users bring them (tests/fixtures/dms/, mistakes included).
std::string ExamplePath(const std::string& name) {
  return std::string(CUTOVER_SOURCE_DIR) + "/tests/fixtures/dms/" + name;
}

TableName T(const std::string& s, const std::string& t) {
  return TableName{s, t};
}

TEST(DmsWildcards, PercentUnderscoreAndBrackets) {
  EXPECT_TRUE(MatchDmsPattern("%", ""));
  EXPECT_TRUE(MatchDmsPattern("tmp_%", "tmp_x"));
  EXPECT_TRUE(MatchDmsPattern("tmp_%", "tmpAx"));  // '_' is any one character in DMS
  EXPECT_FALSE(MatchDmsPattern("tmp_%", "tmp"));
  EXPECT_TRUE(MatchDmsPattern("payment_p2007_0[1-6]", "payment_p2007_03"));
  EXPECT_FALSE(MatchDmsPattern("payment_p2007_0[1-6]", "payment_p2007_07"));
  EXPECT_TRUE(MatchDmsPattern("t[!0-9]", "tx"));
  EXPECT_FALSE(MatchDmsPattern("t[^0-9]", "t5"));
  EXPECT_TRUE(MatchDmsPattern("[abc]%", "crm"));
  EXPECT_TRUE(MatchDmsPattern("a[b", "a[b"));         // no closing bracket: a literal '['
  EXPECT_FALSE(MatchDmsPattern("Orders", "orders"));  // case-sensitive, like DMS
}

TEST(DmsTableMapping, HowToExampleOneSelectsExcludesAndRenamesTheSchema) {
  std::string path = ExamplePath("table-mappings-1.json");
  std::vector<std::string> notes;
  auto m = ReadTableMappingFile(path, &notes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->Selects(T("myapp", "orders")));
  EXPECT_FALSE(m->Selects(T("myapp", "tmp_sessions")));
  EXPECT_FALSE(m->Selects(T("other", "orders")));
  EXPECT_TRUE(m->CheckSelectionsUsed().ok());
  TableName to = m->TargetName(T("myapp", "orders"), T("myapp", "orders"));
  EXPECT_EQ(to.schema, "source_myapp");
  EXPECT_EQ(to.name, "orders");
  EXPECT_EQ(m->TargetName(T("other", "x"), T("other", "x")).schema, "other");
}

TEST(DmsTableMapping, HowToExamplesTwoAndThreeSelectAsWritten) {
  std::string p2 = ExamplePath("table-mappings-2.json"), p3 = ExamplePath("table-mappings-3.json");
  auto m2 = ReadTableMappingFile(p2, nullptr);
  auto m3 = ReadTableMappingFile(p3, nullptr);
  ASSERT_TRUE(m2.ok()) << m2.status().ToString();
  ASSERT_TRUE(m3.ok()) << m3.status().ToString();
  EXPECT_TRUE(m2->Selects(T("public", "film")));
  EXPECT_FALSE(m2->Selects(T("sales", "film")));
  EXPECT_TRUE(m3->Selects(T("sales", "film")));
  EXPECT_FALSE(m2->renames_anything());
}

TEST(DmsTableMapping, SelectionRuleMatchingNothingIsNamed) {
  auto m = ParseTableMapping(R"({"rules": [{"rule-type": "selection", "rule-id": "7",
      "rule-name": "typo", "object-locator": {"schema-name": "pubic", "table-name": "%"},
      "rule-action": "include"}]})",
                             "m.json", nullptr);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_FALSE(m->Selects(T("public", "film")));
  Status used = m->CheckSelectionsUsed();
  EXPECT_EQ(used.code(), StatusCode::kNotFound);
  EXPECT_NE(used.message().find("rule 7 (typo)"), std::string::npos) << used.message();
}

TEST(DmsTableMapping, RenamesApplyInRuleIdOrder) {
  auto m = ParseTableMapping(R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-name": "all",
       "object-locator": {"schema-name": "%", "table-name": "%"}, "rule-action": "include"},
      {"rule-type": "transformation", "rule-id": "10", "rule-name": "suffix",
       "rule-target": "table", "rule-action": "add-suffix", "value": "_v2",
       "object-locator": {"schema-name": "%", "table-name": "%"}},
      {"rule-type": "transformation", "rule-id": "2", "rule-name": "lower",
       "rule-target": "table", "rule-action": "convert-lowercase",
       "object-locator": {"schema-name": "%", "table-name": "%"}},
      {"rule-type": "transformation", "rule-id": "3", "rule-name": "prefix",
       "rule-target": "table", "rule-action": "replace-prefix", "old-value": "tbl", "value": "t_",
       "object-locator": {"schema-name": "app", "table-name": "TBL%"}},
      {"rule-type": "transformation", "rule-id": "4", "rule-name": "upper-schema",
       "rule-target": "schema", "rule-action": "convert-uppercase",
       "object-locator": {"schema-name": "app"}}]})",
                             "m.json", nullptr);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  TableName to = m->TargetName(T("app", "TBLOrders"), T("app", "TBLOrders"));
  EXPECT_EQ(to.name, "t_orders_v2");
  EXPECT_EQ(to.schema, "APP");
  EXPECT_EQ(m->TargetName(T("b", "X"), T("public", "X")).name, "x_v2");
}

TEST(DmsTableMapping, EveryProblemIsNamedWithFileAndPath) {
  auto m = ParseTableMapping(R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-action": "inclde",
       "object-locator": {"schema-name": "a", "table-nam": "b"}},
      {"rule-type": "transformation", "rule-id": "2", "rule-target": "column",
       "rule-action": "remove-column",
       "object-locator": {"schema-name": "a", "table-name": "b", "column-name": "c"}},
      {"rule-type": "selection", "rule-id": "3", "rule-action": "include",
       "object-locator": {"schema-name": "a", "table-name": "b"},
       "filters": [{"filter-type": "source", "column-name": "id"}]}]})",
                             "maps.json", nullptr);
  ASSERT_FALSE(m.ok());
  const std::string& msg = m.status().message();
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(msg.find("maps.json: $.rules[0].rule-action: 'inclde' is not one of include, "
                     "exclude, explicit (did you mean include?)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("maps.json: $.rules[0].object-locator.table-nam: unknown key (did you mean "
                     "table-name?)"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("$.rules[1]"), std::string::npos) << msg;  // a valid column rule
  EXPECT_NE(msg.find("maps.json: $.rules[2].filters[0].filter-conditions: expected a non-empty "
                     "array"),
            std::string::npos)
      << msg;
}

TEST(DmsTableMapping, MalformedJsonNamesLineAndColumn) {
  auto m = ParseTableMapping("{\n  \"rules\": [\n    {\"rule-type\": \"selection\",,}\n]}",
                             "bad.json", nullptr);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("bad.json: line 3, column"), std::string::npos)
      << m.status().message();
  // A number no double holds is refused like a syntax error, not thrown (fuzz/dms_files_fuzz).
  auto huge =
      ParseTaskSettings(R"({"FullLoadSettings": {"CommitRate": 7777777e7777}})", "huge.json");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("huge.json: $: not valid JSON: number overflow"),
            std::string::npos)
      << huge.status().message();
  auto wrong = ParseTableMapping(R"({"rules": {"rule-type": "selection"}})", "w.json", nullptr);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("w.json: $.rules: expected a JSON array"),
            std::string::npos)
      << wrong.status().message();
}

TEST(DmsTaskSettings, ExampleOneIsAcceptedWithAPreciseNoteOnTheMisplacedKey) {
  std::string path = ExamplePath("task-settings-1.json");
  auto s = ReadTaskSettingsFile(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // BatchApplyEnabled sits under ChangeProcessingTuning: DMS ignores it there, so does cutover,
  // and says so.
  EXPECT_FALSE(s->batch_apply.has_value());
  std::string notes;
  for (const auto& n : s->notes) notes += n + "\n";
  EXPECT_NE(notes.find("$.ChangeProcessingTuning.BatchApplyEnabled: DMS documents "
                       "BatchApplyEnabled under TargetMetadata"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("cutover never truncates a LOB"), std::string::npos) << notes;
  ASSERT_TRUE(s->errors.has_value());
  EXPECT_EQ(s->errors->data, cutover::ErrorPolicy::kLogError);
  EXPECT_EQ(s->errors->table, cutover::ErrorPolicy::kSuspendTable);
  EXPECT_EQ(s->errors->truncation, cutover::ErrorPolicy::kStopTask);  // not given: the default
  EXPECT_EQ(s->group_max_changes, 1000);
  EXPECT_EQ(s->group_max_ms, 10000);
}

TEST(DmsTaskSettings, ExampleTwoNamesEveryMisspelledAndMisplacedKey) {
  std::string path = ExamplePath("task-settings-2.json");
  auto s = ReadTaskSettingsFile(path);
  ASSERT_FALSE(s.ok());
  const std::string& msg = s.status().message();
  EXPECT_NE(msg.find("$.FullLoadSettings.StopTaskCachedSourceNotApplied: unknown key (did you "
                     "mean StopTaskCachedChangesNotApplied?)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("$.FullLoadSettings.StopTaskCachedSourceApplied: unknown key (did you "
                     "mean StopTaskCachedChangesApplied?)"),
            std::string::npos)
      << msg;
  EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 1) << msg;  // exactly two lines
}

TEST(DmsTaskSettings, SettingsMapOntoTheEngine) {
  auto s = ParseTaskSettings(R"({
      "TargetMetadata": {"TargetSchema": "staging", "BatchApplyEnabled": "false"},
      "FullLoadSettings": {"TargetTablePrepMode": "TRUNCATE_BEFORE_LOAD",
                           "MaxFullLoadSubTasks": 8},
      "ChangeProcessingTuning": {"BatchApplyTimeoutMax": 30, "BatchSplitSize": 0,
                                 "MemoryLimitTotal": 512},
      "Logging": {"EnableLogging": true,
                  "LogComponents": [{"Id": "TARGET_APPLY",
                                     "Severity": "LOGGER_SEVERITY_DETAILED_DEBUG"}]},
      "ControlTablesSettings": {"historyTimeslotInMinutes": 5}})",
                             "s.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->target_schema, "staging");
  EXPECT_EQ(s->batch_apply, false);
  EXPECT_EQ(s->prep, TablePrep::kTruncate);
  EXPECT_EQ(s->max_subtasks, 8);
  EXPECT_EQ(s->group_max_ms, 30000);
  EXPECT_FALSE(s->group_max_changes.has_value());
  EXPECT_EQ(s->memory_limit_mb, 512);
  EXPECT_TRUE(s->debug_logging);
  ASSERT_FALSE(s->notes.empty());
  EXPECT_NE(s->notes.back().find("without effect in cutover: ControlTablesSettings"),
            std::string::npos)
      << s->notes.back();
}

TEST(DmsTaskSettings, WrongTypesAndValuesAreNamed) {
  auto s = ParseTaskSettings(R"({"FullLoadSettings": {"TargetTablePrepMode": "DROP",
                                 "MaxFullLoadSubTasks": "eight"},
                                 "Bogus": {}, "TargetMetadata": []})",
                             "t.json");
  ASSERT_FALSE(s.ok());
  const std::string& msg = s.status().message();
  EXPECT_NE(msg.find("t.json: $.FullLoadSettings.TargetTablePrepMode: 'DROP' is not one of "
                     "DROP_AND_CREATE, TRUNCATE_BEFORE_LOAD, DO_NOTHING"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("t.json: $.FullLoadSettings.MaxFullLoadSubTasks: expected an integer from 1 "
                     "to 64"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("t.json: $.Bogus: unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("t.json: $.TargetMetadata: expected a JSON object"), std::string::npos) << msg;
}

}  // namespace
}  // namespace cutover::task
