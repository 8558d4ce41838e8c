// The rule index (rule_index.h): a rule meets only the events of the kinds its condition
// allows (dataset, category, action, a second field's values), never fewer than it matches:
// the same alerts as evaluating every rule on every event.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "condition_compiler.h"
#include "flat_string_map.h"
#include "rule_compiler.h"
#include "rule_index.h"
#include "rule_reader.h"
#include "vigil/ecs_fields.h"
#include "rules_test_util.h"
#include "support/test_support.h"

namespace vigil::rules::testing {
namespace {

using ::testing::ElementsAre;

// Rules r0..rN-1, one per condition, loaded as a rule set (evaluated through the index), and
// each condition also compiled on its own: Want(e) is what evaluating every rule directly on
// `e` fires, which the set must fire too.
struct IndexedAndDirect {
  explicit IndexedAndDirect(const std::vector<std::string>& conditions) {
    std::string yaml;
    std::map<std::string, ListDef, std::less<>> lists;
    std::map<std::string, MacroDef, std::less<>> macros;
    Diagnostics diags;
    ConditionCompiler compiler(FieldRegistry::Global(), lists, macros, diags);
    for (size_t i = 0; i < conditions.size(); ++i) {
      yaml += "- rule: r" + std::to_string(i) + "\n  name: R\n  severity: low\n  condition: '" + conditions[i] + "'\n";
      auto cc = compiler.Compile(conditions[i], ScalarLocator(SourceLocation{"c", 1, 1}));
      if (!cc.has_value()) {
        errors += conditions[i] + ": " + diags.FormatText();
        continue;
      }
      direct.push_back(std::move(cc->node));
    }
    indexed = Load(yaml);
    if (!indexed.ok()) errors += indexed.Text();
  }
  bool ok() const { return errors.empty(); }
  std::vector<std::string> Want(const Event& e) const {
    std::vector<std::string> want;
    for (size_t i = 0; i < direct.size(); ++i) {
      if (direct[i]->Eval(e)) want.push_back("r" + std::to_string(i));
    }
    return want;
  }
  // Expects the set to fire on the event `json` exactly what the direct evaluation fires;
  // returns how many rules that is.
  size_t ExpectSame(const std::string& json) {
    SCOPED_TRACE(json);
    const Event e = Ev(json);
    const std::vector<std::string> want = Want(e);
    EXPECT_EQ(indexed.Fire(e), want);
    return want.size();
  }

  Loaded indexed;
  std::vector<NodePtr> direct;
  std::string errors;
};

// The JSON of a probe event for the differential tests; an empty part is left out.
struct Probe {
  std::string dataset, category, action, outcome, user, port, process;
  std::string Json() const {
    std::string json = R"({"event":{"outcome":")" + outcome + "\"";
    if (!dataset.empty()) json += R"(,"dataset":")" + dataset + "\"";
    if (!category.empty()) json += R"(,"category":[")" + category + "\"]";
    if (!action.empty()) json += R"(,"action":")" + action + "\"";
    json += "}";
    if (!user.empty()) json += R"(,"user":{"name":")" + user + "\"}";
    if (!port.empty()) json += R"(,"source":{"port":)" + port + "}";
    if (!process.empty()) json += R"(,"process":{"name":")" + process + "\"}";
    return json + "}";
  }
};

TEST(RuleIndex, RulesMeetOnlyEventsOfTheirKinds) {
  Loaded l = Load(R"(
- rule: by_dataset
  name: D
  severity: low
  condition: event.dataset in (access.sshd, access.sudo) or (event.dataset = access.su and user.name = x)
- rule: by_prefix
  name: P
  severity: low
  condition: event.dataset startswith "access." and source.ip exists
- rule: by_category
  name: C
  severity: low
  condition: event.category = network
- rule: catch_all
  name: All
  severity: low
  condition: source.ip exists or user.name exists
- rule: negated
  name: N
  severity: low
  condition: not event.dataset = access.sshd
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Fire(Ev(kSshFail)), ElementsAre("by_dataset", "by_prefix", "catch_all"));
  EXPECT_THAT(l.Fire(Ev(kDns)), ElementsAre("by_category", "catch_all", "negated"));
  EXPECT_THAT(l.Fire(Ev(R"({"user":{"name":"bob"}})")), ElementsAre("catch_all", "negated"));
  // Memoized candidates stay correct on repeat.
  EXPECT_THAT(l.Fire(Ev(kSshFail)), ElementsAre("by_dataset", "by_prefix", "catch_all"));
}

