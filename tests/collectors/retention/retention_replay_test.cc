// `vigil replay --scan DIR --policy F --now T --db S` end to end: the first replay records the
// baseline in S, a second one against the same S reports what changed in between; with the
// sec-17a-4 pack, the findings become alerts.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vigil {
namespace {

using testing::RunCommand;
using testing::TempDir;

void Write(const std::string& path, const std::string& content, bool append = false) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, append ? std::ios::app : std::ios::trunc) << content;
}

struct Line {
  std::string kind, action, path, rule;
};

std::vector<Line> Parse(const std::string& out) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    auto j = nlohmann::json::parse(out.substr(start, end - start));
    Line l;
    l.kind = j["event"].value("kind", "");
    l.action = j["event"].value("action", "");
    if (j.contains("file")) l.path = j["file"].value("path", "");
    if (j.contains("rule")) l.rule = j["rule"].value("id", "");
    lines.push_back(l);
    start = end + 1;
  }
  return lines;
}

class ReplayScan : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = dir_.path() + "/tree";
    Write(tree_ + "/records/t1.pdf", "trade 1");
    Write(tree_ + "/records/t2.pdf", "trade 2");
    Write(tree_ + "/ledger/l.log", "entry 1\n");
    Write(tree_ + "/crm/leads.csv", "alice");
    policy_ = dir_.Write("policy.yaml",
                         "classes:\n"
                         "  - id: broker-records\n    paths: [\"" + tree_ + "/records/**\"]\n"
                         "    min: 6y\n    immutability: worm\n"
                         "  - id: ledger\n    paths: [\"" + tree_ + "/ledger/**\"]\n"
                         "    min: 7y\n    immutability: append_only\n"
                         "  - id: crm\n    paths: [\"" + tree_ + "/crm/**\"]\n    max: 24mo\n"
                         "unclassified:\n  paths: [\"" + tree_ + "/**\"]\n");
  }

  testing::ProcessResult Replay(const std::string& now, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{testing::VigilBinary(), "replay", "--scan", tree_, "--policy",
                                  policy_, "--now", now, "--db", dir_.File("store.db"), "--events"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv);
  }

  TempDir dir_;
  std::string tree_, policy_;
};

TEST_F(ReplayScan, SecondReplaySeesWhatChanged) {
  auto first = Replay("2026-11-23T00:00:00Z");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(Parse(first.out).empty()) << first.out;  // a baseline, nothing to report

  std::filesystem::remove(tree_ + "/records/t1.pdf");
  Write(tree_ + "/records/t2.pdf", "trade 2 amended");
  Write(tree_ + "/ledger/l.log", "entry 2\n", /*append=*/true);
  std::filesystem::rename(tree_ + "/crm/leads.csv", tree_ + "/crm/leads-2026.csv");
  Write(tree_ + "/notes.txt", "stray");

  auto second = Replay("2027-01-01T00:00:00Z");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  std::vector<std::string> got;
  for (const Line& l : Parse(second.out)) got.push_back(l.action + " " + l.path.substr(tree_.size()));
  // The stat phase in walk order (a directory's files, then its subdirectories, by name),
  // its deletions after the walk, then the hash phase's content findings in walk order.
  const std::vector<std::string> want{
      "file_created /notes.txt",
      "unclassified /notes.txt",
      "file_renamed /crm/leads-2026.csv",
      "file_deleted /records/t1.pdf",
      "early_deletion /records/t1.pdf",
      "file_modified /ledger/l.log",
      "file_modified /records/t2.pdf",
      "early_modification /records/t2.pdf",
  };
  EXPECT_EQ(got, want) << second.out;

  // Nothing changed since: a third replay, years later, finds the crm file overdue.
  auto third = Replay("2029-01-01T00:00:00Z");
  ASSERT_EQ(third.exit_code, 0) << third.err;
  got.clear();
  for (const Line& l : Parse(third.out)) got.push_back(l.action + " " + l.path.substr(tree_.size()));
  EXPECT_EQ(got, (std::vector<std::string>{"overdue /crm/leads-2026.csv"}));
}

