// AwsCredentials: who signs an s3:// target's requests, and in which region, found where the AWS
// CLI and SDKs look.
//
// Design: the usual chain, minus what needs a network or a login flow: the environment
// (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the shared credentials
// file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials) under the profile AWS_PROFILE
// (default "default"). Instance roles, SSO and credential_process are not read (docs/lakehouse.md
// says how to export such credentials). Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's
// `region` in the config file (AWS_CONFIG_FILE, default ~/.aws/config), else us-east-1. Messages
// name the variable or file and profile, never a key's value.
#pragma once

#include <functional>
#include <string>

#include "engine/core/status.h"

namespace cutover::lakehouse::s3 {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none
  std::string source;         // "environment" or "~/.aws/credentials [default]" (for messages)
};

// Reads a variable of the environment ("" when unset); injectable for tests.
using EnvLookup = std::function<std::string(const std::string& name)>;
EnvLookup ProcessEnv();

// kInvalidArgument when no credentials are found or the profile is incomplete.
Result<AwsCredentials> LoadAwsCredentials(const EnvLookup& env);
std::string ResolveRegion(const EnvLookup& env);

}  // namespace cutover::lakehouse::s3
