// RetentionScan against real temporary trees: each retention event type, and the baseline
// across scans and restarts. Birth times cannot be faked, so the tests move the scan's clock
// (ScanRequest::now) instead.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "baseline_store.h"
#include "baseline_writer.h"
#include "retention_fields.h"
#include "retention_policy.h"
#include "retention_scan.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"

namespace vigil::retention {
namespace {

using testing::TempDir;
constexpr int64_t kDay = 86400;

int64_t RealNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WriteFile(const std::string& path, const std::string& content, bool append = false) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, append ? std::ios::app | std::ios::binary : std::ios::trunc | std::ios::binary);
  out << content;
}

// Every test runs with one walker/hasher thread and with four (Workers/ScanFixture.*/0 and /1).
class ScanFixture : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    auto ids = DeclareRetentionFields(FieldRegistry::Global());
    ASSERT_TRUE(ids.ok());
    ids_ = *ids;
    root_ = dir_.path() + "/srv";
    std::filesystem::create_directories(root_);
    t0_ = RealNow();
  }

  // The policy text with ROOT replaced by the tree's root.
  void Policy(std::string yaml) {
    for (size_t at; (at = yaml.find("ROOT")) != std::string::npos;) yaml.replace(at, 4, root_);
    Diagnostics d;
    auto p = LoadPolicyString(yaml, "policy.yaml", d);
    ASSERT_TRUE(p.ok()) << d.FormatText();
    policy_ = std::move(*p);
  }

  // One scan at t0 + offset; returns its events (also kept in events_).
  std::vector<Event> Scan(int64_t offset, bool full_rehash = false, int max_depth = 256,
                          uint64_t max_files = 1000000) {
    auto store = BaselineStore::Open(dir_.path() + "/baseline.db");  // reopened: a restart
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    std::vector<Event> events;
    RetentionScan scan(policy_, **store, ids_, [&](Event&& e) {
      events.push_back(std::move(e));
      return true;
    });
    ScanRequest req;
    req.walk.roots = {root_};
    req.walk.max_depth = max_depth;
    req.walk.max_files = max_files;
    req.walk.workers = GetParam();
    req.now = t0_ + offset;
    req.full_rehash = full_rehash;
    req.expected_by = expected_by_;
    req.previous_end = previous_end_;
    req.hash_phase = hash_phase_;
    auto r = scan.Run(req, [] { return false; });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) last_ = *r;
    return events;
  }

  static std::vector<std::string> Actions(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const Event& e : events) out.push_back(*e.GetString(ecs::kEventAction));
    return out;
  }
  static const Event* Action(const std::vector<Event>& events, const std::string& action) {
    for (const Event& e : events) {
      if (*e.GetString(ecs::kEventAction) == action) return &e;
    }
    return nullptr;
  }
  static std::string Str(const Event* e, FieldId id) {
    if (e == nullptr) return "<no event>";
    const std::string* s = e->GetString(id);
    return s ? *s : "<absent>";
  }

  TempDir dir_;
  std::string root_;
  int64_t t0_ = 0;
  RetentionPolicy policy_;
  RetentionFieldIds ids_;
  ScanResult last_;
  std::optional<int64_t> expected_by_, previous_end_;
  bool hash_phase_ = true;  // false: the scan stops after its stat phase (a restart then)
};

using Seq = std::vector<std::string>;

TEST_P(ScanFixture, FirstScanRecordsTheBaselineQuietly) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n");
  WriteFile(root_ + "/a.txt", "a");
  WriteFile(root_ + "/d/b.txt", "b");
  EXPECT_EQ(Actions(Scan(0)), Seq{});
  EXPECT_EQ(last_.walk.files, 2u);
  EXPECT_EQ(last_.hashed, 2u);
  // Unchanged tree: nothing new, nothing re-hashed.
  EXPECT_EQ(Actions(Scan(60)), Seq{});
  EXPECT_EQ(last_.hashed, 0u);
  WriteFile(root_ + "/c.txt", "c");
  EXPECT_EQ(Actions(Scan(120)), Seq{"file_created"});
}