// The memo key is built from event values, which an attacker can choose (a JSON line, a
// packet). A dataset that embeds a separator and the name of a category must not take over
// the cached candidates of the event it imitates, or that event's rules would be skipped.
TEST(RuleIndex, FieldValuesCannotForgeAnotherEventsKey) {
  const std::string rules = R"(
- rule: sshd
  name: S
  severity: low
  condition: event.dataset = access.sshd
- rule: auth
  name: A
  severity: low
  condition: event.category = authentication
)";
  const std::string legit = R"({"event":{"dataset":"access.sshd","category":["authentication"]}})";
  const std::vector<std::string> forged = {
      R"({"event":{"dataset":"access.sshd\u001fauthentication"}})",
      R"({"event":{"dataset":"access.sshd\u001f","category":["authentication"]}})",
      R"({"event":{"dataset":"access.sshd","category":["authentication\u001f"]}})",
      R"({"event":{"dataset":"","category":["access.sshd","authentication"]}})",
      R"({"event":{"category":["access.sshd","authentication"]}})",
      R"({"event":{"dataset":"access.sshdauthentication"}})",
  };
  for (const std::string& f : forged) {
    SCOPED_TRACE(f);
    Loaded l = Load(rules);
    ASSERT_TRUE(l.ok()) << l.Text();
    l.Fire(Ev(f));  // its candidates are memoized first
    EXPECT_THAT(l.Fire(Ev(legit)), ElementsAre("sshd", "auth"));
  }
}

TEST(RuleIndex, ContradictoryDatasetsWarnNeverApplies) {
  Loaded l = Load(R"(
- rule: never
  name: N
  severity: low
  condition: event.dataset = access.sshd and event.dataset = network.dns
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Codes(), ElementsAre("5:14 W202"));
  EXPECT_TRUE(l.Fire(Ev(kSshFail)).empty());
}

TEST(RuleIndex, ContradictoryActionsWarnNeverApplies) {
  Loaded l = Load(OneRule("event.action = ssh_login and event.action in (sudo_command, su_session)"));
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Codes(), ElementsAre("4:14 W202"));
  EXPECT_TRUE(l.Fire(Ev(R"({"event":{"action":"ssh_login"}})")).empty());
}

// event.action narrows the candidates inside a kind: a rule that requires actions is only
// evaluated on events carrying one of them (evaluations are counted per candidate).
TEST(RuleIndex, ActionsNarrowCandidates) {
  Loaded l = Load(R"(
- rule: login
  name: L
  severity: low
  condition: event.dataset = access.sshd and event.action = ssh_login
- rule: denied
  name: D
  severity: low
  condition: event.dataset = access.sshd and event.action in (ssh_login_denied, ssh_max_auth_tries)
- rule: any_sshd
  name: A
  severity: low
  condition: event.dataset = access.sshd and user.name exists
- rule: auth_login
  name: C
  severity: low
  condition: event.category = authentication and event.action = ssh_login
- rule: action_only
  name: O
  severity: low
  condition: event.action = ssh_max_auth_tries
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  auto ev = [](const std::string& action) {
    return Ev(R"({"event":{"dataset":"access.sshd","category":["authentication"],"action":")" + action +
              R"("},"user":{"name":"root"}})");
  };
  EXPECT_THAT(l.Fire(ev("ssh_login")), ElementsAre("login", "any_sshd", "auth_login"));
  EXPECT_THAT(l.Fire(ev("ssh_login")), ElementsAre("login", "any_sshd", "auth_login"));  // memoized
  EXPECT_THAT(l.Fire(ev("ssh_max_auth_tries")), ElementsAre("denied", "any_sshd", "action_only"));
  EXPECT_THAT(l.Fire(ev("something_else")), ElementsAre("any_sshd"));
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"dataset":"access.sshd"},"user":{"name":"root"}})")),
              ElementsAre("any_sshd"));  // no action: only rules that need none
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"action":"ssh_max_auth_tries"}})")), ElementsAre("action_only"));
  std::map<std::string, uint64_t> evaluations = l.Evaluations();
  EXPECT_EQ(evaluations["login"], 2u);
  EXPECT_EQ(evaluations["denied"], 1u);
  EXPECT_EQ(evaluations["any_sshd"], 5u);
  EXPECT_EQ(evaluations["auth_login"], 2u);
  EXPECT_EQ(evaluations["action_only"], 2u);
}

