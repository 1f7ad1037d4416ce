// Bad lakehouse target input gives one clear error line and exit 2: settings JSON that does not
// parse, an unknown or misspelled key, a value of the wrong type, a Parquet-only compression with
// CSV, PreserveTransactions without CdcPath, a folder that cannot be written (a path below a plain
// file, and an existing folder the user may not write to). A known cloud-only key is one warning
// line, not an error.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/support/lakehouse_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

class LakehouseBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteExec(dir_.path("src.db"),
               "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
               "INSERT INTO t VALUES (1, 'a'), (2, NULL);");
  }

  std::string Settings(const std::string& json) {
    std::string path = dir_.path("settings-" + std::to_string(++n_) + ".json");
    std::ofstream(path) << json;
    return path;
  }

  RunResult Replicate(const std::string& target, const std::string& settings) {
    std::vector<std::string> args = {"replicate", "--source", dir_.uri("src.db"),
                                     "--target",  target,     "--task",
                                     "bad",       "--type",   "full-load"};
    if (!settings.empty()) args.insert(args.end(), {"--target-settings", settings});
    return RunCutover(args, std::chrono::seconds(60));
  }

  // Exit 2; the last stderr line is the only error line and contains every `expected`.
  void ExpectOneLine(const RunResult& r, const std::vector<std::string>& expected) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    std::string last = err.substr(err.rfind('\n') == std::string::npos ? 0 : err.rfind('\n') + 1);
    EXPECT_EQ(last.rfind("cutover: error: ", 0), 0u) << r.err;
    for (const auto& e : expected)
      EXPECT_NE(last.find(e), std::string::npos) << "expected '" << e << "' in: " << last;
    size_t errors = 0;
    for (size_t p = 0; (p = r.err.find("error:", p)) != std::string::npos; ++p) ++errors;
    EXPECT_EQ(errors, 1u) << r.err;
  }

  std::string Lake() { return "file://" + dir_.path("lake"); }

  SqliteDir dir_;
  int n_ = 0;
};

TEST_F(LakehouseBadInput, SettingsThatDoNotParse) {
  std::string s = Settings("{\"BucketFolder\": \"x\",, }");
  ExpectOneLine(Replicate(Lake(), s), {s, "line 1"});
}

TEST_F(LakehouseBadInput, UnknownKeyIsNamedWithTheClosestKnownOne) {
  std::string s = Settings(R"({"S3Settings": {"CsvDelimeter": ";"}})");
  ExpectOneLine(Replicate(Lake(), s),
                {s, "$.S3Settings.CsvDelimeter", "did you mean CsvDelimiter"});
}

TEST_F(LakehouseBadInput, WrongTypeNamesKeyAndWhatWasExpected) {
  std::string s = Settings(R"({"CdcMaxBatchInterval": "soon"})");
  ExpectOneLine(Replicate(Lake(), s), {s, "$.CdcMaxBatchInterval"});
}

TEST_F(LakehouseBadInput, ParquetOnlyCompressionWithCsvIsRefused) {
  std::string s = Settings(R"({"DataFormat": "csv", "CompressionType": "SNAPPY"})");
  ExpectOneLine(Replicate(Lake(), s), {"$.CompressionType", "SNAPPY", "Parquet"});
}

// PreserveTransactions: without CdcPath, or with a setting DMS refuses beside it.
TEST_F(LakehouseBadInput, PreserveTransactionsWithoutCdcPathOrWithDatePartitions) {
  std::string s = Settings(R"({"PreserveTransactions": true})");
  ExpectOneLine(Replicate(Lake(), s), {s, "$.CdcPath", "PreserveTransactions true needs CdcPath"});
  s = Settings(R"({"PreserveTransactions": true, "CdcPath": "changes",
                   "DatePartitionEnabled": true})");
  ExpectOneLine(Replicate(Lake(), s), {"$.DatePartitionEnabled", "PreserveTransactions"});
  EXPECT_FALSE(std::filesystem::exists(dir_.path("lake")));
}

TEST_F(LakehouseBadInput, UnwritableFolder) {
  std::ofstream(dir_.path("plainfile")) << "x";
  ExpectOneLine(Replicate("file://" + dir_.path("plainfile") + "/lake", ""),
                {dir_.path("plainfile") + "/lake"});
}

// An existing folder without write permission: mode 0555, or, for root (whom modes do not stop),
// the immutable attribute (chattr +i, which root's writes obey too).
TEST_F(LakehouseBadInput, FolderWithoutWritePermission) {
  std::string lake = dir_.path("readonly-lake");
  std::filesystem::create_directories(lake);
  bool immutable = false;
  if (::geteuid() == 0) {
    int rc = 0;
    std::string out = Shell("chattr +i '" + lake + "' 2>&1", &rc);
    if (rc != 0) GTEST_SKIP() << "running as root and chattr +i is not available here: " << out;
    immutable = true;
  } else {
    std::filesystem::permissions(
        lake, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  }
  RunResult r = Replicate("file://" + lake, "");
  if (immutable) Shell("chattr -i '" + lake + "' 2>&1");
  std::filesystem::permissions(lake, std::filesystem::perms::owner_all);
  ExpectOneLine(r, {lake});
  EXPECT_FALSE(std::filesystem::exists(lake + "/main")) << "wrote into the read-only folder";
}

TEST_F(LakehouseBadInput, RelativePathIsRefused) {
  ExpectOneLine(Replicate("file://relative/lake", ""), {"file:///absolute/path"});
}

TEST_F(LakehouseBadInput, CloudOnlyKeyIsOneWarningAndTheLoadRuns) {
  std::string s = Settings(R"({"BucketName": "my-lake", "ServerSideEncryptionKmsKeyId": "k",
                               "AddColumnName": true, "CsvNullValue": "NULL"})");
  RunResult r = Replicate(Lake(), s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("BucketName ignored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ServerSideEncryptionKmsKeyId ignored"), std::string::npos) << r.err;
  std::ifstream in(dir_.path("lake") + "/main/t/LOAD00000001.csv");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "id,v,cutover_position\n"
            "1,a,0000000000000000.0000000000000000.00000000\n"
            "2,NULL,0000000000000000.0000000000000000.00000000\n");
}

}  // namespace
}  // namespace cutover::testing