// A first scan builds the baseline's key index after its hash phase, which reads the new rows
// in the table's order (directory id, name) while that is the walk's order, else by key once
// the index is built. Either way every file ends hashed and findable: files only in leaf
// directories (and a hard link, evaluated once), and a directory whose files and
// subdirectories interleave in walk order.
TEST_P(ScanFixture, AFirstScanHashesEveryFileWhateverTheTreesLayout) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n    immutability: worm\n");
  const std::vector<std::vector<std::string>> layouts = {
      {"d1/a", "d1/b", "d2/c", "d3/x/e", "d3/x/f"},
      {"a.txt", "b/x.txt", "b/y/z.txt", "c.txt", "b/w.txt"},
  };
  for (const auto& files : layouts) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    for (const char* f : {"/baseline.db", "/baseline.db-wal", "/baseline.db-shm"}) {
      std::filesystem::remove(dir_.path() + f);
    }
    for (const std::string& f : files) WriteFile(root_ + "/" + f, "content of " + f);
    std::filesystem::create_hard_link(root_ + "/" + files[0], root_ + "/" + files[0] + "-link");
    EXPECT_EQ(Actions(Scan(0)), Seq{});
    EXPECT_EQ(last_.hashed, files.size());
    {
      auto store = BaselineStore::Open(dir_.path() + "/baseline.db");
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      size_t rows = 0;
      ASSERT_TRUE((*store)->ForEach([&](const BaselineRecord& r) {
        ++rows;
        const std::string rel = r.path.substr(root_.size() + 1);
        EXPECT_EQ(r.sha256, Sha256Hex("content of " + rel)) << r.path;
        EXPECT_EQ(r.hash_pending, HashPending::kNone) << r.path;
        return true;
      }).ok());
      EXPECT_EQ(rows, files.size());
      auto db = sqlite::Database::Open(dir_.path() + "/baseline.db", sqlite::kReadOnly);
      ASSERT_TRUE(db.ok());
      auto q = db->Prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'retention_baseline_by_key'");
      ASSERT_TRUE(q.ok());
      auto row = q->Step();
      ASSERT_TRUE(row.ok() && *row);
      EXPECT_EQ(q->Int(0), 1);
    }
    // The rescan finds the rows by key: an edit, not a new file.
    WriteFile(root_ + "/" + files[2], " edited", /*append=*/true);
    EXPECT_EQ(Actions(Scan(kDay)), (Seq{"file_modified", "early_modification"}));
  }
}

TEST_P(ScanFixture, EarlyDeletionCarriesTheLastHash) {
  Policy("classes:\n  - id: broker-records\n    paths: [\"ROOT/**\"]\n    min: 6y\n"
         "    controls: {sec_17a_4: [\"17a-4(f)(2)(ii)(A)\"]}\n");
  WriteFile(root_ + "/trade.pdf", "trade confirmation");
  Scan(0);
  std::filesystem::remove(root_ + "/trade.pdf");
  const auto events = Scan(kDay);
  EXPECT_EQ(Actions(events), (Seq{"file_deleted", "early_deletion"}));
  const Event* e = Action(events, "early_deletion");
  EXPECT_EQ(Str(e, ecs::kFileHashSha256), Sha256Hex("trade confirmation"));
  EXPECT_EQ(Str(e, ids_.class_id), "broker-records");
  EXPECT_EQ(Str(e, ids_.min), "6y");
  ASSERT_NE(e->GetList(ids_.controls), nullptr);
  EXPECT_EQ(e->GetList(ids_.controls)->at(0), "sec_17a_4:17a-4(f)(2)(ii)(A)");
  ASSERT_NE(e->GetTime(ids_.due), nullptr);
  // Deleting after the minimum is no finding; and the baseline forgot the file.
  EXPECT_EQ(Actions(Scan(2 * kDay)), Seq{});
}

TEST_P(ScanFixture, DeletionAfterTheMinimumIsOnlyADeletion) {
  Policy("classes:\n  - id: short\n    paths: [\"ROOT/**\"]\n    min: 1d\n");
  WriteFile(root_ + "/x", "x");
  Scan(0);
  std::filesystem::remove(root_ + "/x");
  EXPECT_EQ(Actions(Scan(3 * kDay)), Seq{"file_deleted"});
}

TEST_P(ScanFixture, EditingAWormFileIsAnEarlyModification) {
  Policy("classes:\n  - id: sox\n    paths: [\"ROOT/**\"]\n    min: 7y\n    immutability: worm\n");
  WriteFile(root_ + "/wp.xlsx", "v1");
  Scan(0);
  WriteFile(root_ + "/wp.xlsx", "version 2");
  const auto events = Scan(kDay);
  EXPECT_EQ(Actions(events), (Seq{"file_modified", "early_modification"}));
  EXPECT_EQ(Str(Action(events, "early_modification"), ids_.previous_sha256), Sha256Hex("v1"));
  EXPECT_EQ(Str(Action(events, "early_modification"), ecs::kFileHashSha256), Sha256Hex("version 2"));
}

