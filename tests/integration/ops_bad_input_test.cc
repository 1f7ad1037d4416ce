// Bad input to the operations commands: an unreachable server (nothing listens on the port) is one
// error line on stderr and exit 2 for every command that needs it, and the password of the URI
// appears in no output. (A port in use for --metrics-listen: MetricsListen in
// metrics_endpoint_test.cc; a wrong password: OpsTestConnection.)
#include <gtest/gtest.h>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "Unr3achablePw";

TEST(OpsBadInput, UnreachableServerIsOneLineAndExitTwoWithoutPassword) {
  const std::string pg = std::string("postgresql://u:") + kSecret + "@127.0.0.1:1/db";
  const std::string maria = std::string("mariadb://u:") + kSecret + "@127.0.0.1:1/db";
  const std::vector<std::vector<std::string>> commands = {
      {"task", "stats", "--target", pg, "--task", "t"},
      {"task", "stats", "--target", maria, "--task", "t", "--json"},
      {"task", "status", "--target", pg, "--task", "t"},
      {"task", "status", "--target", maria, "--task", "t", "--metrics", "127.0.0.1:1"},
      {"validate", "--source", pg, "--target", maria, "--task", "t"},
      {"assess", "--source", maria, "--target", pg},
      {"replicate", "--source", pg, "--target", maria, "--task", "t"},
      {"task", "status", "--target", pg, "--task", "t", "--metrics", "nonsense"},
  };
  for (const auto& args : commands) {
    std::string what;
    for (const auto& a : args) what += a + " ";
    RunResult r = RunCutover(args, 60s);
    EXPECT_EQ(r.exit_code, 2) << what << "\n" << r.out << r.err;
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    EXPECT_FALSE(err.empty()) << what;
    EXPECT_EQ(err.find('\n'), std::string::npos) << what << ": more than one line:\n" << r.err;
    EXPECT_NE(err.find("error"), std::string::npos) << what << ": " << r.err;
    EXPECT_EQ((r.out + r.err).find(kSecret), std::string::npos) << what << ": " << r.out << r.err;
  }
  // test-connection reports the unreachable endpoint as its failed connect check (exit 2).
  RunResult r = RunCutover({"test-connection", "--source", pg, "--target", maria}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("FAILED   postgresql.connect"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAILED   mariadb.connect"), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find(kSecret), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace cutover::testing