TEST_F(ReplayScan, FindingsBecomeAlertsOfTheSec17a4Pack) {
  ASSERT_EQ(Replay("2026-11-23T00:00:00Z").exit_code, 0);
  std::filesystem::remove(tree_ + "/records/t1.pdf");
  auto r = RunCommand({testing::VigilBinary(), "replay", "-r",
                       testing::SourceDir() + "/rules/packs/sec-17a-4.yaml", "--scan", tree_,
                       "--policy", policy_, "--now", "2027-01-01T00:00:00Z", "--db",
                       dir_.File("store.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> rules;
  for (const Line& l : Parse(r.out)) {
    EXPECT_EQ(l.kind, "alert");
    rules.push_back(l.rule);
  }
  EXPECT_EQ(rules, std::vector<std::string>{"vgl-ret-001"}) << r.out;
}

TEST_F(ReplayScan, WithoutADbEachReplayIsABaseline) {
  std::filesystem::remove(tree_ + "/records/t1.pdf");
  auto r = RunCommand({testing::VigilBinary(), "replay", "--scan", tree_, "--policy", policy_,
                       "--now", "2026-11-23T00:00:00Z", "--events"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Parse(r.out).empty()) << r.out;
}

TEST_F(ReplayScan, ABadPolicyIsALocatedError) {
  const std::string bad = dir_.Write("bad.yaml", "classes:\n  - id: x\n    paths: [\"/a/**\"]\n    min: 7years\n");
  auto r = RunCommand({testing::VigilBinary(), "replay", "--scan", tree_, "--policy", bad});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(bad + ":4:10: error[E301]"), std::string::npos) << r.err;
  auto half = RunCommand({testing::VigilBinary(), "replay", "--scan", tree_});
  EXPECT_EQ(half.exit_code, 2) << half.err;
}

// The output of a replay does not depend on the number of workers, byte for byte: a first
// scan (baseline), then changes of every kind against the same baseline.
TEST_F(ReplayScan, OutputIsTheSameWhateverTheWorkers) {
  for (int d = 0; d < 12; ++d) {
    for (int f = 0; f < 25; ++f) {
      Write(tree_ + "/records/batch-" + std::to_string(d) + "/r" + std::to_string(f) + ".pdf",
            std::string(static_cast<size_t>(d * 100 + f * 37), 'r'));
    }
  }
  const std::string db1 = dir_.File("w1.db"), db4 = dir_.File("w4.db");
  auto run = [&](const std::string& db, const std::string& now, const std::string& workers) {
    auto r = RunCommand({testing::VigilBinary(), "replay", "--scan", tree_, "--policy", policy_,
                         "--now", now, "--db", db, "--events", "--workers", workers});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(run(db1, "2026-11-23T00:00:00Z", "1"), run(db4, "2026-11-23T00:00:00Z", "4"));
  for (int d = 0; d < 12; d += 3) {
    std::filesystem::remove(tree_ + "/records/batch-" + std::to_string(d) + "/r3.pdf");
    Write(tree_ + "/records/batch-" + std::to_string(d) + "/r5.pdf", "amended");
    Write(tree_ + "/records/batch-" + std::to_string(d) + "/new.pdf", "new");
  }
  std::filesystem::rename(tree_ + "/records/batch-1", tree_ + "/records/batch-1b");
  Write(tree_ + "/ledger/l.log", "entry 2\n", /*append=*/true);
  Write(tree_ + "/notes.txt", "stray");
  const std::string one = run(db1, "2027-01-01T00:00:00Z", "1");
  const std::string four = run(db4, "2027-01-01T00:00:00Z", "4");
  EXPECT_EQ(Parse(one).size(), 4u * 5 + 25 + 1 + 2) << one;
  EXPECT_EQ(one, four);
}

TEST_F(ReplayScan, WorkersOutOfRangeAreRefused) {
  auto r = RunCommand({testing::VigilBinary(), "replay", "--scan", tree_, "--policy", policy_, "--workers", "0"});
  EXPECT_NE(r.exit_code, 0);
  r = RunCommand({testing::VigilBinary(), "replay", "--scan", tree_, "--policy", policy_, "--workers", "65"});
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace vigil