// Rules of one list that require values of another string field are filed under them: an
// event meets only the rules of its value (and those that name no value of that field).
TEST(RuleIndex, ASecondFieldNarrowsCandidates) {
  Loaded l = Load(R"(
- rule: root_login
  name: R
  severity: low
  condition: event.dataset = access.sshd and event.action = ssh_login and user.name = root
- rule: admin_login
  name: A
  severity: low
  condition: event.dataset = access.sshd and event.action = ssh_login and user.name in (admin, administrator)
- rule: any_login
  name: L
  severity: low
  condition: event.dataset = access.sshd and event.action = ssh_login
- rule: root_any
  name: RA
  severity: low
  condition: event.dataset = access.sshd and user.name = root
- rule: oracle_any
  name: O
  severity: low
  condition: event.dataset = access.sshd and user.name = oracle
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  auto ev = [](const std::string& user) {
    return Ev(R"({"event":{"dataset":"access.sshd","action":"ssh_login"},"user":{"name":")" + user + R"("}})");
  };
  EXPECT_THAT(l.Fire(ev("root")), ElementsAre("root_login", "any_login", "root_any"));
  EXPECT_THAT(l.Fire(ev("administrator")), ElementsAre("admin_login", "any_login"));
  EXPECT_THAT(l.Fire(ev("bob")), ElementsAre("any_login"));
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"dataset":"access.sshd","action":"ssh_login"}})")), ElementsAre("any_login"));
  std::map<std::string, uint64_t> evaluations = l.Evaluations();
  EXPECT_EQ(evaluations["root_login"], 1u);
  EXPECT_EQ(evaluations["admin_login"], 1u);
  EXPECT_EQ(evaluations["any_login"], 4u);
  EXPECT_EQ(evaluations["root_any"], 1u);
  EXPECT_EQ(evaluations["oracle_any"], 0u);
}

// Conditions whose action requirement cannot be proven must stay candidates for every action:
// each of these rules fires on an event whose action is not the one they mention.
TEST(RuleIndex, UnprovenActionConstraintsFallBack) {
  Loaded l = Load(R"(
- macro: login_or_root
  condition: event.action = ssh_login
- macro: login_or_root
  append: true
  condition: user.name = root
- rule: or_branch
  name: O
  severity: low
  condition: event.dataset = access.sshd and (event.action = ssh_login or user.name = root)
- rule: negated
  name: N
  severity: low
  condition: event.dataset = access.sshd and not event.action = ssh_login
- rule: not_equal
  name: NE
  severity: low
  condition: event.dataset = access.sshd and event.action != ssh_login
- rule: string_op
  name: S
  severity: low
  condition: event.dataset = access.sshd and event.action startswith ssh_
- rule: appended_macro
  name: M
  severity: low
  condition: event.dataset = access.sshd and login_or_root
- rule: negated_or
  name: NO
  severity: low
  condition: not (event.action = ssh_login or event.action = sudo_command)
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"dataset":"access.sshd","action":"ssh_logout"},"user":{"name":"root"}})")),
              ElementsAre("or_branch", "negated", "not_equal", "string_op", "appended_macro", "negated_or"));
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"dataset":"access.sshd"},"user":{"name":"root"}})")),
              ElementsAre("or_branch", "negated", "appended_macro", "negated_or"));
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"dataset":"access.sshd","action":"ssh_login"},"user":{"name":"bob"}})")),
              ElementsAre("or_branch", "string_op", "appended_macro"));
}

