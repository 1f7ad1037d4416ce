// The lakehouse target on s3://, against an S3-compatible server the test starts on loopback
// (tests/integration/support/s3_server.h: s3rver from npm, with SigV4 verification): full load +
// CDC from PostgreSQL fold in DuckDB (reading the server's objects) to exactly the source and
// `cutover validate --target s3://` agrees; a LOAD file over the part size goes up as a real
// multipart upload of several parts; kill -9 and a server outage during CDC under load end
// exact, and an abandoned multipart upload is aborted at the next start; a manifest write the
// store refuses after the batch's file went up, or takes while the reply is lost, ends exact
// after the change spool's reconnect (faults by the test server); wrong credentials and
// an unreachable endpoint are one line, exit 2, with no secret printed; over HTTPS with a
// self-signed certificate, trusted through AWS_CA_BUNDLE (and one line, exit 2, when it is not).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/support/lakehouse_support.h"
#include "tests/integration/support/s3_server.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

int Count(const std::string& text, const std::regex& re) {
  return static_cast<int>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

int Lines(const std::string& s) {
  int n = 0;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) ++n;
  return n;
}

class LakehouseS3 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(DuckDbReady(), "");
    ASSERT_EQ(S3ServerReady(), "");
    server_ = std::make_unique<S3Server>(dir_.path("s3"), "lake");
    ASSERT_EQ(server_->Start(), "");
    server_->ExportEnvironment();
  }

  std::string Settings(const std::string& json) {
    std::string path = dir_.path("settings.json");
    std::ofstream(path) << json;
    return path;
  }

  // DuckDB's fold of the objects under lake/<prefix>/public/t (mirrored to a folder) against
  // the PostgreSQL table: "" when equal.
  std::string Compare(const harness::ThrowawayServer& pg, const std::string& prefix) {
    std::string folder = server_->Mirror(prefix + "/public/t", dir_.path("mirror"));
    std::vector<nlohmann::json> rows;
    std::string error;
    if (!DuckDbFold(folder, "id", "", rows, error)) return error;
    std::vector<std::string> got, want;
    for (const auto& r : rows)
      got.push_back(r.at("id").get<std::string>() + "|" +
                    (r.at("v").is_null() ? "NULL" : r.at("v").get<std::string>()) + "|" +
                    (r.at("n").is_null() ? "NULL" : r.at("n").get<std::string>()));
    std::istringstream lines(
        Sql(pg,
            "SELECT coalesce(string_agg(id || '|' || coalesce(v, 'NULL') || '|' || "
            "coalesce(n::text, 'NULL'), E'\\n'), '') FROM t"));
    for (std::string l; std::getline(lines, l);)
      if (!l.empty()) want.push_back(l);
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    if (got == want) return "";
    return "source " + std::to_string(want.size()) + " rows, DuckDB's fold " +
           std::to_string(got.size());
  }

  // See ManifestRefused... / ManifestStoredButItsReplyLost... below.
  void ManifestFault(harness::ThrowawayServer& pg, const std::string& prefix, bool lose_reply) {
    Sql(pg,
        "CREATE TABLE t (id int PRIMARY KEY, v text, n int);"
        "INSERT INTO t SELECT g, 'row ' || g, g FROM generate_series(1, 500) g");
    std::string settings = Settings(R"({"AddColumnName": true, "CdcMaxBatchInterval": 1,
        "CdcMinFileSize": 1})");
    EngineProcess run({"replicate", "--source", pg.uri(), "--target", "s3://lake/" + prefix,
                       "--task", "m", "--target-settings", settings});
    ASSERT_TRUE(Eventually([&] { return run.Log().find("cdc started") != std::string::npos; }, 60s))
        << run.Log();
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      for (long i = 0; !stop; ++i) {
        long id = 1000 + i;
        (void)pg.Sql("BEGIN; INSERT INTO t VALUES (" + std::to_string(id) +
                     ", 'w', 1); UPDATE t SET n = n + 1 WHERE id = " + std::to_string(1 + i % 500) +
                     "; DELETE FROM t WHERE id = " + std::to_string(id - 3) + "; COMMIT");
        std::this_thread::sleep_for(20ms);
      }
    });
    std::this_thread::sleep_for(1500ms);
    // Every manifest write of the task fails from now on; data files still go up.
    const std::string manifest = "^PUT /lake/" + prefix + "/_cutover/";
    ASSERT_EQ(server_->SetFault(manifest, lose_reply), "");
    EXPECT_TRUE(
        Eventually([&] { return run.Log().find("target unavailable") != std::string::npos; }, 60s))
        << run.Log();
    // Reconnects while the fault lasts commit nothing either.
    std::this_thread::sleep_for(3s);
    ASSERT_EQ(server_->ClearFault(), "");
    std::this_thread::sleep_for(2s);
    stop = true;
    writer.join();
    std::string log = server_->Log();
    std::string failed = lose_reply ? "lost" : "refused";
    int manifests_failed =
        Count(log, std::regex("PUT /lake/" + prefix + "/_cutover/m/manifest\\.json " + failed));
    std::printf("[ measure ] %d manifest write(s) %s\n", manifests_failed, failed.c_str());
    EXPECT_GE(manifests_failed, 5) << log;
    EXPECT_TRUE(std::regex_search(
        log, std::regex("PUT /lake/" + prefix + "/public/t/\\d{8}-\\d{9}\\.csv 200\nPUT /lake/" +
                        prefix + "/_cutover/m/manifest\\.json " + failed)))
        << "no data file went up right before a failed manifest write\n"
        << log;
    EXPECT_EQ(WaitEqual([&] { return Compare(pg, prefix); }, 90s), "") << run.Log();
    EXPECT_EQ(Duplicates(dir_.path("mirror")), "") << run.Log();
    EXPECT_NE(run.Log().find("target back"), std::string::npos) << run.Log();
    // The refused batch's data file was deleted by the reconnect (a lost reply leaves none: its
    // manifest, which lists the file, was stored).
    if (!lose_reply) {
      EXPECT_TRUE(std::regex_search(
          run.Log(), std::regex("removed \\d+ file\\(s\\) written after the task's last manifest")))
          << run.Log();
    }
    run.Signal(SIGTERM);
    EXPECT_EQ(run.Wait(60s), 0) << run.Log();
    RunResult v = RunCutover({"validate", "--source", pg.uri(), "--target", "s3://lake/" + prefix,
                              "--tables", "public.t"},
                             120s);
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }

  SqliteDir dir_;
  std::unique_ptr<S3Server> server_;
};

