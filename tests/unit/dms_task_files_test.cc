// DMS task files (engine/task/): the shipped examples of ../shared/examples/dms (as users write
// them, mistakes included), DMS wildcards, renames, and one precise line per problem.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "engine/core/log_component.h"
#include "engine/task/dms_data_type.h"
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

// ApplyErrorUpdatePolicy / ApplyErrorDeletePolicy: neither given keeps cutover's behaviour (a row
// not found is logged and counted); either given makes both act, the other with DMS's default.
TEST(DmsTaskSettings, MissingRowPoliciesActOnlyWhenGiven) {
  auto none = ParseTaskSettings(R"({"ErrorBehavior": {"DataErrorPolicy": "LOG_ERROR"}})", "n.json");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  ASSERT_TRUE(none->errors.has_value());
  EXPECT_FALSE(none->errors->missing_rows_set);
  auto del =
      ParseTaskSettings(R"({"ErrorBehavior": {"ApplyErrorDeletePolicy": "STOP_TASK"}})", "d.json");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_TRUE(del->errors->missing_rows_set);
  EXPECT_EQ(del->errors->delete_missing, cutover::ErrorPolicy::kStopTask);
  EXPECT_EQ(del->errors->update_missing, cutover::ErrorPolicy::kLogError);  // DMS's default
  for (const auto& n : del->notes) EXPECT_EQ(n.find("not acted on"), std::string::npos) << n;
  auto upd = ParseTaskSettings(R"({"ErrorBehavior": {"ApplyErrorUpdatePolicy": "UPDATE_RECORD"}})",
                               "u.json");
  ASSERT_TRUE(upd.ok()) << upd.status().ToString();
  EXPECT_EQ(upd->errors->update_missing, cutover::ErrorPolicy::kUpdateRecord);
  EXPECT_EQ(upd->errors->delete_missing, cutover::ErrorPolicy::kIgnoreRecord);  // DMS's default
  // INSERT_RECORD is ApplyErrorInsertPolicy's value, not the update policy's.
  auto bad = ParseTaskSettings(R"({"ErrorBehavior": {"ApplyErrorUpdatePolicy": "INSERT_RECORD"}})",
                               "b.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("b.json: $.ErrorBehavior.ApplyErrorUpdatePolicy"),
            std::string::npos)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("UPDATE_RECORD"), std::string::npos)
      << bad.status().message();
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
  ASSERT_EQ(s->log_levels.size(), 1u);
  EXPECT_EQ(s->log_levels.at(LogComponent::kTargetApply), LogLevel::kDebug);
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

// define-primary-key, change-data-type and lob-settings are read as DMS writes them.
TEST(DmsTableMapping, KeyTypeAndLobRulesAreRead) {
  auto m = ParseTableMapping(R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
       "object-locator": {"schema-name": "%", "table-name": "%"}},
      {"rule-type": "transformation", "rule-id": "2", "rule-name": "pk",
       "rule-action": "define-primary-key", "rule-target": "table",
       "object-locator": {"schema-name": "shop", "table-name": "log%"},
       "primary-key-def": {"name": "log_pk", "origin": "primary-key",
                           "columns": ["host", "seq"]}},
      {"rule-type": "transformation", "rule-id": "3", "rule-name": "wide",
       "rule-action": "change-data-type", "rule-target": "column",
       "object-locator": {"schema-name": "shop", "table-name": "%", "column-name": "qty"},
       "data-type": {"type": "int8"}},
      {"rule-type": "transformation", "rule-id": "4", "rule-name": "by-type",
       "rule-action": "change-data-type", "rule-target": "column",
       "object-locator": {"schema-name": "shop", "table-name": "%", "column-name": "%",
                          "data-type": "string"},
       "data-type": {"type": "string", "length": "200"}},
      {"rule-type": "table-settings", "rule-id": "5", "rule-name": "lobs",
       "object-locator": {"schema-name": "shop", "table-name": "docs"},
       "lob-settings": {"mode": "limited", "bulk-max-size": "16"}}]})",
                             "m.json", nullptr);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const DefinedKey* k = m->KeyFor(T("shop", "log_2024"));
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->rule_id, "2");
  EXPECT_EQ(k->columns, (std::vector<std::string>{"host", "seq"}));
  EXPECT_EQ(m->KeyFor(T("shop", "orders")), nullptr);
  const TypeChange* c = m->TypeChangeFor(T("shop", "t"), "qty", "int4");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->type, "int8");
  const TypeChange* byType = m->TypeChangeFor(T("shop", "t"), "name", "string");
  ASSERT_NE(byType, nullptr);
  EXPECT_EQ(byType->length, 200);
  EXPECT_EQ(m->TypeChangeFor(T("shop", "t"), "name", "clob"), nullptr);  // other DMS type
  const LobSettings* l = m->LobSettingsFor(T("shop", "docs"));
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->mode, "limited");
  EXPECT_EQ(l->bulk_max_size_kb, 16);
}