// Past the memo's cap, candidates are computed per event: still by action, still complete.
TEST(RuleIndex, ActionsStillSelectWhenTheMemoIsFull) {
  Loaded l = Load(R"(
- rule: login_anywhere
  name: L
  severity: low
  condition: event.action = ssh_login
- rule: sshd_any
  name: S
  severity: low
  condition: event.dataset startswith "x." and user.name exists
- rule: sshd_sudo
  name: U
  severity: low
  condition: event.dataset startswith "x." and event.action in (sudo_command, ssh_login)
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  for (size_t i = 0; i < RuleIndex::kMaxMemo + 10; ++i) {
    const std::string dataset = "x." + std::to_string(i);
    const auto fired = l.Fire(Ev(R"({"event":{"dataset":")" + dataset +
                                 R"(","action":"ssh_login"},"user":{"name":"a"}})"));
    ASSERT_THAT(fired, ElementsAre("login_anywhere", "sshd_any", "sshd_sudo")) << dataset;
  }
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"dataset":"x.new","action":"sudo_command"},"user":{"name":"a"}})")),
              ElementsAre("sshd_any", "sshd_sudo"));
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"dataset":"x.new2","action":"other"}})")), ElementsAre());
  EXPECT_THAT(l.Fire(Ev(R"({"event":{"dataset":"y","action":"ssh_login"}})")), ElementsAre("login_anywhere"));
}

// Differential check of the index: each condition is also compiled on its own and evaluated
// directly on every event (no index involved); over a grid of datasets, categories and
// actions, the rule set must raise exactly the alerts of the rules whose condition holds.
TEST(RuleIndex, SameAlertsAsWithoutTheIndex) {
  const std::vector<std::string> conditions = {
      "event.action = ssh_login",
      "event.action in (ssh_login, sudo_command)",
      "event.dataset = access.sshd and event.action = ssh_login",
      "event.dataset in (access.sshd, access.sudo) and event.action in (ssh_login, sudo_command)",
      "(event.dataset = access.sshd and event.action = ssh_login) or (event.dataset = access.sudo and "
      "event.action = sudo_command)",
      "event.dataset = access.sshd and (event.action = ssh_login or event.outcome = failure)",
      "event.dataset startswith \"access.\" and event.action = sudo_command",
      "event.category = authentication and event.action = ssh_login",
      "event.category in (authentication, network) and event.action in (ssh_login, dns_query)",
      "event.action = ssh_login and event.action = sudo_command",
      "event.action = ssh_login and event.action in (ssh_login, sudo_command)",
      "event.action = ssh_login or event.category = network",
      "not event.action = ssh_login",
      "event.action != ssh_login",
      "event.action exists",
      "event.action in (ssh_login, sudo_command) and not event.action = sudo_command",
      "event.outcome = failure",
      // A second field narrows lists of rules (RuleIndex::RuleList::Split).
      "event.dataset = access.sshd and user.name = root",
      "event.dataset = access.sshd and user.name in (root, admin)",
      "event.dataset = access.sshd and user.name = bob",
      "user.name = root",
      "user.name in (root, bob) and user.name = bob",
      "user.name = root and user.name = bob",
      "event.action = ssh_login and (user.name = root or user.name = bob)",
      "event.action = ssh_login and (user.name = root or event.outcome = failure)",
      "event.action = ssh_login and not user.name = root",
      "event.action = ssh_login and user.name != root",
      "event.action = ssh_login and user.name = root",
      "event.action = ssh_login and process.name = sshd",
      "event.action = ssh_login and process.name = sshd and user.name = bob",
      // Conjuncts the index entry guarantees are skipped (RuleSet::Impl::Candidate's
      // program), only on the paths that guarantee them; the others are still tested.
      "event.dataset = access.sshd",
      "event.dataset in (access.sshd, access.sudo) and event.dataset != access.sudo",
      "(event.dataset = access.sshd or event.dataset startswith \"network.\") and event.dataset startswith \"access.\"",
      "event.dataset startswith \"access.\" and event.dataset = access.sudo and user.name = bob",
      "event.dataset startswith \"access.\" and user.name = bob and event.outcome = failure",
      "event.category = authentication and user.name = root and event.outcome = failure",
      "event.category = authentication and event.dataset = access.sshd and user.name = root",
      "user.name in (root, bob) and user.name != bob and event.action = ssh_login",
      "event.action in (ssh_login, sudo_command) and event.action != sudo_command and user.name = root",
      "event.action in (ssh_login, sudo_command) and user.name in (root, bob) and event.outcome = success",
      "event.dataset = access.sshd and user.name in (root, bob) and user.name != root",
      "event.dataset = access.sshd and not user.name = root and user.name in (root, bob)",
      "event.dataset = access.sshd and user.name exists and user.name = root and event.outcome = failure",
      "event.dataset = access.sshd and (user.name = root and event.action = ssh_login) and event.outcome = failure",
  };
  IndexedAndDirect rules(conditions);
  ASSERT_TRUE(rules.ok()) << rules.errors;
  size_t fired = 0;
  for (int round = 0; round < 2; ++round) {  // the second round runs on memoized kinds
    for (const char* dataset : {"", "access.sshd", "access.sudo", "network.dns"}) {
      for (const char* category : {"", "authentication", "network"}) {
        for (const char* action : {"", "ssh_login", "sudo_command", "dns_query", "other"}) {
          for (const char* outcome : {"success", "failure"}) {
           for (const char* user : {"", "root", "bob"}) {
            fired += rules.ExpectSame(Probe{.dataset = dataset, .category = category, .action = action,
                                            .outcome = outcome, .user = user, .process = "sshd"}
                                          .Json());
           }
          }
        }
      }
    }
  }
  EXPECT_GT(fired, 0u);
}

