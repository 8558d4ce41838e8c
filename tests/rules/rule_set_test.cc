// Rule files: items, macros, lists, exceptions, inline tests, enable/disable,
// every load error code with its location, hostile YAML, and the alert JSON.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "rules_test_util.h"
#include "support/test_support.h"
#include "vigil/rules/rule_engine_consumer.h"

namespace vigil::rules::testing {
namespace {

using ::testing::ElementsAre;


TEST(RuleFile, MacrosListsAndExceptions) {
  Loaded l = Load(R"(
- list: admins
  items: [root, admin]
- list: trusted_nets
  items: [10.0.0.0/8, 192.168.0.0/16]
- list: more_trusted
  items: [trusted_nets, 172.16.0.0/12]
- macro: ssh_failure
  condition: event.dataset = access.sshd and event.outcome = failure
- rule: ssh.admin_failure
  name: Admin login failed
  severity: high
  condition: ssh_failure and user.name in admins and not source.ip in (more_trusted)
  output: "failed login for {user.name} from {source.ip} on {host.name}"
- exception: ssh.admin_failure.scanner
  rule: ssh.admin_failure
  condition: source.ip = 203.0.113.10
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Fire(Ev(kSshFail)), ElementsAre("ssh.admin_failure"));
  // Exception vetoes the rule.
  std::string scanner = kSshFail;
  scanner.replace(scanner.find("203.0.113.9"), 11, "203.0.113.10");
  EXPECT_TRUE(l.Fire(Ev(scanner)).empty());
  // Nested list expansion: 172.16/12 and 10/8 are trusted.
  std::string trusted = kSshFail;
  trusted.replace(trusted.find("203.0.113.9"), 11, "172.16.0.1");
  EXPECT_TRUE(l.Fire(Ev(trusted)).empty());
  // Output rendering with <NA> for a missing field.
  std::vector<Alert> alerts;
  l.set->Evaluate(Ev(kSshFail), alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].output(), "failed login for root from 203.0.113.9 on <NA>");
  EXPECT_EQ(alerts[0].rule->severity, AlertSeverity::kHigh);
}

TEST(RuleFile, EveryApplicableRuleFires) {
  Loaded l = Load(R"(
- rule: a
  name: A
  severity: low
  condition: user.name = root
- rule: b
  name: B
  severity: low
  condition: event.dataset = access.sshd and user.name exists
- rule: c
  name: C
  severity: low
  condition: event.dataset = network.dns
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Fire(Ev(kSshFail)), ElementsAre("a", "b"));
  EXPECT_THAT(l.Fire(Ev(kDns)), ElementsAre("c"));
}

TEST(RuleFile, InlineTests) {
  Loaded l = Load(R"(
- rule: root
  name: Root
  severity: high
  condition: user.name = root
  tests:
    - event: {user: {name: root}}
      match: true
    - event: {user.name: alice}
      match: false
    - event: {user: {name: alice}}
      match: true
- rule: corr
  name: Corr
  severity: low
  condition: user.name exists
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
  tests:
    - event: {user: {name: x}}
      match: false
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_TRUE(l.Codes().empty()) << l.Text();
  RuleTestReport r = l.set->RunTests();
  EXPECT_EQ(r.rules, 2u);
  EXPECT_EQ(r.passed, 3u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.skipped, 0u);
  ASSERT_EQ(r.failures.items().size(), 1u);
  EXPECT_EQ(r.failures.items()[0].location.line, 11);
  EXPECT_EQ(r.failures.items()[0].code, "E220");
  EXPECT_TRUE(l.set->rules()[1].has_correlation);
}

TEST(RuleFile, EnableDisableByIdAndTag) {
  const std::string yaml = R"(
- rule: a
  name: A
  severity: low
  tags: [attack.t1110]
  condition: user.name = root
- rule: b
  name: B
  severity: low
  enabled: false
  condition: user.name = root
- rule: c
  name: C
  severity: low
  tags: [noisy]
  condition: user.name = root
)";
  Loaded base = Load(yaml);
  ASSERT_TRUE(base.ok()) << base.Text();
  EXPECT_THAT(base.Fire(Ev(kSshFail)), ElementsAre("a", "c"));
  EXPECT_FALSE(base.set->rules()[1].enabled);
  Loaded on = Load(yaml, RuleOptions{{"b"}, {"noisy"}});
  ASSERT_TRUE(on.ok());
  EXPECT_THAT(on.Fire(Ev(kSshFail)), ElementsAre("a", "b"));
  Loaded off = Load(yaml, RuleOptions{{}, {"attack.t1110", "nothing"}});
  ASSERT_TRUE(off.ok());
  EXPECT_THAT(off.Fire(Ev(kSshFail)), ElementsAre("c"));
  EXPECT_TRUE(off.Has("W206"));
}

TEST(RuleFile, ErrorCodesWithLocations) {
  struct Case {
    const char* yaml;
    const char* want;  // first diagnostic
  } cases[] = {
      {"- rule: a\n  name: [x\n", "3:1 E200"},
      {"- rule: a\n  name: A\n  severity: low\n  condition: user.name = x\n  colour: red\n", "5:3 E201"},
      {"- rule: a\n  name: [A]\n  severity: low\n  condition: user.name = x\n", "2:9 E202"},
      {"- rule: a\n  severity: low\n  condition: user.name = x\n", "1:3 E203"},
      {"- rule: a\n  name: A\n  severity: low\n  condition: user.name = x\n- rule: a\n  name: A\n  severity: low\n"
       "  condition: user.name = y\n",
       "5:3 E204"},
      {"- rule: a\n  name: A\n  severity: low\n  condition: usr.name = x\n", "4:14 E206"},
      {"- rule: a\n  name: A\n  severity: low\n  condition: source.ip = x\n", "4:26 E207"},
      {"- rule: a\n  name: A\n  severity: low\n  condition: m1\n", "4:14 E208"},
      {"- rule: a\n  name: A\n  severity: low\n  condition: user.name regex '['\n", "4:30 E209"},
      {"- macro: m1\n  condition: m2\n- macro: m2\n  condition: m1 and user.name = x\n", "4:14 E210"},
      {"- rule: a\n  name: A\n  severity: low\n  condition: user.name = x\n  output: \"user {user.nme}\"\n",
       "5:18 E211"},
      {"- rule: a\n  name: A\n  severity: urgent\n  condition: user.name = x\n", "3:13 E212"},
      {"- rule: A!\n  name: A\n  severity: low\n  condition: user.name = x\n", "1:9 E213"},
      {"- rule: a\n  name: A\n  severity: low\n  condition: user.name = x\n  tests:\n"
       "    - {event: {source.ip: nope}, match: true}\n",
       "6:15 E215"},
      {"- exception: e\n  rule: nosuch\n  condition: user.name = x\n", "2:9 E216"},
      {"- list: l1\n  items: [l2]\n- list: l2\n  items: [l1]\n", "3:3 E210"},
      {"- {rule: a, macro: b}\n", "1:3 E201"},
      {"- {name: a}\n", "1:3 E203"},
      {"rule: a\n", "1:1 E202"},
  };
  for (const auto& c : cases) {
    Loaded l = Load(c.yaml);
    EXPECT_FALSE(l.ok()) << c.yaml;
    ASSERT_FALSE(l.Codes().empty()) << c.yaml;
    EXPECT_EQ(l.Codes()[0], c.want) << c.yaml << "\n" << l.Text();
  }
}

TEST(RuleFile, Warnings) {
  Loaded l = Load(R"(
- macro: unused_macro
  condition: user.name = x
- list: unused_list
  items: [a]
- macro: user.name
  condition: user.name = y
- rule: a
  name: A
  severity: low
  condition: user.name = root
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_TRUE(l.Has("W203"));
  EXPECT_TRUE(l.Has("W204"));
  EXPECT_TRUE(l.Has("W205"));
}

TEST(RuleFile, HostileYaml) {
  // Deep nesting.
  std::string deep(5000, '[');
  EXPECT_FALSE(Load(deep).ok());
  // Alias bomb inside a test event.
  std::string bomb = "- rule: a\n  name: A\n  severity: low\n  condition: user.name = x\n  tests:\n"
                     "    - match: true\n      event:\n        a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  const char* prev = "a";
  for (int i = 0; i < 8; ++i) {
    std::string name(1, static_cast<char>('b' + i));
    bomb += "        " + name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
    static std::string keep[8];
    keep[i] = name;
    prev = keep[i].c_str();
  }
  Loaded b = Load(bomb);
  EXPECT_FALSE(b.ok());
  EXPECT_TRUE(b.Has("E227")) << b.Text();  // refused while parsing, before the event is built
  // A macro expansion bomb: each level doubles.
  std::string mbomb = "- macro: m0\n  condition: user.name = x\n";
  for (int i = 1; i < 40; ++i) {
    mbomb += "- macro: m" + std::to_string(i) + "\n  condition: m" + std::to_string(i - 1) + " or m" +
             std::to_string(i - 1) + "\n";
  }
  mbomb += "- rule: a\n  name: A\n  severity: low\n  condition: m39\n";
  Loaded m = Load(mbomb);
  EXPECT_FALSE(m.ok());
  EXPECT_TRUE(m.Has("E214")) << m.Text().substr(0, 2000);
  // A huge list.
  std::string big = "- list: big\n  items: [";
  for (int i = 0; i < 150000; ++i) big += "x,";
  big += "y]\n";
  Loaded h = Load(big);
  EXPECT_FALSE(h.ok());
  EXPECT_TRUE(h.Has("E214"));
  // Garbage.
  EXPECT_FALSE(Load("\x01\x02\xff: [").ok());
  EXPECT_FALSE(Load("- rule:\n  - a\n").ok());
}

TEST(RuleFile, SeveralDocumentsKeepTheirLineNumbers) {
  Loaded l = Load("- rule: a\n  name: A\n  severity: low\n  condition: user.name = x\n---\n"
                  "- rule: b\n  name: B\n  severity: low\n  condition: usr.name = x\n...\n");
  EXPECT_THAT(l.Codes(), ElementsAre("9:14 E206"));
  // Malformed input on which yaml-cpp's LoadAll never returns.
  Loaded h = Load("- list: a\n,  items: [root]\n- rule: x\n    - event: {event: %{dataset: a}\x90 user: {}}\n");
  EXPECT_FALSE(h.ok());
}

TEST(Alert, JsonShape) {
  Loaded l = Load(R"(
- rule: ssh.root
  name: Root over SSH
  desc: Root logged in.
  severity: critical
  tags: [attack.t1078]
  controls: {pci_dss_4: ["10.2.1.4"], iso27001: [A.8.15]}
  condition: user.name = root
  output: "root from {source.ip}"
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  std::vector<Alert> alerts;
  l.set->Evaluate(Ev(kSshFail), alerts);
  ASSERT_EQ(alerts.size(), 1u);
  std::string text = AlertToJson(alerts[0]);
  EXPECT_EQ(text.rfind("{\"@timestamp\":\"2026-03-01T10:00:00Z\"", 0), 0u) << text;
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["event"]["kind"], "alert");
  EXPECT_EQ(j["event"]["dataset"], "access.sshd");
  EXPECT_EQ(j["rule"]["id"], "ssh.root");
  EXPECT_EQ(j["rule"]["name"], "Root over SSH");
  EXPECT_EQ(j["vigil"]["severity"], "critical");
  EXPECT_EQ(j["vigil"]["controls"]["pci_dss_4"][0], "10.2.1.4");
  EXPECT_EQ(j["vigil"]["output"], "root from 203.0.113.9");
  EXPECT_EQ(j["source"]["ip"], "203.0.113.9");
}

// A rule without `output:` leaves its alerts' text unrendered: output() and the JSON give the
// rule's name. An empty template is an output of its own: it stays empty, not the name.
TEST(Alert, WithoutOutputItsTextIsTheRulesName) {
  Loaded l = Load(R"(
- rule: a
  name: Root seen
  severity: low
  condition: user.name = root
- rule: b
  name: B
  severity: low
  condition: user.name = root
  output: ""
- rule: c
  name: C
  severity: low
  condition: user.name = root
  output: "c {user.name}"
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  std::vector<Alert> alerts;
  l.set->Evaluate(Ev(kSshFail), alerts);
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_TRUE(alerts[0].rendered_output.empty());
  EXPECT_EQ(alerts[0].output(), "Root seen");
  EXPECT_EQ(nlohmann::json::parse(AlertToJson(alerts[0]))["vigil"]["output"], "Root seen");
  EXPECT_EQ(alerts[1].output(), "");
  EXPECT_EQ(nlohmann::json::parse(AlertToJson(alerts[1]))["vigil"]["output"], "");
  EXPECT_EQ(alerts[2].output(), "c root");
  EXPECT_EQ(nlohmann::json::parse(AlertToJson(alerts[2]))["vigil"]["output"], "c root");
}

TEST(RuleEngineConsumer, HandsAlertsToTheCallback) {
  Diagnostics d;
  auto set = LoadRulesFromString(OneRule("user.name = root"), "r.yaml", {}, d);
  ASSERT_TRUE(set.ok());
  std::vector<std::string> got;
  RuleEngineConsumer c(std::move(*set), [&](const Alert& a) { got.push_back(a.rule->id); });
  Event e = Ev(kSshFail);
  c.Consume(e);
  Event other = Ev(kDns);
  c.Consume(other);
  EXPECT_THAT(got, ElementsAre("r"));
  EXPECT_EQ(c.alerts(), 1u);
  EXPECT_EQ(c.events(), 2u);
}


// A rule's condition time is measured on each kTimeSampleEvery-th of its own evaluations,
// whatever the other rules and events do: nothing before, and then in multiples of it.
TEST(RuleStateStats, EvaluationTimeIsSampledPerRule) {
  Loaded l = Load(OneRule("event.dataset = access.sshd and user.name = root") + R"(
- rule: dns
  name: DNS
  severity: low
  condition: event.dataset = network.dns
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  const Event ssh = Ev(kSshFail);
  const Event dns = Ev(kDns);
  auto stats_of = [&l](const std::string& id) {
    for (const RuleStateStats& st : l.set->state_stats()) {
      if (st.rule_id == id) return st;
    }
    ADD_FAILURE() << "no rule " << id;
    return RuleStateStats{};
  };
  for (uint64_t n = 1; n < kTimeSampleEvery; ++n) {
    l.Fire(ssh);
    l.Fire(dns);
    l.Fire(dns);  // the other rule's evaluations do not move this rule's schedule
  }
  EXPECT_EQ(stats_of("r").evaluations, kTimeSampleEvery - 1);
  EXPECT_EQ(stats_of("r").evaluation_ns, 0u);
  EXPECT_EQ(stats_of("dns").evaluations, 2 * (kTimeSampleEvery - 1));
  const uint64_t dns_ns = stats_of("dns").evaluation_ns;
  EXPECT_EQ(dns_ns % kTimeSampleEvery, 0u);
  l.Fire(ssh);  // the rule's kTimeSampleEvery-th evaluation: timed, scaled up
  EXPECT_EQ(stats_of("r").evaluations, kTimeSampleEvery);
  EXPECT_EQ(stats_of("r").evaluation_ns % kTimeSampleEvery, 0u);
  EXPECT_EQ(stats_of("dns").evaluation_ns, dns_ns);  // not a candidate: untouched
}
// The alerts of one event share one copy of it, and the alerts of one rule its metadata;
// both outlive the rule set (a reload) and the event the caller evaluated.
TEST(AlertSharing, OneEventCopyAndOneRuleMetaShared) {
  Loaded l = Load(R"(
- rule: a
  name: A
  desc: first
  severity: low
  tags: [t1]
  condition: user.name = root
  output: "a {user.name}"
- rule: b
  name: B
  severity: high
  controls: {pci_dss_4: ["10.2.1.4"]}
  condition: event.dataset = access.sshd
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  std::vector<Alert> alerts;
  {
    const Event e = Ev(kSshFail);
    l.set->Evaluate(e, alerts);
    l.set->Evaluate(e, alerts);
  }  // the caller's event is gone; the alerts hold their own copy
  ASSERT_EQ(alerts.size(), 4u);
  EXPECT_EQ(alerts[0].event, alerts[1].event);  // one copy per event, shared by its alerts
  EXPECT_NE(alerts[0].event, alerts[2].event);
  EXPECT_EQ(alerts[0].rule, alerts[2].rule);  // one RuleMeta per rule
  EXPECT_NE(alerts[0].rule, alerts[1].rule);
  const std::string before = AlertToJson(alerts[0]) + AlertToJson(alerts[1]);
  l.set.reset();  // a reload destroys the old set: its alerts keep their rule's metadata
  EXPECT_EQ(AlertToJson(alerts[0]) + AlertToJson(alerts[1]), before);
  auto j = nlohmann::json::parse(AlertToJson(alerts[0]));
  EXPECT_EQ(j["rule"]["description"], "first");
  EXPECT_EQ(j["vigil"]["tags"][0], "t1");
  EXPECT_EQ(j["vigil"]["output"], "a root");
  EXPECT_EQ(j["user"]["name"], "root");
  EXPECT_EQ(nlohmann::json::parse(AlertToJson(alerts[1]))["vigil"]["controls"]["pci_dss_4"][0], "10.2.1.4");
}

// Evaluate(Event&&) moves an event that fires into its alerts (no copy) and leaves one that
// does not fire as it was; the alerts are the same as Evaluate(const Event&) gives.
TEST(AlertSharing, AnOwnedEventMovesIntoItsAlerts) {
  Loaded l = Load(OneRule("user.name = root"));
  ASSERT_TRUE(l.ok()) << l.Text();
  std::vector<Alert> copied, moved;
  const Event fires = Ev(kSshFail);
  l.set->Evaluate(fires, copied);
  Event given = fires;
  l.set->Evaluate(std::move(given), moved);
  ASSERT_EQ(copied.size(), 1u);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(AlertToJson(moved[0]), AlertToJson(copied[0]));
  EXPECT_EQ(moved[0].event->size(), fires.size());
  EXPECT_EQ(given.size(), 0u);  // NOLINT(bugprone-use-after-move): moved into the alert
  Event quiet = Ev(kDns);
  const size_t fields = quiet.size();
  l.set->Evaluate(std::move(quiet), moved);
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ(quiet.size(), fields);  // NOLINT(bugprone-use-after-move): no rule fired, untouched
}

// The first plain alert holds the event's only reference; alerts raised after it (plain,
// suppressed, correlation) share it through that alert, even when `out` grows meanwhile.
TEST(AlertSharing, LaterAlertsShareTheFirstAlertsCopy) {
  Loaded l = Load(R"(
- rule: a
  name: A
  severity: low
  condition: user.name = root
- rule: b
  name: B
  severity: low
  condition: user.name = root
  suppress: {window: 10m}
- rule: c
  name: C
  severity: low
  condition: user.name = root
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 1}}
- rule: d
  name: D
  severity: low
  condition: event.dataset = access.sshd
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  std::vector<Alert> alerts(1);
  alerts.shrink_to_fit();  // full: every alert below makes the vector move its elements
  {
    const Event e = Ev(kSshFail);
    l.set->Evaluate(e, alerts);
  }  // the caller's event is gone
  ASSERT_EQ(alerts.size(), 5u);
  for (size_t i = 1; i < alerts.size(); ++i) {
    ASSERT_NE(alerts[i].event, nullptr);
    EXPECT_EQ(alerts[i].event, alerts[1].event) << i;
  }
  EXPECT_EQ(alerts[1].event.use_count(), 4);  // the four alerts, nothing else
  EXPECT_EQ(*alerts[4].event->GetString(ecs::kUserName), "root");
}

// A plain alert borrows its rule's metadata (no count of its own): its event, the engine's
// copy, keeps the rule set's metadata alive. Alerts (and copies of them) taken before two
// reloads outlive both old rule sets and the engine, and still say what their rule said;
// alerts the engine builds otherwise (suppressed, correlation) hold their metadata.
TEST(AlertSharing, APlainAlertOutlivesReloadsAndItsRuleSet) {
  const std::string v1 = R"(
- rule: a
  name: Root activity seen on this host, first definition
  desc: first
  severity: low
  condition: user.name = root
- rule: b
  name: B
  severity: low
  condition: user.name = root
  suppress: {window: 10m}
- rule: c
  name: C
  severity: low
  condition: user.name = root
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 1}}
)";
  std::string v2 = v1;
  v2.replace(v2.find("first definition"), 16, "second definition");
  v2.replace(v2.find("desc: first"), 11, "desc: second");
  std::vector<Alert> kept;
  std::vector<std::string> json;
  {
    Diagnostics d;
    auto first = LoadRulesFromString(v1, "v1.yaml", {}, d);
    ASSERT_TRUE(first.ok()) << d.FormatText();
    RuleEngineConsumer c(std::move(*first), [&](const Alert& a) {
      kept.push_back(a);
      json.push_back(AlertToJson(a));
    });
    for (const std::string& text : std::vector<std::string>{v2, v1}) {
      Event e = Ev(kSshFail);
      c.Consume(e);
      auto next = LoadRulesFromString(text, "next.yaml", {}, d);
      ASSERT_TRUE(next.ok()) << d.FormatText();
      c.Replace(std::move(next.value()));
    }
    Event e = Ev(kSshFail);
    c.Consume(e);
  }  // the engine and every rule set are gone
  ASSERT_EQ(kept.size(), 7u);  // per event a and c; b opens its window, its repeats are suppressed
  std::vector<std::string> names;
  for (size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(AlertToJson(kept[i]), json[i]) << i;
    names.push_back(kept[i].rule->id + ":" + kept[i].rule->name + ":" + (kept[i].rule.borrowed() ? "borrowed" : "held"));
  }
  EXPECT_THAT(names, ElementsAre("a:Root activity seen on this host, first definition:borrowed", "b:B:held", "c:C:held",
                                 "a:Root activity seen on this host, second definition:borrowed", "c:C:held",
                                 "a:Root activity seen on this host, first definition:borrowed", "c:C:held"));
  EXPECT_EQ(nlohmann::json::parse(json[3])["rule"]["description"], "second");
  // A copy outlives the alert it was copied from.
  Alert copy = kept[3];
  kept.clear();
  EXPECT_EQ(AlertToJson(copy), json[3]);
}

TEST(RuleFile, LoadsFromDiskAndReportsMissingFiles) {
  vigil::testing::TempDir dir;
  std::string path = dir.Write("r.yaml", OneRule("user.name = root"));
  Diagnostics d;
  auto ok = LoadRules({path}, {}, d);
  EXPECT_TRUE(ok.ok()) << d.FormatText();
  Diagnostics d2;
  auto missing = LoadRules({dir.File("nope.yaml")}, {}, d2);
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(d2.items().at(0).code, "E200");
}

TEST(RuleFile, YamlShapeLimitsAreLocated) {
  // For each unclosed '[' yaml-cpp reports a map (a possible key) and a sequence: two levels.
  EXPECT_THAT(Load(std::string(10000, '[')).Codes(), ElementsAre("1:33 E227"));
  std::string deep = "- rule: a\n  name: A\n  severity: low\n  condition: user.name = x\n  tests:\n";
  for (int i = 0; i < 70; ++i) deep += std::string(4 + 2 * i, ' ') + "- k:\n";
  Loaded d = Load(deep);
  ASSERT_EQ(d.diags.items().size(), 1u) << d.Text();
  EXPECT_EQ(d.diags.items()[0].code, "E227");
  EXPECT_NE(d.diags.items()[0].message.find("nested too deeply"), std::string::npos);
  // List items through aliases: 10 items, then 10 aliases of each list, seven times over.
  std::string lists = "- list: l0\n  items: &l0 [a, b, c, d, e, f, g, h, i, j]\n";
  for (int i = 1; i < 8; ++i) {
    lists += "- list: l" + std::to_string(i) + "\n  items: &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) lists += (k ? ", *l" : "*l") + std::to_string(i - 1);
    lists += "]\n";
  }
  Loaded a = Load(lists);
  ASSERT_FALSE(a.ok());
  ASSERT_EQ(a.diags.items().size(), 1u) << a.Text();
  EXPECT_EQ(a.diags.items()[0].code, "E227");
  EXPECT_NE(a.diags.items()[0].message.find("once aliases are expanded"), std::string::npos);
  // Small aliases are fine.
  Loaded ok = Load("- list: users\n  items: &u [root, admin]\n- list: again\n  items: *u\n" + OneRule("user.name in (users)"));
  EXPECT_TRUE(ok.ok()) << ok.Text();
}

TEST(RuleFile, ManyDocumentsLoadInLinearTime) {
  // Each document was once parsed after as many padding lines as came before it: 20,000
  // documents took minutes. Now each is parsed once; no timing assertion, only that it
  // completes (ctest's timeout) with the right result and line numbers.
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "---\n- list: l" + std::to_string(i) + "\n  items: [a]\n";
  text += "---\n" + OneRule("user.nam = x");  // its condition is on line 60000 + 5
  auto errors = [](const Loaded& l) {
    std::vector<std::string> out;
    for (const std::string& c : l.Codes()) {
      if (c.find(" E") != std::string::npos) out.push_back(c);
    }
    return out;
  };
  Loaded l = Load(text);
  EXPECT_THAT(errors(l), ElementsAre("60005:14 E206"));
  text.resize(text.size() - OneRule("user.nam = x").size());
  text += OneRule("user.name in (l19999)");
  text += "  correlate: {type: event_count, group_by: [user.name], timespan: 1000y, condition: {gte: 2}}\n";
  Loaded c = Load(text);
  EXPECT_THAT(errors(c), ElementsAre("60006:67 E222"));  // marks of `correlate` in the last document
}

TEST(RuleFile, FifoDirectoryAndDevicesAreNotRuleFiles) {
  vigil::testing::TempDir dir;
  const std::string fifo = dir.File("fifo.yaml");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo, dir.path(), std::string("/dev/zero")}) {
    Diagnostics d;
    auto r = LoadRules({path}, {}, d);  // a FIFO without a writer: must not block
    EXPECT_FALSE(r.ok()) << path;
    ASSERT_EQ(d.items().size(), 1u) << d.FormatText();
    EXPECT_EQ(d.items()[0].code, "E200");
    EXPECT_EQ(d.items()[0].location.file, path);
    EXPECT_NE(d.items()[0].message.find("not a regular file"), std::string::npos) << d.items()[0].message;
  }
  Diagnostics dd;
  (void)LoadRules({dir.path()}, {}, dd);
  EXPECT_EQ(dd.items().at(0).message, "cannot read rule file: is a directory, not a regular file");
}

}  // namespace
}  // namespace vigil::rules::testing