TEST_P(ScanFixture, ContentChangedBehindUnchangedTimestampsIsAHashMismatch) {
  Policy("classes:\n  - id: sox\n    paths: [\"ROOT/**\"]\n    min: 7y\n    immutability: worm\n");
  WriteFile(root_ + "/wp.xlsx", "original");
  Scan(0);
  {
    // What a tamperer with a reset clock leaves: the baseline's facts match the file's, the
    // content does not (the test rewrites the recorded hash: ctime cannot be set back).
    auto store = BaselineStore::Open(dir_.path() + "/baseline.db");
    ASSERT_TRUE(store.ok());
    bool done = false;
    ASSERT_TRUE((*store)->ForEach([&](const BaselineRecord& r) {
      BaselineRecord copy = r;
      copy.sha256 = Sha256Hex("what the auditors saw");
      done = (*store)->Put(copy).ok();
      return false;
    }).ok());
    ASSERT_TRUE(done);
  }
  EXPECT_EQ(Actions(Scan(kDay)), Seq{});  // metadata unchanged: not re-hashed
  const auto events = Scan(2 * kDay, /*full_rehash=*/true);
  EXPECT_EQ(Actions(events), (Seq{"file_modified", "hash_mismatch", "early_modification"}));
}

TEST_P(ScanFixture, AppendOnlyAllowsAppendsAndCatchesTruncation) {
  Policy("classes:\n  - id: journal\n    paths: [\"ROOT/**\"]\n    min: 6y\n    immutability: append_only\n");
  WriteFile(root_ + "/ledger.log", "line 1\n");
  Scan(0);
  WriteFile(root_ + "/ledger.log", "line 2\n", /*append=*/true);
  EXPECT_EQ(Actions(Scan(kDay)), Seq{"file_modified"});
  WriteFile(root_ + "/ledger.log", "line 1\n");  // truncated back
  EXPECT_EQ(Actions(Scan(2 * kDay)), (Seq{"file_modified", "append_only_violation"}));
  WriteFile(root_ + "/ledger.log", "LINE 1\nline 2\nline 3\n");  // grew, but the start changed
  EXPECT_EQ(Actions(Scan(3 * kDay)), (Seq{"file_modified", "append_only_violation"}));
}

TEST_P(ScanFixture, OverdueOnceAndNotUnderAHold) {
  Policy("classes:\n  - id: crm\n    paths: [\"ROOT/**\"]\n    max: 30d\n    expiring_soon: 7d\n"
         "holds:\n  - id: LH-7\n    paths: [\"ROOT/case/**\"]\n    issued_by: legal@example.com\n"
         "    from: 2000-01-01\n    until: null\n");
  WriteFile(root_ + "/lead.csv", "x");
  WriteFile(root_ + "/case/lead.csv", "y");
  EXPECT_EQ(Actions(Scan(0)), Seq{});
  const auto soon = Scan(25 * kDay);
  EXPECT_EQ(Actions(soon), Seq{"expiring_soon"});
  EXPECT_EQ(Str(Action(soon, "expiring_soon"), ecs::kFilePath), root_ + "/lead.csv");
  const auto overdue = Scan(31 * kDay);
  EXPECT_EQ(Actions(overdue), Seq{"overdue"});
  EXPECT_EQ(Str(Action(overdue, "overdue"), ecs::kFilePath), root_ + "/lead.csv");
  // Every scan reopens the store (a restart): the finding is not raised twice.
  EXPECT_EQ(Actions(Scan(32 * kDay)), Seq{});
  const size_t crm = 0;
  EXPECT_EQ(last_.items[crm][static_cast<size_t>(ItemState::kOverdue)], 1);
  EXPECT_EQ(last_.items[crm][static_cast<size_t>(ItemState::kHeld)], 1);
  // Deleting the held file is a hold violation.
  std::filesystem::remove(root_ + "/case/lead.csv");
  const auto deleted = Scan(33 * kDay);
  EXPECT_EQ(Actions(deleted), (Seq{"file_deleted", "hold_violation"}));
  EXPECT_EQ(Str(Action(deleted, "hold_violation"), ids_.hold), "LH-7");
}

