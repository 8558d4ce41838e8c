// Tests for daemon/src/web_auth.{h,cc}: the web configuration file (Prometheus
// exporter-toolkit's `basic_auth_users`, bcrypt only) with located errors for every way it
// can be wrong, and BasicAuth's checks of Authorization headers, including that a password
// that verified once does not make another password pass.
#include "web_auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "audit/digest.h"
#include "support/bcrypt_hash.h"
#include "support/test_support.h"

namespace vigil {
namespace {

using vigil::testing::BcryptHash;
using vigil::testing::TempDir;

std::string Header(const std::string& user, const std::string& password) {
  return "Basic " + audit::Base64(user + ":" + password);
}

class WebConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const std::string path = dir_.File("web.yml");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
  }
  // The first error's "LINE:COL CODE", or "" when the file loads.
  std::string FirstError(const std::string& text) {
    Diagnostics d;
    auto r = LoadWebConfigFile(Write(text), d);
    if (d.items().empty()) return r.ok() ? "" : "failed without a diagnostic";
    EXPECT_FALSE(r.ok());
    const Diagnostic& e = d.items().front();
    return std::to_string(e.location.line) + ":" + std::to_string(e.location.column) + " " + e.code;
  }
  TempDir dir_;
};

TEST_F(WebConfigTest, ReadsBcryptUsers) {
  const std::string a = BcryptHash("s3cret");
  ASSERT_EQ(a.size(), 60u);
  Diagnostics d;
  auto r = LoadWebConfigFile(Write("basic_auth_users:\n  prometheus: " + a + "\n  'grafana': '" +
                                   BcryptHash("other") + "'\n"),
                             d);
  ASSERT_TRUE(r.ok()) << d.FormatText();
  ASSERT_EQ(r->users.size(), 2u);
  EXPECT_EQ(r->users.at("prometheus"), a);
}

TEST_F(WebConfigTest, EveryMistakeIsLocated) {
  const std::string h = BcryptHash("x");
  EXPECT_EQ(FirstError("basic_auth_users:\n  alice: plaintext\n"), "2:10 E103");
  EXPECT_EQ(FirstError("basic_auth_users:\n  alice: $6$abc$sha512cryptisnotaccepted\n"), "2:10 E103");
  EXPECT_EQ(FirstError("basic_auth_users:\n  alice: " + h.substr(0, 59) + "\n"), "2:10 E103");
  EXPECT_EQ(FirstError("basic_auth_users:\n  alice: [" + h + "]\n"), "2:10 E103");
  EXPECT_EQ(FirstError("basic_auth_users:\n  'a:b': " + h + "\n"), "2:3 E103");
  EXPECT_EQ(FirstError("basic_auth_users:\n  alice: " + h + "\ntls_server_config:\n  cert_file: x\n"),
            "4:3 E103");
  EXPECT_EQ(FirstError("basic_auth_users:\n  alice: " + h + "\nbasic_auth_user: {}\n"), "3:1 E101");
  EXPECT_EQ(FirstError("basic_auth_users: alice\n"), "1:19 E102");
  EXPECT_EQ(FirstError("basic_auth_users: {}\n"), "1:1 E104");
  EXPECT_EQ(FirstError(""), "1:1 E104");
  EXPECT_EQ(FirstError("basic_auth_users:\n  alice: [unclosed\n"), "3:1 E100");
}

TEST_F(WebConfigTest, UnreadableFilesAreErrorsNotHangs) {
  Diagnostics d;
  EXPECT_FALSE(LoadWebConfigFile(dir_.File("missing.yml"), d).ok());
  EXPECT_FALSE(LoadWebConfigFile(dir_.path(), d).ok());  // a directory
  const std::string fifo = dir_.File("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(LoadWebConfigFile(fifo, d).ok());  // no writer: must not block
  EXPECT_FALSE(LoadWebConfigFile(Write(std::string(70 * 1024, '#')), d).ok());
  ASSERT_EQ(d.items().size(), 4u);
  for (const auto& e : d.items()) EXPECT_EQ(e.code, "E100") << e.message;
  EXPECT_NE(d.items()[1].message.find("not a regular file"), std::string::npos);
  EXPECT_NE(d.items()[3].message.find("64 KiB"), std::string::npos);
}

TEST(BasicAuthTest, ChecksUserAndPassword) {
  BasicAuth auth(WebConfig{{{"prometheus", BcryptHash("s3cret")}, {"grafana", BcryptHash("pw2")}}});
  ASSERT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.Check(Header("prometheus", "s3cret")));
  EXPECT_TRUE(auth.Check(Header("grafana", "pw2")));
  EXPECT_TRUE(auth.Check("basic " + audit::Base64("prometheus:s3cret")));  // scheme is case-insensitive
  EXPECT_FALSE(auth.Check(Header("prometheus", "s3cret ")));
  EXPECT_FALSE(auth.Check(Header("prometheus", "pw2")));  // another user's password
  EXPECT_FALSE(auth.Check(Header("nobody", "s3cret")));
  EXPECT_FALSE(auth.Check(Header("", "")));
  EXPECT_FALSE(auth.Check("Bearer abc"));
  EXPECT_FALSE(auth.Check("Basic"));
  EXPECT_FALSE(auth.Check("Basic !!!!"));
  EXPECT_FALSE(auth.Check("Basic " + audit::Base64("no-colon")));
  EXPECT_FALSE(auth.Check(""));
  EXPECT_FALSE(auth.Check("Basic " + std::string(10000, 'A')));
  // After a success, the cached digest lets only the same password through.
  EXPECT_TRUE(auth.Check(Header("prometheus", "s3cret")));
  EXPECT_FALSE(auth.Check(Header("prometheus", "s3creT")));
  EXPECT_TRUE(auth.Check(Header("prometheus", "s3cret")));
}

TEST(BasicAuthTest, PasswordsWithColonsAndUtf8) {
  BasicAuth auth(WebConfig{{{"ops", BcryptHash("a:b:ü")}}});
  EXPECT_TRUE(auth.Check(Header("ops", "a:b:ü")));
  EXPECT_FALSE(auth.Check(Header("ops", "a:b")));
}

TEST(BasicAuthTest, NoUsersMeansNoAuthentication) {
  BasicAuth auth(WebConfig{});
  EXPECT_FALSE(auth.enabled());
  EXPECT_TRUE(auth.Check(""));
}

}  // namespace
}  // namespace vigil
