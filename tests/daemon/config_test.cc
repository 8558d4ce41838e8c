// DaemonConfig loading: defaults, every key, located diagnostics, collector entries checked
// through their factory (a fake one, on a local registry), hostile files, the shipped file.
#include "config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vigil {
namespace {

class NullCollector : public Collector {
 public:
  Status Run(CollectorContext&) override { return Status::Ok(); }
};

// `fake`: requires `path`, takes `size` 1..10; remembers the env of its last Create().
class FakeFactory : public CollectorFactory {
 public:
  std::string_view name() const override { return "fake"; }
  std::string_view description() const override { return "test collector"; }
  Status DeclareFields(FieldRegistry&) const override { return Status::Ok(); }
  Result<std::unique_ptr<Collector>> Create(ConfigSection& s,
                                            const CollectorEnv& env) const override {
    size_t before = s.diagnostics().error_count();
    (void)s.RequiredString("path");
    (void)s.Int("size", 1, 1, 10);
    s.Finish();
    last_env = env;
    if (s.diagnostics().error_count() > before) return Status::InvalidArgument("bad fake");
    return std::unique_ptr<Collector>(std::make_unique<NullCollector>());
  }
  static inline CollectorEnv last_env;
};

// `mute` fails without saying why; `boom` throws. Neither may crash loading.
class MuteFactory : public FakeFactory {
 public:
  std::string_view name() const override { return "mute"; }
  Result<std::unique_ptr<Collector>> Create(ConfigSection&, const CollectorEnv&) const override {
    return Status::Unimplemented("mute says no");
  }
};
class BoomFactory : public FakeFactory {
 public:
  std::string_view name() const override { return "boom"; }
  Result<std::unique_ptr<Collector>> Create(ConfigSection&, const CollectorEnv&) const override {
    throw std::runtime_error("kaboom");
  }
};

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    registry_.Add(std::make_unique<FakeFactory>());
    registry_.Add(std::make_unique<MuteFactory>());
    registry_.Add(std::make_unique<BoomFactory>());
  }
  Result<DaemonConfig> Load(const std::string& yaml) {
    return LoadConfigString(yaml, "t.yaml", diags_, registry_);
  }
  // Every diagnostic as "LINE:COL CODE", in order.
  std::vector<std::string> Found() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags_.items()) {
      out.push_back(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) +
                    " " + d.code);
    }
    return out;
  }
  // Expects exactly one diagnostic, at `where` ("LINE:COL CODE"), its message containing `text`.
  void ExpectOne(const std::string& yaml, const std::string& where, const std::string& text = "") {
    diags_ = Diagnostics();
    auto r = Load(yaml);
    EXPECT_FALSE(r.ok()) << yaml;
    EXPECT_EQ(Found(), std::vector<std::string>{where}) << yaml << "\n" << diags_.FormatText();
    if (!diags_.empty()) {
      EXPECT_NE(diags_.items()[0].message.find(text), std::string::npos)
          << diags_.items()[0].message;
    }
  }
  CollectorRegistry registry_;
  Diagnostics diags_;
};

using V = std::vector<std::string>;

TEST_F(ConfigTest, EmptyCommentsOrNullFileGivesDefaults) {
  for (const char* text : {"", "# only a comment\n\n  # another\n", "---\n", "~\n"}) {
    diags_ = Diagnostics();
    auto r = Load(text);
    ASSERT_TRUE(r.ok()) << text << diags_.FormatText();
    EXPECT_TRUE(diags_.empty());
    const DaemonConfig& c = *r;
    EXPECT_EQ(c.host_name, DefaultConfig().host_name);
    EXPECT_FALSE(c.host_name.empty());
    EXPECT_EQ(c.state_dir, "/var/lib/vigil");
    EXPECT_EQ(c.user, "");
    EXPECT_EQ(c.log_level, LogLevel::kInfo);
    EXPECT_EQ(c.log_format, LogFormat::kText);
    EXPECT_EQ(c.queue_capacity, 65536u);
    EXPECT_EQ(c.queue_batch, 256u);
    EXPECT_TRUE(c.metrics_enabled);
    EXPECT_EQ(c.metrics_listen, "127.0.0.1:9747");
    EXPECT_EQ(c.rule_paths, V{"/etc/vigil/rules.d/*.yaml"});
    EXPECT_TRUE(c.rules_enable.empty() && c.rules_disable.empty());
    EXPECT_EQ(c.shutdown_timeout, std::chrono::seconds(10));
    EXPECT_TRUE(c.collectors.empty());
    EXPECT_EQ(c.source_file, "t.yaml");
  }
}

