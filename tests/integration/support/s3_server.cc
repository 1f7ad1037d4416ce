#include "tests/integration/support/s3_server.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/support/lakehouse_support.h"

namespace cutover::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kObjectSuffix = "._S3rver_object";

}  // namespace

const std::string& S3ServerReady() {
  static const std::string status = [] {
    int rc = 0;
    std::string out =
        Shell(std::string(CUTOVER_SOURCE_DIR) + "/scripts/install-s3-server.sh 2>&1", &rc);
    return rc == 0 ? std::string() : "install-s3-server.sh failed: " + out;
  }();
  return status;
}

S3Server::S3Server(std::string dir, std::string bucket, std::string tls_cert, std::string tls_key) {
  options_.dir = std::move(dir);
  options_.bucket = std::move(bucket);
  options_.access_key = kAccessKey;
  options_.secret = kSecret;
  options_.tls_cert = std::move(tls_cert);
  options_.tls_key = std::move(tls_key);
  fs::create_directories(data());
}

S3Server::~S3Server() = default;

std::string S3Server::Start() {
  if (server_) {
    Status s = server_->Resume();
    return s.ok() ? "" : s.message();
  }
  auto started = harness::ThrowawayS3Server::Start(options_);
  if (!started.ok()) return started.status().message();
  server_ = std::move(*started);
  return "";
}

void S3Server::Stop() {
  if (server_) (void)server_->Halt();
}

std::string S3Server::SetFault(const std::string& match, bool lose_reply) {
  if (!server_) return "the S3 server was not started";
  Status s = server_->SetFault(match, lose_reply ? harness::ThrowawayS3Server::Fault::kLoseReply
                                                 : harness::ThrowawayS3Server::Fault::kRefuse);
  return s.ok() ? "" : s.message();
}

std::string S3Server::ClearFault() {
  if (!server_) return "the S3 server was not started";
  Status s = server_->ClearFault();
  return s.ok() ? "" : s.message();
}

void S3Server::ExportEnvironment(const std::string& secret) const {
  for (const auto& [name, value] : server_->ClientEnvironment())
    ::setenv(name.c_str(), value.c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
}

std::string S3Server::Log() const {
  std::ifstream in(options_.dir + "/requests.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string S3Server::Mirror(const std::string& prefix, const std::string& to) const {
  fs::remove_all(to);
  fs::path root = fs::path(data()) / options_.bucket;
  fs::path start = root / prefix;
  std::error_code ec;
  if (!fs::exists(start, ec)) return to;
  for (const auto& e : fs::recursive_directory_iterator(start, ec)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.size() <= std::string(kObjectSuffix).size() ||
        name.compare(name.size() - std::string(kObjectSuffix).size(), std::string::npos,
                     kObjectSuffix) != 0)
      continue;
    fs::path rel = fs::relative(e.path(), start);
    std::string file = rel.filename().string();
    fs::path dest = fs::path(to) / rel.parent_path() /
                    file.substr(0, file.size() - std::string(kObjectSuffix).size());
    fs::create_directories(dest.parent_path());
    fs::copy_file(e.path(), dest, fs::copy_options::overwrite_existing, ec);
  }
  return to;
}

std::string S3Server::UniquePrefix(const std::string& stem) const {
  std::string parent = fs::path(options_.dir).parent_path().filename().string();
  std::string suffix = parent.substr(parent.rfind('-') + 1);
  for (char& c : suffix)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return stem + "-" + suffix;
}

int S3Server::IncompleteUploads() const {
  fs::path uploads = fs::path(data()) / options_.bucket / "._S3rver_uploads";
  std::error_code ec;
  if (!fs::exists(uploads, ec)) return 0;
  int n = 0;
  for (const auto& e : fs::directory_iterator(uploads, ec))
    if (e.is_directory()) ++n;
  return n;
}

}  // namespace cutover::testing