TEST(DmsTableMapping, BadKeyTypeAndLobRulesAreNamedWithTheirPath) {
  auto m = ParseTableMapping(R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
       "object-locator": {"schema-name": "%", "table-name": "%"}},
      {"rule-type": "transformation", "rule-id": "2", "rule-name": "pk",
       "rule-action": "define-primary-key", "rule-target": "table",
       "object-locator": {"schema-name": "s", "table-name": "t"},
       "primary-key-def": {"name": "pk", "colums": ["a"]}},
      {"rule-type": "transformation", "rule-id": "3", "rule-name": "ty",
       "rule-action": "change-data-type", "rule-target": "column",
       "object-locator": {"schema-name": "s", "table-name": "t", "column-name": "c"},
       "data-type": {"type": "int16"}},
      {"rule-type": "table-settings", "rule-id": "4", "rule-name": "lob",
       "object-locator": {"schema-name": "s", "table-name": "t"},
       "lob-settings": {"mode": "limited"}}]})",
                             "bad.json", nullptr);
  ASSERT_FALSE(m.ok());
  const std::string& msg = m.status().message();
  for (const char* expected :
       {"bad.json: $.rules[1].primary-key-def.colums: unknown key (did you mean columns?)",
        "bad.json: $.rules[1].primary-key-def.columns: expected a non-empty array of column names",
        "bad.json: $.rules[2].data-type.type: 'int16' is not one of",
        "bad.json: $.rules[3].lob-settings: rule 4: limited mode needs \"bulk-max-size\" (KB)"})
    EXPECT_NE(msg.find(expected), std::string::npos) << expected << "\n" << msg;
}

Column Col(const std::string& name, ValueKind kind, ColumnType type, std::string type_name) {
  Column c;
  c.name = name;
  c.kind = kind;
  c.type = type;
  c.type_name = std::move(type_name);
  return c;
}