// A candidate's program (rule_program.h) holds common predicates inline: an int compared
// with one value, a string field equal or not to one short needle. On every type an event
// may hold there (absent, the expected type, a list for a list field) and for long needles,
// the rule set raises exactly the alerts of the rules whose condition, evaluated directly,
// holds.
TEST(RuleIndex, InlineConjunctsAgreeWithTheirConditions) {
  const std::vector<std::string> conditions = {
      "source.port = 22",
      "source.port != 22",
      "source.port < 22 and event.outcome = failure",
      "source.port <= 22 and event.outcome != failure",
      "source.port > 22 and user.name = root",
      "source.port >= 22 and user.name != root",
      "source.port in (22) and event.dataset = access.sshd",
      "source.port in (22, 80) and event.dataset = access.sshd",
      "event.category = authentication and user.name = root",
      "event.category != authentication and source.port > 0",
      "user.name = a-name-longer-than-sixteen-bytes and event.outcome = failure",
      "user.name != a-name-longer-than-sixteen-bytes and event.dataset = access.sshd",
      "user.name = \"\" and event.dataset = access.sshd",
      "event.dataset = access.sshd and user.name = root and source.port >= 22",
      "event.dataset = access.sshd and user.name = bob and source.port >= 22",
      "event.dataset = access.sshd and event.action = ssh_login and user.name = root and source.port < 80",
      "event.dataset = access.sshd and event.action = ssh_login and user.name = bob and source.port < 80",
  };
  IndexedAndDirect rules(conditions);
  ASSERT_TRUE(rules.ok()) << rules.errors;
  size_t fired = 0;
  for (const char* dataset : {"", "access.sshd"}) {
    for (const char* port : {"", "0", "21", "22", "23", "80"}) {
      for (const char* user : {"", "root", "bob", "a-name-longer-than-sixteen-bytes", "a-name-longer-than-sixteen-bytez"}) {
        for (const char* category : {"", "authentication", "network"}) {
          fired += rules.ExpectSame(Probe{.dataset = dataset, .category = category, .action = "ssh_login",
                                          .outcome = "failure", .user = user, .port = port}
                                        .Json());
        }
      }
    }
  }
  EXPECT_GT(fired, 0u);
}

