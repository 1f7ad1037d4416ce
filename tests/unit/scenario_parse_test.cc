// Scenario files: every shipped file parses; malformed ones are rejected with one line naming
// the file, the exact line and the key's path.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "harness/throwaway_server.h"
#include "scenarios/runner/scenario.h"

namespace cutover::scenario {
namespace {

constexpr const char* kHead = R"(name = "t"
[source]
engine = "postgresql"
[target]
engine = "mariadb"
[dataset]
workload = "oltp"
)";

// Parses kHead + `rest` as "t.toml" and returns the error message ("" when it parses).
std::string ErrorOf(const std::string& rest) {
  auto sc = ParseScenario(std::string(kHead) + rest, "t.toml");
  return sc.ok() ? "" : sc.status().message();
}

TEST(ScenarioParse, EveryShippedScenarioIsValid) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(harness::SourceDir() + "/scenarios")) {
    if (e.path().extension() != ".toml") continue;
    auto sc = LoadScenarioFile(e.path().string());
    ASSERT_TRUE(sc.ok()) << sc.status().message();
    EXPECT_FALSE(sc->description.empty()) << e.path();
    EXPECT_EQ(sc->name, e.path().stem().string());
    ++n;
  }
  EXPECT_GE(n, 7);
}

TEST(ScenarioParse, FullScenario) {
  auto sc = ParseScenario(std::string(kHead) + R"(
[task]
tables = ["public.%"]
parallel = 3
[[phase]]
name = "load"
until = "loaded"
[phase.load]
rate = 50
[[phase]]
name = "cdc"
duration = 30
[phase.load]
rate = 200
clients = 4
[[phase.events]]
at = 20
kind = "stop-target"
duration = 5
[[phase.events]]
at = 10
kind = "kill-engine"
delay = 2
[[phase.events]]
at = 12
kind = "network"
endpoint = "target"
mode = "latency"
latency_ms = 50
duration = 3
[expect]
consistent = true
max_lag_seconds = 5
)",
                          "dir/t.toml");
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  EXPECT_EQ(sc->task.name, "t");
  EXPECT_EQ(sc->task.parallel, 3);
  ASSERT_EQ(sc->phases.size(), 2u);
  EXPECT_EQ(sc->phases[0].until, "loaded");
  EXPECT_EQ(sc->phases[0].load->workload, "oltp");  // from [dataset]
  const Phase& cdc = sc->phases[1];
  ASSERT_EQ(cdc.events.size(), 3u);
  EXPECT_EQ(cdc.events[0].kind, EventKind::kKillEngine);  // ordered by `at`
  EXPECT_EQ(cdc.events[0].delay_s, 2);
  EXPECT_EQ(cdc.events[1].kind, EventKind::kNetwork);
  EXPECT_EQ(cdc.events[1].mode, NetworkMode::kLatency);
  EXPECT_EQ(cdc.events[1].latency_ms, 50);
  EXPECT_EQ(cdc.events[2].kind, EventKind::kStopTarget);
  EXPECT_TRUE(sc->needs_proxy(Side::kTarget));
  EXPECT_FALSE(sc->needs_proxy(Side::kSource));
  EXPECT_EQ(*sc->expect.max_lag_s, 5);
  EXPECT_TRUE(*sc->expect.consistent);
  EXPECT_TRUE(sc->source.throwaway());
}

TEST(ScenarioParse, UnknownTopLevelKey) {
  auto sc = ParseScenario("speed = 3\n" + std::string(kHead), "t.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_EQ(sc.status().message(),
            "t.toml:1: key 'speed': unknown key (expected one of name, description, source, "
            "target, dataset, task, measure, phase, expect)");
}

TEST(ScenarioParse, BadEventKindNamesLineAndPath) {
  std::string e = ErrorOf(R"([[phase]]
duration = 10
[[phase]]
duration = 20
[[phase.events]]
at = 1
kind = "explode"
)");
  EXPECT_EQ(e,
            "t.toml:14: key 'phase[1].events[0].kind': expected one of kill-engine, "
            "stop-engine, start-engine, stop-target, start-target, restart-source, network, "
            "sql, load (got 'explode')");
}

TEST(ScenarioParse, UnknownKeyInEvent) {
  EXPECT_EQ(ErrorOf("[[phase]]\nduration = 10\n[[phase.events]]\nat = 1\nkind = \"kill-engine\"\n"
                    "dealy = 3\n"),
            "t.toml:13: key 'phase[0].events[0].dealy': unknown key (expected one of at, kind, "
            "delay, duration, endpoint, mode, latency_ms, sql, file, rate)");
}