TEST_P(ScanFixture, RenamesKeepTheFileAndAttributesAreTracked) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n");
  WriteFile(root_ + "/old.pdf", "doc");
  Scan(0);
  std::filesystem::rename(root_ + "/old.pdf", root_ + "/new.pdf");
  const auto events = Scan(kDay);
  EXPECT_EQ(Actions(events), Seq{"file_renamed"});
  EXPECT_EQ(Str(Action(events, "file_renamed"), ids_.previous_path), root_ + "/old.pdf");
  ASSERT_EQ(chmod((root_ + "/new.pdf").c_str(), 0600), 0);
  EXPECT_EQ(Actions(Scan(2 * kDay)), Seq{"attributes_changed"});
  EXPECT_EQ(Actions(Scan(3 * kDay)), Seq{});
}

// A directory removed with its files, or whose files moved away, leaves no row in the
// baseline after the next full scan; a directory created later under the same name works.
TEST_P(ScanFixture, DirectoriesThatLostAllTheirFilesLeaveTheBaseline) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    max: 30d\n");
  WriteFile(root_ + "/keep/a", "a");
  WriteFile(root_ + "/tmp1/b", "b");
  WriteFile(root_ + "/tmp2/c", "c");
  Scan(0);
  auto dirs = [&] {
    std::vector<std::string> out;
    auto db = sqlite::Database::Open(dir_.path() + "/baseline.db", sqlite::kReadOnly);
    EXPECT_TRUE(db.ok());
    auto q = db->Prepare("SELECT path FROM retention_dirs ORDER BY path");
    EXPECT_TRUE(q.ok());
    for (auto row = q->Step(); row.ok() && *row; row = q->Step()) out.push_back(q->Text(0));
    return out;
  };
  EXPECT_EQ(dirs(), (Seq{root_ + "/keep/", root_ + "/tmp1/", root_ + "/tmp2/"}));
  std::filesystem::remove_all(root_ + "/tmp1");
  std::filesystem::rename(root_ + "/tmp2/c", root_ + "/keep/c");
  EXPECT_EQ(Actions(Scan(kDay)), (Seq{"file_renamed", "file_deleted"}));
  EXPECT_EQ(dirs(), (Seq{root_ + "/keep/"}));
  WriteFile(root_ + "/tmp1/d", "d");
  EXPECT_EQ(Actions(Scan(2 * kDay)), Seq{"file_created"});
  EXPECT_EQ(dirs(), (Seq{root_ + "/keep/", root_ + "/tmp1/"}));
  std::filesystem::remove(root_ + "/tmp1/d");
  const auto events = Scan(3 * kDay);
  EXPECT_EQ(Actions(events), Seq{"file_deleted"});
  EXPECT_EQ(Str(Action(events, "file_deleted"), ecs::kFilePath), root_ + "/tmp1/d");
}

// A class removed from the policy: once the rescan has given its files their new class, its
// label row goes (a full rescan prunes labels as it prunes directories); the policy's stay.
TEST_P(ScanFixture, LabelsOfClassesRemovedFromThePolicyLeaveTheBaseline) {
  Policy("classes:\n  - id: old\n    paths: [\"ROOT/a/**\"]\n    min: 6y\n"
         "  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 1y\n");
  WriteFile(root_ + "/a/x", "x");
  WriteFile(root_ + "/b/y", "y");
  Scan(0);
  auto classes = [&] {
    std::vector<std::string> out;
    auto db = sqlite::Database::Open(dir_.path() + "/baseline.db", sqlite::kReadOnly);
    EXPECT_TRUE(db.ok());
    auto q = db->Prepare(
        "SELECT label FROM retention_labels WHERE label NOT IN ('', 'birth', 'first_seen', 'mtime', 'event')"
        " ORDER BY label");
    EXPECT_TRUE(q.ok());
    for (auto row = q->Step(); row.ok() && *row; row = q->Step()) out.push_back(q->Text(0));
    return out;
  };
  EXPECT_EQ(classes(), (Seq{"old", "rec"}));
  Scan(kDay);  // the same policy: nothing pruned
  EXPECT_EQ(classes(), (Seq{"old", "rec"}));
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 1y\n");
  Scan(2 * kDay);
  EXPECT_EQ(classes(), Seq{"rec"});
  Policy("classes:\n  - id: old\n    paths: [\"ROOT/a/**\"]\n    min: 6y\n"
         "  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 1y\n");
  Scan(3 * kDay);  // back in the policy: a new row (a new id) for it
  EXPECT_EQ(classes(), (Seq{"old", "rec"}));
  auto store = BaselineStore::Open(dir_.path() + "/baseline.db");
  ASSERT_TRUE(store.ok());
  std::vector<std::string> seen;
  ASSERT_TRUE((*store)->ForEach([&](const BaselineRecord& r) {
    seen.push_back(r.path + ":" + r.class_id);
    return true;
  }).ok());
  EXPECT_EQ(seen, (Seq{root_ + "/a/x:old", root_ + "/b/y:rec"}));
}