// A 16-byte value whose hash under `seed` equals that of `value` (16 bytes too): HashString
// mixes each 8-byte word into the state through a bijection, so a chosen first word and a
// second word that cancels the difference of the states collide (flat_string_map.h).
std::string Colliding(const std::string& value, uint64_t seed) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  const auto word = [](const std::string& s, size_t at) {
    uint64_t w;
    std::memcpy(&w, s.data() + at, 8);
    return w;
  };
  const auto state = [&](uint64_t w1) {
    uint64_t h = (seed ^ (16 * kMul) ^ w1) * kMul;
    return h ^ (h >> 29);
  };
  std::string out(16, '\0');
  const uint64_t w1 = word("zzzzzzzzzzzzzzzz", 0);
  const uint64_t w2 = state(word(value, 0)) ^ state(w1) ^ word(value, 8);
  std::memcpy(out.data(), &w1, 8);
  std::memcpy(out.data() + 8, &w2, 8);
  return out;
}

// A value proved by the index lets a rule skip its test of that value: only when the event's
// value is the very one filed, not merely one of the same hash. Events carrying a value whose
// hash collides with a rule's (crafted with the index's seed) meet that rule, whose test of
// the value then fails: no alert. (The outcome tests are `!=`, which files nothing, so that
// the list of dataset d splits on user.name.)
TEST(RuleIndex, AValueOfTheSameHashProvesNothing) {
  const std::string value = "aaaaaaaabbbbbbbb";
  const std::string yaml = R"(
- rule: by_user
  name: U
  severity: low
  condition: event.dataset = d and user.name = aaaaaaaabbbbbbbb and event.outcome != success
- rule: by_other_user
  name: O
  severity: low
  condition: event.dataset = d and user.name = other and event.outcome != success
- rule: by_action
  name: A
  severity: low
  condition: event.dataset = d and event.action = aaaaaaaabbbbbbbb and event.outcome != success
)";
  Diagnostics diags;
  RawRuleFile raw;
  ReadRuleText(yaml, "rules.yaml", raw, diags);
  auto impl = std::make_unique<RuleSet::Impl>();
  CompileRules(raw, RuleOptions{}, FieldRegistry::Global(), *impl, diags);
  ASSERT_FALSE(diags.has_errors()) << diags.FormatText();
  const std::string forged = Colliding(value, impl->index.seed());
  ASSERT_NE(forged, value);
  ASSERT_EQ(HashString(forged, impl->index.seed()), HashString(value, impl->index.seed()));
  RuleSet set(std::move(impl));
  const auto fire = [&set](const std::string& user, const std::string& action) {
    Event e;
    e.Set(ecs::kEventDataset, std::string("d"));
    e.Set(ecs::kEventOutcome, std::string("failure"));
    e.Set(ecs::kUserName, user);
    e.Set(ecs::kEventAction, action);
    std::vector<Alert> alerts;
    set.Evaluate(e, alerts);
    std::vector<std::string> ids;
    for (const Alert& a : alerts) ids.push_back(a.rule->id);
    return ids;
  };
  EXPECT_THAT(fire(value, value), ElementsAre("by_user", "by_action"));
  EXPECT_THAT(fire(forged, forged), ElementsAre());
  EXPECT_THAT(fire(forged, value), ElementsAre("by_action"));
  EXPECT_THAT(fire(value, forged), ElementsAre("by_user"));
  // The forged values did reach the rules (as candidates): the index met the collision.
  const std::vector<RuleStateStats> stats = set.state_stats();
  EXPECT_EQ(stats[0].evaluations, 4u);  // by_user: under both values of its hash, every time
  EXPECT_EQ(stats[2].evaluations, 4u);  // by_action: likewise
}

}  // namespace
}  // namespace vigil::rules::testing