TEST_F(LakehouseS3, FullLoadOverThePartSizeAndCdcFoldToTheSource) {
  auto pg = StartPostgres("lh_s3");
  ASSERT_TRUE(pg);
  const std::string sales = server_->UniquePrefix("sales");
  // ~11 MB of CSV: over two 5 MiB parts.
  Sql(*pg,
      "CREATE TABLE t (id int PRIMARY KEY, v text, n int);"
      "INSERT INTO t SELECT g, 'row ' || g || ' ' || repeat(md5(g::text), 3), g * 3 "
      "FROM generate_series(1, 100000) g");
  std::string settings = Settings(R"({"AddColumnName": true, "CdcMaxBatchInterval": 1,
      "CdcMinFileSize": 1, "MultipartPartSizeMiB": 5})");
  std::vector<std::string> args = {"replicate", "--source",           pg->uri(),
                                   "--target",  "s3://lake/" + sales, "--task",
                                   "s3",        "--target-settings",  settings};
  EngineProcess run(args);
  ASSERT_TRUE(Eventually([&] { return run.Log().find("cdc started") != std::string::npos; }, 60s))
      << run.Log();
  // The LOAD file went up as one multipart upload of 3 parts, completed once.
  std::string log = server_->Log();
  int parts = Count(log, std::regex("PUT /lake/" + sales +
                                    "/public/t/LOAD00000001\\.csv\\?partNumber=\\d+"
                                    "&uploadId=\\S+ 200"));
  std::printf("[ measure ] LOAD00000001.csv: %d parts of 5 MiB\n", parts);
  EXPECT_GE(parts, 2) << log;
  EXPECT_EQ(Count(log, std::regex("POST /lake/" + sales +
                                  "/public/t/LOAD00000001\\.csv\\?uploadId=\\S+ 200")),
            1)
      << log;
  EXPECT_EQ(server_->IncompleteUploads(), 0);

  Sql(*pg,
      "UPDATE t SET v = 'changed, \"quoted\"' WHERE id = 7; DELETE FROM t WHERE id = 8;"
      "INSERT INTO t VALUES (100001, '', NULL); UPDATE t SET n = n + 1 WHERE id > 99990");
  EXPECT_EQ(WaitEqual([&] { return Compare(*pg, sales); }, 60s), "") << run.Log();
  EXPECT_EQ(Duplicates(dir_.path("mirror")), "");
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(60s), 0) << run.Log();

  // cutover's own validator reads the same objects through S3 and agrees.
  RunResult v = RunCutover(
      {"validate", "--source", pg->uri(), "--target", "s3://lake/" + sales, "--tables", "public.t"},
      120s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  // The signature and the secret never reach a message or the log.
  EXPECT_EQ(run.Log().find(S3Server::kSecret), std::string::npos);
}

