// The lossy rules are data (engine/core/lossy.h): docs/types.md's table is the catalogue's, each
// target's plan names the rules the catalogue describes, and the validator's comparison follows
// from the rules alone. These tests pin the three readers to the one catalogue.
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "engine/core/lossy.h"
#include "engine/registry/registry.h"

namespace cutover {
namespace {

std::string ReadDocs() {
  std::ifstream in(std::string(CUTOVER_SOURCE_DIR) + "/docs/types.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LossyRulesTest, DocsTableIsTheCatalogue) {
  std::string docs = ReadDocs();
  ASSERT_FALSE(docs.empty()) << "docs/types.md not found";
  std::string table = LossyRulesMarkdown();
  EXPECT_NE(docs.find(table), std::string::npos)
      << "docs/types.md's table of lossy rules differs from engine/core/lossy.cc's catalogue; "
         "the table to paste under \"## Lossy rules\" is:\n"
      << table;
  // No other row names an L rule (a rule documented but not in the catalogue).
  std::istringstream lines(docs);
  int rows = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("| L", 0) == 0 && line.size() > 3 && std::isdigit(line[3])) ++rows;
  int catalogued = 0;
  for (const LossyRuleSpec& spec : LossyRuleCatalog())
    catalogued += spec.scope != LossyScope::kRepresentation;
  EXPECT_EQ(rows, catalogued);
}

TEST(LossyRulesTest, CatalogueNamesEveryRuleOnce) {
  std::set<std::string> ids;
  std::set<LossyRule> rules;
  for (const LossyRuleSpec& spec : LossyRuleCatalog()) {
    EXPECT_TRUE(rules.insert(spec.rule).second);
    if (spec.scope != LossyScope::kRepresentation) {
      EXPECT_TRUE(ids.insert(spec.id).second) << spec.id;
      EXPECT_EQ(std::string(LossyRuleId(spec.rule)), spec.id);
    }
  }
  EXPECT_EQ(ids.size(), 10u);
}

// Value-level rules are what the validator must undo; type-level ones the canonical encoding
// already compares. A value-level rule without a comparison would report every hit as a
// difference.
TEST(LossyRulesTest, EveryValueLevelRuleChangesTheComparison) {
  for (const LossyRuleSpec& spec : LossyRuleCatalog()) {
    ColumnRules one;
    one.Add(spec.rule);
    one.round_scale = 30;
    CanonicalRulePair pair = CanonicalRuleFor(one);
    bool changes = pair.source.strip_trailing_spaces || pair.source.non_finite_float_as_null ||
                   pair.source.nan_float_as_null || pair.source.negative_zero_as_zero ||
                   pair.source.zero_date_as_null || pair.source.round_decimal_scale >= 0 ||
                   pair.target.interval_as_time || pair.target.strip_trailing_spaces;
    EXPECT_EQ(changes, spec.scope != LossyScope::kTypeLevel) << spec.id;
  }
}

// Every type-level rule a target plans comes with the note the task announces at start.
TEST(LossyRulesTest, TargetsAnnounceTheirTypeLevelRules) {
  TableSchema t;
  t.engine = "postgresql";
  auto col = [](std::string name, ValueKind kind, TypeFamily family, std::string type_name) {
    Column c;
    c.name = std::move(name);
    c.kind = kind;
    c.type.family = family;
    c.type_name = std::move(type_name);
    return c;
  };
  t.columns = {col("id", ValueKind::kText, TypeFamily::kText, "text"),
               col("ts", ValueKind::kTimestampTz, TypeFamily::kTimestampTz, "timestamptz"),
               col("r", ValueKind::kOther, TypeFamily::kOther, "int4range")};
  t.key = {0};
  for (std::string_view target : {"mariadb", "sqlite", "postgresql"}) {
    const EngineDriver* driver = FindEngine(target);
    ASSERT_NE(driver, nullptr) << target;
    std::vector<ColumnRules> rules = driver->TargetRules(t);
    ASSERT_EQ(rules.size(), t.columns.size()) << target;
    for (size_t i = 0; i < rules.size(); ++i)
      for (LossyRule r : rules[i].rules)
        if (SpecOf(r).scope == LossyScope::kTypeLevel) {
          EXPECT_NE(rules[i].note.find(SpecOf(r).id), std::string::npos)
              << target << " column " << t.columns[i].name << ": " << rules[i].note;
        }
  }
  // The MariaDB target bounds the text key (L10), keeps the instant as UTC (L6) and stores the
  // range as text (L8); a PostgreSQL target recreates PostgreSQL's types: no rule.
  std::vector<ColumnRules> maria = FindEngine("mariadb")->TargetRules(t);
  EXPECT_TRUE(maria[0].Has(LossyRule::kL10BoundedKey));
  EXPECT_TRUE(maria[1].Has(LossyRule::kL6UtcWallTime));
  EXPECT_TRUE(maria[2].Has(LossyRule::kL8SourceText));
  for (const ColumnRules& r : FindEngine("postgresql")->TargetRules(t))
    EXPECT_TRUE(r.rules.empty());
}

}  // namespace
}  // namespace cutover
