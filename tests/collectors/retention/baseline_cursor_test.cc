// PathCursor, through BaselineStore::Find(key, path) and BaselineReader::Find(key, path): a
// rescan's lookups in walk order, a directory's rows read in one pass, give exactly what a
// lookup by key gives, for every change a rescan meets (files unchanged, new, deleted,
// renamed within and across directories, hard links, a directory gone, a directory added),
// whatever the batches the lookups are cut into, inside and outside read transactions, with
// writes between them, and into a record reused from one lookup to the next.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "baseline_store.h"
#include "baseline_test_rows.h"
#include "support/test_support.h"

namespace vigil::retention {
namespace {

using testing::TempDir;

// A sample row whose columns vary with `ino`.
BaselineRecord Row(uint64_t ino, std::string path) {
  BaselineRecord r = SampleRow(ino, std::move(path));
  r.ctime_ns += static_cast<int64_t>(ino);
  if (ino % 3 == 0) r.sha256.clear();
  r.changed_at = static_cast<int64_t>(ino);
  if (ino % 2 != 0) {
    r.class_id.clear();
    r.clock.clear();
  }
  r.reported = static_cast<uint32_t>(ino % 8);
  r.hash_pending = ino % 5 == 0 ? HashPending::kContent : HashPending::kNone;
  return r;
}

void ExpectSame(const std::optional<BaselineRecord>& got, const std::optional<BaselineRecord>& want,
                const std::string& what) {
  ASSERT_EQ(got.has_value(), want.has_value()) << what;
  if (want) ExpectSameRow(*got, *want, what);
}

struct Probe {
  FileKey key;
  std::string path;  // where the walk finds it now
};

std::string Name(int i) {
  std::string n = std::to_string(i);
  return "f" + std::string(4 - n.size(), '0') + n;
}

// The baseline: /srv/a (40 files), /srv/a-b (3), /srv/a/sub (5), /srv/gone (4). The walk
// now, in its order: /srv/a with every 3rd file deleted, a run of 20 deleted (more than the
// cursor steps over), two new files, one renamed in place (same key, new name), one moved in
// from /srv/gone, one hard link (the key of another file of /srv/a at a second name); then
// /srv/a-b unchanged, /srv/a/sub with a file from /srv/a-b (renamed across), /srv/new (a
// directory added, with a file moved in); /srv/gone is gone.
struct Fixture {
  std::vector<BaselineRecord> rows;
  std::vector<Probe> walk;
  Fixture() {
    uint64_t ino = 1;
    for (int i = 0; i < 40; ++i) rows.push_back(Row(ino++, "/srv/a/" + Name(i)));      // ino 1-40
    for (int i = 0; i < 3; ++i) rows.push_back(Row(ino++, "/srv/a-b/" + Name(i)));     // 41-43
    for (int i = 0; i < 5; ++i) rows.push_back(Row(ino++, "/srv/a/sub/" + Name(i)));   // 44-48
    for (int i = 0; i < 4; ++i) rows.push_back(Row(ino++, "/srv/gone/" + Name(i)));    // 49-52
    for (int i = 0; i < 40; ++i) {
      if (i % 3 == 2 || (i >= 12 && i < 32)) continue;  // deleted
      walk.push_back({rows[static_cast<size_t>(i)].key, "/srv/a/" + Name(i)});
      if (i == 4) walk.push_back({Row(900, "").key, "/srv/a/" + Name(4) + "-new"});     // new
      if (i == 6) walk.push_back({rows[7].key, "/srv/a/" + Name(6) + "x"});             // renamed in place
      if (i == 9) walk.push_back({rows[49].key, "/srv/a/" + Name(9) + "m"});            // moved in
      if (i == 10) walk.push_back({rows[0].key, "/srv/a/" + Name(10) + "l"});           // a hard link
      if (i == 33) walk.push_back({Row(901, "").key, "/srv/a/" + Name(33) + "-new"});   // new
    }
    for (int i = 0; i < 3; ++i) if (i != 1) walk.push_back({rows[static_cast<size_t>(40 + i)].key, "/srv/a-b/" + Name(i)});
    for (int i = 0; i < 5; ++i) walk.push_back({rows[static_cast<size_t>(43 + i)].key, "/srv/a/sub/" + Name(i)});
    walk.push_back({rows[41].key, "/srv/a/sub/" + Name(9)});  // from /srv/a-b
    walk.push_back({rows[50].key, "/srv/new/" + Name(0)});     // a directory added
    walk.push_back({Row(902, "").key, "/srv/new/" + Name(1)});
  }
};

class BaselineCursor : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/baseline.db";
    auto store = BaselineStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    for (const BaselineRecord& r : fx_.rows) ASSERT_TRUE(store_->Put(r).ok());
    auto reader = store_->OpenReader();
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    reader_ = std::move(*reader);
  }
  std::optional<BaselineRecord> ByKey(const FileKey& k) {
    auto found = store_->Find(k);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::nullopt;
  }

