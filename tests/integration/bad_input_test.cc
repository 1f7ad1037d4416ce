// Bad input gives one clear error line, exit code 2, and never a password. (An unreachable
// server and a wrong password, on either side of every engine pair, are in the conformance suite:
// tests/conformance/contract_test.cc, BadEndpointsGiveOneLineExitTwoAndNoPassword.)
#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

constexpr const char* kSecret = "s3cretPassw0rd";

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = StartPostgres("bad").release();
    ASSERT_TRUE(server_);
    Sql(*server_,
        "CREATE ROLE alice LOGIN REPLICATION PASSWORD '" + std::string(kSecret) +
            "';"
            "CREATE TABLE public.keyed (id int PRIMARY KEY); CREATE TABLE public.keyless (v int);"
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO alice;");
    Sql(*server_, "CREATE DATABASE tgt");
  }
  static void TearDownTestSuite() { delete server_; }

  // URI of the test server with a given user and password.
  static std::string Uri(const std::string& user, const std::string& password,
                         const std::string& db = "cutover") {
    return "postgresql://" + user + ":" + password +
           "@127.0.0.1:" + std::to_string(server_->port()) + "/" + db;
  }
  static std::string TargetUri() { return Uri("cutover", "cutover", "tgt"); }

  // Runs cutover and checks the contract of a failure: exit 2, the last stderr line is the only
  // error line and contains `expected`, and the password appears nowhere.
  static void ExpectError(const std::vector<std::string>& args, const std::string& expected) {
    RunResult r = RunCutover(args, std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    std::string last = err.substr(err.rfind('\n') == std::string::npos ? 0 : err.rfind('\n') + 1);
    EXPECT_EQ(last.rfind("cutover: error: ", 0), 0u) << r.err;
    EXPECT_NE(last.find(expected), std::string::npos)
        << "expected '" << expected << "' in: " << last;
    size_t errors = 0;
    for (size_t p = 0; (p = r.err.find("error:", p)) != std::string::npos; ++p) ++errors;
    EXPECT_EQ(errors, 1u) << r.err;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos) << "password leaked: " << r.err;
    EXPECT_EQ(r.out.find(kSecret), std::string::npos) << "password leaked: " << r.out;
  }

  static std::vector<std::string> Args(const std::string& source, const std::string& target,
                                       std::vector<std::string> extra = {},
                                       const std::string& task = "bad") {
    std::vector<std::string> a = {"replicate", "--source", source, "--target",
                                  target,      "--task",   task};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  static harness::ThrowawayServer* server_;
};

harness::ThrowawayServer* BadInput::server_ = nullptr;

TEST_F(BadInput, UnsupportedUriScheme) {
  ExpectError(
      Args("oracle://alice:" + std::string(kSecret) + "@127.0.0.1/x", Uri("alice", kSecret)),
      "unsupported URI scheme 'oracle'");
}

TEST_F(BadInput, NotAUri) {
  ExpectError(Args("just-some-text", Uri("alice", kSecret)), "is not a URI");
}

TEST_F(BadInput, MalformedUri) {
  ExpectError(Args("postgresql://alice:" + std::string(kSecret) + "@127.0.0.1:notaport/cutover",
                   Uri("alice", kSecret)),
              "postgresql://alice:***@127.0.0.1:notaport/cutover");
}

TEST_F(BadInput, UnknownTablePattern) {
  ExpectError(Args(Uri("alice", kSecret), TargetUri(), {"--tables", "nosuch.%"}),
              "--tables 'nosuch.%': matches no table");
}

TEST_F(BadInput, TableWithoutPrimaryKeyIsRefusedForCdc) {
  ExpectError(Args(Uri("alice", kSecret), TargetUri(), {"--tables", "public.key%"}),
              "table public.keyless: has no primary key");
  // Nothing was created on the source for the refused task.
  EXPECT_EQ(Sql(*server_, "SELECT count(*) FROM pg_replication_slots"), "0");
  EXPECT_EQ(Sql(*server_, "SELECT count(*) FROM pg_publication"), "0");
}

TEST_F(BadInput, BadTaskNameAndOptions) {
  ExpectError(Args(Uri("alice", kSecret), Uri("alice", kSecret), {}, "Bad Name!"),
              "--task 'Bad Name!'");
  ExpectError(Args(Uri("alice", kSecret), Uri("alice", kSecret), {"--parallel", "0"}),
              "--parallel");
  ExpectError(Args(Uri("alice", kSecret), Uri("alice", kSecret), {"--type", "everything"}),
              "--type");
}

// Last: it restarts the server with wal_level=replica.
TEST_F(BadInput, ZMissingLogicalWalLevel) {
  Sql(*server_, "ALTER SYSTEM SET wal_level = 'replica'");
  std::string pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl -D " + server_->dir() +
                       "/data -w -t 60 -l " + server_->dir() + "/postgres.log restart";
  std::string cmd = (geteuid() == 0 ? "runuser -u postgres -- " : "") + pg_ctl + " >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  ASSERT_EQ(Sql(*server_, "SHOW wal_level"), "replica");
  ExpectError(Args(Uri("alice", kSecret), TargetUri(), {"--tables", "public.keyed"}),
              "wal_level=replica");
  // A full load alone does not need logical decoding.
  RunResult r = RunCutover(Args(Uri("alice", kSecret), TargetUri(),
                                {"--tables", "public.keyed", "--type", "full-load"}, "fullonly"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace cutover::testing