// A file with two links is one file: one row from the first scan (which keeps no other key
// than those of such files), no rename back and forth between its paths on the next scans.
TEST_P(ScanFixture, AFileWithTwoLinksIsOneRow) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n");
  WriteFile(root_ + "/a/x", "x");
  WriteFile(root_ + "/c/y", "y");
  std::filesystem::create_directories(root_ + "/b");
  std::filesystem::create_hard_link(root_ + "/a/x", root_ + "/b/x2");
  EXPECT_EQ(Actions(Scan(0)), Seq{});
  auto rows = [&] {
    auto store = BaselineStore::Open(dir_.path() + "/baseline.db");
    EXPECT_TRUE(store.ok());
    auto n = (*store)->Count();
    return n.ok() ? *n : -1;
  };
  EXPECT_EQ(rows(), 2);
  EXPECT_EQ(Actions(Scan(kDay)), Seq{});
  EXPECT_EQ(Actions(Scan(2 * kDay)), Seq{});
  EXPECT_EQ(rows(), 2);
}

TEST_P(ScanFixture, UnclassifiedFilesAreReportedOnce) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/records/**\"]\n    min: 6y\n"
         "unclassified:\n  paths: [\"ROOT/**\"]\n  severity: high\n");
  WriteFile(root_ + "/records/a", "a");
  WriteFile(root_ + "/stray.doc", "b");
  const auto events = Scan(0);
  EXPECT_EQ(Actions(events), Seq{"unclassified"});
  EXPECT_EQ(Str(Action(events, "unclassified"), ids_.severity), "high");
  EXPECT_EQ(Actions(Scan(kDay)), Seq{});
  EXPECT_EQ(last_.items.back()[static_cast<size_t>(ItemState::kUnclassified)], 1);
}

TEST_P(ScanFixture, GapsAreNotDeletions) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n");
  WriteFile(root_ + "/top", "t");
  WriteFile(root_ + "/deep/er/file", "f");
  Scan(0);
  // A scan that could not go deep (as with an unreadable directory) says nothing about
  // what is below: a scan_gap, and no deletion.
  const auto events = Scan(kDay, false, /*max_depth=*/0);
  EXPECT_EQ(Actions(events), Seq{"scan_gap"});
  EXPECT_EQ(last_.walk.issue(WalkIssue::kTooDeep), 1u);
  // A scan stopped by max_files: no deletion either.
  EXPECT_EQ(Actions(Scan(2 * kDay, false, 256, /*max_files=*/1)), Seq{"scan_gap"});
  EXPECT_EQ(Actions(Scan(3 * kDay)), Seq{});
}

TEST_P(ScanFixture, ALateScanIsAGap) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n");
  previous_end_ = t0_ - 3 * 3600;
  expected_by_ = t0_ - 3600;
  const auto events = Scan(0);
  ASSERT_EQ(Actions(events), Seq{"scan_gap"});
  ASSERT_NE(events[0].Get(ids_.gap), nullptr);
  EXPECT_EQ(std::get<Duration>(*events[0].Get(ids_.gap)), std::chrono::hours(3));
}

TEST_P(ScanFixture, SymlinksAreNeverFollowed) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n");
  WriteFile(dir_.path() + "/outside/secret", "s");
  WriteFile(root_ + "/inside", "i");
  std::filesystem::create_directory_symlink(dir_.path() + "/outside", root_ + "/link");
  std::filesystem::create_symlink(dir_.path() + "/outside/secret", root_ + "/filelink");
  Scan(0);
  EXPECT_EQ(last_.walk.files, 1u);
}

