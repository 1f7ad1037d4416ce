// SigV4 signing (engine/lakehouse/s3/sigv4.h) against AWS's published vectors: requests of the
// SigV4 test suite (credentials AKIDEXAMPLE, service "service", 2015-08-30T12:36:00Z) and the
// worked S3 examples of the S3 API reference (examplebucket, 2013-05-24).
#include <gtest/gtest.h>

#include "engine/lakehouse/s3/sigv4.h"

namespace cutover::lakehouse::s3 {
namespace {

const char* kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SigV4Key SuiteKey() {
  return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service"};
}

SigV4Request SuiteRequest(const std::string& method) {
  SigV4Request r;
  r.method = method;
  r.canonical_uri = "/";
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  r.payload_sha256 = kEmptySha;
  return r;
}

TEST(SigV4, SuiteGetVanilla) {
  SigV4Request r = SuiteRequest("GET");
  EXPECT_EQ(CanonicalRequest(r),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                std::string(kEmptySha));
  EXPECT_EQ(AuthorizationHeader(r, SuiteKey(), "20150830T123600Z"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, SuitePostVanilla) {
  EXPECT_EQ(Signature(SuiteRequest("POST"), SuiteKey(), "20150830T123600Z"),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(SigV4, SuiteGetVanillaEmptyQueryKey) {
  SigV4Request r = SuiteRequest("GET");
  r.query = {{"Param1", "value1"}};
  EXPECT_EQ(Signature(r, SuiteKey(), "20150830T123600Z"),
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb");
}

TEST(SigV4, SuiteUtf8PathAndQueryOrder) {
  // get-utf8: the path is encoded once, byte by byte, upper-case hex.
  EXPECT_EQ(UriEncode("/\xE1\x88\xB4", true), "/%E1%88%B4");
  // Parameters sort by encoded name, then value.
  EXPECT_EQ(CanonicalQuery({{"Param2", "value2"}, {"Param1", "value1"}}),
            "Param1=value1&Param2=value2");
  EXPECT_EQ(CanonicalQuery({{"prefix", "a b/c"}, {"uploads", ""}}), "prefix=a%20b%2Fc&uploads=");
}

SigV4Key S3ExampleKey() {
  return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"};
}

TEST(SigV4, S3ExampleGetObject) {
  SigV4Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmptySha},
               {"x-amz-date", "20130524T000000Z"}};
  r.payload_sha256 = kEmptySha;
  EXPECT_EQ(AuthorizationHeader(r, S3ExampleKey(), "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3ExamplePutObject) {
  std::string body = "Welcome to Amazon S3.";
  SigV4Request r;
  r.method = "PUT";
  r.canonical_uri = "/" + UriEncode("test$file.text", true);
  EXPECT_EQ(r.canonical_uri, "/test%24file.text");
  r.payload_sha256 = Sha256Hex(body);
  EXPECT_EQ(r.payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", r.payload_sha256}};
  EXPECT_EQ(Signature(r, S3ExampleKey(), "20130524T000000Z"),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, S3ExampleListObjects) {
  SigV4Request r;
  r.method = "GET";
  r.canonical_uri = "/";
  r.query = {{"max-keys", "2"}, {"prefix", "J"}};
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", kEmptySha},
               {"x-amz-date", "20130524T000000Z"}};
  r.payload_sha256 = kEmptySha;
  EXPECT_EQ(Signature(r, S3ExampleKey(), "20130524T000000Z"),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, NeverCarriesTheSecret) {
  SigV4Request r = SuiteRequest("GET");
  std::string auth = AuthorizationHeader(r, SuiteKey(), "20150830T123600Z");
  EXPECT_EQ(auth.find(SuiteKey().secret_access_key), std::string::npos);
  EXPECT_EQ(AmzDate(1440938160), "20150830T123600Z");
}

}  // namespace
}  // namespace cutover::lakehouse::s3
