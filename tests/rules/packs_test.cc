// The shipped rule packs (rules/packs/, docs/rules-packs.md) on the real binary: every pack
// loads and passes its inline tests, every rule has the metadata the packs promise, the
// committed catalog is what `vigil rules list --format markdown` prints, and `rules.packs`
// in the config finds packs (and reports a missing one at its name).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "support/test_support.h"

namespace vigil::testing {
namespace {

std::string PacksDir() { return SourceDir() + "/rules/packs"; }

// Every pack file: site-lists, security-baseline, then the others sorted (as `make rules-catalog`).
std::vector<std::string> PackFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(PacksDir())) {
    const std::string stem = e.path().stem().string();
    if (e.path().extension() == ".yaml" && stem != "site-lists" && stem != "security-baseline") {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  files.insert(files.begin(), {PacksDir() + "/site-lists.yaml", PacksDir() + "/security-baseline.yaml"});
  return files;
}

std::vector<std::string> WithPacks(std::vector<std::string> argv, const std::string& config) {
  argv.push_back("-c");
  argv.push_back(config);
  for (const std::string& f : PackFiles()) {
    argv.push_back("-r");
    argv.push_back(f);
  }
  return argv;
}

TEST(Packs, EveryPackLoadsWithoutWarningsAndPassesItsTests) {
  TempDir dir;
  std::string config = dir.Write("empty.yaml", "");
  auto r = RunCommand(WithPacks({VigilBinary(), "check", "--test"}, config));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");  // no warnings (unused lists or macros, never-applies, ...)
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"((\d+) rules, (\d+) tests passed, 0 failed)"))) << r.out;
  EXPECT_GE(std::stoi(m[1]), 45);
  EXPECT_GE(std::stoi(m[2]), 2 * std::stoi(m[1]));
}