TEST_P(ScanFixture, EventsHaveTheirDeclaredFields) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n    immutability: worm\n");
  WriteFile(root_ + "/a", "1");
  Scan(0);
  WriteFile(root_ + "/a", "22");
  const auto events = Scan(kDay);
  ASSERT_FALSE(events.empty());
  const Event& e = events[0];
  EXPECT_EQ(Str(&e, ecs::kEventDataset), "retention.file");
  EXPECT_EQ(Str(&e, ids_.policy), "policy.yaml");
  EXPECT_EQ(Str(&e, ids_.immutability), "worm");
  const std::string clock = Str(&e, ids_.clock);
  EXPECT_TRUE(clock == "birth" || clock == "first_seen") << clock;
  EXPECT_NE(e.GetInt(ecs::kFileSize), nullptr);
  EXPECT_NE(e.Get(ids_.age), nullptr);
  for (const Event::Field& f : e.fields()) {
    EXPECT_EQ(ValueType(f.value), FieldRegistry::Global().Info(f.id).type) << FieldRegistry::Global().Info(f.id).name;
  }
}

// A rescan of the paths a change notification named: deletions only below those paths, the
// rest of the baseline untouched, and the scheduled scans' bookkeeping left alone.
TEST_P(ScanFixture, APartialScanLooksOnlyAtItsPaths) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n    immutability: worm\n");
  WriteFile(root_ + "/a/one", "1");
  WriteFile(root_ + "/a/two", "2");
  WriteFile(root_ + "/ab/three", "3");
  WriteFile(root_ + "/b/four", "4");
  Scan(0);
  std::filesystem::remove(root_ + "/a/one");
  std::filesystem::remove(root_ + "/b/four");
  WriteFile(root_ + "/a/two", "22");
  auto store = BaselineStore::Open(dir_.path() + "/baseline.db");
  ASSERT_TRUE(store.ok());
  std::vector<Event> events;
  RetentionScan scan(policy_, **store, ids_, [&](Event&& e) {
    events.push_back(std::move(e));
    return true;
  });
  ScanRequest req;
  req.partial = true;
  req.walk.partial = true;
  req.walk.workers = GetParam();
  req.walk.roots = {root_ + "/a"};
  req.walk.root_depth = {1};
  req.now = t0_ + kDay;
  auto r = scan.Run(req, [] { return false; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Seq got;
  for (const Event& e : events) got.push_back(*e.GetString(ecs::kEventAction) + " " + Str(&e, ecs::kFilePath).substr(root_.size()));
  // The stat phase's deletions first, then the hash phase's content findings.
  EXPECT_EQ(got, (Seq{"file_deleted /a/one", "early_deletion /a/one", "file_modified /a/two",
                      "early_modification /a/two"}));
  EXPECT_EQ(**(*store)->GetState("scans_completed"), 1);
  // With a reason, a partial scan of nothing is just the gap event.
  events.clear();
  ScanRequest gap;
  gap.partial = true;
  gap.walk.partial = true;
  gap.gap_reasons = {"watch_limit"};
  gap.now = t0_ + kDay;
  ASSERT_TRUE(scan.Run(gap, [] { return false; }).ok());
  EXPECT_EQ(Actions(events), Seq{"scan_gap"});
  // The next full scan still finds b/four deleted (and nothing twice).
  EXPECT_EQ(Actions(Scan(2 * kDay)), (Seq{"file_deleted", "early_deletion"}));
}

// The two phases: the stat phase records the baseline with the hashes pending, and the hash
// phase (here: of the next scan, as after a restart between them) fills them in.
TEST_P(ScanFixture, TheStatPhaseRecordsTheBaselineAndTheHashesFollow) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n    immutability: worm\n");
  WriteFile(root_ + "/a", "alpha");
  WriteFile(root_ + "/d/b", "beta");
  hash_phase_ = false;
  EXPECT_EQ(Actions(Scan(0)), Seq{});
  EXPECT_EQ(last_.hashed, 0u);
  {
    auto store = BaselineStore::Open(dir_.path() + "/baseline.db");
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(*(*store)->Count(), 2);
    EXPECT_EQ(**(*store)->GetState("scans_completed"), 1);
    ASSERT_TRUE((*store)->ForEach([](const BaselineRecord& r) {
      EXPECT_EQ(r.hash_pending, HashPending::kContent) << r.path;
      EXPECT_EQ(r.sha256, "") << r.path;
      return true;
    }).ok());
  }
  hash_phase_ = true;
  // The pending hashes resume: recorded, no finding (the files were never hashed before).
  EXPECT_EQ(Actions(Scan(60)), Seq{});
  EXPECT_EQ(last_.hashed, 2u);
  EXPECT_EQ(Actions(Scan(120)), Seq{});
  EXPECT_EQ(last_.hashed, 0u);
  // A WORM file edited, then (after a stat phase, before its hash phase) edited again: one
  // finding, against the last hashed content, raised once.
  WriteFile(root_ + "/a", "alpha 2");
  hash_phase_ = false;
  EXPECT_EQ(Actions(Scan(kDay)), Seq{});
  WriteFile(root_ + "/a", "alpha 3");
  hash_phase_ = true;
  const auto events = Scan(2 * kDay);
  EXPECT_EQ(Actions(events), (Seq{"file_modified", "early_modification"}));
  EXPECT_EQ(Str(Action(events, "early_modification"), ids_.previous_sha256), Sha256Hex("alpha"));
  EXPECT_EQ(Str(Action(events, "early_modification"), ecs::kFileHashSha256), Sha256Hex("alpha 3"));
  EXPECT_EQ(Actions(Scan(3 * kDay)), Seq{});
}