TEST(ScenarioParse, WrongTypeOfValue) {
  EXPECT_EQ(ErrorOf("[[phase]]\nduration = \"10s\"\n"),
            "t.toml:9: key 'phase[0].duration': expected a number");
}

TEST(ScenarioParse, MissingEngine) {
  auto sc = ParseScenario(
      "[source]\nuri = \"postgresql://a@b/c\"\n[target]\nengine = \"postgresql\"\n", "m.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_EQ(sc.status().message(), "m.toml:1: key 'source.engine': missing (expected a string)");
}

TEST(ScenarioParse, UriMustMatchEngine) {
  auto sc = ParseScenario("[source]\nengine = \"mariadb\"\nuri = \"postgresql://u:secret@h/db\"\n",
                          "u.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_EQ(sc.status().message(),
            "u.toml:3: key 'source.uri': expected a mariadb URI (got "
            "'postgresql://u:***@h/db')");
}

TEST(ScenarioParse, PhaseNeedsExactlyOneEnd) {
  EXPECT_EQ(ErrorOf("[[phase]]\nname = \"x\"\n"),
            "t.toml:8: key 'phase[0].duration': expected exactly one of duration, until or "
            "ramp (how the phase ends)");
  EXPECT_EQ(ErrorOf("[[phase]]\nduration = 5\nuntil = \"caught-up\"\n"),
            "t.toml:8: key 'phase[0].duration': expected exactly one of duration, until or "
            "ramp (how the phase ends)");
}

TEST(ScenarioParse, NetworkFaultNeedsDurationAndBoundedOffset) {
  EXPECT_EQ(ErrorOf("[[phase]]\nduration = 10\n[[phase.events]]\nat = 1\nkind = \"network\"\n"
                    "endpoint = \"source\"\nmode = \"cut\"\n"),
            "t.toml:10: key 'phase[0].events[0].duration': missing (expected a number)");
  EXPECT_EQ(ErrorOf("[[phase]]\nduration = 10\n[[phase.events]]\nat = 12\nkind = "
                    "\"kill-engine\"\n"),
            "t.toml:11: key 'phase[0].events[0].at': expected less than the phase's length (10 s)");
}

TEST(ScenarioParse, KeyOfAnotherEventKind) {
  EXPECT_EQ(ErrorOf("[[phase]]\nduration = 10\n[[phase.events]]\nat = 1\nkind = "
                    "\"kill-engine\"\nmode = \"cut\"\n"),
            "t.toml:13: key 'phase[0].events[0].mode': not a key of a 'kill-engine' event (see "
            "docs/scenarios.md)");
}

TEST(ScenarioParse, LoadEventNeedsALoadProfile) {
  EXPECT_EQ(ErrorOf("[[phase]]\nduration = 10\n[[phase.events]]\nat = 1\nkind = \"load\"\n"
                    "rate = 5\n"),
            "t.toml:10: key 'phase[0].events[0].kind': a load event needs a [phase.load] "
            "profile in its phase");
}

TEST(ScenarioParse, TargetOutageNeedsThrowawayTarget) {
  auto sc = ParseScenario(R"([source]
engine = "postgresql"
[target]
engine = "postgresql"
uri = "postgresql://u@h/db"
[[phase]]
duration = 10
[[phase.events]]
at = 1
kind = "stop-target"
)",
                          "o.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_EQ(sc.status().message(),
            "o.toml:10: key 'phase[0].events[0].kind': needs a throwaway PostgreSQL or MariaDB "
            "target (no [target] uri) or a lakehouse target with store = \"s3\"");
}

// A lakehouse target's object store: `store = "s3"` (a throwaway S3 server) can be stopped and
// started; a folder cannot; `store` on anything but a lakehouse target without a uri is refused.
TEST(ScenarioParse, LakehouseTargetOnS3CanBeStopped) {
  const std::string tail = R"(
[[phase]]
duration = 10
[[phase.events]]
at = 1
kind = "stop-target"
duration = 2
)";
  auto sc = ParseScenario(
      "[source]\nengine = \"postgresql\"\n[target]\nengine = "
      "\"lakehouse\"\nstore = \"s3\"" +
          tail,
      "s.toml");
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  EXPECT_EQ(sc->target.store, "s3");
  sc = ParseScenario("[source]\nengine = \"postgresql\"\n[target]\nengine = \"lakehouse\"" + tail,
                     "f.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_NE(sc.status().message().find("f.toml:9: key 'phase[0].events[0].kind'"),
            std::string::npos)
      << sc.status().message();
  sc = ParseScenario(
      "[source]\nengine = \"postgresql\"\n[target]\nengine = \"postgresql\"\nstore = \"s3\"" + tail,
      "p.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_EQ(sc.status().message(),
            "p.toml:5: key 'target.store': only for a file target without a uri (engine = "
            "\"lakehouse\")");
}

