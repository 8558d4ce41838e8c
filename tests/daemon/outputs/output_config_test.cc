// The `outputs:` list of the daemon config: the default, every type's keys, and errors
// located at FILE:LINE:COL through the same factories `vigil run` uses.
#include <gtest/gtest.h>

#include <string>

#include "config.h"
#include "outputs/queued_output.h"
#include "support/test_support.h"

namespace vigil {
namespace {

struct Loaded {
  bool ok = false;
  DaemonConfig config;
  Diagnostics diags;
};

Loaded Load(const std::string& yaml) {
  Loaded l;
  auto r = LoadConfigString(yaml, "vigil.yaml", l.diags);
  l.ok = r.ok();
  if (r.ok()) l.config = std::move(*r);
  return l;
}

// The first error as "LINE:COL CODE message".
std::string FirstError(const Diagnostics& d) {
  for (const Diagnostic& x : d.items()) {
    if (x.severity == Severity::kError) {
      return std::to_string(x.location.line) + ":" + std::to_string(x.location.column) + " " +
             x.code + " " + x.message;
    }
  }
  return "(none)";
}

TEST(OutputConfigTest, AbsentMeansStdoutJson) {
  Loaded l = Load("state_dir: /tmp\n");
  ASSERT_TRUE(l.ok) << l.diags.FormatText();
  ASSERT_EQ(l.config.outputs.size(), 1u);
  EXPECT_EQ(l.config.outputs[0].type, "stdout");
  EXPECT_EQ(l.config.outputs[0].name, "stdout");
}

TEST(OutputConfigTest, EmptyValueMeansStdoutJson) {
  Loaded l = Load("outputs:\n");
  ASSERT_TRUE(l.ok) << l.diags.FormatText();
  ASSERT_EQ(l.config.outputs.size(), 1u);
  EXPECT_EQ(l.config.outputs[0].type, "stdout");
}

TEST(OutputConfigTest, NotAListIsAnError) {
  Loaded l = Load("outputs: stdout\n");
  EXPECT_FALSE(l.ok);
  EXPECT_EQ(FirstError(l.diags).substr(0, 9), "1:10 E102") << FirstError(l.diags);
}

// `- type:` without a value: a located load error, not a config that loads and then cannot
// build its output (found by the config fuzzer).
TEST(OutputConfigTest, ATypeWithoutValueIsALoadError) {
  Loaded l = Load("outputs:\n  - type: stdout\n  - type:\n");
  EXPECT_FALSE(l.ok);
  EXPECT_EQ(FirstError(l.diags).substr(0, 4), "3:5 ") << FirstError(l.diags);
  EXPECT_NE(FirstError(l.diags).find("E103"), std::string::npos) << FirstError(l.diags);
}

TEST(OutputConfigTest, EmptyListMeansNone) {
  Loaded l = Load("outputs: []\n");
  ASSERT_TRUE(l.ok) << l.diags.FormatText();
  EXPECT_TRUE(l.config.outputs.empty());
}

TEST(OutputConfigTest, EveryTypeWithItsKeys) {
  Loaded l = Load(R"(
outputs:
  - type: stdout
    format: text
    min_severity: medium
  - type: file
    name: alerts-file
    path: /var/log/vigil/alerts.json
    mode: "0600"
    fsync: true
    queue: 50
    retry: {attempts: 7, initial: 500ms, max: 30s}
    rate_limit: {alerts: 100, per: 1m}
  - type: syslog
    name: siem
    transport: tcp
    address: "[::1]:6514"
    facility: local3
    app_name: vigil-prod
    tags: [pci, auth]
  - type: webhook
    name: chat
    url: https://hooks.example.com/T000/B000
    timeout: 5s
    headers:
      Authorization: Bearer abc
      X-Team: soc
    enabled: false
)");
  ASSERT_TRUE(l.ok) << l.diags.FormatText();
  ASSERT_EQ(l.config.outputs.size(), 4u);
  EXPECT_EQ(l.config.outputs[1].name, "alerts-file");
  EXPECT_FALSE(l.config.outputs[3].enabled);
  Diagnostics d;
  auto out = CreateOutput(l.config.outputs[1], d);
  ASSERT_TRUE(out.ok()) << d.FormatText();
  const OutputOptions& o = (*out)->options();
  EXPECT_EQ(o.queue, 50u);
  EXPECT_EQ(o.retry.attempts, 7);
  EXPECT_EQ(o.retry.initial, std::chrono::milliseconds(500));
  EXPECT_EQ(o.retry.max, std::chrono::seconds(30));
  ASSERT_TRUE(o.rate_limit.has_value());
  EXPECT_EQ(o.rate_limit->alerts, 100u);
  EXPECT_EQ(o.rate_limit->per, std::chrono::minutes(1));
  auto siem = CreateOutput(l.config.outputs[2], d);
  ASSERT_TRUE(siem.ok());
  EXPECT_EQ((*siem)->options().tags, (std::vector<std::string>{"pci", "auth"}));
  EXPECT_EQ((*siem)->type(), "syslog");
}

TEST(OutputConfigTest, OutputSetSkipsDisabledEntries) {
  Loaded l = Load(R"(
outputs:
  - type: stdout
  - type: stdout
    name: quiet
    enabled: false
)");
  ASSERT_TRUE(l.ok) << l.diags.FormatText();
  Diagnostics d;
  auto set = OutputSet::Create(l.config.outputs, d);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->size(), 1u);
  EXPECT_EQ(set->at(0).name(), "stdout");
  set->Stop(std::chrono::seconds(1));
}

struct BadCase {
  const char* yaml;
  const char* want;  // prefix of FirstError: "LINE:COL CODE message..."
};

class OutputConfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(OutputConfigErrorTest, IsLocated) {
  Loaded l = Load(GetParam().yaml);
  EXPECT_FALSE(l.ok);
  const std::string first = FirstError(l.diags);
  EXPECT_EQ(first.substr(0, std::string(GetParam().want).size()), GetParam().want) << first;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OutputConfigErrorTest,
    ::testing::Values(
        BadCase{"outputs:\n  - type: pager\n", "2:11 E103 unknown output type 'pager'"},
        BadCase{"outputs:\n  - name: x\n", "2:5 E104"},
        BadCase{"outputs:\n  - type: stdout\n    min_severity: urgent\n", "3:19 E103"},
        BadCase{"outputs:\n  - type: stdout\n    colour: red\n", "3:5 E101"},
        BadCase{"outputs:\n  - type: stdout\n  - type: stdout\n",
                "3:11 E103 duplicate output name 'stdout'"},
        BadCase{"outputs:\n  - type: stdout\n    name: 'a b'\n", "3:11 E103"},
        BadCase{"outputs:\n  - type: stdout\n    queue: 0\n", "3:12 E103"},
        BadCase{"outputs:\n  - type: stdout\n    retry: {initial: 2s, max: 1s}\n", "3:31 E103 'max': must not be less"},
        BadCase{"outputs:\n  - type: stdout\n    rate_limit: {per: 1m}\n", "3:17 E104"},
        BadCase{"outputs:\n  - type: file\n", "2:5 E104"},
        BadCase{"outputs:\n  - type: file\n    path: alerts.json\n", "3:11 E103"},
        BadCase{"outputs:\n  - type: file\n    path: /a\n    mode: '0999'\n", "4:11 E103"},
        BadCase{"outputs:\n  - type: syslog\n    transport: udp\n", "2:5 E104"},
        BadCase{"outputs:\n  - type: syslog\n    transport: tcp\n    address: host\n",
                "4:14 E103"},
        BadCase{"outputs:\n  - type: syslog\n    facility: mail2\n", "3:15 E103"},
        BadCase{"outputs:\n  - type: webhook\n    url: ftp://x/y\n", "3:10 E103"},
        BadCase{"outputs:\n  - type: webhook\n    url: http://x/\n    headers:\n      'a b': c\n",
                "5:14 E103 'a b' is not a valid HTTP header name"},
        BadCase{"outputs:\n  - type: webhook\n    url: http://x/\n    method: GET\n",
                "4:13 E103"}));

TEST(OutputConfigTest, ShippedConfigHasStdoutJson) {
  Diagnostics d;
  auto r = LoadConfigFile(testing::SourceDir() + "/etc/vigil.yaml", d);
  ASSERT_TRUE(r.ok()) << d.FormatText();
  ASSERT_FALSE(r->outputs.empty());
  EXPECT_EQ(r->outputs[0].type, "stdout");
  EXPECT_EQ(YAML::Dump(r->outputs[0].node["format"]), "json");
}

TEST(OutputConfigTest, VigilCheckLocatesOutputErrors) {
  testing::TempDir dir;
  const std::string conf = dir.Write("vigil.yaml",
                                     "state_dir: /tmp\nrules: {paths: []}\ncollectors: []\n"
                                     "outputs:\n  - type: webhook\n    url: gopher://x/\n");
  auto r = testing::RunCommand({testing::VigilBinary(), "check", "-c", conf});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(conf + ":6:10: error[E103]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not an http:// or https:// URL"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vigil