TEST_F(LakehouseS3, KillAndServerOutageDuringCdcEndExact) {
  auto pg = StartPostgres("lh_s3o");
  ASSERT_TRUE(pg);
  const std::string o = server_->UniquePrefix("o");
  Sql(*pg,
      "CREATE TABLE t (id int PRIMARY KEY, v text, n int);"
      "INSERT INTO t SELECT g, 'row ' || g, g FROM generate_series(1, 2000) g");
  std::string settings = Settings(R"({"AddColumnName": true, "CdcMaxBatchInterval": 1,
      "CdcMinFileSize": 1})");
  std::vector<std::string> args = {"replicate", "--source",          pg->uri(),
                                   "--target",  "s3://lake/" + o,    "--task",
                                   "o",         "--target-settings", settings};
  auto run = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually([&] { return run->Log().find("cdc started") != std::string::npos; }, 60s))
      << run->Log();

  std::atomic<bool> stop{false};
  std::atomic<long> written{0};
  std::thread writer([&] {
    for (long i = 0; !stop; ++i) {
      long id = 3000 + i;
      auto r = pg->Sql("BEGIN; INSERT INTO t VALUES (" + std::to_string(id) +
                       ", 'w', 1);"
                       "UPDATE t SET n = n + 1, v = 'u' || n WHERE id = " +
                       std::to_string(1 + i % 2000) +
                       ";DELETE FROM t WHERE id = " + std::to_string(id - 5) + "; COMMIT");
      if (r.ok()) ++written;
      std::this_thread::sleep_for(20ms);
    }
  });
  std::this_thread::sleep_for(2s);
  // kill -9 in the middle of CDC.
  run->Signal(SIGKILL);
  EXPECT_EQ(run->Wait(10s), 128 + SIGKILL);
  std::string runs = "--- killed run ---\n" + run->Log();
  // What a crash in the middle of a multipart upload leaves: an incomplete upload, which the
  // next start must abort.
  int rc = 0;
  std::string created = Shell("curl -s -X POST '" + server_->endpoint() + "/lake/" + o +
                                  "/public/t/LOAD99999999.csv?uploads'",
                              &rc);
  ASSERT_NE(created.find("<UploadId>"), std::string::npos) << created;
  EXPECT_EQ(server_->IncompleteUploads(), 1);
  run = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually([&] { return run->Log().find("cdc started") != std::string::npos; }, 60s))
      << runs << run->Log();
  EXPECT_NE(run->Log().find("aborted 1 incomplete multipart upload"), std::string::npos)
      << run->Log();
  EXPECT_EQ(server_->IncompleteUploads(), 0);
  std::this_thread::sleep_for(2s);

  // The object store goes away for a while; the source keeps changing.
  server_->Stop();
  long before = written.load();
  std::this_thread::sleep_for(6s);
  EXPECT_GT(written.load(), before);
  ASSERT_EQ(server_->Start(), "");
  std::this_thread::sleep_for(4s);
  stop = true;
  writer.join();
  std::printf("[ measure ] the writer committed %ld transactions (kill -9, 6 s outage)\n",
              written.load());
  EXPECT_EQ(WaitEqual([&] { return Compare(*pg, o); }, 90s), "") << runs << run->Log();
  EXPECT_EQ(Duplicates(dir_.path("mirror")), "") << runs << run->Log();
  EXPECT_TRUE(run->Running()) << run->Log();
  // The outage was noticed after the store's bounded retries and the target reconnected:
  // through the change spool ("capture goes on into the change spool; reconnecting to the
  // target"), or by the supervisor ("; reconnecting in") with --change-spool off.
  EXPECT_TRUE(
      std::regex_search(run->Log(), std::regex("s3://lake/" + o +
                                               "/\\S+: \\w+: .*after 5 "
                                               "attempts.*reconnecting (in|to the target)")))
      << "the outage was not noticed\n"
      << run->Log();
  run->Signal(SIGTERM);
  EXPECT_EQ(run->Wait(60s), 0) << run->Log();
  RunResult v = RunCutover(
      {"validate", "--source", pg->uri(), "--target", "s3://lake/" + o, "--tables", "public.t"},
      120s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// The store fails the manifest write of a CDC batch after the batch's data file went up: the
// run goes on capturing into the change spool and reconnects to the store. `lose_reply`: the
// manifest is stored each time but the reply is lost, so the store holds a newer manifest than
// the run saw succeed; otherwise the store refuses it (503) and the data file is left uncommitted.
// Either way, once the store takes the manifest again, every change is in the files once.
TEST_F(LakehouseS3, ManifestRefusedAfterTheBatchFileTheReconnectDeletesTheFile) {
  const std::string prefix = server_->UniquePrefix("refused");
  auto pg = StartPostgres("lh_s3r");
  ASSERT_TRUE(pg);
  ManifestFault(*pg, prefix, /*lose_reply=*/false);
}

TEST_F(LakehouseS3, ManifestStoredButItsReplyLostTheReconnectResumesFromTheStoredOne) {
  const std::string prefix = server_->UniquePrefix("lost");
  auto pg = StartPostgres("lh_s3l");
  ASSERT_TRUE(pg);
  ManifestFault(*pg, prefix, /*lose_reply=*/true);
}

TEST_F(LakehouseS3, WrongCredentialsOneLineExit2NoSecret) {
  SqliteExec(dir_.path("src.db"), "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  ASSERT_EQ(
      RunCutover({"task", "prepare", "--source", dir_.uri("src.db"), "--task", "c"}).exit_code, 0);
  std::string wrong = "not-the-secret-Hq7vP2mX";
  server_->ExportEnvironment(wrong);
  RunResult r = RunCutover(
      {"replicate", "--source", dir_.uri("src.db"), "--target", "s3://lake/c", "--task", "c"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string err_lines;
  std::istringstream in(r.err);
  for (std::string l; std::getline(in, l);)
    if (l.find("error") != std::string::npos) err_lines += l + "\n";
  EXPECT_EQ(Lines(err_lines), 1) << r.err;
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("s3://lake/c"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HTTP 403"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(wrong), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(S3Server::kSecret), std::string::npos) << r.err;
  EXPECT_FALSE(std::regex_search(r.err, std::regex("[0-9a-f]{64}"))) << "a signature: " << r.err;
  EXPECT_EQ(r.out.find(wrong), std::string::npos) << r.out;
  // validate reads the store with the same credentials and says the same.
  r = RunCutover({"validate", "--source", dir_.uri("src.db"), "--target", "s3://lake/c"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(wrong), std::string::npos) << r.err;
  // An unknown access key id is refused the same way.
  ::setenv("AWS_ACCESS_KEY_ID", "AKIANOSUCHKEY", 1);
  r = RunCutover(
      {"replicate", "--source", dir_.uri("src.db"), "--target", "s3://lake/c", "--task", "c"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("InvalidAccessKeyId"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(wrong), std::string::npos) << r.err;
}

// The S3 form of an unwritable folder: a bucket the server does not have. One line naming it
// and S3's error code, exit 2, at once (a 404 is not retried), no secret.
TEST_F(LakehouseS3, NoSuchBucketOneLineExit2) {
  SqliteExec(dir_.path("src.db"), "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  ASSERT_EQ(
      RunCutover({"task", "prepare", "--source", dir_.uri("src.db"), "--task", "b"}).exit_code, 0);
  auto started = std::chrono::steady_clock::now();
  RunResult r = RunCutover({"replicate", "--source", dir_.uri("src.db"), "--target",
                            "s3://nosuchbucket/b", "--task", "b"},
                           60s);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  int error_lines = 0;
  std::string line;
  std::istringstream in(r.err);
  for (std::string l; std::getline(in, l);)
    if (l.find("error") != std::string::npos) {
      ++error_lines;
      line = l;
    }
  std::printf("[ line    ] %s\n", line.c_str());
  EXPECT_EQ(error_lines, 1) << r.err;
  EXPECT_EQ(line.rfind("cutover: error: ", 0), 0u) << r.err;
  EXPECT_NE(line.find("s3://nosuchbucket/"), std::string::npos) << line;
  EXPECT_NE(line.find("NoSuchBucket"), std::string::npos) << line;
  EXPECT_EQ(r.err.find(S3Server::kSecret), std::string::npos) << r.err;
  EXPECT_LT(secs, 10) << r.err;
}

TEST_F(LakehouseS3, UnreachableEndpointOneLineExit2) {
  SqliteExec(dir_.path("src.db"), "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
  ASSERT_EQ(
      RunCutover({"task", "prepare", "--source", dir_.uri("src.db"), "--task", "u"}).exit_code, 0);
  int port = server_->port();
  server_->Stop();
  ::setenv("AWS_ENDPOINT_URL", ("http://127.0.0.1:" + std::to_string(port)).c_str(), 1);
  auto started = std::chrono::steady_clock::now();
  RunResult r = RunCutover(
      {"replicate", "--source", dir_.uri("src.db"), "--target", "s3://lake/u", "--task", "u"}, 60s);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[ measure ] unreachable endpoint: exit after %.1f s\n", secs);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  int error_lines = 0;
  std::istringstream in(r.err);
  for (std::string l; std::getline(in, l);)
    if (l.rfind("cutover: error:", 0) == 0) ++error_lines;
  EXPECT_EQ(error_lines, 1) << r.err;
  EXPECT_NE(r.err.find("s3://lake/u"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(S3Server::kSecret), std::string::npos) << r.err;
}

// Sorted "id|v" lines of what DuckDB folds from the objects under lake/`prefix`/main/t (mirrored
// into `to`), or the error.
std::string FoldedLines(const S3Server& server, const std::string& prefix, const std::string& to) {
  std::string folder = server.Mirror(prefix + "/main/t", to);
  std::vector<nlohmann::json> rows;
  std::string error;
  if (!DuckDbFold(folder, "id", "", rows, error)) return error;
  std::vector<std::string> got;
  for (const auto& r : rows)
    got.push_back(r.at("id").get<std::string>() + "|" +
                  (r.at("v").is_null() ? "NULL" : r.at("v").get<std::string>()));
  std::sort(got.begin(), got.end());
  std::string out;
  for (const auto& g : got) out += g + "\n";
  return out;
}

std::string SqliteLines(const std::string& db) {
  std::string text = SqliteValue(
      db,
      "SELECT group_concat(l, char(10)) FROM (SELECT id || '|' || coalesce(v, 'NULL') AS l "
      "FROM t ORDER BY l)");
  return text.empty() ? "" : text + "\n";
}

// The one "cutover: error:" line of a run's stderr ("" when there is not exactly one).
std::string OnlyErrorLine(const std::string& err) {
  std::string found;
  int n = 0;
  std::istringstream in(err);
  for (std::string l; std::getline(in, l);)
    if (l.find("error") != std::string::npos) {
      ++n;
      found = l;
    }
  return n == 1 ? found : "";
}

// The S3 API over HTTPS: the server's certificate is self-signed, made here with openssl. Not
// trusted (no AWS_CA_BUNDLE, or one holding another certificate, or a bundle that does not
// exist), the run stops at once with one line naming the endpoint, the certificate problem and
// AWS_CA_BUNDLE, exit 2, and no request reached the server; with AWS_CA_BUNDLE naming the
// certificate, full load + CDC go through and fold in DuckDB to the source, and `cutover
// validate` reads the objects over HTTPS too.
TEST(LakehouseS3Https, SelfSignedCertificateTrustedThroughAwsCaBundle) {
  ASSERT_EQ(DuckDbReady(), "");
  ASSERT_EQ(S3ServerReady(), "");
  SqliteDir dir;
  int rc = 0;
  for (const std::string name : {"server", "other"}) {
    std::string out = Shell(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
            dir.path(name + "-key.pem") + " -out " + dir.path(name + "-cert.pem") + " 2>&1",
        &rc);
    ASSERT_EQ(rc, 0) << out;
  }
  S3Server server(dir.path("s3"), "lake", dir.path("server-cert.pem"), dir.path("server-key.pem"));
  ASSERT_EQ(server.Start(), "");
  ASSERT_EQ(server.endpoint().rfind("https://127.0.0.1:", 0), 0u) << server.endpoint();
  server.ExportEnvironment();
  ::unsetenv("AWS_CA_BUNDLE");
  std::string prefix = server.UniquePrefix("tls");

  std::string db = dir.path("src.db");
  std::string sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES ";
  for (int i = 1; i <= 300; ++i)
    sql += (i > 1 ? ", (" : "(") + std::to_string(i) + ", 'r" + std::to_string(i) + "')";
  SqliteExec(db, sql + ";");
  ASSERT_EQ(
      RunCutover({"task", "prepare", "--source", dir.uri("src.db"), "--task", "tls"}).exit_code, 0);
  std::string settings = dir.path("settings.json");
  std::ofstream(settings)
      << R"({"AddColumnName": true, "CdcMaxBatchInterval": 1, "CdcMinFileSize": 1})";
  std::vector<std::string> args = {
      "replicate", "--source", dir.uri("src.db"),   "--target", "s3://lake/" + prefix,
      "--task",    "tls",      "--target-settings", settings};

  struct Untrusted {
    std::string bundle, expect;
  };
  for (const Untrusted& u :
       {Untrusted{"", "AWS_CA_BUNDLE=/path/ca.pem"},
        Untrusted{dir.path("other-cert.pem"),
                  "not trusted by AWS_CA_BUNDLE " + dir.path("other-cert.pem")},
        Untrusted{dir.path("no-such-ca.pem"), "AWS_CA_BUNDLE " + dir.path("no-such-ca.pem")}}) {
    if (u.bundle.empty())
      ::unsetenv("AWS_CA_BUNDLE");
    else
      ::setenv("AWS_CA_BUNDLE", u.bundle.c_str(), 1);
    auto started = std::chrono::steady_clock::now();
    RunResult r = RunCutover(args, 60s);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("[ measure ] AWS_CA_BUNDLE '%s': exit %d after %.1f s\n", u.bundle.c_str(),
                r.exit_code, secs);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    std::string line = OnlyErrorLine(r.err);
    std::printf("[ line    ] %s\n", line.c_str());
    EXPECT_EQ(line.rfind("cutover: error: ", 0), 0u) << "not one error line:\n" << r.err;
    for (const std::string& want :
         {std::string("s3://lake/" + prefix), server.endpoint(), u.expect})
      EXPECT_NE(line.find(want), std::string::npos) << "'" << want << "' missing from: " << line;
    if (u.bundle != dir.path("no-such-ca.pem")) {
      EXPECT_NE(line.find("certificate"), std::string::npos) << line;
    }
    EXPECT_EQ(r.err.find(S3Server::kSecret), std::string::npos) << r.err;
    // Not retried: a certificate does not become trusted by waiting.
    EXPECT_LT(secs, 10) << r.err;
  }
  // The handshake failed every time: not one HTTP request reached the server.
  EXPECT_EQ(Lines(server.Log()), 0) << server.Log();

  ::setenv("AWS_CA_BUNDLE", dir.path("server-cert.pem").c_str(), 1);
  EngineProcess run(args);
  ASSERT_TRUE(Eventually([&] { return run.Log().find("cdc started") != std::string::npos; }, 60s))
      << run.Log();
  SqliteExec(db,
             "UPDATE t SET v = 'changed' WHERE id = 7; DELETE FROM t WHERE id = 8;"
             "INSERT INTO t VALUES (301, NULL); UPDATE t SET v = v || '+' WHERE id > 290;");
  EXPECT_EQ(WaitEqual(
                [&] {
                  std::string want = SqliteLines(db),
                              got = FoldedLines(server, prefix, dir.path("mirror"));
                  return got == want ? std::string() : "source:\n" + want + "DuckDB:\n" + got;
                },
                60s),
            "")
      << run.Log();
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(60s), 0) << run.Log();
  EXPECT_GT(Count(server.Log(), std::regex("PUT /lake/" + prefix + "/\\S+ 200")), 1)
      << server.Log();
  RunResult v = RunCutover({"validate", "--source", dir.uri("src.db"), "--target",
                            "s3://lake/" + prefix, "--tables", "main.t"},
                           120s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  ::unsetenv("AWS_CA_BUNDLE");
}

}  // namespace
}  // namespace cutover::testing
