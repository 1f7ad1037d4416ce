#include "engine/lakehouse/s3/aws_credentials.h"

#include <cstdlib>
#include <fstream>
#include <map>

namespace cutover::lakehouse::s3 {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The key = value pairs of `section` in an INI file; false when the file cannot be read.
bool ReadIniSection(const std::string& path, const std::string& section,
                    std::map<std::string, std::string>& out, bool& found) {
  std::ifstream in(path);
  if (!in) return false;
  found = false;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      inside = Trim(line.substr(1, line.size() - 2)) == section;
      found = found || inside;
      continue;
    }
    if (!inside) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    out[Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
  }
  return true;
}

std::string HomeFile(const EnvLookup& env, const char* var, const char* rel) {
  std::string p = env(var);
  if (!p.empty()) return p;
  std::string home = env("HOME");
  return (home.empty() ? std::string(".") : home) + rel;
}

std::string Profile(const EnvLookup& env) {
  std::string p = env("AWS_PROFILE");
  return p.empty() ? "default" : p;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) {
    const char* v = std::getenv(name.c_str());
    return std::string(v ? v : "");
  };
}

Result<AwsCredentials> LoadAwsCredentials(const EnvLookup& env) {
  AwsCredentials c;
  std::string id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
  if (!id.empty() || !secret.empty()) {
    if (id.empty() || secret.empty())
      return InvalidArgument(std::string("AWS credentials from the environment: ") +
                             (id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                             " is not set while " +
                             (id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is");
    c.access_key_id = id;
    c.secret_access_key = secret;
    c.session_token = env("AWS_SESSION_TOKEN");
    c.source = "environment";
    return c;
  }
  std::string file = HomeFile(env, "AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials");
  std::string profile = Profile(env);
  std::map<std::string, std::string> kv;
  bool found = false;
  if (!ReadIniSection(file, profile, kv, found))
    return InvalidArgument(
        "no AWS credentials for the s3:// target: set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or write a [" +
        profile + "] profile to " + file + " (AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE)");
  if (!found)
    return InvalidArgument("AWS credentials file " + file + " has no profile [" + profile +
                           "] (AWS_PROFILE)");
  c.access_key_id = kv["aws_access_key_id"];
  c.secret_access_key = kv["aws_secret_access_key"];
  c.session_token = kv["aws_session_token"];
  c.source = file + " [" + profile + "]";
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return InvalidArgument(
        "AWS credentials file " + file + " profile [" + profile + "] lacks " +
        (c.access_key_id.empty() ? "aws_access_key_id" : "aws_secret_access_key"));
  return c;
}

std::string ResolveRegion(const EnvLookup& env) {
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"})
    if (std::string r = env(var); !r.empty()) return r;
  std::string profile = Profile(env);
  std::map<std::string, std::string> kv;
  bool found = false;
  std::string file = HomeFile(env, "AWS_CONFIG_FILE", "/.aws/config");
  if (ReadIniSection(file, profile == "default" ? "default" : "profile " + profile, kv, found) &&
      !kv["region"].empty())
    return kv["region"];
  return "us-east-1";
}

}  // namespace cutover::lakehouse::s3