// A file deleted before its hash phase: early_deletion without a hash, and says so.
TEST_P(ScanFixture, AFileDeletedBeforeItWasHashedSaysItsHashWasPending) {
  Policy("classes:\n  - id: rec\n    paths: [\"ROOT/**\"]\n    min: 6y\n");
  WriteFile(root_ + "/kept", "kept");
  Scan(0);
  WriteFile(root_ + "/new", "new");
  hash_phase_ = false;
  EXPECT_EQ(Actions(Scan(kDay)), Seq{"file_created"});
  std::filesystem::remove(root_ + "/new");
  hash_phase_ = true;
  const auto events = Scan(2 * kDay);
  EXPECT_EQ(Actions(events), (Seq{"file_deleted", "early_deletion"}));
  const Event* e = Action(events, "early_deletion");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->GetString(ecs::kFileHashSha256), nullptr);
  ASSERT_NE(e->Get(ids_.hash_pending), nullptr);
  EXPECT_EQ(ValueType(*e->Get(ids_.hash_pending)), FieldType::kBool);
  // A file hashed before its deletion carries its hash and no such field.
  std::filesystem::remove(root_ + "/kept");
  const auto kept = Scan(3 * kDay);
  const Event* k = Action(kept, "early_deletion");
  EXPECT_EQ(Str(k, ecs::kFileHashSha256), Sha256Hex("kept"));
  EXPECT_EQ(k->Get(ids_.hash_pending), nullptr);
}

// A full re-hash stopped after its stat phase resumes at the next scan (which is no full
// re-hash) and raises its finding once.
TEST_P(ScanFixture, AnInterruptedFullRehashResumes) {
  Policy("classes:\n  - id: sox\n    paths: [\"ROOT/**\"]\n    min: 7y\n    immutability: worm\n");
  WriteFile(root_ + "/wp.xlsx", "original");
  WriteFile(root_ + "/other", "other");
  Scan(0);
  {
    auto store = BaselineStore::Open(dir_.path() + "/baseline.db");
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->ForEach([&](const BaselineRecord& r) {
      if (r.path != root_ + "/wp.xlsx") return true;
      BaselineRecord copy = r;
      copy.sha256 = Sha256Hex("what the auditors saw");
      EXPECT_TRUE((*store)->Put(copy).ok());
      return true;
    }).ok());
  }
  hash_phase_ = false;
  EXPECT_EQ(Actions(Scan(kDay, /*full_rehash=*/true)), Seq{});
  hash_phase_ = true;
  EXPECT_EQ(Actions(Scan(2 * kDay)), (Seq{"file_modified", "hash_mismatch", "early_modification"}));
  EXPECT_EQ(last_.hashed, 2u);
  EXPECT_EQ(Actions(Scan(3 * kDay)), Seq{});
  EXPECT_EQ(last_.hashed, 0u);
}

INSTANTIATE_TEST_SUITE_P(Workers, ScanFixture, ::testing::Values(1, 4));

BaselineRecord Row(uint64_t ino, std::string path) {
  BaselineRecord r;
  r.key = {1, ino, 0};
  r.path = std::move(path);
  r.clock = "birth";
  r.hash_pending = HashPending::kContent;
  return r;
}