TEST(DmsDataType, WideningIsAcceptedAndEveryLossIsRefusedNamingTheRule) {
  // (Changes of the kind of value, int4 -> string, are conversions: value_conversion_test.cc.)
  ColumnType int4 = ColumnType::Of(TypeFamily::kInteger);
  int4.bits = 32;
  ColumnType vc20 = ColumnType::Of(TypeFamily::kVarText);
  vc20.length = 20;
  ColumnType dec = ColumnType::Of(TypeFamily::kDecimal);
  dec.precision = 10;
  dec.scale = 2;
  Column qty = Col("qty", ValueKind::kInt64, int4, "integer");
  Column name = Col("name", ValueKind::kText, vc20, "character varying(20)");
  Column price = Col("price", ValueKind::kDecimal, dec, "numeric(10,2)");
  auto change = [](const std::string& type, int64_t length = -1, int p = -1, int s = -1) {
    TypeChange c;
    c.rule_id = "9";
    c.type = type;
    c.length = length;
    c.precision = p;
    c.scale = s;
    return c;
  };
  auto wide = ChangeColumnType(qty, change("int8"));
  ASSERT_TRUE(wide.ok()) << wide.status().ToString();
  EXPECT_EQ(wide->type.bits, 64);
  EXPECT_TRUE(wide->type_name.empty());  // the target maps the neutral type
  EXPECT_TRUE(ChangeColumnType(name, change("string", 100)).ok());
  EXPECT_TRUE(ChangeColumnType(name, change("clob")).ok());
  EXPECT_TRUE(ChangeColumnType(price, change("numeric", -1, 14, 4)).ok());
  EXPECT_TRUE(ChangeColumnType(price, change("numeric")).ok());
  for (auto [column, c, why] : std::vector<std::tuple<Column, TypeChange, std::string>>{
           {qty, change("int2"), "a 32-bit integer does not fit in 16 bits"},
           {qty, change("uint4"), "does not fit in 32 bits unsigned"},
           {qty, change("date"), "no exact conversion of an integer value to date"},
           {name, change("string", 10), "length 10 is shorter than the source's 20"},
           {price, change("numeric", -1, 10, 1), "scale 1 would round values of scale 2"},
           {price, change("numeric", -1, 9, 2), "7 integer digits cannot hold 8"},
           {price, change("real8"), "decimal values are rarely exact in binary floating point"}}) {
    auto r = ChangeColumnType(column, c);
    ASSERT_FALSE(r.ok()) << c.type;
    EXPECT_NE(r.status().message().find("table mapping rule 9 (change-data-type " + c.type +
                                        ") on column " + column.name),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  }
}

TEST(DmsTaskSettings, LogComponentsMapOntoCutoversParts) {
  auto s = ParseTaskSettings(R"({"Logging": {"LogComponents": [
      {"Id": "SOURCE_UNLOAD", "Severity": "LOGGER_SEVERITY_ERROR"},
      {"Id": "TARGET_LOAD", "Severity": "LOGGER_SEVERITY_WARNING"},
      {"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEBUG"},
      {"Id": "TASK_MANAGER", "Severity": "LOGGER_SEVERITY_DEFAULT"},
      {"Id": "COMMUNICATION", "Severity": "LOGGER_SEVERITY_DEBUG"}]}})",
                             "s.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->log_levels.size(), 3u);
  EXPECT_EQ(s->log_levels.at(LogComponent::kSourceUnload), LogLevel::kError);
  EXPECT_EQ(s->log_levels.at(LogComponent::kTargetLoad), LogLevel::kWarn);
  EXPECT_EQ(s->log_levels.at(LogComponent::kSourceCapture), LogLevel::kDebug);
  bool noted = false;
  for (const auto& n : s->notes)
    noted |= n.find("LogComponents COMMUNICATION") != std::string::npos;
  EXPECT_TRUE(noted);
  auto bad = ParseTaskSettings(R"({"Logging": {"LogComponents": [
      {"Id": "TARGET_APPLYY", "Severity": "LOGGER_SEVERITY_DEBUG"},
      {"Id": "TARGET_APPLY", "Severity": "DEBUG"}]}})",
                               "s.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("s.json: $.Logging.LogComponents[0].Id: 'TARGET_APPLYY' "
                                        "is not one of"),
            std::string::npos)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("s.json: $.Logging.LogComponents[1].Severity: 'DEBUG' is "
                                        "not one of"),
            std::string::npos)
      << bad.status().message();
}

TEST(LogComponents, EachThreadIsJudgedByItsComponentsSeverity) {
  SetLogLevel(LogLevel::kInfo);
  SetComponentLogLevel(LogComponent::kTargetApply, LogLevel::kDebug);
  SetComponentLogLevel(LogComponent::kSourceUnload, LogLevel::kError);
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));  // the task manager follows the global level
  {
    ScopedLogComponent apply(LogComponent::kTargetApply);
    EXPECT_TRUE(LogEnabled(LogLevel::kDebug));
    {
      ScopedLogComponent unload(LogComponent::kSourceUnload);
      EXPECT_FALSE(LogEnabled(LogLevel::kWarn));
      EXPECT_TRUE(LogEnabled(LogLevel::kError));
    }
    EXPECT_TRUE(LogEnabled(LogLevel::kDebug));
  }
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  ResetComponentLogLevels();
}

}  // namespace
}  // namespace cutover::task
