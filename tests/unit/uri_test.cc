// Tests for engine/core/uri: engine detection from the scheme and password redaction.
//
// Design note: redaction is a security boundary (uri.h: secrets never leave that file in
// clear), so besides the exact expected redacted form every redaction case also checks that the
// secret no longer occurs anywhere in the output. Userinfo cases follow how libpq itself splits
// "user:password@host" (first ':' separates user from password; a percent-encoded '@' (%40) is
// part of the password). Query cases cover `password=` as the first, a later, or a repeated
// parameter, and parameters whose name merely ends in "password" (left alone). Pure: no
// server, no libpq calls.
#include "engine/core/uri.h"
#include "engine/registry/registry.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace cutover {
namespace {

// RedactUri(uri) must equal `expected`, must not contain `secret`, and redacting twice must
// change nothing more.
void ExpectRedacted(std::string_view uri, std::string_view expected, std::string_view secret) {
  SCOPED_TRACE(std::string(uri));
  std::string out = RedactUri(uri);
  EXPECT_EQ(out, expected);
  if (!secret.empty()) {
    EXPECT_EQ(out.find(secret), std::string::npos) << out;
  }
  EXPECT_EQ(RedactUri(out), out);
}

// ------------------------------------------------------------------------------------------
// EngineForUri / the registry's names

TEST(UriTest, EngineForUriSchemes) {
  struct Case {
    const char* uri;
    const char* engine;
  };
  const Case cases[] = {
      {"postgresql://u@h:5432/db", "postgresql"},
      {"postgres://u@h/db", "postgresql"},
      {"postgresql://", "postgresql"},
      {"postgresql:///db?host=/tmp", "postgresql"},
      {"mariadb://root:pw@127.0.0.1:3306/app", "mariadb"},
      {"mysql://root@localhost/app", "mariadb"},
      {"sqlite:///tmp/app.db", "sqlite"},
      {"sqlite://relative.db", "sqlite"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.uri);
    Result<const EngineDriver*> r = EngineForUri(c.uri, "--source");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ((*r)->name(), c.engine);
  }
}

TEST(UriTest, EngineNames) {
  EXPECT_EQ(EngineNames(), "postgresql, mariadb, sqlite, lakehouse");
  for (const EngineDriver* d : Engines()) {
    EXPECT_EQ(FindEngine(d->name()), d);
    for (std::string_view scheme : d->schemes()) {
      auto r = EngineForUri(std::string(scheme) + "://x", "--source");
      ASSERT_TRUE(r.ok()) << scheme;
      EXPECT_EQ(*r, d);
    }
  }
  EXPECT_EQ(FindEngine("oracle"), nullptr);
}

TEST(UriTest, EngineForUriUnsupportedScheme) {
  Result<const EngineDriver*> r = EngineForUri("oracle://scott:tiger@h/orcl", "--target");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = r.status().message();
  EXPECT_EQ(m.rfind("--target: ", 0), 0u) << m;
  EXPECT_NE(m.find("'oracle'"), std::string::npos) << m;
  EXPECT_NE(m.find("postgresql://"), std::string::npos) << m;  // says what is supported
  EXPECT_EQ(m.find("tiger"), std::string::npos) << m;          // never the password

  // Scheme matching is exact (libpq only accepts lower-case scheme names).
  for (const char* uri : {"oracle://", "PostgreSQL://u@h/db", "pg://h/db", "http://h", "://h/db",
                          "postgresqlx://h", "sqlite3:///x.db"}) {
    SCOPED_TRACE(uri);
    Result<const EngineDriver*> bad = EngineForUri(uri, "--source");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(bad.status().message().find("unsupported URI scheme"), std::string::npos)
        << bad.status().message();
  }
}

TEST(UriTest, EngineForUriNotAUri) {
  for (const char* uri : {"no-scheme", "", "postgresql:/h/db", "postgresql:", "h:5432/db",
                          "host=localhost dbname=app"}) {
    SCOPED_TRACE(uri);
    Result<const EngineDriver*> r = EngineForUri(uri, "--source");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    const std::string& m = r.status().message();
    EXPECT_EQ(m.rfind("--source is not a URI", 0), 0u) << m;
  }
}

TEST(UriTest, EngineForUriErrorRedactsPasswordQuery) {
  // Missing scheme, but a password parameter: the message shows the URI redacted.
  Result<const EngineDriver*> r = EngineForUri("localhost/db?password=hunter2", "--source");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
}

// ------------------------------------------------------------------------------------------
// RedactUri: user-info part

TEST(UriTest, RedactUserInfoPassword) {
  ExpectRedacted("postgresql://u:secret@h:5432/db", "postgresql://u:***@h:5432/db", "secret");
  ExpectRedacted("postgres://u:secret@h", "postgres://u:***@h", "secret");
  ExpectRedacted("postgresql://u:secret@h?sslmode=require", "postgresql://u:***@h?sslmode=require",
                 "secret");
  ExpectRedacted("mariadb://root:s3cr3t@127.0.0.1:3306/app",
                 "mariadb://root:***@127.0.0.1:3306/app", "s3cr3t");
  ExpectRedacted("mysql://root:pw@[::1]:3306/app", "mysql://root:***@[::1]:3306/app", "pw@");
  ExpectRedacted("postgresql://u:secret@h1:5432,h2:5433/db",
                 "postgresql://u:***@h1:5432,h2:5433/db", "secret");
}

TEST(UriTest, RedactLeavesUrisWithoutPasswordAlone) {
  for (const char* uri :
       {"postgresql://h:5432/db", "postgresql://u@h:5432/db", "postgresql://u@h",
        "postgresql://h/db", "postgresql://", "postgresql:///db?host=/var/run/postgresql",
        "sqlite:///tmp/app.db", "sqlite:///tmp/a:b@c.db", "mysql://root@localhost:3306/app",
        "postgresql://h/db?sslmode=require&application_name=x", "no-scheme", "",
        "postgresql://[::1]:5432/db", "postgresql://h/db@2024", "postgresql://h:1/a:b@c"}) {
    EXPECT_EQ(RedactUri(uri), uri);
  }
}

TEST(UriTest, RedactPasswordWithSpecialCharacters) {
  // ':' inside the password: the first ':' ends the user name.
  ExpectRedacted("postgresql://u:pa:ss@h/db", "postgresql://u:***@h/db", "pa:ss");
  // Percent-encoded '@' and other escapes.
  ExpectRedacted("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db", "p%40ss");
  ExpectRedacted("postgresql://u:%2F%3F%23@h/db", "postgresql://u:***@h/db", "%2F%3F%23");
  // An unencoded '@' in the password: everything up to the host's '@' is hidden.
  ExpectRedacted("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db", "p@ss");
  // Percent-encoded user name.
  ExpectRedacted("postgresql://us%3Aer:pw@h/db", "postgresql://us%3Aer:***@h/db", "pw@");
  // Empty password.
  ExpectRedacted("postgresql://u:@h/db", "postgresql://u:***@h/db", "");
}

// ------------------------------------------------------------------------------------------
// RedactUri: password= query parameter

TEST(UriTest, RedactPasswordQueryParameter) {
  ExpectRedacted("postgresql://u@h/db?password=secret&sslmode=require",
                 "postgresql://u@h/db?password=***&sslmode=require", "secret");
  ExpectRedacted("postgresql://u@h/db?sslmode=require&password=secret",
                 "postgresql://u@h/db?sslmode=require&password=***", "secret");
  ExpectRedacted("postgresql://u@h/db?a=1&password=secret&b=2",
                 "postgresql://u@h/db?a=1&password=***&b=2", "secret");
  ExpectRedacted("postgresql://h?password=secret", "postgresql://h?password=***", "secret");
  ExpectRedacted("postgresql://h/db?password=", "postgresql://h/db?password=***", "");
  ExpectRedacted("postgresql://h/db?password=se%26cret", "postgresql://h/db?password=***",
                 "se%26cret");
}

TEST(UriTest, RedactRepeatedPasswordParameters) {
  ExpectRedacted("postgresql://h/db?password=one&password=two",
                 "postgresql://h/db?password=***&password=***", "one");
  EXPECT_EQ(RedactUri("postgresql://h/db?password=one&password=two").find("two"),
            std::string::npos);
}

TEST(UriTest, RedactBothPlaces) {
  ExpectRedacted("postgresql://u:first@h/db?password=second",
                 "postgresql://u:***@h/db?password=***", "first");
  EXPECT_EQ(RedactUri("postgresql://u:first@h/db?password=second").find("second"),
            std::string::npos);
}

TEST(UriTest, RedactIgnoresOtherParametersEndingInPassword) {
  for (const char* uri :
       {"postgresql://h/db?xpassword=1", "postgresql://h/db?sslmode=require&sslpassword_file=x",
        "postgresql://h/db?application_name=password=x", "postgresql://h/db?old_password=1"}) {
    EXPECT_EQ(RedactUri(uri), uri);
  }
  ExpectRedacted("postgresql://h/db?xpassword=1&password=secret",
                 "postgresql://h/db?xpassword=1&password=***", "secret");
}

TEST(UriTest, RedactPasswordWordOutsideQueryIsKept) {
  // "password=" before any '?' is not a query parameter.
  EXPECT_EQ(RedactUri("sqlite:///tmp/password=x.db"), "sqlite:///tmp/password=x.db");
}

// ------------------------------------------------------------------------------------------
// PasswordOfUri

TEST(UriTest, PasswordOfUri) {
  EXPECT_EQ(PasswordOfUri("postgresql://u:secret@h:5432/db"), "secret");
  EXPECT_EQ(PasswordOfUri("postgresql://u:pa:ss@h/db"), "pa:ss");
  EXPECT_EQ(PasswordOfUri("postgresql://u:p%40ss@h/db"), "p%40ss");  // as written, not decoded
  EXPECT_EQ(PasswordOfUri("postgresql://u:p@ss@h/db"), "p@ss");
  EXPECT_EQ(PasswordOfUri("mysql://root:pw@localhost/app"), "pw");
  EXPECT_EQ(PasswordOfUri("postgresql://u:@h/db"), "");
  EXPECT_EQ(PasswordOfUri("postgresql://u@h:5432/db"), "");
  EXPECT_EQ(PasswordOfUri("postgresql://h:5432/db"), "");
  EXPECT_EQ(PasswordOfUri("postgresql://h/db@x"), "");
  EXPECT_EQ(PasswordOfUri("no-scheme"), "");
  EXPECT_EQ(PasswordOfUri("u:secret@h"), "");  // not a URI
  EXPECT_EQ(PasswordOfUri(""), "");
  // Only the user-info part: a password= parameter is not returned.
  EXPECT_EQ(PasswordOfUri("postgresql://u@h/db?password=secret"), "");
}

TEST(UriTest, PasswordOfUriAgreesWithRedactUri) {
  for (const char* uri : {"postgresql://u:secret@h:5432/db", "postgresql://u:pa:ss@h/db",
                          "postgresql://u:p@ss@h/db", "mariadb://a:zz@c:1/d"}) {
    SCOPED_TRACE(uri);
    std::string pw = PasswordOfUri(uri);
    ASSERT_FALSE(pw.empty());
    EXPECT_EQ(RedactSecret(uri, pw), RedactUri(uri));
  }
}

// ------------------------------------------------------------------------------------------
// RedactSecret

TEST(UriTest, RedactSecret) {
  EXPECT_EQ(RedactSecret("password authentication failed: hunter2", "hunter2"),
            "password authentication failed: ***");
  EXPECT_EQ(RedactSecret("x hunter2 y hunter2", "hunter2"), "x *** y ***");
  EXPECT_EQ(RedactSecret("hunter2hunter2", "hunter2"), "******");
  EXPECT_EQ(RedactSecret("nothing here", "hunter2"), "nothing here");
  EXPECT_EQ(RedactSecret("", "hunter2"), "");
  // Empty secret: text unchanged (not "***" between every character).
  EXPECT_EQ(RedactSecret("abc", ""), "abc");
  // Occurrences are replaced left to right, without overlap.
  EXPECT_EQ(RedactSecret("aaaa", "aa"), "******");
  EXPECT_EQ(RedactSecret("aaa", "aa"), "***a");
}

TEST(UriTest, RedactSecretDoesNotRescanReplacement) {
  // A secret that occurs in "***" itself must not loop forever or grow the text.
  EXPECT_EQ(RedactSecret("a*b", "*"), "a***b");
  EXPECT_EQ(RedactSecret("**", "*"), "******");
  EXPECT_EQ(RedactSecret("x***y", "***"), "x***y");
}

}  // namespace
}  // namespace cutover

namespace cutover {
namespace {

// Regression: libpq accepts '?' and '#' inside a password (the authority ends at '/'), so the
// redaction must too, or the password would be printed in connection errors.
TEST(UriTest, RedactPasswordContainingQuestionMarkOrHash) {
  EXPECT_EQ(RedactUri("postgresql://u:p?ss@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(RedactUri("postgresql://u:p#ss@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(PasswordOfUri("postgresql://u:p?ss@h/db"), "p?ss");
  EXPECT_EQ(PasswordOfUri("postgresql://u:p#ss@h:5432"), "p#ss");
}

TEST(UriTest, NotAUriErrorDoesNotEchoTheText) {
  auto r = EngineForUri("u:secret@host/db", "--source");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("secret"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace cutover