// More rows than the writer's queue holds: every one written, in the order queued (the later
// of two rows with one key wins), and the store usable by this thread afterwards.
TEST(BaselineWriter, WritesEveryRowInTheOrderQueued) {
  TempDir dir;
  auto store = BaselineStore::Open(dir.path() + "/baseline.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Begin().ok());
  constexpr uint64_t kRows = 3 * BaselineWriter::kMaxQueued + 17;
  {
    BaselineWriter writer(**store);
    for (uint64_t i = 0; i < kRows; ++i) ASSERT_TRUE(writer.Put(Row(i, "/srv/f" + std::to_string(i))));
    ASSERT_TRUE(writer.Put(Row(7, "/srv/renamed")));
    ASSERT_TRUE(writer.Finish().ok());
  }
  ASSERT_TRUE((*store)->SetState("scans_completed", 1).ok());
  ASSERT_TRUE((*store)->Commit().ok());
  auto count = (*store)->Count();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, static_cast<int64_t>(kRows));
  auto seven = (*store)->Find({1, 7, 0});
  ASSERT_TRUE(seven.ok() && seven->has_value());
  EXPECT_EQ((*seven)->path, "/srv/renamed");
  auto last = (*store)->Find({1, kRows - 1, 0});
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->path, "/srv/f" + std::to_string(kRows - 1));
}

bool HasKeyIndex(const std::string& db_path) {
  auto db = sqlite::Database::Open(db_path, sqlite::kReadOnly);
  EXPECT_TRUE(db.ok());
  auto q = db->Prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'retention_baseline_by_key'");
  EXPECT_TRUE(q.ok());
  auto row = q->Step();
  return row.ok() && *row && q->Int(0) == 1;
}

// A bulk load drops the key index and builds it at its end; one that stopped before (a crash,
// a shutdown) gets it back when the store is opened again, or from the next EndBulkLoad.
TEST(BaselineStore, ABulkLoadBuildsItsKeyIndexAtTheEndOrOnTheNextOpen) {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.db";
  {
    auto store = BaselineStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Begin().ok());
    ASSERT_TRUE((*store)->BeginBulkLoad().ok());
    for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE((*store)->Put(Row(i, "/srv/d/f" + std::to_string(i))).ok());
    ASSERT_TRUE((*store)->Put(Row(9, "/srv/e/g")).ok());
    ASSERT_TRUE((*store)->Commit().ok());
    EXPECT_FALSE(HasKeyIndex(path));
    // The same store ends the load later (what a scan does first).
    ASSERT_TRUE((*store)->EndBulkLoad().ok());
    EXPECT_TRUE(HasKeyIndex(path));
    ASSERT_TRUE((*store)->EndBulkLoad().ok());  // no load under way: nothing to do
    // A load left unfinished (the process stops here).
    ASSERT_TRUE((*store)->Begin().ok());
    ASSERT_TRUE((*store)->BeginBulkLoad().ok());
    ASSERT_TRUE((*store)->Commit().ok());
    EXPECT_FALSE(HasKeyIndex(path));
  }
  auto store = BaselineStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(HasKeyIndex(path));
  std::vector<std::string> under;
  ASSERT_TRUE((*store)->ForEachUnder("/srv/d", [&](const BaselineRecord& r) {
    under.push_back(r.path);
    return true;
  }).ok());
  EXPECT_EQ(under, (std::vector<std::string>{"/srv/d/f0", "/srv/d/f1", "/srv/d/f2"}));
  auto nine = (*store)->Find({1, 9, 0});
  ASSERT_TRUE(nine.ok() && nine->has_value());
  EXPECT_EQ((*nine)->path, "/srv/e/g");
}

// A write that fails (the table dropped under the writer) stops it: Finish says why, and a
// writer destroyed without Finish does not hang.
TEST(BaselineWriter, AFailedWriteIsReportedByFinish) {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.db";
  auto store = BaselineStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  {
    auto other = sqlite::Database::Open(path);
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(other->Exec("DROP TABLE retention_baseline").ok());
  }
  ASSERT_TRUE((*store)->Begin().ok());
  BaselineWriter writer(**store);
  for (uint64_t i = 0; i < 2 * BaselineWriter::kMaxQueued; ++i) {
    if (!writer.Put(Row(i, "/srv/f" + std::to_string(i)))) break;  // stopped: the failure seen
  }
  const Status st = writer.Finish();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.ToString().find("retention_baseline"), std::string::npos) << st.ToString();
  BaselineWriter unfinished(**store);
  EXPECT_TRUE(unfinished.Put(Row(1, "/srv/x")));
}

}  // namespace
}  // namespace vigil::retention
