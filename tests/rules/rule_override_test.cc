// Redefining lists and macros across files (docs/rules.md, "Overriding lists and macros"):
// a later file replaces an earlier definition, `append: true` extends it, the same file twice
// is E204, append with nothing to extend is E217. This is how a site's /etc/vigil/rules.d
// file adapts a shipped pack's site lists.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rules_test_util.h"
#include "support/test_support.h"

namespace vigil::rules::testing {
namespace {

using ::testing::ElementsAre;
using vigil::testing::TempDir;

const char* kPack = R"(
- list: admin_users
  items: [root, admin]
- macro: remote_login
  condition: event.dataset = access.sshd and event.outcome = success
- rule: admin.login
  name: Admin logged in
  severity: high
  condition: remote_login and user.name in admin_users
)";

std::string Login(const std::string& user, const std::string& dataset = "access.sshd") {
  return R"({"event":{"dataset":")" + dataset + R"(","category":["authentication"],"outcome":"success"},)"
         R"("user":{"name":")" + user + R"("}})";
}

Loaded LoadFiles(const std::vector<std::string>& files) {
  Loaded l;
  auto r = LoadRules(files, {}, l.diags);
  if (r.ok()) l.set = std::move(*r);
  return l;
}

TEST(RuleOverride, LaterFileReplacesList) {
  TempDir dir;
  std::string pack = dir.Write("pack.yaml", kPack);
  std::string site = dir.Write("site.yaml", "- list: admin_users\n  items: [opsadmin]\n");
  Loaded l = LoadFiles({pack, site});
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Fire(Ev(Login("opsadmin"))), ElementsAre("admin.login"));
  EXPECT_TRUE(l.Fire(Ev(Login("root"))).empty());  // replaced, not extended
  EXPECT_TRUE(l.diags.items().empty()) << l.Text();
}

TEST(RuleOverride, AppendExtendsList) {
  TempDir dir;
  std::string pack = dir.Write("pack.yaml", kPack);
  std::string site = dir.Write("site.yaml", "- list: admin_users\n  append: true\n  items: [opsadmin]\n");
  Loaded l = LoadFiles({pack, site});
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Fire(Ev(Login("opsadmin"))), ElementsAre("admin.login"));
  EXPECT_THAT(l.Fire(Ev(Login("root"))), ElementsAre("admin.login"));
  EXPECT_TRUE(l.Fire(Ev(Login("alice"))).empty());
}

TEST(RuleOverride, LaterFileReplacesMacroAndAppendOrsIt) {
  TempDir dir;
  std::string pack = dir.Write("pack.yaml", kPack);
  std::string replace = dir.Write("a.yaml",
                                  "- macro: remote_login\n"
                                  "  condition: event.dataset = access.login and event.outcome = success\n");
  Loaded r = LoadFiles({pack, replace});
  ASSERT_TRUE(r.ok()) << r.Text();
  EXPECT_THAT(r.Fire(Ev(Login("root", "access.login"))), ElementsAre("admin.login"));
  EXPECT_TRUE(r.Fire(Ev(Login("root"))).empty());

  std::string append = dir.Write("b.yaml",
                                 "- macro: remote_login\n  append: true\n"
                                 "  condition: event.dataset = access.login and event.outcome = success\n");
  Loaded a = LoadFiles({pack, append});
  ASSERT_TRUE(a.ok()) << a.Text();
  EXPECT_THAT(a.Fire(Ev(Login("root", "access.login"))), ElementsAre("admin.login"));
  EXPECT_THAT(a.Fire(Ev(Login("root"))), ElementsAre("admin.login"));
  EXPECT_TRUE(a.Fire(Ev(Login("root", "access.su"))).empty());
}

TEST(RuleOverride, ReplacementThenAppendInLoadOrder) {
  TempDir dir;
  std::string pack = dir.Write("pack.yaml", kPack);
  std::string a = dir.Write("a.yaml", "- list: admin_users\n  items: [ops]\n");
  std::string b = dir.Write("b.yaml", "- list: admin_users\n  append: true\n  items: [dba]\n");
  Loaded l = LoadFiles({pack, a, b});
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Fire(Ev(Login("ops"))), ElementsAre("admin.login"));
  EXPECT_THAT(l.Fire(Ev(Login("dba"))), ElementsAre("admin.login"));
  EXPECT_TRUE(l.Fire(Ev(Login("root"))).empty());
}

TEST(RuleOverride, SameFileTwiceIsStillAnError) {
  Loaded l = Load(std::string(kPack) + "- list: admin_users\n  items: [x]\n- macro: remote_login\n"
                                       "  condition: user.name = x\n");
  EXPECT_FALSE(l.ok());
  EXPECT_THAT(l.Codes(), ElementsAre("10:3 E204", "12:3 E204"));
}

TEST(RuleOverride, AppendWithoutDefinitionIsE217) {
  Loaded l = Load("- list: nothing\n  append: true\n  items: [x]\n- macro: none\n  append: true\n"
                  "  condition: user.name = x\n");
  EXPECT_FALSE(l.ok());
  EXPECT_THAT(l.Codes(), ElementsAre("1:3 E217", "4:3 E217"));
}

TEST(RuleOverride, BadAppendValueAndBrokenAppendedCondition) {
  Loaded bad = Load("- list: l\n  items: [x]\n- list: l\n  append: yes\n  items: [y]\n");
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(bad.Has("E202")) << bad.Text();

  TempDir dir;
  std::string pack = dir.Write("pack.yaml", kPack);
  std::string site = dir.Write("site.yaml", "- macro: remote_login\n  append: true\n  condition: usr.name = x\n");
  Loaded l = LoadFiles({pack, site});
  EXPECT_FALSE(l.ok());
  ASSERT_FALSE(l.diags.items().empty());
  EXPECT_EQ(l.diags.items()[0].code, "E206");
  EXPECT_EQ(l.diags.items()[0].location.file, site);  // located in the file that appended
  EXPECT_EQ(l.diags.items()[0].location.line, 3);
}

}  // namespace
}  // namespace vigil::rules::testing