TEST(ScenarioParse, TomlSyntaxErrorHasLine) {
  std::string e = ErrorOf("[[phase]]\nduration = = 3\n");
  EXPECT_EQ(e.rfind("t.toml:9: ", 0), 0u) << e;
}

TEST(ScenarioParse, DuplicatePhaseNameAndUnknownLagPhase) {
  EXPECT_EQ(ErrorOf("[[phase]]\nname = \"a\"\nduration = 1\n[[phase]]\nname = \"a\"\n"
                    "duration = 1\n"),
            "t.toml:12: key 'phase[1].name': expected a name not used by an earlier phase ('a')");
  EXPECT_EQ(ErrorOf("[[phase]]\nname = \"a\"\nduration = 1\n[expect]\n"
                    "max_lag_phases = [\"b\"]\n"),
            "t.toml:12: key 'expect.max_lag_phases[0]': expected the name of a phase (got 'b')");
}

TEST(ScenarioParse, RampNeedsLoadAndRanges) {
  EXPECT_EQ(ErrorOf("[[phase]]\n[phase.ramp]\nstart = 10\nstep = 10\nstep_seconds = 5\n"
                    "max = 100\n"),
            "t.toml:9: key 'phase[0].load': missing (a ramp phase needs [phase.load] for its "
            "workload)");
  EXPECT_EQ(ErrorOf("[[phase]]\n[phase.load]\n[phase.ramp]\nstart = 10\nstep = 10\n"
                    "step_seconds = 5\nmax = 5\n"),
            "t.toml:14: key 'phase[0].ramp.max': expected a number from 10 to 10000000 (got 5)");
}

}  // namespace
}  // namespace cutover::scenario

namespace cutover::scenario {
namespace {

// [task] table_mappings / task_settings: paths relative to the scenario file, read (and the
// mapping parsed) at parse time; a bad file names the scenario's line and key and the JSON path.
TEST(ScenarioParse, DmsTaskFilesAreResolvedAndRead) {
  std::string fixtures = harness::SourceDir() + "/tests/fixtures/dms";
  auto sc = ParseScenario(std::string(kHead) + R"([task]
table_mappings = "table-mappings-1.json"
task_settings = "task-settings-1.json"
[[phase]]
name = "a"
duration = 5
)",
                          fixtures + "/scenario.toml");
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  EXPECT_EQ(sc->task.table_mappings, fixtures + "/table-mappings-1.json");
  EXPECT_EQ(sc->task.task_settings, fixtures + "/task-settings-1.json");
  ASSERT_NE(sc->task.mapping, nullptr);

  std::string missing =
      ErrorOf("[task]\ntable_mappings = \"nope.json\"\n[[phase]]\nname = \"a\"\nduration = 5\n");
  EXPECT_NE(missing.find("task.table_mappings"), std::string::npos) << missing;
  EXPECT_NE(missing.find("nope.json"), std::string::npos) << missing;

  std::string bad = std::filesystem::temp_directory_path() / "cutover-bad-mapping.json";
  {
    std::ofstream(bad) << R"({"rules": [{"rule-type": "selection", "rule-id": "1",
      "rule-action": "include-ish", "object-locator": {"schema-name": "%", "table-name": "%"}}]})";
  }
  auto r = ParseScenario(std::string(kHead) + "[task]\ntable_mappings = \"" + bad +
                             "\"\n[[phase]]\nname = \"a\"\nduration = 5\n",
                         "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("t.toml:"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("rule-action"), std::string::npos) << r.status().message();
  std::filesystem::remove(bad);
}

TEST(ScenarioParse, CutoverPhaseIsTheLastAndHasADuration) {
  auto sc = ParseScenario(std::string(kHead) + R"(
[[phase]]
name = "cdc"
duration = 10
[[phase]]
name = "cutover"
cutover = true
duration = 20
[phase.load]
rate = 100
)",
                          "t.toml");
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  EXPECT_FALSE(sc->phases[0].cutover);
  EXPECT_TRUE(sc->phases[1].cutover);
  EXPECT_EQ(sc->phases[1].duration_s, 20);

  EXPECT_EQ(ErrorOf("[[phase]]\nname = \"c\"\ncutover = true\nuntil = \"caught-up\"\n"),
            "t.toml:10: key 'phase[0].duration': missing (a cutover phase runs the application "
            "on the target this long)");
  EXPECT_EQ(ErrorOf("[[phase]]\ncutover = true\nduration = 5\n[[phase]]\nduration = 5\n"),
            "t.toml:11: key 'phase[1]': expected no phase after the cutover phase (the source is "
            "no longer replicated after it)");
}

}  // namespace
}  // namespace cutover::scenario