TEST_F(ConfigTest, EveryKey) {
  auto r = Load(R"(host_name: ledger-01
state_dir: /srv/vigil
user: vigil
log: {level: debug, format: json}
queue: {capacity: 1024, batch: 64}
metrics: {enabled: false, listen: "[::1]:9100"}
rules:
  paths: [/opt/rules/*.yaml, rules/extra.yaml]
  enable: [attack.t1110]
  disable: [ssh-root-login]
shutdown_timeout: 2m
health: {interval: 30s, clock_jump_threshold: 500ms}
collectors:
  - type: fake
    path: /tmp/a
  - type: fake
    name: second
    enabled: false
    path: /tmp/b
    size: 3
)");
  ASSERT_TRUE(r.ok()) << diags_.FormatText();
  EXPECT_TRUE(diags_.empty());
  const DaemonConfig& c = *r;
  EXPECT_EQ(c.host_name, "ledger-01");
  EXPECT_EQ(c.state_dir, "/srv/vigil");
  EXPECT_EQ(c.user, "vigil");
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.log_format, LogFormat::kJson);
  EXPECT_EQ(c.queue_capacity, 1024u);
  EXPECT_EQ(c.queue_batch, 64u);
  EXPECT_FALSE(c.metrics_enabled);
  EXPECT_EQ(c.metrics_listen, "[::1]:9100");
  EXPECT_EQ(c.rule_paths, (V{"/opt/rules/*.yaml", "rules/extra.yaml"}));
  EXPECT_EQ(c.rules_enable, V{"attack.t1110"});
  EXPECT_EQ(c.rules_disable, V{"ssh-root-login"});
  EXPECT_EQ(c.shutdown_timeout, std::chrono::seconds(120));
  EXPECT_EQ(c.health_interval, std::chrono::seconds(30));
  EXPECT_EQ(c.health_clock_jump, std::chrono::milliseconds(500));
  ASSERT_EQ(c.collectors.size(), 2u);
  EXPECT_EQ(c.collectors[0].type, "fake");
  EXPECT_EQ(c.collectors[0].name, "fake");  // defaults to the type
  EXPECT_TRUE(c.collectors[0].enabled);
  EXPECT_EQ(c.collectors[0].file, "t.yaml");
  EXPECT_EQ(c.collectors[1].name, "second");
  EXPECT_FALSE(c.collectors[1].enabled);
  EXPECT_EQ(c.collectors[1].node["size"].as<int>(), 3);
  EXPECT_EQ(FakeFactory::last_env.instance, "second");  // validated through the factory
  EXPECT_EQ(FakeFactory::last_env.state_dir, "/srv/vigil");
}

TEST_F(ConfigTest, UnknownKeysAreLocated) {
  ExpectOne("state_dir: /x\nbogus: 1\n", "2:1 E101", "unknown key 'bogus'");
  ExpectOne("log:\n  level: info\n  colour: red\n", "3:3 E101", "'colour'");
  ExpectOne("queue: {capacity: 10, depth: 3}\n", "1:23 E101", "'depth'");
  ExpectOne("metrics:\n  port: 1\n", "2:3 E101");
  ExpectOne("rules:\n  path: [x]\n", "2:3 E101");
  ExpectOne("collectors:\n  - type: fake\n    path: /x\n    extra: 1\n", "4:5 E101", "'extra'");
}

TEST_F(ConfigTest, WrongTypes) {
  ExpectOne("queue:\n  capacity: lots\n", "2:13 E102", "integer");
  ExpectOne("log: debug\n", "1:6 E102", "map");
  ExpectOne("metrics:\n  enabled: maybe\n", "2:12 E102");
  ExpectOne("rules:\n  paths: {a: 1}\n", "2:10 E102");
  ExpectOne("state_dir: [a]\n", "1:12 E102");
  ExpectOne("collectors: {type: fake}\n", "1:13 E102", "list");
  ExpectOne("collectors:\n  - fake\n", "2:5 E102", "maps");
  ExpectOne("collectors:\n  - type: fake\n    path: /x\n    enabled: 2\n", "4:14 E102");
  ExpectOne("- a\n- b\n", "1:1 E102", "map");
  ExpectOne("just text\n", "1:1 E102");
}

TEST_F(ConfigTest, BadValues) {
  ExpectOne("state_dir: var/lib/vigil\n", "1:12 E103", "absolute");
  ExpectOne("queue: {capacity: 0}\n", "1:19 E103", "out of range");
  ExpectOne("queue: {capacity: 16777217}\n", "1:19 E103");
  ExpectOne("queue: {batch: 65537}\n", "1:16 E103");
  ExpectOne("queue: {capacity: 100, batch: 200}\n", "1:31 E103", "larger than the capacity");
  ExpectOne("log: {level: loud}\n", "1:14 E103", "debug, info, notice, warning, error");
  ExpectOne("log: {format: xml}\n", "1:15 E103", "text, json");
  ExpectOne("shutdown_timeout: soon\n", "1:19 E103", "duration");
  ExpectOne("shutdown_timeout: 0s\n", "1:19 E103");
  ExpectOne("shutdown_timeout: 2h\n", "1:19 E103");
  ExpectOne("user: 'bad user'\n", "1:7 E103");
  ExpectOne("host_name: ''\n", "1:12 E103");
  ExpectOne("rules: {paths: ['']}\n", "1:16 E103", "empty");
  ExpectOne("rules: {enable: [x], disable: [x]}\n", "1:31 E103", "both enabled and disabled");
  ExpectOne("metrics: {listen: 9747}\n", "1:19 E103", "HOST:PORT");
  ExpectOne("health: {interval: 500ms}\n", "1:20 E103", "between 1s and 1h");
  ExpectOne("health: {interval: 2h}\n", "1:20 E103", "between 1s and 1h");
  ExpectOne("health: {clock_jump_threshold: 10ms}\n", "1:32 E103", "between 100ms and 24h");
  ExpectOne("health: {clock_jump_threshold: soon}\n", "1:32 E103", "duration");
  ExpectOne("health: {enabled: false}\n", "1:10 E101", "enabled");
}

TEST_F(ConfigTest, ReportsSection) {
  auto c = Load(
      "state_dir: /srv/vigil\n"
      "reports:\n"
      "  schedules:\n"
      "    - {framework: pci_dss_4, cadence: monthly, formats: [html, oscal]}\n"
      "    - {cadence: daily}\n"
      "  not_applicable:\n"
      "    - {framework: soc2, control: CC1.1, reason: entity level}\n"
      "  status_window: 7d\n");
  ASSERT_TRUE(c.ok()) << diags_.FormatText();
  EXPECT_EQ(ReportsDirOf(*c), "/srv/vigil/reports");
  ASSERT_EQ(c->report_schedules.size(), 2u);
  EXPECT_EQ(c->report_schedules[0].name, "pci_dss_4-monthly");
  EXPECT_EQ(c->report_schedules[0].formats, (V{"html", "oscal"}));
  EXPECT_EQ(c->report_schedules[1].name, "all-daily");
  EXPECT_EQ(c->report_schedules[1].formats, (V{"html", "json"}));
  ASSERT_EQ(c->report_not_applicable.size(), 1u);
  EXPECT_EQ(c->report_not_applicable[0].reason, "entity level");
  EXPECT_EQ(c->report_status_window, std::chrono::hours(24 * 7));

  ExpectOne("reports: {schedules: [{formats: [pdf]}]}\n", "1:33 E103", "unknown report format 'pdf'");
  ExpectOne("reports: {schedules: [{cadence: hourly}]}\n", "1:33 E103", "daily, weekly, monthly, quarterly");
  ExpectOne("reports: {schedules: [{cadence: daily}, {cadence: daily}]}\n", "1:41 E103", "named twice");
  ExpectOne("reports: {not_applicable: [{framework: sox, control: '404'}]}\n", "1:28 E104", "reason");
  ExpectOne("reports: {dir: reports}\n", "1:16 E103", "absolute");
  ExpectOne("reports: {status_window: 5m}\n", "1:26 E103", "between 1h and 366d");
}

TEST_F(ConfigTest, NullValuesDefaultsAndRounding) {
  auto r = Load("queue: {capacity: 100}\nshutdown_timeout: 500ms\nlog:\nrules: {paths: }\n");
  ASSERT_TRUE(r.ok()) << diags_.FormatText();
  EXPECT_EQ(r->queue_batch, 100u);                          // the default batch shrinks to fit
  EXPECT_EQ(r->shutdown_timeout, std::chrono::seconds(1));  // rounded up
  EXPECT_EQ(r->rule_paths, V{"/etc/vigil/rules.d/*.yaml"});
  EXPECT_EQ(r->health_interval, std::chrono::seconds(10));
  EXPECT_EQ(r->health_clock_jump, std::chrono::seconds(2));
  auto none = Load("rules: {paths: []}\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->rule_paths.empty());
}

TEST_F(ConfigTest, SyntaxErrorIsE100AtItsMark) {
  ExpectOne("log:\n  level: a: b\n", "2:11 E100", "YAML syntax error");
  ExpectOne("a: *nope\n", "1:4 E100", "anchor");
  diags_ = Diagnostics();
  EXPECT_FALSE(Load("collectors: [1, 2\n").ok());
  ASSERT_EQ(diags_.items().size(), 1u);
  EXPECT_EQ(diags_.items()[0].code, "E100");
}

TEST_F(ConfigTest, DuplicateKeys) {
  ExpectOne("state_dir: /a\nstate_dir: /b\n", "2:1 E105", "duplicate key 'state_dir'");
  ExpectOne("log:\n  level: info\n  level: debug\n", "3:3 E105");
  ExpectOne("collectors:\n  - type: fake\n    path: /a\n    path: /b\n", "4:5 E105");
}

TEST_F(ConfigTest, Collectors) {
  ExpectOne("collectors:\n  - {type: fake, path: /a}\n  - {type: fake, path: /b}\n", "3:12 E103",
            "duplicate collector name 'fake' (first used at line 2)");
  ExpectOne(
      "collectors:\n  - {type: fake, name: x, path: /a}\n  - {type: fake, name: x, path: /b}\n",
      "3:24 E103", "duplicate collector name 'x'");
  ExpectOne("collectors:\n  - type: nosuch\n    anything: 1\n", "2:11 E103",
            "unknown collector type 'nosuch'; registered types: boom, fake, mute");
  ExpectOne("collectors:\n  - name: x\n", "2:5 E104", "'type'");
  ExpectOne("collectors:\n  - {type: fake, name: ../etc, path: /a}\n", "2:24 E103", "name");
  ExpectOne("collectors:\n  - type: fake\n", "2:5 E104", "'path'");
  ExpectOne("collectors:\n  - {type: fake, path: /a, size: 11}\n", "2:34 E103");
  ExpectOne("collectors:\n  - type: mute\n", "2:5 E103", "mute says no");
  ExpectOne("collectors:\n  - type: boom\n", "2:5 E103", "kaboom");
}

TEST_F(ConfigTest, CreateCollectorUsesTheFactory) {
  auto r = Load("state_dir: /srv/v\ncollectors:\n  - {type: fake, name: a, path: /x}\n");
  ASSERT_TRUE(r.ok()) << diags_.FormatText();
  Diagnostics d;
  auto c = CreateCollector(r->collectors[0], *r, RunMode::kReplay, d, registry_);
  ASSERT_TRUE(c.ok()) << d.FormatText();
  EXPECT_NE(c->get(), nullptr);
  EXPECT_TRUE(d.empty()) << d.FormatText();
  EXPECT_EQ(FakeFactory::last_env.mode, RunMode::kReplay);
  EXPECT_EQ(FakeFactory::last_env.instance, "a");
  EXPECT_EQ(FakeFactory::last_env.state_dir, "/srv/v");

  CollectorEntry unknown = r->collectors[0];
  unknown.type = "gone";
  auto u = CreateCollector(unknown, *r, RunMode::kLive, d, registry_);
  EXPECT_EQ(u.status().code(), StatusCode::kNotFound);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].code, "E103");
}

TEST_F(ConfigTest, ListenAddressForms) {
  for (const char* ok : {"127.0.0.1:9747", "0.0.0.0:1", "localhost:65535", "[::1]:9747", "[::]:80",
                         "[2001:db8::1]:443"}) {
    EXPECT_TRUE(ParseListenAddress(ok).has_value()) << ok;
  }
  for (const char* bad :
       {"", "9747", ":9747", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:-1", "127.0.0.1:+80", "::1:9747", "[::1]9747", "[::1]:", "[127.0.0.1]:80",
        "[::1:80", "example.com:80", "256.0.0.1:80", "[fe80::1%eth0]:80", "localhost:http"}) {
    EXPECT_FALSE(ParseListenAddress(bad).has_value()) << bad;
  }
  auto v6 = ParseListenAddress("[::1]:9100");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9100);
}

TEST_F(ConfigTest, HostileInputIsRefusedQuickly) {
  ExpectOne(std::string(kMaxConfigBytes + 1, '#'), "0:0 E103", "too large");
  std::string deep = "a:\n";
  for (int i = 1; i <= kMaxConfigDepth; ++i) deep += std::string(i, ' ') + "b:\n";
  const std::string at = std::to_string(kMaxConfigDepth + 1);  // the map one level too deep
  ExpectOne(deep, at + ":" + at + " E103", "nested too deeply");
  ExpectOne("a: " + std::string(100000, '['), "1:36 E103", "nested too deeply");
  ExpectOne("a: [" + std::string(200001, ',') + "]", "0:0 E103", "commas");
  std::string block;
  for (size_t i = 0; i <= kMaxConfigNodes; ++i) block += "- x\n";
  ExpectOne(block, std::to_string(kMaxConfigNodes) + ":3 E103", "too complex");
  ExpectOne("a: 1\n---\nb: 2\n", "2:1 E103", "one YAML document");
  // A billion laughs: aliases share nodes in yaml-cpp, but whatever walks the tree would
  // see 10^10 nodes; refused where the aliases expand past the node limit (at 'e': 10^5).
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + char(c - 1);
    bomb += "]\n";
  }
  ExpectOne(bomb, "5:36 E103", "once aliases are expanded");
}

TEST_F(ConfigTest, DiagnosticsAreInFileOrderAndCapped) {
  auto r = Load("zzz: 1\nqueue: {capacity: 0}\nlog: {level: loud}\naaa: 2\n");
  EXPECT_EQ(Found(), (V{"1:1 E101", "2:19 E103", "3:14 E103", "4:1 E101"}));
  EXPECT_NE(r.status().message().find("4 errors"), std::string::npos);
  EXPECT_NE(r.status().message().find("t.yaml:1:1: error[E101]"), std::string::npos);
  diags_ = Diagnostics();
  std::string many;
  for (int i = 0; i < 150; ++i) many += "k" + std::to_string(i) + ": 1\n";
  EXPECT_FALSE(Load(many).ok());
  ASSERT_EQ(diags_.items().size(), kMaxConfigDiagnostics + 1);
  EXPECT_EQ(diags_.items().back().message, "50 more problems not shown; fix the ones above first");
}

TEST_F(ConfigTest, EarlierErrorsOfTheCallerDoNotFailTheLoad) {
  diags_.Error({"rules.yaml", 1, 1}, "E201", "not mine");
  EXPECT_TRUE(Load("state_dir: /x\n").ok());
}

TEST_F(ConfigTest, FileErrorsAndRelativeRulePaths) {
  vigil::testing::TempDir dir;
  EXPECT_FALSE(LoadConfigFile(dir.File("missing.yaml"), diags_, registry_).ok());
  EXPECT_FALSE(LoadConfigFile(dir.path(), diags_, registry_).ok());
  EXPECT_EQ(Found(), (V{"0:0 E100", "0:0 E100"}));
  EXPECT_NE(diags_.items()[0].message.find("cannot read"), std::string::npos);

  diags_ = Diagnostics();
  std::string big = dir.Write("big.yaml", std::string(kMaxConfigBytes + 10, ' '));
  EXPECT_FALSE(LoadConfigFile(big, diags_, registry_).ok());
  EXPECT_EQ(Found(), V{"0:0 E103"});

  diags_ = Diagnostics();
  std::string path = dir.Write("v.yaml", "rules:\n  paths: [local/*.yaml, /abs/*.yaml]\n");
  auto r = LoadConfigFile(path, diags_, registry_);
  ASSERT_TRUE(r.ok()) << diags_.FormatText();
  EXPECT_EQ(r->source_file, path);
  EXPECT_EQ(r->rule_paths, (V{dir.path() + "/local/*.yaml", "/abs/*.yaml"}));
}

TEST_F(ConfigTest, TextFormatShowsSourceLineAndCaret) {
  vigil::testing::TempDir dir;
  std::string path = dir.Write("c.yaml", "log:\n  level: info\n  colour: red\n");
  EXPECT_FALSE(LoadConfigFile(path, diags_, registry_).ok());
  EXPECT_EQ(diags_.FormatText(),
            path + ":3:3: error[E101]: unknown key 'colour'\n    colour: red\n    ^\n");
}

TEST(ShippedConfigTest, LoadsWithoutDiagnostics) {
  Diagnostics diags;
  auto r = LoadConfigFile(std::string(VIGIL_SOURCE_DIR) + "/etc/vigil.yaml", diags);
  ASSERT_TRUE(r.ok()) << diags.FormatText();
  EXPECT_TRUE(diags.empty()) << diags.FormatText();
  EXPECT_EQ(r->state_dir, "/var/lib/vigil");
  EXPECT_EQ(r->metrics_listen, "127.0.0.1:9747");
  EXPECT_EQ(r->rule_paths, V{"/etc/vigil/rules.d/*.yaml"});
  ASSERT_EQ(r->collectors.size(), 2u);
  EXPECT_EQ(r->collectors[0].type, "jsonl");
  EXPECT_EQ(r->collectors[0].name, "ingest");
  EXPECT_EQ(r->collectors[1].type, "auth_log");
  EXPECT_EQ(r->collectors[1].name, "auth");
  for (const auto& entry : r->collectors) {
    Diagnostics d2;
    EXPECT_TRUE(CreateCollector(entry, *r, RunMode::kLive, d2).ok()) << d2.FormatText();
  }
}

}  // namespace
}  // namespace vigil