TEST(Packs, EveryRuleHasTheMetadataThePacksPromise) {
  TempDir dir;
  auto r = RunCommand(WithPacks({VigilBinary(), "rules", "list", "--format", "json"}, dir.Write("c.yaml", "")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rules = nlohmann::json::parse(r.out);
  const std::set<std::string> frameworks = {"pci_dss_4", "sox",           "hipaa",       "gdpr",
                                            "sec_17a_4", "iso_27001_2022", "nist_800_53", "soc2"};
  const std::regex id_re(R"(vgl-[a-z0-9]+-\d{3})");  // docs/rules-packs.md, "Ids, tags and controls"
  const std::regex attack_re(R"(attack\.(t\d{4}(\.\d{3})?|[a-z_]+))");
  std::set<std::string> ids;
  size_t real_rules = 0;
  for (const auto& rule : rules) {
    const std::string id = rule["id"];
    SCOPED_TRACE(id);
    EXPECT_TRUE(std::regex_match(id, id_re));
    EXPECT_TRUE(ids.insert(id).second);
    EXPECT_GE(rule["tests"].get<int>(), 2);
    EXPECT_GE(rule["description"].get<std::string>().size(), 20u);
    const bool building_block = std::regex_match(id, std::regex(R"(vgl-[a-z0-9]+-9\d\d)"));
    if (building_block) {
      EXPECT_FALSE(rule["enabled"].get<bool>());
    }
    for (const auto& tag : rule["tags"]) {
      const std::string t = tag;
      if (t.starts_with("attack.")) {
        EXPECT_TRUE(std::regex_match(t, attack_re)) << t;
      }
    }
    if (building_block) continue;
    ++real_rules;
    EXPECT_FALSE(rule["controls"].empty());
    for (const auto& [framework, controls] : rule["controls"].items()) {
      EXPECT_TRUE(frameworks.count(framework)) << framework;
      EXPECT_FALSE(controls.empty());
    }
  }
  EXPECT_GE(real_rules, 45u);
}

TEST(Packs, CatalogMatchesRulesList) {
  TempDir dir;
  std::vector<std::string> argv = {VigilBinary(), "rules", "list", "-c", dir.Write("c.yaml", "")};
  for (const std::string& f : PackFiles()) {
    argv.push_back("-r");
    argv.push_back(f);
  }
  argv.push_back("--format");
  argv.push_back("markdown");
  auto r = RunCommand(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(SourceDir() + "/docs/rules-catalog.md"), r.out)
      << "docs/rules-catalog.md is out of date: run `make rules-catalog`";
}

TEST(Packs, TableListsEveryRuleWithPackAndEnabled) {
  TempDir dir;
  auto r = RunCommand(WithPacks({VigilBinary(), "rules", "list"}, dir.Write("c.yaml", "")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ID", 0), 0u) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(vgl-sb-001 +SSH brute force from one address +high +.*security-baseline +yes)")))
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(vgl-sb-031 .* no\n)"))) << r.out;
  // The config's enable/disable lists apply.
  auto d = RunCommand(WithPacks({VigilBinary(), "rules", "list"},
                                dir.Write("d.yaml", "rules: {disable: [vgl-sb-001], enable: [vgl-sb-031]}\n")));
  EXPECT_TRUE(std::regex_search(d.out, std::regex(R"(vgl-sb-001 .* no\n)"))) << d.out;
  EXPECT_TRUE(std::regex_search(d.out, std::regex(R"(vgl-sb-031 .* yes\n)"))) << d.out;
}

TEST(Packs, ConfigLoadsNamedPacksAfterSiteListsAndBeforeRulePaths) {
  TempDir dir;
  // A site file in rules.paths overrides site lists of the packs: admin_users replaced,
  // trusted_networks extended (the packs' inline tests still pass: docs/rules-packs.md).
  dir.Write("rules.d/site.yaml",
            "- list: admin_users\n  items: [root, opsadmin]\n"
            "- list: trusted_networks\n  append: true\n  items: [198.18.0.0/15]\n");
  std::string config = dir.Write("vigil.yaml", "rules:\n  packs: [security-baseline, pci-dss-4]\n  packs_dir: " +
                                                   PacksDir() + "\n  paths: [rules.d/*.yaml]\n");
  auto list = RunCommand({VigilBinary(), "rules", "list", "-c", config, "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto rules = nlohmann::json::parse(list.out);
  std::set<std::string> packs;
  for (const auto& rule : rules) packs.insert(rule["pack"].get<std::string>());
  EXPECT_EQ(packs, (std::set<std::string>{"security-baseline", "pci-dss-4"}));

  auto event = [](const std::string& ts, const std::string& rest) {
    return R"({"@timestamp":"2026-03-01T10:00:)" + ts + R"(Z",)" + rest + "}\n";
  };
  const std::string login = R"("event":{"dataset":"access.sshd","action":"ssh_login","outcome":"success"},)";
  const std::string passwd = R"("event":{"dataset":"access.account","action":"password_changed","outcome":"success"},)";
  std::string events = dir.Write(
      "e.jsonl", event("00", login + R"("user":{"name":"alice"},"source":{"ip":"198.18.0.9"})") +
                     event("01", login + R"("user":{"name":"bob"},"source":{"ip":"203.0.113.9"})") +
                     event("02", passwd + R"("user":{"name":"root","target":{"name":"opsadmin"}})") +
                     event("03", passwd + R"("user":{"name":"root","target":{"name":"admin"}})"));
  std::vector<std::string> argv = {VigilBinary(), "replay", "-c", "/dev/null", "--jsonl", events};
  for (const char* f : {"site-lists", "security-baseline"}) {
    argv.push_back("-r");
    argv.push_back(PacksDir() + "/" + f + ".yaml");
  }
  argv.push_back("-r");
  argv.push_back(dir.File("rules.d/site.yaml"));
  auto r = RunCommand(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("\"alice\""), std::string::npos) << r.out;  // 198.18/15 is trusted now
  EXPECT_NE(r.out.find("bob logged in over SSH from untrusted address 203.0.113.9"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("password of opsadmin changed by root"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("password of admin changed"), std::string::npos) << r.out;  // replaced, not extended

  // `vigil check -c` loads the same packs and passes their tests.
  auto check = RunCommand({VigilBinary(), "check", "-c", config, "--test"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST(Packs, MissingPackIsALocatedConfigError) {
  TempDir dir;
  std::string config = dir.Write("vigil.yaml", "rules:\n  packs:\n    - security-baseline\n    - pci-dss-3\n");
  auto r = RunCommand({VigilBinary(), "check", "-c", config});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(config + ":4:7: error[E103]: no rule pack 'pci-dss-3' in "), std::string::npos) << r.err;
  // The available packs are listed, sorted (site-lists is not a pack).
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(\(available: gdpr, hipaa, pci-dss-4, [a-z0-9, -]*security-baseline, sox)"))) << r.err;
  EXPECT_EQ(r.err.find("site-lists"), std::string::npos) << r.err;

  std::string bad = dir.Write("bad.yaml", "rules:\n  packs: [../etc/passwd, sox, sox]\n");
  auto b = RunCommand({VigilBinary(), "check", "-c", bad});
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_NE(b.err.find(bad + ":2:11: error[E103]: '../etc/passwd' is not a rule pack name"), std::string::npos) << b.err;
  EXPECT_NE(b.err.find(bad + ":2:31: error[E103]: rule pack 'sox' is named twice"), std::string::npos) << b.err;

  std::string nodir = dir.Write("nodir.yaml", "rules:\n  packs: [sox]\n  packs_dir: no-such-dir\n");
  auto n = RunCommand({VigilBinary(), "check", "-c", nodir});
  EXPECT_EQ(n.exit_code, 1);
  EXPECT_NE(n.err.find(nodir + ":2:10: error[E103]: the packs directory " + dir.path() + "/no-such-dir has no site-lists.yaml"),
            std::string::npos)
      << n.err;
}

TEST(Packs, BuiltInDefaultConfigEnablesTheBaselineFromTheSourceTree) {
  // The binary runs from its build directory, so the default packs directory is the source tree's.
  TempDir dir;
  auto r = RunCommand({VigilBinary(), "rules", "list", "-c", SourceDir() + "/etc/vigil.yaml", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rules = nlohmann::json::parse(r.out);
  ASSERT_FALSE(rules.empty());
  EXPECT_EQ(rules[0]["file"], PacksDir() + "/security-baseline.yaml");
}

}  // namespace
}  // namespace vigil::testing
