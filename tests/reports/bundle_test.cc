// Report bundles (reports/include/vigil/report/bundle.h): a bundle verifies, and any changed
// byte in any file, the manifest or the signature, an added or removed file, or another key,
// makes it fail.
#include "vigil/report/bundle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "audit/digest.h"
#include "support/test_support.h"

namespace vigil::report {
namespace {

using testing::ReadFile;
using testing::TempDir;

audit::NoteSigner Signer(const std::string& name) {
  auto s = audit::NoteSigner::Generate(name);
  EXPECT_TRUE(s.ok());
  return std::move(*s);
}

audit::NoteVerifier VerifierOf(const audit::NoteSigner& s) {
  auto v = audit::NoteVerifier::Parse(s.VerifierKey());
  EXPECT_TRUE(v.ok());
  return std::move(*v);
}

void FlipByte(const std::string& path, size_t at) {
  std::string content = ReadFile(path);
  ASSERT_LT(at, content.size()) << path;
  content[at] = static_cast<char>(content[at] ^ 0x01);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.File("bundle");
    ASSERT_TRUE(WriteBundle(dir_, {{"report.html", "<html>report</html>\n"}, {"report.json", "{\"a\":1}\n"}}, signer_).ok());
  }
  TempDir tmp_;
  std::string dir_;
  audit::NoteSigner signer_ = Signer("ledger-01/vigil/audit");
};

TEST_F(BundleTest, VerifiesWithTheKeyAndWithItsOwnCopy) {
  BundleCheck c = VerifyBundle(dir_, VerifierOf(signer_));
  EXPECT_TRUE(c.ok) << ::testing::PrintToString(c.problems);
  EXPECT_EQ(c.files, (std::vector<std::string>{"report.html", "report.json", "signer.pub"}));
  EXPECT_FALSE(c.key_from_bundle);
  c = VerifyBundle(dir_, std::nullopt);
  EXPECT_TRUE(c.ok);
  EXPECT_TRUE(c.key_from_bundle);
  EXPECT_EQ(c.key, "ledger-01/vigil/audit");
}

TEST_F(BundleTest, EveryFlippedByteInEveryFileFails) {
  for (const char* name : {"report.html", "report.json", "signer.pub", "SHA256SUMS", "SHA256SUMS.sig"}) {
    const std::string path = dir_ + "/" + name;
    const std::string original = ReadFile(path);
    for (size_t at : {size_t{0}, original.size() / 2, original.size() - 2}) {
      FlipByte(path, at);
      const BundleCheck c = VerifyBundle(dir_, VerifierOf(signer_));
      EXPECT_FALSE(c.ok) << name << " byte " << at;
      EXPECT_FALSE(c.problems.empty());
      std::ofstream(path, std::ios::binary | std::ios::trunc) << original;
    }
  }
  EXPECT_TRUE(VerifyBundle(dir_, VerifierOf(signer_)).ok);
}

TEST_F(BundleTest, AnotherKeyFails) {
  const auto other = Signer("ledger-01/vigil/audit");
  EXPECT_FALSE(VerifyBundle(dir_, VerifierOf(other)).ok);
}

TEST_F(BundleTest, AddedOrRemovedFilesFail) {
  std::ofstream(dir_ + "/extra.txt") << "x";
  BundleCheck c = VerifyBundle(dir_, VerifierOf(signer_));
  EXPECT_FALSE(c.ok);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].find("extra.txt: not in the manifest"), std::string::npos);
  std::filesystem::remove(dir_ + "/extra.txt");
  std::filesystem::remove(dir_ + "/report.json");
  c = VerifyBundle(dir_, VerifierOf(signer_));
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problems[0].find("report.json: listed in the manifest but missing"), std::string::npos);
}

TEST_F(BundleTest, ARewrittenManifestWithMatchingSumsStillFailsOnTheSignature) {
  std::ofstream(dir_ + "/report.json", std::ios::trunc) << "{\"a\":2}\n";
  // An attacker recomputes SHA256SUMS, but cannot sign it.
  std::string sums = ReadFile(dir_ + "/SHA256SUMS");
  auto pos = sums.find("  report.json");
  ASSERT_NE(pos, std::string::npos);
  const std::string hex = audit::Hex(audit::Sha256("{\"a\":2}\n"));
  sums.replace(pos - 64, 64, hex);
  std::ofstream(dir_ + "/SHA256SUMS", std::ios::trunc) << sums;
  const BundleCheck c = VerifyBundle(dir_, VerifierOf(signer_));
  EXPECT_FALSE(c.ok);
  bool names_signature = false;
  for (const auto& p : c.problems) names_signature |= p.find("does not sign this SHA256SUMS") != std::string::npos;
  EXPECT_TRUE(names_signature) << ::testing::PrintToString(c.problems);
}

TEST_F(BundleTest, RefusesANonEmptyDirectoryAndBadNames) {
  EXPECT_FALSE(WriteBundle(dir_, {{"a.txt", "x"}}, signer_).ok());
  EXPECT_FALSE(WriteBundle(tmp_.File("b2"), {{"../escape", "x"}}, signer_).ok());
  EXPECT_FALSE(WriteBundle(tmp_.File("b3"), {{"SHA256SUMS", "x"}}, signer_).ok());
  EXPECT_FALSE(VerifyBundle(tmp_.File("missing"), std::nullopt).ok);
}

}  // namespace
}  // namespace vigil::report
