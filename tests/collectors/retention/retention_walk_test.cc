// The parallel tree walk: the same files, order, gaps, counts and limits whatever the number
// of workers, and a scan's events identical across worker counts.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "change_watcher.h"
#include "tree_walker.h"
#include "worker_pool.h"

namespace vigil::retention {
namespace {

using testing::TempDir;

void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::trunc | std::ios::binary) << content;
}

struct Walked {
  std::vector<std::string> files;  // path size, in walk order
  WalkStats stats;
  bool finished = true;
};

Walked Walk(WalkOptions options, int workers, size_t stop_after = SIZE_MAX) {
  options.workers = workers;
  Walked w;
  TreeWalker walker;
  w.finished = walker.Walk(
      options,
      [&](const FileFacts& f) {
        w.files.push_back(f.path + " " + std::to_string(f.size));
        return w.files.size() < stop_after;
      },
      &w.stats);
  return w;
}

void ExpectSame(const Walked& a, const Walked& b) {
  EXPECT_EQ(a.files, b.files);
  EXPECT_EQ(a.stats.files, b.stats.files);
  EXPECT_EQ(a.stats.dirs, b.stats.dirs);
  EXPECT_EQ(a.stats.issues, b.stats.issues);
  EXPECT_EQ(a.stats.gaps, b.stats.gaps);
  EXPECT_EQ(a.stats.truncated, b.stats.truncated);
  EXPECT_EQ(a.finished, b.finished);
}

class WalkTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    root_ = dir_.path() + "/srv";
    // 3 levels of 4 directories, each with a few files of varied size; names that sort
    // differently as bytes and as numbers.
    for (int a = 0; a < 4; ++a) {
      for (int b = 0; b < 4; ++b) {
        for (int c = 0; c < 4; ++c) {
          const std::string d = root_ + "/d" + std::to_string(a * 5) + "/e" + std::to_string(b) +
                                "/f" + std::to_string(c * 11);
          for (int i = 0; i < 3 + (a + b + c) % 4; ++i) {
            WriteFile(d + "/file" + std::to_string(i * 7), std::string(static_cast<size_t>(i * 13 + c), 'x'));
          }
        }
        WriteFile(root_ + "/d" + std::to_string(a * 5) + "/e" + std::to_string(b) + "/top", "t");
      }
    }
    WriteFile(root_ + "/zz", "last");
    options_.roots = {root_};
  }

  TempDir dir_;
  std::string root_;
  WalkOptions options_;
};

TEST_P(WalkTest, SameFilesInTheSameOrderAsOneThread) {
  const Walked one = Walk(options_, 1);
  EXPECT_GT(one.files.size(), 200u);
  EXPECT_EQ(one.stats.dirs, 1u + 4 + 16 + 64);
  ExpectSame(one, Walk(options_, GetParam()));
}

TEST_P(WalkTest, MaxFilesStopsAtTheSameFile) {
  options_.max_files = 57;
  const Walked w = Walk(options_, GetParam());
  EXPECT_EQ(w.files.size(), 57u);
  EXPECT_TRUE(w.stats.truncated);
  EXPECT_EQ(w.stats.issue(WalkIssue::kMaxFiles), 1u);
  ExpectSame(Walk(options_, 1), w);
}

TEST_P(WalkTest, MaxDepthSkipsAndCountsTheSameSubtrees) {
  options_.max_depth = 2;
  const Walked w = Walk(options_, GetParam());
  EXPECT_EQ(w.stats.issue(WalkIssue::kTooDeep), 64u);
  EXPECT_EQ(w.stats.gaps.size(), 64u);
  EXPECT_TRUE(w.stats.InGap(root_ + "/d0/e0/f0/file0"));
  EXPECT_FALSE(w.stats.InGap(root_ + "/d0/e0/top"));
  ExpectSame(Walk(options_, 1), w);
}

TEST_P(WalkTest, AStopFromTheCallbackEndsTheWalk) {
  const Walked w = Walk(options_, GetParam(), 10);
  EXPECT_FALSE(w.finished);
  EXPECT_EQ(w.files.size(), 10u);
  ExpectSame(Walk(options_, 1, 10), w);
}

TEST_P(WalkTest, SymlinksAreNeverFollowed) {
  WriteFile(dir_.path() + "/outside/secret", "s");
  std::filesystem::create_directory_symlink(dir_.path() + "/outside", root_ + "/d0/link");
  std::filesystem::create_symlink(dir_.path() + "/outside/secret", root_ + "/d5/filelink");
  std::filesystem::create_directory_symlink(root_, dir_.path() + "/rootlink");
  const Walked plain = Walk(options_, 1);
  options_.roots.push_back(dir_.path() + "/rootlink");
  const Walked w = Walk(options_, GetParam());
  EXPECT_EQ(w.stats.issue(WalkIssue::kSymlinkRoot), 1u);
  EXPECT_EQ(w.files, plain.files);
  for (const std::string& f : w.files) EXPECT_EQ(f.find("secret"), std::string::npos) << f;
  ExpectSame(Walk(options_, 1), w);
}

TEST_P(WalkTest, MissingRootsAndVanishedEntriesAreNotGaps) {
  options_.roots.push_back(dir_.path() + "/nothing-here");
  const Walked w = Walk(options_, GetParam());
  EXPECT_EQ(w.stats.issue(WalkIssue::kMissingRoot), 1u);
  EXPECT_TRUE(w.stats.gaps.empty());
  ExpectSame(Walk(options_, 1), w);
}

