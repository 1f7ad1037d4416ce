// Where an s3:// target's credentials and region come from (engine/lakehouse/s3/aws_credentials.h)
// and the little XML S3 answers in (s3_xml.h): environment before the profile file, the profile
// named by AWS_PROFILE, errors that name the file and profile but no key.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "engine/core/markup_escape.h"
#include "engine/lakehouse/s3/aws_credentials.h"
#include "engine/lakehouse/s3/s3_xml.h"

namespace cutover::lakehouse::s3 {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
}

TEST(AwsCredentials, EnvironmentFirst) {
  auto c = LoadAwsCredentials(Env({{"AWS_ACCESS_KEY_ID", "AKID"},
                                   {"AWS_SECRET_ACCESS_KEY", "s3cr3t"},
                                   {"AWS_SESSION_TOKEN", "tok"}}));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->source, "environment");
  auto half = LoadAwsCredentials(Env({{"AWS_SECRET_ACCESS_KEY", "s3cr3t"}}));
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(half.status().message().find("s3cr3t"), std::string::npos);
}

TEST(AwsCredentials, ProfileFile) {
  std::string file = ::testing::TempDir() + "/aws_credentials_test";
  std::ofstream(file) << "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = d\n\n"
                         "# comment\n[ci]\naws_access_key_id=AKCI\naws_secret_access_key = c \n"
                         "[broken]\naws_access_key_id = AKB\n";
  auto d = LoadAwsCredentials(Env({{"AWS_SHARED_CREDENTIALS_FILE", file}}));
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->access_key_id, "AKDEF");
  auto ci = LoadAwsCredentials(Env({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "ci"}}));
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->access_key_id, "AKCI");
  EXPECT_EQ(ci->secret_access_key, "c");
  auto broken =
      LoadAwsCredentials(Env({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "broken"}}));
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("aws_secret_access_key"), std::string::npos);
  auto none =
      LoadAwsCredentials(Env({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "nope"}}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("[nope]"), std::string::npos);
  auto missing = LoadAwsCredentials(Env({{"HOME", "/nonexistent-home"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  std::remove(file.c_str());
}

TEST(AwsCredentials, Region) {
  EXPECT_EQ(ResolveRegion(Env({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "x"}})),
            "eu-west-1");
  EXPECT_EQ(ResolveRegion(Env({{"AWS_DEFAULT_REGION", "ap-south-1"}})), "ap-south-1");
  std::string file = ::testing::TempDir() + "/aws_config_test";
  std::ofstream(file) << "[default]\nregion = us-west-2\n[profile ci]\nregion = eu-north-1\n";
  EXPECT_EQ(ResolveRegion(Env({{"AWS_CONFIG_FILE", file}})), "us-west-2");
  EXPECT_EQ(ResolveRegion(Env({{"AWS_CONFIG_FILE", file}, {"AWS_PROFILE", "ci"}})), "eu-north-1");
  EXPECT_EQ(ResolveRegion(Env({{"HOME", "/nonexistent-home"}})), "us-east-1");
  std::remove(file.c_str());
}

TEST(S3Xml, ElementsAndEntities) {
  std::string xml =
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b/c&#233;.csv</Key>"
      "</Contents><Contents><Key>d</Key></Contents><KeyCount>2</KeyCount>"
      "<NextContinuationToken>t&lt;1</NextContinuationToken></ListBucketResult>";
  auto contents = XmlElements(xml, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(XmlText(contents[0], "Key"), "a&b/c\xC3\xA9.csv");
  EXPECT_EQ(XmlText(xml, "Key"), "a&b/c\xC3\xA9.csv");  // <KeyCount> is another element
  EXPECT_EQ(XmlText(xml, "NextContinuationToken"), "t<1");
  EXPECT_FALSE(XmlText(xml, "Missing").has_value());
  // What a request body escapes, a response reader decodes back (an ETag keeps its quotes).
  EXPECT_EQ(XmlText("<ETag>" + MarkupEscape("\"<a & 'b'>\"") + "</ETag>", "ETag"), "\"<a & 'b'>\"");
}

}  // namespace
}  // namespace cutover::lakehouse::s3
