// The retention policy: periods, path patterns, the loader's diagnostics, and precedence.
#include <fnmatch.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <string>

#include "path_glob.h"
#include "retention_period.h"
#include "retention_policy.h"

namespace vigil::retention {
namespace {

int64_t Day(const char* date) { return *ParseDateOrTime(date); }

TEST(RetentionPeriod, ParsesEveryUnit) {
  EXPECT_EQ(ParseRetentionPeriod("45s")->seconds, 45);
  EXPECT_EQ(ParseRetentionPeriod("30m")->seconds, 1800);
  EXPECT_EQ(ParseRetentionPeriod("12h")->seconds, 43200);
  EXPECT_EQ(ParseRetentionPeriod("90d")->seconds, 90 * 86400);
  EXPECT_EQ(ParseRetentionPeriod("2w")->seconds, 14 * 86400);
  EXPECT_EQ(ParseRetentionPeriod("24mo")->months, 24);
  EXPECT_EQ(ParseRetentionPeriod("7y")->months, 84);
  EXPECT_EQ(ParseRetentionPeriod("7y")->text, "7y");
  EXPECT_EQ(ParseRetentionPeriod("10")->seconds, 10);
}

TEST(RetentionPeriod, RefusesBadText) {
  for (const char* bad : {"", "y", "0d", "-1d", "7 y", "7years", "1.5y", "151y", "1801mo",
                          "99999999999999999999d", "7Y", "d7"}) {
    EXPECT_FALSE(ParseRetentionPeriod(bad)) << bad;
  }
}

TEST(RetentionPeriod, CalendarArithmetic) {
  EXPECT_EQ(ParseRetentionPeriod("1y")->AddTo(Day("2020-02-29")), Day("2021-02-28"));
  EXPECT_EQ(ParseRetentionPeriod("1mo")->AddTo(Day("2026-01-31")), Day("2026-02-28"));
  EXPECT_EQ(ParseRetentionPeriod("6y")->AddTo(Day("2020-03-01") + 3600), Day("2026-03-01") + 3600);
  EXPECT_EQ(ParseRetentionPeriod("30d")->AddTo(Day("2026-03-01")), Day("2026-03-31"));
  // Hostile starts are clamped, never overflow.
  EXPECT_EQ(ParseRetentionPeriod("150y")->AddTo(INT64_MAX), kMaxUnixSeconds);
  EXPECT_EQ(ParseRetentionPeriod("1d")->AddTo(INT64_MIN), 86400);
}

TEST(RetentionPeriod, DatesAndTimes) {
  EXPECT_EQ(Day("1970-01-02"), 86400);
  EXPECT_EQ(*ParseDateOrTime("2026-03-01T00:00:10Z"), Day("2026-03-01") + 10);
  EXPECT_FALSE(ParseDateOrTime("2026-02-30"));
  EXPECT_FALSE(ParseDateOrTime("2026-3-01"));
  EXPECT_FALSE(ParseDateOrTime("yesterday"));
}

TEST(PathGlob, MatchesSegmentsAndDoubleStar) {
  std::string why;
  auto g = PathGlob::Compile("/srv/audit/**", &why);
  ASSERT_TRUE(g) << why;
  EXPECT_TRUE(g->Matches("/srv/audit/a.pdf"));
  EXPECT_TRUE(g->Matches("/srv/audit/2026/q1/a.pdf"));
  EXPECT_FALSE(g->Matches("/srv/auditx/a.pdf"));
  EXPECT_FALSE(g->Matches("/srv/a.pdf"));
  EXPECT_EQ(g->fixed_prefix(), "/srv/audit");

  auto star = PathGlob::Compile("/srv/hr/*/payslips/*.pdf", &why);
  ASSERT_TRUE(star);
  EXPECT_TRUE(star->Matches("/srv/hr/alice/payslips/2026-01.pdf"));
  EXPECT_FALSE(star->Matches("/srv/hr/alice/x/payslips/2026-01.pdf"));  // * stays in a segment
  EXPECT_FALSE(star->Matches("/srv/hr/alice/payslips/2026-01.txt"));
  EXPECT_EQ(star->fixed_prefix(), "/srv/hr");

  auto mid = PathGlob::Compile("/srv/**/secret/**/*.key", &why);
  ASSERT_TRUE(mid);
  EXPECT_TRUE(mid->Matches("/srv/secret/a.key"));
  EXPECT_TRUE(mid->Matches("/srv/x/y/secret/z/a.key"));
  EXPECT_FALSE(mid->Matches("/srv/x/y/notsecret/a.key"));
}

TEST(PathGlob, ManyDoubleStarsStayLinear) {
  std::string pattern, path;
  for (int i = 0; i < 60; ++i) pattern += "/**";
  pattern += "/x";
  for (int i = 0; i < 2000; ++i) path += "/a";
  std::string why;
  auto g = PathGlob::Compile(pattern, &why);
  ASSERT_TRUE(g) << why;
  EXPECT_FALSE(g->Matches(path));  // would take forever with naive backtracking
  EXPECT_TRUE(g->Matches(path + "/x"));
}

TEST(PathGlob, RefusesBadPatterns) {
  std::string why;
  EXPECT_FALSE(PathGlob::Compile("srv/**", &why));
  EXPECT_NE(why.find("absolute"), std::string::npos);
  EXPECT_FALSE(PathGlob::Compile("/srv/a**b", &why));
  EXPECT_FALSE(PathGlob::Compile("/srv//x", &why));
  EXPECT_FALSE(PathGlob::Compile("/srv/../etc", &why));
  EXPECT_FALSE(PathGlob::Compile("", &why));
}

// The matching of a pattern against a whole path, as a dynamic programme over (pattern
// segments x path segments), written out plainly: what PathGlob's segment-at-a-time states
// must agree with.
bool ReferenceMatch(const std::string& pattern, const std::string& path) {
  const std::vector<std::string_view> p = SplitPath(pattern), t = SplitPath(path);
  std::vector<std::vector<char>> ok(p.size() + 1, std::vector<char>(t.size() + 1, 0));
  ok[0][0] = 1;
  for (size_t i = 1; i <= p.size(); ++i) {
    for (size_t j = 0; j <= t.size(); ++j) {
      if (p[i - 1] == "**") {
        for (size_t k = 0; k <= j && !ok[i][j]; ++k) ok[i][j] = ok[i - 1][k];
      } else if (j > 0 && ok[i - 1][j - 1]) {
        const std::string seg(p[i - 1]), text(t[j - 1]);
        ok[i][j] = fnmatch(seg.c_str(), text.c_str(), 0) == 0;
      }
    }
  }
  return ok[p.size()][t.size()] != 0;
}

std::string RandomPath(std::mt19937& rng, const std::vector<std::string>& alphabet, size_t max_segments) {
  std::string s;
  const size_t n = std::uniform_int_distribution<size_t>(0, max_segments)(rng);
  for (size_t i = 0; i < n; ++i) s += "/" + alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
  return s.empty() ? "/" : s;
}

TEST(PathGlob, SegmentStatesAgreeWithTheWholePathMatch) {
  // Pattern segments: literals, names with `*`, `?` and classes, an escaped `*`, `**`; path
  // segments include names that look like patterns ("*", "**", "[ab]").
  const std::vector<std::string> pattern_segments = {"a", "b", "ab", "*", "?", "**", "[ab]", "*.pdf", "a*", "\\*", "x.pdf"};
  const std::vector<std::string> path_segments = {"a", "b", "ab", "x.pdf", "*", "**", "[ab]", "c", "a.pdf"};
  std::mt19937 rng(20261124);
  size_t matched = 0, compared = 0;
  for (int pi = 0; pi < 400; ++pi) {
    const std::string pattern = RandomPath(rng, pattern_segments, 5);
    std::string why;
    auto g = PathGlob::Compile(pattern, &why);
    ASSERT_TRUE(g) << pattern << ": " << why;
    for (int ti = 0; ti < 60; ++ti) {
      const std::string path = RandomPath(rng, path_segments, 6);
      const bool want = ReferenceMatch(pattern, path);
      ASSERT_EQ(g->Matches(path), want) << pattern << " against " << path;
      // Stepped a segment at a time, and decided for the paths below a directory.
      const std::vector<std::string_view> segs = SplitPath(path);
      PathGlob::State s = g->Start();
      for (size_t k = 0; k < segs.size(); ++k) {
        const PathGlob::Below below = g->Decide(s);
        if (below != PathGlob::Below::kSome) {
          ASSERT_EQ(below == PathGlob::Below::kAll, want) << pattern << " against " << path << " after " << k;
        }
        s = g->Step(s, segs[k]);
      }
      ASSERT_EQ(g->Accepts(s), want) << pattern << " against " << path;
      matched += want;
      ++compared;
    }
  }
  EXPECT_GT(matched, compared / 50);  // the sample has matches as well as misses
  EXPECT_LT(matched, compared);
}

TEST(PathGlob, DecideBelowADirectory) {
  std::string why;
  auto all = PathGlob::Compile("/srv/med/**", &why);
  auto mid = PathGlob::Compile("/srv/**/x/*.pdf", &why);
  ASSERT_TRUE(all && mid);
  auto after = [](const PathGlob& g, std::initializer_list<std::string_view> segs) {
    PathGlob::State s = g.Start();
    for (std::string_view seg : segs) s = g.Step(s, seg);
    return g.Decide(s);
  };
  EXPECT_EQ(after(*all, {"srv", "med"}), PathGlob::Below::kAll);
  EXPECT_EQ(after(*all, {"srv", "med", "a", "b"}), PathGlob::Below::kAll);
  EXPECT_EQ(after(*all, {"srv"}), PathGlob::Below::kSome);
  EXPECT_EQ(after(*all, {"srv", "legal"}), PathGlob::Below::kNone);
  EXPECT_EQ(after(*mid, {"srv", "x"}), PathGlob::Below::kSome);  // x/a.pdf or x/x/a.pdf...
  EXPECT_EQ(after(*mid, {"data"}), PathGlob::Below::kNone);
}

constexpr const char* kDesignPolicy = R"yaml(classes:
  - id: sox-workpapers
    paths: ["/srv/audit/workpapers/**"]
    min: 7y
    trigger: created
    immutability: worm
    expiring_soon: 30d
    controls: {sox: ["802"], sec_17a_4: ["17a-4(f)(2)(ii)(A)"]}
  - id: crm-marketing
    paths: ["/srv/crm/marketing/**"]
    max: 24mo
    trigger: modified
holds:
  - id: LH-2026-004
    paths: ["/srv/records/**"]
    issued_by: legal@example.com
    from: 2026-03-01
    until: null
unclassified:
  paths: ["/srv/**"]
  severity: medium
)yaml";

TEST(PolicyLoader, LoadsTheDesignExample) {
  Diagnostics d;
  auto p = LoadPolicyString(kDesignPolicy, "p.yaml", d);
  ASSERT_TRUE(p.ok()) << d.FormatText();
  ASSERT_EQ(p->classes.size(), 2u);
  EXPECT_EQ(p->classes[0].id, "sox-workpapers");
  EXPECT_EQ(p->classes[0].immutability, Immutability::kWorm);
  EXPECT_EQ(p->classes[0].min->months, 84);
  EXPECT_EQ(p->classes[0].controls.at("sec_17a_4").at(0), "17a-4(f)(2)(ii)(A)");
  EXPECT_EQ(p->classes[1].trigger, Trigger::kModified);
  ASSERT_EQ(p->holds.size(), 1u);
  EXPECT_FALSE(p->holds[0].until);
  EXPECT_EQ(p->holds[0].from, Day("2026-03-01"));
  EXPECT_EQ(p->unclassified.severity, "medium");
  EXPECT_EQ(p->Roots(), std::vector<std::string>{"/srv"});
}

// The first diagnostic with `code`, or nullptr.
const Diagnostic* Find(const Diagnostics& d, const std::string& code) {
  for (const Diagnostic& x : d.items()) {
    if (x.code == code) return &x;
  }
  return nullptr;
}

struct BadCase {
  const char* yaml;
  const char* code;
  int line;
  int column;
};

TEST(PolicyLoader, LocatesEachProblem) {
  const BadCase cases[] = {
      {"classes:\n  - id: a\n    paths: [\"/x/**\"]\n    min: 7years\n", "E301", 4, 10},
      {"classes:\n  - id: a\n    paths: [\"/x/**\", \"rel/**\"]\n    min: 1y\n", "E302", 3, 22},
      {"classes:\n  - id: a\n    paths: [\"/x/**\"]\n    min: 1y\n  - id: a\n    paths: [\"/y\"]\n    max: 1d\n",
       "E303", 5, 9},
      {"classes:\n  - id: 'a b'\n    paths: [\"/x\"]\n    min: 1y\n", "E304", 2, 9},
      {"classes:\n  - id: a\n    paths: [\"/x\"]\n", "E305", 2, 5},
      {"classes:\n  - id: a\n    paths: [\"/x\"]\n    min: 2y\n    max: 1y\n", "E306", 5, 10},
      {"classes:\n  - id: a\n    paths: [\"/x\"]\n    min: 1y\n    trigger: deleted\n", "E307", 5, 14},
      {"holds:\n  - id: h\n    paths: [\"/x\"]\n    issued_by: l\n    from: 2026-13-01\n    until: null\n",
       "E308", 5, 11},
      {"holds:\n  - id: h\n    paths: [\"/x\"]\n    issued_by: l\n    from: 2026-03-01\n    until: 2026-01-01\n",
       "E308", 6, 12},
      {"classes:\n  - id: a\n    paths: [\"/x\"]\n    min: 1y\n    controls: {finra: [\"4511\"]}\n", "E309", 5, 16},
      {"classes:\n  - id: a\n    paths: [\"/x\"]\n    min: 1y\n    colour: red\n", "E101", 5, 5},
      {"classes:\n  - id: a\n    paths: [\"/x\"]\n    min: 1y\n    immutability: stone\n", "E103", 5, 19},
      {"classes: [\n", "E100", 0, 0},
      {"holds:\n  - id: h\n    paths: [\"/x\"]\n    issued_by: l\n    from: 2026-03-01\n", "E104", 2, 5},
      {"unclassified:\n  severity: low\n", "E104", 2, 3},
  };
  for (const BadCase& c : cases) {
    Diagnostics d;
    auto p = LoadPolicyString(c.yaml, "p.yaml", d);
    EXPECT_FALSE(p.ok()) << c.yaml;
    const Diagnostic* x = Find(d, c.code);
    ASSERT_NE(x, nullptr) << c.code << " not reported for:\n" << c.yaml << "\n" << d.FormatText();
    if (c.line > 0) {
      EXPECT_EQ(x->location.line, c.line) << c.yaml << d.FormatText();
      EXPECT_EQ(x->location.column, c.column) << c.yaml << d.FormatText();
    }
    EXPECT_EQ(x->location.file, "p.yaml");
  }
}

TEST(PolicyLoader, ReportsAllProblemsOfAFile) {
  Diagnostics d;
  auto p = LoadPolicyString("classes:\n  - id: a\n    paths: [\"x\"]\n    min: 1q\n    trigger: never\n",
                            "p.yaml", d);
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(Find(d, "E301"));
  EXPECT_TRUE(Find(d, "E302"));
  EXPECT_TRUE(Find(d, "E307"));
}

TEST(PolicyLoader, RefusesHostileShapes) {
  Diagnostics d1;
  std::string deep(100, '[');
  EXPECT_FALSE(LoadPolicyString("classes: " + deep, "p.yaml", d1).ok());
  Diagnostics d2;
  EXPECT_FALSE(LoadPolicyString(std::string(kMaxPolicyBytes + 1, ' '), "p.yaml", d2).ok());
  EXPECT_TRUE(Find(d2, "E312"));
  Diagnostics d3;
  EXPECT_FALSE(LoadPolicyString("a: 1\n---\nb: 2\n", "p.yaml", d3).ok());
  Diagnostics d4;
  EXPECT_FALSE(LoadPolicyFile("/nonexistent/policy.yaml", d4).ok());
  EXPECT_TRUE(Find(d4, "E300"));
  Diagnostics d5;
  EXPECT_FALSE(LoadPolicyFile("/dev/null", d5).ok());  // not a regular file
  EXPECT_TRUE(Find(d5, "E300"));
}

RetentionPolicy Load(const std::string& yaml) {
  Diagnostics d;
  auto p = LoadPolicyString(yaml, "p.yaml", d);
  EXPECT_TRUE(p.ok()) << d.FormatText();
  return p.ok() ? std::move(*p) : RetentionPolicy{};
}

TEST(PolicyResolve, LongestMinAndShortestMaxWin) {
  const RetentionPolicy p = Load(R"yaml(classes:
  - id: hipaa
    paths: ["/srv/med/**"]
    min: 6y
  - id: sox
    paths: ["/srv/med/finance/**"]
    min: 7y
    immutability: append_only
  - id: gdpr
    paths: ["/srv/med/**"]
    max: 10y
  - id: pci
    paths: ["/srv/med/finance/cards/**"]
    max: 1y
    immutability: worm
    controls: {pci_dss_4: ["3.2.1"]}
)yaml");
  FileClocks c;
  c.birth = Day("2020-01-01");
  c.first_seen = Day("2024-01-01");
  Resolution r = p.Resolve("/srv/med/finance/x.pdf", c);
  ASSERT_EQ(r.classes.size(), 3u);
  EXPECT_EQ(r.primary->id, "sox");
  EXPECT_EQ(*r.min_due, Day("2027-01-01"));
  EXPECT_EQ(*r.max_due, Day("2030-01-01"));
  EXPECT_EQ(r.clock, "birth");
  EXPECT_EQ(r.immutability, Immutability::kAppendOnly);

  // A maximum shorter than a minimum: keeping wins, the maximum moves to the minimum's end.
  r = p.Resolve("/srv/med/finance/cards/y.csv", c);
  EXPECT_EQ(r.classes.size(), 4u);
  EXPECT_EQ(*r.min_due, Day("2027-01-01"));
  EXPECT_EQ(*r.max_due, Day("2027-01-01"));
  EXPECT_EQ(r.immutability, Immutability::kWorm);
  EXPECT_EQ(r.controls, std::vector<std::string>{"pci_dss_4:3.2.1"});

  r = p.Resolve("/srv/other/z", c);
  EXPECT_TRUE(r.classes.empty());
  EXPECT_EQ(r.primary, nullptr);
}

TEST(PolicyResolve, ClocksNeverTrustMtimeAlone) {
  const RetentionPolicy p = Load(R"yaml(classes:
  - id: created
    paths: ["/a/**"]
    min: 1y
  - id: modified
    paths: ["/b/**"]
    max: 1y
    trigger: modified
  - id: closure
    paths: ["/c/**"]
    min: 6y
    max: 7y
    trigger: event:account_closed
)yaml");
  FileClocks c;
  c.first_seen = Day("2025-06-01");
  c.mtime = Day("2000-01-01");  // set back by the owner
  Resolution r = p.Resolve("/a/x", c);
  EXPECT_EQ(r.clock, "first_seen");  // no birth time: when Vigil first saw it
  EXPECT_EQ(*r.min_due, Day("2026-06-01"));

  c.changed_at = Day("2025-07-01");  // Vigil saw the content change then
  r = p.Resolve("/b/x", c);
  EXPECT_EQ(*r.max_due, Day("2026-07-01"));
  c.changed_at = 0;
  r = p.Resolve("/b/x", c);
  EXPECT_EQ(r.clock, "mtime");

  r = p.Resolve("/c/x", c);
  EXPECT_TRUE(r.min_pending);
  EXPECT_FALSE(r.max_due);
  EXPECT_EQ(r.clock, "event");
}

// kClockNames lists every clock a resolution can name (the scan keeps their label rows).
TEST(PolicyResolve, EveryClockIsAKnownClockName) {
  const RetentionPolicy p = Load(R"yaml(classes:
  - id: created
    paths: ["/a/**"]
    min: 1y
  - id: modified
    paths: ["/b/**"]
    max: 1y
    trigger: modified
  - id: seen
    paths: ["/c/**"]
    max: 1y
    trigger: first_seen
  - id: closure
    paths: ["/d/**"]
    min: 6y
    trigger: event:account_closed
)yaml");
  auto known = [](const std::string& clock) {
    return std::find(std::begin(kClockNames), std::end(kClockNames), clock) != std::end(kClockNames);
  };
  for (const char* path : {"/a/x", "/b/x", "/c/x", "/d/x", "/e/x"}) {
    for (int64_t birth : {int64_t{0}, Day("2020-01-01")}) {
      for (int64_t changed : {int64_t{0}, Day("2025-07-01")}) {
        FileClocks c;
        c.birth = birth;
        c.first_seen = Day("2025-06-01");
        c.mtime = Day("2025-01-01");
        c.changed_at = changed;
        const Resolution r = p.Resolve(path, c);
        EXPECT_TRUE(known(r.clock)) << path << " " << r.clock;
      }
    }
  }
}

TEST(PolicyResolve, HoldsAndExpiringSoon) {
  const RetentionPolicy p = Load(R"yaml(classes:
  - id: mkt
    paths: ["/srv/crm/**"]
    max: 24mo
    expiring_soon: 30d
holds:
  - id: LH-1
    paths: ["/srv/crm/case/**"]
    issued_by: legal@example.com
    from: 2026-03-01
    until: 2026-06-30
)yaml");
  FileClocks c;
  c.birth = Day("2024-03-01");
  Resolution r = p.Resolve("/srv/crm/case/a", c);
  EXPECT_EQ(*r.max_due, Day("2026-03-01"));
  EXPECT_EQ(*r.soon_from, Day("2026-01-30"));
  EXPECT_TRUE(p.ActiveHolds("/srv/crm/case/a", Day("2026-02-28")).empty());
  EXPECT_EQ(p.ActiveHolds("/srv/crm/case/a", Day("2026-03-01")).size(), 1u);
  EXPECT_EQ(p.ActiveHolds("/srv/crm/case/a", Day("2026-06-30") + 86399).size(), 1u);  // whole day
  EXPECT_TRUE(p.ActiveHolds("/srv/crm/case/a", Day("2026-07-01")).empty());
  EXPECT_TRUE(p.ActiveHolds("/srv/crm/other", Day("2026-04-01")).empty());
}

void ExpectSameResolution(const Resolution& got, const Resolution& want, const std::string& path) {
  EXPECT_EQ(got.classes, want.classes) << path;
  EXPECT_EQ(got.primary, want.primary) << path;
  EXPECT_EQ(got.min_due, want.min_due) << path;
  EXPECT_EQ(got.min_pending, want.min_pending) << path;
  EXPECT_EQ(got.max_due, want.max_due) << path;
  EXPECT_EQ(got.soon_from, want.soon_from) << path;
  EXPECT_EQ(got.immutability, want.immutability) << path;
  EXPECT_EQ(got.clock, want.clock) << path;
  EXPECT_EQ(got.clock_start, want.clock_start) << path;
  EXPECT_EQ(got.controls, want.controls) << path;
}

// The duties decided once per directory (PolicyMatcher) are those of the policy asked per
// file, whatever the order of the paths: name patterns, `**` in the middle, holds scoped to a
// subtree (one of them not active), a directory named like a pattern, the unclassified scope.
TEST(PolicyMatcher, ADirectorysDecisionIsEachFilesDecision) {
  const RetentionPolicy p = Load(R"yaml(classes:
  - id: med
    paths: ["/srv/med/**"]
    min: 6y
  - id: pdf
    paths: ["/srv/*/reports/*.pdf", "/srv/**/scans/?.pdf"]
    max: 2y
    trigger: modified
    expiring_soon: 30d
  - id: secret
    paths: ["/srv/**/secret/**/[ab]*.key", "/srv/*.pdf/**"]
    min: 1y
    immutability: worm
    controls: {sox: ["802"]}
  - id: top
    paths: ["/srv/med/*"]
    max: 1y
    trigger: event:closed
holds:
  - id: LH-1
    paths: ["/srv/med/case/**", "/srv/**/hold/*"]
    issued_by: legal@example.com
    from: 2026-03-01
    until: null
  - id: LH-old
    paths: ["/srv/**"]
    issued_by: legal@example.com
    from: 2020-01-01
    until: 2021-01-01
unclassified:
  paths: ["/srv/**", "/x"]
)yaml");
  const std::vector<std::string> dirs = {
      "/srv/med", "/srv/med/case", "/srv/med/case/2020", "/srv/med/other", "/srv/hr/reports",
      "/srv/hr/reports/old", "/srv/a/b/scans", "/srv/scans", "/srv/x/secret", "/srv/x/secret/y",
      "/srv/secret/a", "/srv/x.pdf", "/srv/x.pdf/y", "/srv/*.pdf", "/srv/**", "/srv/[ab]",
      "/srv/hold", "/srv/q/hold", "/srv/q/hold/r", "/srv", "/data", "", "/srv/med//case"};
  const std::vector<std::string> names = {"a.pdf", "b.key", "ab.key", "c.key", "x.pdf", "1.pdf", "12.pdf",
                                          "*.pdf", "**", "[ab]", "secret", "hold", "x"};
  std::vector<std::string> paths;
  for (const std::string& d : dirs) {
    for (const std::string& n : names) paths.push_back(d + "/" + n);
  }
  paths.push_back("/srv/med/");       // no name: answered by the policy directly
  paths.push_back("/srv/med/case/");
  const int64_t now = Day("2026-06-01");
  FileClocks c;
  c.birth = Day("2024-03-01");
  c.first_seen = Day("2025-01-01");
  c.mtime = Day("2025-06-01");
  auto check = [&](const std::vector<std::string>& order) {
    PolicyMatcher m(p, now);
    size_t classified = 0, held = 0;
    for (const std::string& path : order) {
      const Resolution want = p.Resolve(path, c);
      ExpectSameResolution(m.Resolve(path, c), want, path);
      EXPECT_EQ(m.ActiveHolds(path), p.ActiveHolds(path, now)) << path;
      EXPECT_EQ(m.Unclassified(path), p.unclassified.Matches(path)) << path;
      classified += !want.classes.empty();
      held += !p.ActiveHolds(path, now).empty();
    }
    EXPECT_GT(classified, 20u);
    EXPECT_GT(held, 10u);
  };
  check(paths);  // a directory's files one after another, as a scan gives them
  std::vector<std::string> shuffled = paths;
  std::mt19937 rng(6);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  check(shuffled);  // the directory changing at almost every file
}

TEST(PolicyRoots, FixedPrefixesWithoutNesting) {
  const RetentionPolicy p = Load(R"yaml(classes:
  - id: a
    paths: ["/srv/a/**", "/srv/a/b/*.pdf", "/srv/ab/x"]
    min: 1y
  - id: b
    paths: ["/data/*/reports/**"]
    max: 1y
)yaml");
  EXPECT_EQ(p.Roots(), (std::vector<std::string>{"/data", "/srv/a", "/srv/ab/x"}));
}

}  // namespace
}  // namespace vigil::retention