TEST_P(WalkTest, PartialWalksKeepTheScopeDepthAndIgnoreSymlinkRoots) {
  std::filesystem::create_symlink(root_ + "/zz", root_ + "/zzlink");
  WalkOptions o;
  o.partial = true;
  o.max_depth = 2;
  o.roots = {root_ + "/d5/e1", root_ + "/zzlink", root_ + "/zz/under-a-file"};
  o.root_depth = {2, 1, 2};
  const Walked w = Walk(o, GetParam());
  // d5/e1's subdirectories are at depth 3: too deep, as in a walk from the scope root.
  EXPECT_EQ(w.stats.issue(WalkIssue::kTooDeep), 4u);
  EXPECT_EQ(w.stats.issue(WalkIssue::kSymlinkRoot), 0u);
  EXPECT_EQ(w.stats.issue(WalkIssue::kMissingRoot), 1u);
  EXPECT_EQ(w.files, std::vector<std::string>{root_ + "/d5/e1/top 1"});
  ExpectSame(Walk(o, 1), w);
}

// Another filesystem below a root (/dev/shm, /dev/pts, /dev/mqueue are usually mounts on their
// own) is skipped and counted without cross_device, entered with it.
TEST_P(WalkTest, OtherFilesystemsAreSkippedWithoutCrossDevice) {
  struct stat dev {};
  struct stat shm {};
  if (stat("/dev", &dev) != 0 || stat("/dev/shm", &shm) != 0 || dev.st_dev == shm.st_dev) {
    GTEST_SKIP() << "no other filesystem under /dev here";
  }
  WalkOptions o;
  o.roots = {"/dev"};
  o.max_depth = 1;
  o.max_files = 100000;
  const Walked w = Walk(o, GetParam());
  EXPECT_GE(w.stats.issue(WalkIssue::kOtherDevice), 1u);
  o.cross_device = true;
  const Walked x = Walk(o, GetParam());
  EXPECT_EQ(x.stats.issue(WalkIssue::kOtherDevice), 0u);
  EXPECT_GT(x.stats.dirs, w.stats.dirs);
}

INSTANTIATE_TEST_SUITE_P(Workers, WalkTest, ::testing::Values(1, 4));

TEST(CoalescePaths, KeepsTheFewestRoots) {
  EXPECT_EQ(CoalescePaths({"/s/a/b", "/s/a", "/s/a-b", "/s/a/b/c", "/s/z", "/s/a"}),
            (std::vector<std::string>{"/s/a", "/s/a-b", "/s/z"}));
  EXPECT_EQ(CoalescePaths({"/x", "/"}), std::vector<std::string>{"/"});
  EXPECT_TRUE(CoalescePaths({}).empty());
}

// The filesystems fanotify marks below the roots with cross_device: mount points strictly below
// a root, unescaped; the root's own mount, siblings sharing a prefix and malformed lines not.
TEST(MountsBelow, FindsTheMountPointsBelowTheRoots) {
  const std::string info =
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
      "30 22 0:40 / /srv rw shared:2 - ext4 /dev/vdb rw\n"
      "31 30 0:41 / /srv/archive rw shared:3 - xfs /dev/vdc rw\n"
      "32 31 0:42 / /srv/archive/scans\\0402026 rw - tmpfs tmpfs rw\n"
      "33 22 0:43 / /srv-old rw - tmpfs tmpfs rw\n"
      "34 22 0:44 / /data/x rw - tmpfs tmpfs rw\n"
      "35 31 0:41 / /srv/archive rw shared:3 - xfs /dev/vdc rw\n"
      "garbage line\n"
      "\n"
      "36 22 0:45 / relative rw - tmpfs tmpfs rw";
  EXPECT_EQ(MountsBelow(info, {"/srv"}),
            (std::vector<std::string>{"/srv/archive", "/srv/archive/scans 2026"}));
  EXPECT_EQ(MountsBelow(info, {"/srv/archive", "/data"}),
            (std::vector<std::string>{"/data/x", "/srv/archive/scans 2026"}));
  EXPECT_TRUE(MountsBelow(info, {"/home"}).empty());
  EXPECT_TRUE(MountsBelow("", {"/srv"}).empty());
}

TEST(WorkerPool, ParallelForRunsEachIndexOnce) {
  WorkerPool pool(4);
  std::vector<int> hits(1000, 0);
  pool.ParallelFor(hits.size(), [&](size_t i, size_t worker) {
    EXPECT_LT(worker, 4u);
    ++hits[i];
  });
  for (int h : hits) EXPECT_EQ(h, 1);
  pool.ParallelFor(0, [](size_t, size_t) { FAIL(); });
}

TEST(WorkerPool, StartedJobsRunEachIndexOnceWhileTheCallerGoesOn) {
  WorkerPool pool(2);
  std::vector<int> first(500, 0), second(500, 0);
  std::atomic<size_t> first_done{0};
  auto a = pool.Start(first.size(), [&](size_t i, size_t worker) {
    EXPECT_LT(worker, 2u);
    ++first[i];
    ++first_done;
  });
  auto b = pool.Start(second.size(), [&](size_t i, size_t) { ++second[i]; });
  a->Wait();
  EXPECT_EQ(first_done.load(), first.size());
  b->Wait();
  for (int h : first) EXPECT_EQ(h, 1);
  for (int h : second) EXPECT_EQ(h, 1);
  auto none = pool.Start(0, [](size_t, size_t) { FAIL(); });
  none->Wait();  // nothing to run: returns at once
}

}  // namespace
}  // namespace vigil::retention