  TempDir dir_;
  std::string path_;
  Fixture fx_;
  std::unique_ptr<BaselineStore> store_;
  std::unique_ptr<BaselineReader> reader_;
};

TEST_F(BaselineCursor, WalkOrderLookupsGiveWhatLookupsByKeyGive) {
  for (const size_t batch : {size_t{1}, size_t{3}, size_t{7}, size_t{64}, size_t{1000}}) {
    for (int via = 0; via < 2; ++via) {
      for (size_t at = 0; at < fx_.walk.size(); at += batch) {
        ASSERT_TRUE((via == 0 ? store_->BeginRead() : reader_->BeginRead()).ok());
        for (size_t i = at; i < std::min(fx_.walk.size(), at + batch); ++i) {
          const Probe& p = fx_.walk[i];
          auto found = via == 0 ? store_->Find(p.key, p.path) : reader_->Find(p.key, p.path);
          ASSERT_TRUE(found.ok()) << found.status().ToString();
          ExpectSame(*found, ByKey(p.key), p.path + " batch " + std::to_string(batch) + " via " + std::to_string(via));
        }
        ASSERT_TRUE((via == 0 ? store_->EndRead() : reader_->EndRead()).ok());
      }
    }
  }
}

TEST_F(BaselineCursor, ARecordReusedFromLookupToLookupHoldsOnlyTheLastRow) {
  BaselineRecord reused;
  for (int via = 0; via < 2; ++via) {
    ASSERT_TRUE((via == 0 ? store_->BeginRead() : reader_->BeginRead()).ok());
    for (const Probe& p : fx_.walk) {
      auto found = via == 0 ? store_->Find(p.key, p.path, &reused) : reader_->Find(p.key, p.path, &reused);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      const std::optional<BaselineRecord> want = ByKey(p.key);
      ASSERT_EQ(*found, want.has_value()) << p.path;
      if (*found) ExpectSame(reused, want, p.path);
    }
    ASSERT_TRUE((via == 0 ? store_->EndRead() : reader_->EndRead()).ok());
  }
}

TEST_F(BaselineCursor, OutOfOrderAndOutsideATransaction) {
  // Backwards, and each lookup in its own implicit transaction.
  for (auto it = fx_.walk.rbegin(); it != fx_.walk.rend(); ++it) {
    auto a = store_->Find(it->key, it->path);
    auto b = reader_->Find(it->key, it->path);
    ASSERT_TRUE(a.ok() && b.ok());
    ExpectSame(*a, ByKey(it->key), it->path);
    ExpectSame(*b, ByKey(it->key), it->path);
  }
}

TEST_F(BaselineCursor, WritesBetweenLookupsAreSeen) {
  // The store inside its write batch: a row written between two lookups of one directory
  // (the cursor is past its name) is found by the next lookup of it.
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->BeginRead().ok());
  auto first = store_->Find(fx_.rows[0].key, fx_.rows[0].path);
  ASSERT_TRUE(first.ok() && first->has_value());
  auto later = store_->Find(fx_.rows[10].key, fx_.rows[10].path);
  ASSERT_TRUE(later.ok() && later->has_value());
  BaselineRecord moved = fx_.rows[1];
  moved.path = "/srv/a/" + Name(11) + "z";  // renamed to a name after the cursor's
  ASSERT_TRUE(store_->Put(moved).ok());
  ASSERT_TRUE(store_->BeginRead().ok());
  auto again = store_->Find(moved.key, moved.path);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->path, moved.path);
  ASSERT_TRUE(store_->EndRead().ok());
  ASSERT_TRUE(store_->Commit().ok());

  // The reader sees it in its next read transaction, not a position of the last one.
  ASSERT_TRUE(reader_->BeginRead().ok());
  auto seen = reader_->Find(moved.key, moved.path);
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ((*seen)->path, moved.path);
  BaselineRecord added = Row(950, "/srv/a/" + Name(39) + "q");
  ASSERT_TRUE(reader_->EndRead().ok());
  ASSERT_TRUE(store_->Put(added).ok());
  ASSERT_TRUE(reader_->BeginRead().ok());
  auto next = reader_->Find(added.key, added.path);
  ASSERT_TRUE(next.ok());
  ExpectSame(*next, added, added.path);
  ASSERT_TRUE(reader_->EndRead().ok());
}

}  // namespace
}  // namespace vigil::retention
